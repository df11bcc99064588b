/**
 * The portal API's shapes (`desk portal`, /v1): the one description from which the service checks
 * what it is sent, types what it answers, and generates its OpenAPI 3.1 document. The portal has
 * checked the employee's username and password already; it names the employee by username.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { EMAIL_KINDS, FACTOR_TYPES } from './types/employees';
import { sixDigitCodeSchema, usernameSchema } from './schemas';

export const PORTAL_API_VERSION = 'v1';

export const portalErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'Plain English, meant for the person at the portal.' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every refusal, with one of a closed set of codes.' });

export const eligibilityReasonSchema = z.object({
  code: z.enum(['leaver', 'internet_not_approved', 'no_email', 'mfa_enabled']),
  message: z.string(),
  blocks: z.boolean().meta({ description: 'Whether this stops registration altogether.' }),
});

export const portalMethodSchema = z
  .object({
    type: z.enum(FACTOR_TYPES),
    state: z.enum(['pending', 'active']),
    registeredAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().meta({ description: 'The last accepted code at sign-in or when the desk checked it.' }),
    locked: z.boolean().meta({ description: 'Too many wrong codes: Shared Services unlocks it.' }),
    address: z.string().nullable().meta({ description: 'The email method: the masked address its codes go to.' }),
    canRemove: z.boolean().meta({ description: 'A method can be removed only when both are set up.' }),
  })
  .meta({ id: 'Method' });

export const portalMfaStatusSchema = z
  .object({
    username: z.string(),
    canRegister: z.boolean(),
    reasons: z.array(eligibilityReasonSchema),
    mfaEnabled: z.boolean(),
    mfaEnabledAt: z.string().nullable(),
    canTurnOff: z.literal(false).meta({ description: 'Once MFA is enabled it cannot be turned off.' }),
    emails: z.array(
      z.object({
        id: z.number().int(),
        kind: z.enum(EMAIL_KINDS),
        address: z.string().meta({ description: 'Masked: j•••@example.org.' }),
        receivesCodes: z.boolean(),
      }),
    ),
    methods: z.array(portalMethodSchema),
    webchatUrl: z.string().meta({ description: 'Where the employee reaches Shared Services.' }),
  })
  .meta({ id: 'MfaStatus' });
export type PortalMfaStatus = z.infer<typeof portalMfaStatusSchema>;

export const employeePathSchema = z.object({ username: usernameSchema });

export const PORTAL_METHODS = ['app', 'email'] as const;
export type PortalMethod = (typeof PORTAL_METHODS)[number];
export const methodPathSchema = z.object({
  username: usernameSchema,
  method: z.enum(PORTAL_METHODS, { error: 'Name the method: app or email' }),
});

export const portalMethodRemovedSchema = z
  .object({
    removed: z.enum(FACTOR_TYPES),
    reference: z.string().meta({ description: 'The change reference the confirmation mails carry.' }),
    confirmations: z.number().int().meta({ description: 'Confirmation mails queued: one per address on record.' }),
    mfaEnabled: z.literal(true).meta({ description: 'MFA stays enabled: the other method remains.' }),
  })
  .meta({ id: 'MethodRemoved' });
export type PortalMethodRemoved = z.infer<typeof portalMethodRemovedSchema>;

export const appStartBodySchema = z
  .object({
    code: sixDigitCodeSchema
      .optional()
      .meta({ description: 'Only after Shared Services re-registered the app: the registration code they emailed.' }),
  })
  .strict()
  .meta({ id: 'AppStart' });

export const appEnrolmentSchema = z
  .object({
    otpauthUri: z.string().meta({ description: 'Holds the new key: show it to the employee only, as the QR code, and keep it nowhere.' }),
    qrCode: z.string().meta({ description: 'The otpauth URI as a QR code: a PNG data URL.' }),
    issuer: z.string().meta({ description: 'The account name the authenticator app shows ("Hants").' }),
    account: z.string(),
  })
  .meta({ id: 'AppEnrolment' });
export type PortalAppEnrolment = z.infer<typeof appEnrolmentSchema>;

export const codeBodySchema = z
  .object({ code: sixDigitCodeSchema.meta({ description: 'The 6 digits; spaces and dashes between them are ignored.' }) })
  .strict()
  .meta({ id: 'Code' });

export const emailStartBodySchema = z
  .object({ emailId: z.number().int().positive().meta({ description: 'An address on record, by the id the GET lists.' }) })
  .strict()
  .meta({ id: 'EmailStart' });

export const emailCodeSentSchema = z
  .object({
    address: z.string().meta({ description: 'Masked: where the code went.' }),
    expiresAt: z.string(),
    lifetimeMinutes: z.number().int().meta({ description: 'otp.lifetimeMinutes: 20 unless changed. After that, request a new code.' }),
  })
  .meta({ id: 'EmailCodeSent' });
export type PortalEmailCodeSent = z.infer<typeof emailCodeSentSchema>;

export const registeredSchema = z
  .object({
    registered: z.enum(FACTOR_TYPES),
    reference: z.string().meta({ description: 'The change reference the confirmation mails carry.' }),
    mfaEnabledAt: z.string(),
    confirmations: z.number().int().meta({ description: 'Confirmation mails queued: one per address on record.' }),
  })
  .meta({ id: 'Registered' });
export type PortalRegistered = z.infer<typeof registeredSchema>;

export const SIGNIN_RESULTS = ['accepted', 'wrong', 'locked', 'expired'] as const;
export type SignInResult = (typeof SIGNIN_RESULTS)[number];

export const signInChallengeBodySchema = z
  .object({
    method: z.enum(FACTOR_TYPES, { error: 'Name the method: authenticator_app or email' }).meta({ description: 'The method the employee chose for this sign-in.' }),
  })
  .strict()
  .meta({ id: 'SignInChallenge' });

export const signInChallengedSchema = z
  .object({
    method: z.enum(FACTOR_TYPES),
    sent: z.boolean().meta({ description: 'email: a sign-in code was sent. authenticator_app: nothing is sent; the app shows the code.' }),
    address: z.string().nullable().meta({ description: 'email: the masked address the code went to.' }),
    expiresAt: z.string().nullable(),
    lifetimeMinutes: z.number().int().nullable().meta({ description: 'otp.lifetimeMinutes: 20 unless changed. After that, ask for a new code.' }),
    message: z.string().meta({ description: 'What to tell the employee, in plain words.' }),
  })
  .meta({ id: 'SignInChallenged' });
export type SignInChallenged = z.infer<typeof signInChallengedSchema>;

export const signInVerifyBodySchema = z
  .object({
    method: z.enum(FACTOR_TYPES, { error: 'Name the method: authenticator_app or email' }).meta({ description: 'The method checked: a code from the authenticator app, or the emailed sign-in code.' }),
    code: sixDigitCodeSchema.meta({ description: 'The 6 digits; spaces and dashes between them are ignored.' }),
  })
  .strict()
  .meta({ id: 'SignInVerify' });

export const signInVerdictSchema = z
  .object({
    result: z.enum(SIGNIN_RESULTS).meta({ description: 'accepted: let them in. wrong: ask again (attemptsLeft). locked: Shared Services must unlock the method. expired: ask for a new code.' }),
    method: z.enum(FACTOR_TYPES),
    attemptsLeft: z.number().int(),
    message: z.string().meta({ description: 'What to tell the employee, in plain words.' }),
    checkedAt: z.string(),
  })
  .meta({ id: 'SignInVerdict' });
export type SignInVerdict = z.infer<typeof signInVerdictSchema>;

/** One route of the API: what it takes, what it answers, and the refusals it can give. */
export interface PortalRoute {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI's form: /v1/employees/{username}/mfa. */
  path: string;
  operationId: string;
  summary: string;
  params?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  /** The HTTP statuses of its refusals besides 401 and 429, which every route can give. */
  refusals: readonly number[];
  /** It sends mail: an Idempotency-Key header makes a retry return the first answer and send nothing. */
  idempotent?: boolean;
}

export const PORTAL_ROUTES = [
  {
    method: 'get',
    path: '/v1/employees/{username}/mfa',
    operationId: 'getMfa',
    summary:
      'Whether the employee can register and why not; the addresses on record (masked); their methods with state, registered, last used and locked; whether each can be removed. MFA cannot be turned off.',
    params: employeePathSchema,
    response: portalMfaStatusSchema,
    refusals: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/mfa/app',
    operationId: 'startApp',
    summary:
      'Start (or start again) registering the authenticator app: a new key, as an otpauth URI and its QR code. After Shared Services re-registered the app, the registration code they emailed is needed.',
    params: employeePathSchema,
    body: appStartBodySchema,
    response: appEnrolmentSchema,
    refusals: [400, 404, 422],
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/mfa/app/activate',
    operationId: 'activateApp',
    summary:
      'Finish with the current code from the app: the app becomes a way to sign in, MFA is enabled (for good), and every address on record gets a confirmation.',
    params: employeePathSchema,
    body: codeBodySchema,
    response: registeredSchema,
    refusals: [400, 404, 409, 422],
    idempotent: true,
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/mfa/email',
    operationId: 'startEmail',
    summary: 'Send a registration code, valid otp.lifetimeMinutes (20), to an address on record chosen by its id; a new request replaces the previous code.',
    params: employeePathSchema,
    body: emailStartBodySchema,
    response: emailCodeSentSchema,
    refusals: [400, 404, 409, 422],
    idempotent: true,
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/mfa/email/activate',
    operationId: 'activateEmail',
    summary:
      'Finish with the emailed code: the address receives sign-in codes, MFA is enabled (for good), and every address on record gets a confirmation. An expired code must be requested again.',
    params: employeePathSchema,
    body: codeBodySchema,
    response: registeredSchema,
    refusals: [400, 404, 409, 422],
    idempotent: true,
  },
  {
    method: 'delete',
    path: '/v1/employees/{username}/mfa/{method}',
    operationId: 'removeMethod',
    summary:
      'Remove the authenticator app or the email method — only when both are set up, so MFA stays enabled (it cannot be turned off). Every address on record gets a confirmation with a change reference and the webchat route.',
    params: methodPathSchema,
    response: portalMethodRemovedSchema,
    refusals: [400, 404, 422],
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/sign-in/challenge',
    operationId: 'challengeSignIn',
    summary:
      'Start the second step of a sign-in with the method the employee chose. email: a sign-in code, valid otp.lifetimeMinutes (20), goes to the address that receives codes (a new one replaces the last; at most 10 codes an hour). authenticator_app: nothing is sent.',
    params: employeePathSchema,
    body: signInChallengeBodySchema,
    response: signInChallengedSchema,
    refusals: [400, 404, 409, 422],
    idempotent: true,
  },
  {
    method: 'post',
    path: '/v1/employees/{username}/sign-in/verify',
    operationId: 'verifySignIn',
    summary:
      'Check the second factor at sign-in: a code from the authenticator app (each step accepted once; five wrong codes lock the app) or the emailed sign-in code (used once; five wrong tries end the code, ten wrong codes in a row lock the employee’s codes). Shared Services unlocks a lock; the method’s "last used" is set. Wrong, locked and expired are answered with 200 and a result.',
    params: employeePathSchema,
    body: signInVerifyBodySchema,
    response: signInVerdictSchema,
    refusals: [400, 404, 422],
  },
] as const satisfies readonly PortalRoute[];
