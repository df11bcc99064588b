/** An agent's actions on a caller's MFA, on a ticket. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { employeeIdSchema, noTextControls, rowIdSchema, sixDigitCodeSchema, CONTROL_REFUSED, ticketRefSchema } from '../schemas';
import { FACTOR_TYPES, type CallerVerificationView, type FactorRemoved, type IdentityCodeSent, type RegistrationCodeSent, type ReRegistrationStarted, type UnlockResult } from '../domain';

/** An emailed one-time code or an authenticator code: 6 digits (spaces and dashes are ignored). */
export const oneTimeCodeSchema = sixDigitCodeSchema;
/** A supervisor's written reason for overriding the caller verification. */
export const overrideReasonSchema = z
  .string()
  .trim()
  .min(10, 'Write the reason for the override (at least 10 characters)')
  .max(1000, 'Keep the reason under 1,000 characters')
  .refine(noTextControls, CONTROL_REFUSED);

/** Every MFA action names the employee and the webchat ticket it is done on. */
const onCaller = <S extends z.ZodRawShape>(shape: S) => z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, ...shape }).strict();

export const mfaChannels = {
  'mfa.sendIdentityCode': channel<IdentityCodeSent>()({
    input: onCaller({ emailId: rowIdSchema }),
    access: 'callers.help',
    summary: 'Email an identity-check code to an address on record (chosen by id); the caller reads it back.',
  }),
  'mfa.checkIdentityCode': channel<CallerVerificationView>()({
    input: onCaller({ code: oneTimeCodeSchema }),
    access: 'callers.help',
    summary: 'Check the identity-check code the caller read back; right: the caller is verified on this ticket.',
  }),
  'mfa.checkAuthenticatorCode': channel<CallerVerificationView>()({
    input: onCaller({ code: oneTimeCodeSchema }),
    access: 'callers.help',
    summary: "Check the current code from the caller's authenticator app; right: the caller is verified on this ticket.",
  }),
  'mfa.overrideVerification': channel<CallerVerificationView>()({
    input: onCaller({ reason: overrideReasonSchema }),
    access: 'callers.override',
    summary: 'A supervisor vouches for the caller on this ticket, with a written reason.',
  }),
  'mfa.reRegister': channel<ReRegistrationStarted>()({
    input: onCaller({ factorType: z.enum(FACTOR_TYPES), emailId: rowIdSchema.optional() }),
    access: 'callers.help',
    summary:
      'New or lost phone, or another address: replace the factor with a pending one and email a registration code (verified caller only). MFA stays enabled.',
  }),
  'mfa.restartRegistration': channel<RegistrationCodeSent>()({
    input: onCaller({ factorId: rowIdSchema }),
    access: 'callers.help',
    summary: 'Send a fresh registration code for a pending factor, e.g. after the last one expired (verified caller only).',
  }),
  'mfa.removeFactor': channel<FactorRemoved>()({
    input: onCaller({ factorId: rowIdSchema }),
    access: 'callers.help',
    summary: 'Remove an authentication method; only when both are set up (verified caller only).',
  }),
  'mfa.unlock': channel<UnlockResult>()({
    input: onCaller({}),
    access: 'callers.help',
    summary: "Clear the employee's wrong-code counts and code lock (verified caller only).",
  }),
} as const satisfies ChannelMap;
