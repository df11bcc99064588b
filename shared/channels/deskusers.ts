/** Desk users, as admins run them. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { rowIdSchema, noControls, CONTROL_REFUSED, usernameSchema } from '../schemas';
import { DESK_ROLES, type DeskUserView, type DeskUserWithTemporaryPassword } from '../domain';

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(256, 'Use at most 256 characters');
export const displayNameSchema = z.string().trim().min(1, 'Enter a name').max(120).refine(noControls, CONTROL_REFUSED);

export const deskUserChannels = {
  'desk.users.list': channel<DeskUserView[]>()({
    input: empty,
    access: 'desk.administer',
    summary: 'Every desk user with role, state (disabled, locked out, temporary password, authenticator enrolled) and last sign-in.',
  }),
  'desk.users.create': channel<DeskUserWithTemporaryPassword>()({
    input: z.object({ username: usernameSchema, displayName: displayNameSchema, role: z.enum(DESK_ROLES) }).strict(),
    access: 'desk.administer',
    summary: 'Create a desk user with a temporary password, shown once, that they replace at their first sign-in (audited).',
  }),
  'desk.users.setEnabled': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema, enabled: z.boolean() }).strict(),
    access: 'desk.administer',
    summary: 'Disable a desk user (their sessions end) or enable them again; never the last active admin (audited).',
  }),
  'desk.users.setRole': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema, role: z.enum(DESK_ROLES) }).strict(),
    access: 'desk.administer',
    summary: "Change a desk user's role (their sessions end); never demote the last active admin (audited).",
  }),
  'desk.users.resetPassword': channel<DeskUserWithTemporaryPassword>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: 'desk.administer',
    summary: 'Give a desk user a temporary password, shown once, to be replaced at their next sign-in; their sessions end (audited).',
  }),
  'desk.users.resetTotp': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: 'desk.administer',
    summary: "Forget a desk user's authenticator app; they enrol a new one at their next sign-in; their sessions end (audited).",
  }),
  'desk.users.unlock': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: 'desk.administer',
    summary: 'Lift a lock-out after too many failed sign-ins (audited).',
  }),
} as const satisfies ChannelMap;
