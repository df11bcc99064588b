/** Signing in to the desk: first admin, password, authenticator code, sign-out. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { sixDigitCodeSchema, usernameSchema } from '../schemas';
import { displayNameSchema, passwordSchema } from './deskusers';
import type { SessionInfo, SignInStep } from '../domain';

const challengeSchema = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'Invalid sign-in challenge');
/** A code from the desk user's own authenticator app. */
export const totpCodeSchema = sixDigitCodeSchema;

export const authChannels = {
  'auth.createFirstAdmin': channel<{ username: string }>()({
    input: z
      .object({ username: usernameSchema, displayName: displayNameSchema, password: passwordSchema })
      .strict(),
    access: 'public',
    summary: 'Create the first admin; refused once any desk user exists.',
  }),
  'auth.signIn': channel<SignInStep>()({
    input: z.object({ username: usernameSchema, password: z.string().min(1).max(256) }).strict(),
    access: 'public',
    summary: 'Check username and password; then a TOTP code (or enrolment at first sign-in) is asked for.',
  }),
  'auth.completeSignIn': channel<SessionInfo>()({
    input: z.object({ challenge: challengeSchema, code: totpCodeSchema }).strict(),
    access: 'public',
    summary: 'Finish sign-in with a code from the authenticator app.',
  }),
  'auth.setNewPassword': channel<SignInStep>()({
    input: z.object({ challenge: challengeSchema, password: passwordSchema }).strict(),
    access: 'public',
    summary: 'Replace a temporary password with your own (the newPassword step of sign-in); then the code is asked for.',
  }),
  'auth.signOut': channel<null>()({
    input: empty,
    access: 'public',
    summary: 'End the session. (An idle session is locked by the main process itself.)',
  }),
} as const satisfies ChannelMap;
