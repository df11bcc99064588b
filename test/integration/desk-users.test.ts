import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { DeskRole, SignInStep } from '../../shared/domain';
import type { ChannelName, InputOf } from '../../shared/contract';
import { ManualClock } from '../../electron/core/clock';
import { SYSTEM_ACTOR, CLI_ACTOR } from '../../electron/core/audit/audit.service';
import { SESSION_CHECK_MS } from '../../electron/core/auth/session-check';
import { insertDeskUser, setDeskUserDisabled, setDeskUserRole } from '../../electron/core/deskusers/deskusers.service';
import type { SessionSlot } from '../../electron/core/ipc/router';
import { callAs } from '../support/call-as';
import { cheapHash } from '../support/cheap-hash';
import { secretFromUri, totpAt } from '../support/http';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const PASSWORD = 'correct horse battery staple';
const HASH = cheapHash(PASSWORD);
const STEP = 30_000;

interface Slot extends SessionSlot {
  token: string | undefined;
}

function slot(): Slot {
  const s: Slot = {
    token: undefined,
    get: () => s.token,
    set: (t) => {
      s.token = t;
    },
  };
  return s;
}

describe.each(TARGETS)('desk user administration on $name', (target: Target) => {
  // 10 s into a 30 s step, so "the current step" is unambiguous.
  const clock = new ManualClock('2026-03-02T09:00:10Z');
  let core: TestCore;
  /** Authenticator secrets by username, once enrolled. */
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
  });
  afterAll(async () => {
    await core?.dispose();
  });

  const invoke = <K extends ChannelName>(channel: K, input: InputOf<K>, as: SessionSlot = slot()) => callAs(core, as).call(channel, input);
  /** For table-driven and malformed calls the contract would not let the renderer write. */
  const invokeRaw = (channel: string, payload: unknown, as: SessionSlot = slot()) => callAs(core, as).raw(channel, payload);
  const ok = <K extends ChannelName>(channel: K, input: InputOf<K>, as: SessionSlot) => callAs(core, as).ok(channel, input);
  const row = (username: string) => core.db('desk_users').where({ username }).first();
  const audits = async (action: string) =>
    (await core.db('audit_events').where({ action }).orderBy('seq')).map((r: { actor_name: string; result: string; details: string }) => ({
      actor: r.actor_name,
      result: r.result,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));

  async function newUser(username: string, role: DeskRole): Promise<number> {
    return core.db.transaction((trx) => insertDeskUser(trx, clock, SYSTEM_ACTOR, { username, displayName: `User ${username}`, role, password: PASSWORD }, HASH));
  }

  /** The code step of a sign-in: enrol (remembering the secret) or the current code. */
  async function finish(username: string, step: SignInStep, as: Slot): Promise<void> {
    if (step.step === 'newPassword') throw new Error('a new password is needed first');
    if (step.step === 'enrol') secrets.set(username, secretFromUri(step.otpauthUri));
    await ok('auth.completeSignIn', { challenge: step.challenge, code: totpAt(secrets.get(username)!, clock) }, as);
    clock.advance(STEP); // each code is accepted once: the next sign-in uses the next step
  }

  async function signedIn(username: string, password = PASSWORD): Promise<Slot> {
    const as = slot();
    await finish(username, await ok('auth.signIn', { username, password }, as), as);
    return as;
  }

  let admin: Slot;
  let adminId: number;
  beforeAll(async () => {
    adminId = await newUser('admin.one', 'admin');
    admin = await signedIn('admin.one');
  });

  it('creates a desk user with a temporary password, replaced at the first sign-in before the code', async () => {
    const created = await ok(
      'desk.users.create',
      { username: 'New.Agent', displayName: 'New Agent', role: 'agent' },
      admin,
    );
    expect(created.user).toMatchObject({ username: 'new.agent', role: 'agent', mustChangePassword: true, totpEnrolled: false, disabled: false });
    expect(created.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await audits('desk_user.created')).toContainEqual({
      actor: 'admin.one',
      result: 'ok',
      details: { deskUserId: created.user.id, username: 'new.agent', role: 'agent', temporaryPassword: true },
    });
    // A duplicate is refused and writes nothing.
    const again = await invoke('desk.users.create', { username: 'new.agent', displayName: 'Again', role: 'admin' }, admin);
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const as = slot();
    const first = await ok('auth.signIn', { username: 'new.agent', password: created.temporaryPassword }, as);
    expect(first.step).toBe('newPassword');
    // The code step cannot be reached past the new password.
    expect(await invoke('auth.completeSignIn', { challenge: first.challenge, code: '123456' }, as)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const second = await ok('auth.signIn', { username: 'new.agent', password: created.temporaryPassword }, as);
    // Not the temporary password again; too short is refused by the contract.
    expect(await invoke('auth.setNewPassword', { challenge: second.challenge, password: 'short' }, as)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await invoke('auth.setNewPassword', { challenge: second.challenge, password: created.temporaryPassword }, as)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(Boolean((await row('new.agent')).must_change_password)).toBe(true);
    // That try used the step up: sign in again.
    const third = await ok('auth.signIn', { username: 'new.agent', password: created.temporaryPassword }, as);
    const next = await ok('auth.setNewPassword', { challenge: third.challenge, password: 'my own long password' }, as);
    expect(next.step).toBe('enrol');
    await finish('new.agent', next, as);
    expect(await ok('app.status', {}, as)).toMatchObject({ session: { username: 'new.agent', role: 'agent' } });
    expect(await audits('desk_user.password_changed')).toEqual([{ actor: 'new.agent', result: 'ok', details: {} }]);
    // The temporary password worked once; the user's own one works now.
    expect(await invoke('auth.signIn', { username: 'new.agent', password: created.temporaryPassword })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await ok('auth.signIn', { username: 'new.agent', password: 'my own long password' }, slot())).step).toBe('totp');
    // The list says what admins need and nothing secret.
    const list = await ok('desk.users.list', {}, admin);
    const listed = list.find((u) => u['username'] === 'new.agent')!;
    expect(listed).toMatchObject({ mustChangePassword: false, totpEnrolled: true, lockedUntil: null });
    const text = JSON.stringify(list);
    expect(text).not.toContain(created.temporaryPassword);
    expect(text).not.toMatch(/scrypt|password_hash|totp_seed|v1\./);
    expect(text).not.toContain(secrets.get('new.agent')!);
  });

  it('disabling ends the sessions at once and refuses sign-in until enabled again', async () => {
    const id = await newUser('agent.off', 'agent');
    const agent = await signedIn('agent.off');
    expect((await invoke('employees.count', { query: '' }, agent)).ok).toBe(true);
    expect(await ok('desk.users.setEnabled', { userId: id, enabled: false }, admin)).toMatchObject({ disabled: true });
    expect(await invoke('employees.count', { query: '' }, agent)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(agent.token).toBeUndefined();
    const refused = await invoke('auth.signIn', { username: 'agent.off', password: PASSWORD });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password' } });
    // Disabling again changes nothing and records nothing more.
    await ok('desk.users.setEnabled', { userId: id, enabled: false }, admin);
    expect(await ok('desk.users.setEnabled', { userId: id, enabled: true }, admin)).toMatchObject({ disabled: false });
    await signedIn('agent.off');
    expect((await audits('desk_user.disabled')).filter((a) => a.details['deskUserId'] === id)).toEqual([
      { actor: 'admin.one', result: 'ok', details: { deskUserId: id, username: 'agent.off' } },
    ]);
    expect((await audits('desk_user.enabled')).filter((a) => a.details['deskUserId'] === id)).toHaveLength(1);
  });

  it('a role change ends the sessions; the next sign-in has the new role', async () => {
    const id = await newUser('role.change', 'agent');
    const before = await signedIn('role.change');
    expect(await invoke('audit.verify', {}, before)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ok('desk.users.setRole', { userId: id, role: 'supervisor' }, admin)).toMatchObject({ role: 'supervisor' });
    expect(await invoke('employees.count', { query: '' }, before)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', details: { reason: 'revoked' } } });
    const after = await signedIn('role.change');
    expect((await invoke('audit.verify', {}, after)).ok).toBe(true);
    expect((await audits('desk_user.role_changed')).filter((a) => a.details['deskUserId'] === id)).toEqual([
      { actor: 'admin.one', result: 'ok', details: { deskUserId: id, username: 'role.change', from: 'agent', to: 'supervisor' } },
    ]);
  });

  it('never disables or demotes the last active admin, also when two admins try at once', async () => {
    const count = async () => (await core.db('audit_events').count({ n: '*' }).first())!.n;
    const events = Number(await count());
    for (const [channel, payload] of [
      ['desk.users.setEnabled', { userId: adminId, enabled: false }],
      ['desk.users.setRole', { userId: adminId, role: 'agent' }],
    ] as const) {
      const r = await invoke(channel, payload, admin);
      expect(r).toMatchObject({ ok: false, error: { code: 'RULE_VIOLATION' } });
      if (!r.ok) expect(r.error.message).toMatch(/last active admin/);
    }
    expect(await row('admin.one')).toMatchObject({ role: 'admin', disabled_at: null });
    expect(Number(await count())).toBe(events);
    expect((await invoke('desk.users.list', {}, admin)).ok).toBe(true); // the admin's session still stands

    // Two admins demoting each other at once: one of them stays an admin.
    const other = await newUser('admin.two', 'admin');
    const results = await Promise.allSettled([
      setDeskUserRole({ db: core.db, clock }, { userId: adminId, name: 'admin.one' }, { userId: other, role: 'agent' }),
      setDeskUserRole({ db: core.db, clock }, { userId: other, name: 'admin.two' }, { userId: adminId, role: 'agent' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'RULE_VIOLATION' });
    const admins = await core.db('desk_users').where({ role: 'admin' }).whereNull('disabled_at');
    expect(admins).toHaveLength(1);
    // Put admin.one back in charge for the tests that follow.
    if (admins[0].id !== adminId) {
      await setDeskUserRole({ db: core.db, clock }, CLI_ACTOR, { userId: adminId, role: 'admin' });
      admin = await signedIn('admin.one');
    }
  });

  it('a password reset gives a temporary password that works once, ends the sessions and lifts a lock-out', async () => {
    const id = await newUser('reset.pw', 'manager');
    const session = await signedIn('reset.pw');
    for (let i = 0; i < 5; i++) await invoke('auth.signIn', { username: 'reset.pw', password: `wrong password ${i}` });
    expect((await ok('desk.users.list', {}, admin)).find((u) => u.id === id)!.lockedUntil).toMatch(/^2026-/);
    const reset = await ok('desk.users.resetPassword', { userId: id }, admin);
    expect(reset.user).toMatchObject({ mustChangePassword: true, lockedUntil: null });
    expect(await invoke('employees.count', { query: '' }, session)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await invoke('auth.signIn', { username: 'reset.pw', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const as = slot();
    const step = await ok('auth.signIn', { username: 'reset.pw', password: reset.temporaryPassword }, as);
    expect(step.step).toBe('newPassword');
    const next = await ok('auth.setNewPassword', { challenge: step.challenge, password: 'another long password' }, as);
    expect(next.step).toBe('totp'); // the authenticator app stays
    await finish('reset.pw', next, as);
    const [audit] = (await audits('desk_user.password_reset')).filter((a) => a.details['deskUserId'] === id);
    expect(audit).toEqual({ actor: 'admin.one', result: 'ok', details: { deskUserId: id, username: 'reset.pw' } });
    expect(JSON.stringify(await core.db('audit_events').select('details'))).not.toContain(reset.temporaryPassword);
  });

  it('an authenticator reset erases the key; the user enrols a new app at the next sign-in', async () => {
    const id = await newUser('lost.phone', 'agent');
    const session = await signedIn('lost.phone');
    const oldSecret = secrets.get('lost.phone')!;
    expect(await ok('desk.users.resetTotp', { userId: id }, admin)).toMatchObject({ totpEnrolled: false });
    expect(await row('lost.phone')).toMatchObject({ totp_seed_enc: null, totp_enrolled_at: null });
    expect(await invoke('employees.count', { query: '' }, session)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const as = slot();
    const step = await ok('auth.signIn', { username: 'lost.phone', password: PASSWORD }, as);
    if (step.step !== 'enrol') throw new Error('expected enrolment');
    expect(secretFromUri(step.otpauthUri)).not.toBe(oldSecret);
    // A code from the old app does not finish the enrolment.
    expect(await invoke('auth.completeSignIn', { challenge: step.challenge, code: totpAt(oldSecret, clock) }, as)).toMatchObject({ ok: false });
    await finish('lost.phone', await ok('auth.signIn', { username: 'lost.phone', password: PASSWORD }, as), as);
    expect((await audits('desk_user.totp_reset')).filter((a) => a.details['deskUserId'] === id)).toEqual([
      { actor: 'admin.one', result: 'ok', details: { deskUserId: id, username: 'lost.phone', wasEnrolled: true } },
    ]);
  });

  it('unlock lifts a lock-out after too many failed sign-ins', async () => {
    const id = await newUser('locked.out', 'agent');
    for (let i = 0; i < 5; i++) await invoke('auth.signIn', { username: 'locked.out', password: `wrong password ${i}` });
    const locked = await invoke('auth.signIn', { username: 'locked.out', password: PASSWORD });
    expect(locked).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', details: { lockedUntil: expect.any(String) } } });
    expect(await ok('desk.users.unlock', { userId: id }, admin)).toMatchObject({ lockedUntil: null, failedSignins: 0 });
    await signedIn('locked.out');
    expect((await audits('desk_user.unlocked')).filter((a) => a.details['deskUserId'] === id)).toHaveLength(1);
  });

  it('a change made elsewhere (the CLI, another desk) ends the sessions here within seconds', async () => {
    const id = await newUser('far.away', 'agent');
    const session = await signedIn('far.away');
    expect((await invoke('employees.count', { query: '' }, session)).ok).toBe(true);
    // As `desk users disable` does: straight on the database, not through this process's sessions.
    await setDeskUserDisabled({ db: core.db, clock }, CLI_ACTOR, { userId: id, disabled: true });
    clock.advance(SESSION_CHECK_MS);
    expect(await invoke('employees.count', { query: '' }, session)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', details: { reason: 'revoked' } } });
    await setDeskUserDisabled({ db: core.db, clock }, CLI_ACTOR, { userId: id, disabled: false });
  });

  it('tells admins where the data key is kept, and nobody else', async () => {
    expect(await ok('settings.dataKey', {}, admin)).toEqual({
      kind: 'file',
      where: "a key file readable by this computer's user only",
      file: path.join(core.config.dataDir, 'secret.key'),
      warning: null,
    });
    await newUser('data.key.agent', 'agent');
    const agent = await signedIn('data.key.agent');
    expect(await invoke('settings.dataKey', {}, agent)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses every desk user channel to non-admins and bad input, changing nothing', async () => {
    const id = await newUser('plain.agent', 'agent');
    const agent = await signedIn('plain.agent');
    const calls: Array<[string, unknown]> = [
      ['desk.users.list', {}],
      ['desk.users.create', { username: 'x.user', displayName: 'X', role: 'admin' }],
      ['desk.users.setEnabled', { userId: adminId, enabled: false }],
      ['desk.users.setRole', { userId: id, role: 'admin' }],
      ['desk.users.resetPassword', { userId: adminId }],
      ['desk.users.resetTotp', { userId: adminId }],
      ['desk.users.unlock', { userId: adminId }],
    ];
    const before = await core.db('desk_users').orderBy('id');
    for (const [channel, payload] of calls) {
      expect(await invokeRaw(channel, payload, agent), channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await invokeRaw(channel, payload), channel).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    for (const payload of [{ userId: -1, role: 'agent' }, { userId: id, role: 'root' }, { userId: id, role: 'agent', extra: 1 }, { userId: '1', role: 'agent' }]) {
      expect(await invokeRaw('desk.users.setRole', payload, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await invoke('desk.users.resetTotp', { userId: 999_999 }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await core.db('desk_users').orderBy('id')).toEqual(before);
  });
});
