/** `desk users …`: desk users from the command line, as the CLI actor. */
import { z } from 'zod';
import { DESK_ROLES } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { displayNameSchema, passwordSchema } from '../../../shared/channels/deskusers';
import { USERNAME_RULE, usernameSchema } from '../../../shared/schemas';
import { CLI_ACTOR } from '../../core/audit/audit.service';
import type { DeskCore } from '../../core/app';
import * as deskUsers from '../../core/deskusers/deskusers.service';
import { temporaryPassword } from '../../core/deskusers/password';
import { UsageError } from '../failures';
import { check, parse, readStdin, say, withCore } from '../support';
import { subcommandNames, usageOf, type ArgumentUsage, type CommandFamily, type CommandUsage } from '../usage';

const ROLES = DESK_ROLES.join(', ');
const USERNAME: ArgumentUsage = { name: 'USERNAME', words: 'The desk user’s username' };
const SESSIONS_END = 'their sessions end';
/** Other desks check their sessions against the desk users' table at most every 5 seconds. */
const ELSEWHERE = 'On other desks sharing the database their sessions end within 5 seconds.';

const usages: CommandUsage[] = [
  {
    command: 'users add',
    options: [
      { flag: '--username', value: 'U', required: true, words: `The sign-in name: ${USERNAME_RULE.replace(/^Use/, 'use')}` },
      { flag: '--role', value: 'R', required: true, words: `One of ${ROLES}` },
      { flag: '--name', value: '"Full Name"', words: 'The name the desk shows (default: the username)' },
      { flag: '--password-stdin', words: `Read the password (at least ${passwordSchema.minLength ?? 12} characters) from standard input` },
    ],
    summary: `Create a desk user (role: ${ROLES}); without --password-stdin a temporary password is generated and printed once, and the user chooses their own at the first sign-in`,
    details: 'Every new desk user enrols an authenticator app at their first sign-in.',
    examples: ['desk users add --username ada.admin --role admin --name "Ada Admin"'],
  },
  {
    command: 'users list',
    summary: 'List desk users: role, last sign-in, disabled, locked out, temporary password, authenticator not enrolled',
  },
  {
    command: 'users disable',
    args: [USERNAME],
    summary: `Stop a desk user signing in; ${SESSIONS_END}. The last active admin cannot be disabled`,
    details: ELSEWHERE,
  },
  { command: 'users enable', args: [USERNAME], summary: 'Allow a disabled desk user to sign in again' },
  {
    command: 'users role',
    args: [USERNAME, { name: 'ROLE', words: `One of ${ROLES}` }],
    summary: `Change a desk user's role; ${SESSIONS_END}. The last active admin cannot be demoted`,
    details: ELSEWHERE,
  },
  {
    command: 'users reset-password',
    args: [USERNAME],
    summary: `Give a desk user a temporary password (printed once), to be replaced at their next sign-in; it lifts a lock-out; ${SESSIONS_END}`,
    details: ELSEWHERE,
  },
  {
    command: 'users reset-totp',
    args: [USERNAME],
    summary: `Forget a desk user's authenticator app (a lost phone); they enrol a new one at their next sign-in; ${SESSIONS_END}`,
    details: ELSEWHERE,
  },
  { command: 'users unlock', args: [USERNAME], summary: 'Lift a lock-out after too many failed sign-ins' },
];

const roleSchema = z.enum(DESK_ROLES);

/** What each subcommand on one desk user does, and the line it prints. */
const actions: Record<string, (core: DeskCore, id: number, positionals: string[]) => Promise<string>> = {
  disable: async (core, id) => `Disabled ${(await deskUsers.setDeskUserDisabled(core, CLI_ACTOR, { userId: id, disabled: true })).username}; their sessions end.`,
  enable: async (core, id) => `Enabled ${(await deskUsers.setDeskUserDisabled(core, CLI_ACTOR, { userId: id, disabled: false })).username}.`,
  role: async (core, id, positionals) => {
    const role = check(roleSchema, positionals[1], 'ROLE');
    const u = await deskUsers.setDeskUserRole(core, CLI_ACTOR, { userId: id, role });
    return `${u.username} is now ${u.role}; their sessions end.`;
  },
  'reset-password': async (core, id) => {
    const r = await deskUsers.resetDeskUserPassword(core, CLI_ACTOR, { userId: id });
    return `Temporary password for ${r.user.username} (shown once; they choose their own at the next sign-in): ${r.temporaryPassword}`;
  },
  'reset-totp': async (core, id) =>
    `Forgot ${(await deskUsers.resetDeskUserTotp(core, CLI_ACTOR, { userId: id })).username}'s authenticator app; they enrol one at the next sign-in.`,
  unlock: async (core, id) => `Unlocked ${(await deskUsers.unlockDeskUser(core, CLI_ACTOR, { userId: id })).username}.`,
};

async function list(rest: string[]): Promise<number> {
  const options = parse(rest, usageOf(usersFamily, 'users list'));
  await withCore(options.dataDir, async (core) => {
    const all = await deskUsers.listDeskUsers(core);
    if (all.length === 0) say('No desk users yet.');
    for (const u of all) {
      const notes = [
        u.disabled ? 'disabled' : null,
        u.lockedUntil ? `locked until ${u.lockedUntil.slice(0, 16).replace('T', ' ')} UTC` : null,
        u.mustChangePassword ? 'temporary password' : null,
        u.totpEnrolled ? null : 'authenticator not enrolled yet',
      ].filter(Boolean);
      const last = u.lastSigninAt ? `last sign-in ${u.lastSigninAt.slice(0, 16).replace('T', ' ')} UTC` : 'never signed in';
      say(`${u.username.padEnd(24)} ${u.role.padEnd(10)} ${u.displayName} — ${last}${notes.length ? ` (${notes.join(', ')})` : ''}`);
    }
  });
  return 0;
}

async function add(rest: string[]): Promise<number> {
  const options = parse(rest, usageOf(usersFamily, 'users add'));
  const username = check(usernameSchema, options.string('username'), '--username');
  const role = check(roleSchema, options.string('role'), '--role');
  const displayName = check(displayNameSchema, options.string('name') ?? username, '--name');
  const generated = !options.flag('password-stdin');
  const password = generated ? temporaryPassword() : check(passwordSchema, await readStdin(), 'password');
  await withCore(options.dataDir, async (core) => {
    await deskUsers.createDeskUser(core, CLI_ACTOR, { username, displayName, role, password, temporary: generated });
    say(`Created ${role} ${username}.`);
    if (generated) say(`Temporary password (shown once; they choose their own at the first sign-in): ${password}`);
    say('They enrol an authenticator app at first sign-in.');
  });
  return 0;
}

async function users(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return list(rest);
  if (sub === 'add') return add(rest);
  const action = sub !== undefined && Object.hasOwn(actions, sub) ? actions[sub] : undefined;
  if (!sub || !action) throw new UsageError(`users needs a subcommand: ${subcommandNames(usersFamily)}`);
  const usage = usageOf(usersFamily, `users ${sub}`);
  const options = parse(rest, usage);
  const expected = usage.args ?? [];
  if (options.positionals.length !== expected.length) throw new UsageError(`users ${sub} needs: ${expected.map((a) => a.name).join(' ')}`);
  const username = check(usernameSchema, options.positionals[0], 'USERNAME');
  await withCore(options.dataDir, async (core) => {
    const user = await deskUsers.findDeskUser(core.db, username);
    if (!user) throw new DeskError('NOT_FOUND', `There is no desk user named ${username}.`);
    say(await action(core, user.id, options.positionals));
  });
  return 0;
}

export const usersFamily: CommandFamily = { name: 'users', usages, run: users };
