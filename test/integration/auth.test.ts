import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { DeskError } from '../../shared/errors';
import type { SessionInfo, SignInStep } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { SYSTEM_ACTOR } from '../../electron/core/audit/audit.service';
import { completeSignIn, LOCK_MINUTES, MAX_FAILED_SIGNINS, signIn, type AuthDeps } from '../../electron/core/auth/auth.service';
import { ChallengeStore } from '../../electron/core/auth/sessions';
import { nameKey } from '../../electron/core/deskusers/signin-failures';
import { countDeskUsers, createDeskUser, createFirstAdmin, insertDeskUser } from '../../electron/core/deskusers/deskusers.service';
import type { SessionSlot } from '../../electron/core/ipc/router';
import { putSetting } from '../../electron/core/settings/settings.service';
import { cheapHash } from '../support/cheap-hash';
import { secretFromUri, totpAt } from '../support/http';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const PASSWORD = 'correct horse battery staple';

/** Desk users made for these tests store a cheap (but real) scrypt hash of PASSWORD. */
const CHEAP_HASH = cheapHash(PASSWORD);
const MINUTE = 60_000;
const STEP = 30_000;

async function refusal(p: Promise<unknown>): Promise<DeskError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeskError) return e;
    throw e;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** A 6-digit code that is not valid for any step near the clock's. */
function wrongCode(secret: string, clock: ManualClock): string {
  const near = new Set([-2, -1, 0, 1, 2].map((o) => totpAt(secret, clock, o)));
  for (let n = 0; ; n++) {
    const c = String(n * 111_111 % 1_000_000).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

function memorySlot(): SessionSlot & { token: string | undefined } {
  const s = {
    token: undefined as string | undefined,
    get: () => s.token,
    set: (t: string | undefined) => {
      s.token = t;
    },
  };
  return s;
}

describe.each(TARGETS)('desk users and sign-in on $name', (target: Target) => {
  // 10 s into a 30 s step, so "the current step" is unambiguous.
  const clock = new ManualClock('2026-01-05T09:00:10Z');
  let core: TestCore;
  let deps: AuthDeps;

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    deps = { db: core.db, clock, vault: core.vault, sessions: core.sessions, challenges: new ChallengeStore(clock) };
  });
  afterAll(async () => {
    await core?.dispose();
  });

  const invoke = (channel: string, payload: unknown, slot: SessionSlot = memorySlot()) =>
    core.router.invoke(channel, payload, { slot, emit: () => {} });

  /** The desk user's row, with the failed sign-ins counted against their name (signin_failures). */
  const deskRow = async (id: number) => {
    const row = await core.db('desk_users').where({ id }).first();
    const failures = await core.db('signin_failures').where({ name_key: nameKey(core.vault, row.username) }).first();
    return { ...row, failed_signins: Number(failures?.failures ?? 0), locked_until: failures?.locked_until ?? null };
  };
  const audits = async (action: string, userId?: number) => {
    const rows: Array<{ actor_user_id: number | null; actor_name: string; action: string; result: string; details: string }> =
      await core.db('audit_events').where({ action }).modify((q) => {
        if (userId !== undefined) q.where({ actor_user_id: userId });
      }).orderBy('id');
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  };

  async function newUser(username: string, role: 'agent' | 'manager' | 'supervisor' | 'admin' = 'agent'): Promise<number> {
    return core.db.transaction((trx) =>
      insertDeskUser(trx, clock, SYSTEM_ACTOR, { username, displayName: `User ${username}`, role, password: PASSWORD }, CHEAP_HASH),
    );
  }

  /** First sign-in: enrol the authenticator. Returns the secret the QR code carried. */
  async function enrol(username: string): Promise<string> {
    const step = await signIn(deps, { username, password: PASSWORD });
    if (step.step !== 'enrol') throw new Error('expected enrolment');
    const secret = secretFromUri(step.otpauthUri);
    await completeSignIn(deps, { challenge: step.challenge, code: totpAt(secret, clock) });
    clock.advance(STEP); // the enrolment code's step is used up
    return secret;
  }

  async function enrolledUser(username: string): Promise<{ id: number; secret: string }> {
    const id = await newUser(username);
    return { id, secret: await enrol(username) };
  }

  async function totpChallenge(username: string): Promise<string> {
    const step = await signIn(deps, { username, password: PASSWORD });
    expect(step.step).toBe('totp');
    return step.challenge;
  }

  it('creates the first admin once, with its audit row in the same transaction', async () => {
    const status = await invoke('app.status', {});
    expect(status).toMatchObject({ ok: true, value: { needsFirstAdmin: true, session: null } });
    // The screens count "12 min ago" from the main process's clock, which it sends with its status.
    expect(status).toMatchObject({ ok: true, value: { serverTime: clock.now().toISOString() } });

    // An audit row that cannot be written takes the desk user and the bootstrap claim down with it.
    const broken = await createFirstAdmin({ db: core.db, clock }, { userId: 987_654, name: 'x' }, { username: 'ghost.admin', displayName: 'Ghost', password: PASSWORD }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(broken).toBeInstanceOf(Error);
    expect(await countDeskUsers(core.db)).toBe(0);
    expect(await core.db('settings').where({ key: 'bootstrap.firstAdmin' })).toEqual([]);
    expect(await core.db('audit_events')).toEqual([]);

    const created = await invoke('auth.createFirstAdmin', { username: 'Admin.One', displayName: 'Admin One', password: PASSWORD });
    expect(created).toEqual({ ok: true, value: { username: 'admin.one' } });
    const [admin] = await core.db('desk_users');
    expect(admin).toMatchObject({ username: 'admin.one', display_name: 'Admin One', role: 'admin', totp_seed_enc: null });
    expect(await core.db('signin_failures')).toEqual([]);
    expect(admin.password_hash).toMatch(/^scrypt\$/);
    expect(admin.password_hash).not.toContain(PASSWORD);
    const [audit] = await audits('desk_user.created');
    expect(audit).toMatchObject({ actor_name: 'first-run', result: 'ok', details: { deskUserId: admin.id, username: 'admin.one', role: 'admin' } });

    const again = await invoke('auth.createFirstAdmin', { username: 'admin.two', displayName: 'Admin Two', password: PASSWORD });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await countDeskUsers(core.db)).toBe(1);
    expect(await audits('desk_user.created')).toHaveLength(1);
    expect(await invoke('app.status', {})).toMatchObject({ ok: true, value: { needsFirstAdmin: false } });
    // The password the first admin chose (hashed with the production parameters) signs them in.
    expect((await signIn(deps, { username: 'admin.one', password: PASSWORD })).step).toBe('enrol');
  });

  it('refuses a wrong password, counts and audits it; unknown and disabled users get the same answer', async () => {
    const id = await newUser('pw.user');
    const wrong = await refusal(signIn(deps, { username: 'pw.user', password: 'not the password at all' }));
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toBe('Wrong username or password');
    expect((await deskRow(id)).failed_signins).toBe(1);
    expect(await audits('desk_user.signin', id)).toEqual([
      expect.objectContaining({ actor_name: 'pw.user', result: 'refused', details: { stage: 'password', failures: 1, locked: false } }),
    ]);

    const unknown = await refusal(signIn(deps, { username: 'nobody.here', password: PASSWORD }));
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
    expect(unknown.details).toBeUndefined();

    await core.db('desk_users').where({ id }).update({ disabled_at: clock.now().toISOString() });
    const disabled = await refusal(signIn(deps, { username: 'pw.user', password: PASSWORD }));
    expect([disabled.code, disabled.message]).toEqual([wrong.code, wrong.message]);
    await core.db('desk_users').where({ id }).update({ disabled_at: null });

    // Usernames are not case-sensitive.
    expect((await signIn(deps, { username: 'PW.User', password: PASSWORD })).step).toBe('enrol');
  });

  it('enrols the authenticator at first sign-in, stores the seed sealed, then asks for a code', async () => {
    await putSetting(core.db, clock, 'totp.issuer', 'Hampshire Desk');
    const id = await newUser('enrol.user', 'manager');
    let step: SignInStep;
    try {
      step = await signIn(deps, { username: 'enrol.user', password: PASSWORD });
    } finally {
      await core.db('settings').where({ key: 'totp.issuer' }).delete();
    }
    if (step.step !== 'enrol') throw new Error('expected enrolment');
    expect(step).toMatchObject({ issuer: 'Hampshire Desk', account: 'enrol.user' });
    const uri = new URL(step.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toContain('enrol.user');
    expect(uri.searchParams.get('issuer')).toBe('Hampshire Desk');
    const secret = secretFromUri(step.otpauthUri);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(step.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Nothing is stored until the first code proves the app has the seed.
    expect((await deskRow(id)).totp_seed_enc).toBeNull();

    const code = generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
    const session = await completeSignIn(deps, { challenge: step.challenge, code });
    expect(session).toMatchObject({ userId: id, username: 'enrol.user', role: 'manager', idleMinutes: 15 });
    expect(session.token.length).toBeGreaterThanOrEqual(40);
    expect(core.sessions.touch(session.token).state).toBe('active');

    const row = await deskRow(id);
    expect(row.totp_seed_enc).toMatch(/^v1\./);
    expect(row.totp_seed_enc).not.toContain(secret);
    expect(Buffer.from(String(row.totp_seed_enc)).toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
    expect(core.vault.open(row.totp_seed_enc, 'desk_user.totp')).toBe(secret);
    expect(() => core.vault.open(row.totp_seed_enc, 'employee.totp')).toThrow();
    expect(row.totp_enrolled_at).not.toBeNull();
    expect(Number(row.totp_last_step)).toBe(Math.floor(clock.now().getTime() / STEP));
    expect(row.failed_signins).toBe(0);
    expect(new Date(row.last_signin_at).toISOString()).toBe(clock.now().toISOString());
    expect((await audits('desk_user.totp_enrolled', id)).length).toBe(1);
    expect(await audits('desk_user.signin', id)).toEqual([expect.objectContaining({ result: 'ok' })]);
    const everything = JSON.stringify(await core.db('audit_events')) + JSON.stringify(await core.db('settings'));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(PASSWORD);

    // The challenge was used up.
    clock.advance(STEP);
    const reused = await refusal(completeSignIn(deps, { challenge: step.challenge, code: totpAt(secret, clock) }));
    expect(reused.message).toMatch(/timed out/);

    const next = await signIn(deps, { username: 'enrol.user', password: PASSWORD });
    expect(next).toEqual({ step: 'totp', challenge: expect.any(String) });
    expect((await completeSignIn(deps, { challenge: next.challenge, code: totpAt(secret, clock) })).userId).toBe(id);
    expect((await deskRow(id)).totp_seed_enc).toBe(row.totp_seed_enc);
  });

  it('accepts a code once: the same code is refused in the same 30 s step', async () => {
    const { id, secret } = await enrolledUser('replay.user');
    const code = totpAt(secret, clock);
    await completeSignIn(deps, { challenge: await totpChallenge('replay.user'), code });

    const challenge = await totpChallenge('replay.user');
    const replay = await refusal(completeSignIn(deps, { challenge, code }));
    expect(replay.code).toBe('UNAUTHENTICATED');
    expect(replay.message).toMatch(/code is not right/);
    expect((await deskRow(id)).failed_signins).toBe(1);
    expect((await audits('desk_user.signin', id)).at(-1)).toMatchObject({ result: 'refused', details: { stage: 'totp', failures: 1 } });

    // The same challenge goes through with the next step's code; the failure count starts again.
    clock.advance(STEP);
    await completeSignIn(deps, { challenge, code: totpAt(secret, clock) });
    expect((await deskRow(id)).failed_signins).toBe(0);
  });

  it('allows one step of clock drift either way, not two', async () => {
    const { secret } = await enrolledUser('drift.user');
    clock.advance(5 * MINUTE);
    const challenge = await totpChallenge('drift.user');
    expect((await refusal(completeSignIn(deps, { challenge, code: totpAt(secret, clock, -2) }))).code).toBe('UNAUTHENTICATED');
    expect((await refusal(completeSignIn(deps, { challenge, code: totpAt(secret, clock, +2) }))).code).toBe('UNAUTHENTICATED');
    await completeSignIn(deps, { challenge, code: totpAt(secret, clock, -1) });

    await completeSignIn(deps, { challenge: await totpChallenge('drift.user'), code: totpAt(secret, clock, +1) });
  });

  it(`locks a desk user for ${LOCK_MINUTES} minutes after ${MAX_FAILED_SIGNINS} failed passwords`, async () => {
    const id = await newUser('lock.user');
    for (let i = 1; i <= MAX_FAILED_SIGNINS; i++) {
      const e = await refusal(signIn(deps, { username: 'lock.user', password: `wrong password ${i}` }));
      expect(e.message).toBe('Wrong username or password');
    }
    const lockedAt = clock.now().getTime();
    const row = await deskRow(id);
    expect(new Date(row.locked_until).getTime()).toBe(lockedAt + LOCK_MINUTES * MINUTE);
    expect((await audits('desk_user.signin', id)).map((a) => a.details)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ stage: 'password', failures: n, locked: n === 5 })),
    );

    // Even the right password is refused while locked, with a message that says so.
    const locked = await refusal(signIn(deps, { username: 'lock.user', password: PASSWORD }));
    expect(locked.code).toBe('UNAUTHENTICATED');
    expect(locked.message).toMatch(/Too many failed sign-ins/);
    expect(locked.details).toEqual({ lockedUntil: new Date(lockedAt + LOCK_MINUTES * MINUTE).toISOString() });
    clock.advance(LOCK_MINUTES * MINUTE - 1000);
    expect((await refusal(signIn(deps, { username: 'lock.user', password: PASSWORD }))).message).toMatch(/Too many failed sign-ins/);

    clock.advance(1000);
    const step = await signIn(deps, { username: 'lock.user', password: PASSWORD });
    expect(step).toMatchObject({ step: 'enrol', issuer: 'MFA Desk', account: 'lock.user' });
  });

  it('a lock-out does not tell a real username from an unknown or disabled one', async () => {
    await newUser('real.user');
    const off = await newUser('gone.user');
    await core.db('desk_users').where({ id: off }).update({ disabled_at: clock.now().toISOString() });
    // Through the contract, as the sign-in screen calls it (the core's own lock-outs for unknown names).
    const answers = async (username: string) => {
      const out: unknown[] = [];
      for (let i = 1; i <= MAX_FAILED_SIGNINS + 1; i++) out.push((await invoke('auth.signIn', { username, password: `wrong password ${i}` })));
      return out;
    };
    const real = await answers('real.user');
    expect(real[MAX_FAILED_SIGNINS]).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/Too many failed sign-ins/) } });
    expect(await answers('no.such.user')).toEqual(real);
    expect(await answers('gone.user')).toEqual(real);
    // And the lock-out ends for all three at the same time.
    clock.advance(LOCK_MINUTES * MINUTE);
    const after = await invoke('auth.signIn', { username: 'no.such.user', password: 'wrong password again' });
    expect(after).toMatchObject({ ok: false, error: { message: 'Wrong username or password' } });
  });

  it('counts wrong codes too: five lock the user and end the challenge', async () => {
    const { id, secret } = await enrolledUser('codelock.user');
    const challenge = await totpChallenge('codelock.user');
    for (let i = 0; i < MAX_FAILED_SIGNINS; i++) await refusal(completeSignIn(deps, { challenge, code: wrongCode(secret, clock) }));
    expect((await deskRow(id)).locked_until).not.toBeNull();
    expect((await refusal(completeSignIn(deps, { challenge, code: totpAt(secret, clock) }))).message).toMatch(/timed out/);
    expect((await refusal(signIn(deps, { username: 'codelock.user', password: PASSWORD }))).message).toMatch(/Too many failed sign-ins/);
    expect(core.sessions.touch(undefined).state).toBe('none');
  });

  it('a user locked at the code step cannot finish signing in on a challenge that is still open', async () => {
    const { id, secret } = await enrolledUser('openchallenge.user');
    await refusal(signIn(deps, { username: 'openchallenge.user', password: 'one wrong password' }));
    const challenge = await totpChallenge('openchallenge.user');
    for (let i = 0; i < MAX_FAILED_SIGNINS - 1; i++) await refusal(completeSignIn(deps, { challenge, code: wrongCode(secret, clock) }));
    const row = await deskRow(id);
    expect(new Date(row.locked_until).getTime()).toBeGreaterThan(clock.now().getTime()); // five failures: locked

    const after = await refusal(completeSignIn(deps, { challenge, code: totpAt(secret, clock) }));
    expect(after.code).toBe('UNAUTHENTICATED');
    expect(new Date((await deskRow(id)).locked_until).getTime()).toBeGreaterThan(clock.now().getTime());
  });

  it('counts every wrong password when several arrive at once', async () => {
    // A production-cost hash here, so the two checks overlap as they would for real.
    const id = await createDeskUser({ db: core.db, clock }, SYSTEM_ACTOR, { username: 'parallel.user', displayName: 'P', role: 'agent', password: PASSWORD });
    const results = await Promise.allSettled([
      signIn(deps, { username: 'parallel.user', password: 'wrong password one' }),
      signIn(deps, { username: 'parallel.user', password: 'wrong password two' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await audits('desk_user.signin', id)).toHaveLength(2);
    expect((await deskRow(id)).failed_signins).toBe(2);
  });

  it('a burst of passwords cannot get past the five-attempt limit or the lock', async () => {
    const id = await newUser('burst.user');
    const attempts = [...Array.from({ length: 20 }, (_, i) => `wrong password ${i}`), PASSWORD];
    const results = await Promise.allSettled(attempts.map((p) => signIn(deps, { username: 'burst.user', password: p })));
    const checked = (await audits('desk_user.signin', id)).filter((a) => a.result === 'refused');
    // At most five checks ever ran; every other request was refused before its password was looked at.
    expect(checked.length).toBeLessThanOrEqual(MAX_FAILED_SIGNINS);
    const passed = results.filter((r) => r.status === 'fulfilled').length;
    expect(checked.length + passed).toBeLessThanOrEqual(MAX_FAILED_SIGNINS);
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(attempts.length - MAX_FAILED_SIGNINS);
    if (checked.length === MAX_FAILED_SIGNINS) {
      // Locked: even the right password is refused now.
      const locked = await refusal(signIn(deps, { username: 'burst.user', password: PASSWORD }));
      expect(locked.message).toMatch(/Too many failed sign-ins/);
    }
  });

  it('a burst of codes on one challenge gets at most five checks', async () => {
    const { id, secret } = await enrolledUser('codeburst.user');
    const challenge = await totpChallenge('codeburst.user');
    const before = (await audits('desk_user.signin', id)).length;
    const codes = [...Array.from({ length: 40 }, () => wrongCode(secret, clock)), totpAt(secret, clock)];
    const results = await Promise.allSettled(codes.map((c) => completeSignIn(deps, { challenge, code: c })));
    // The right code came last: every check slot was already taken by wrong guesses.
    expect(results.at(-1)!.status).toBe('rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    const checks = (await audits('desk_user.signin', id)).slice(before).filter((a) => a.result === 'refused');
    expect(checks.length).toBeLessThanOrEqual(ChallengeStore.MAX_ATTEMPTS);
  });

  it('the same code sent twice at once signs in once', async () => {
    const { id, secret } = await enrolledUser('twice.user');
    const challenge = await totpChallenge('twice.user');
    const code = totpAt(secret, clock);
    const results = await Promise.allSettled([completeSignIn(deps, { challenge, code }), completeSignIn(deps, { challenge, code })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // And on a second challenge (another machine sharing the database), the used code is refused.
    const other = await totpChallenge('twice.user');
    const replay = await refusal(completeSignIn(deps, { challenge: other, code }));
    expect(replay.code).toBe('UNAUTHENTICATED');
    expect((await audits('desk_user.signin', id)).filter((a) => a.result === 'ok')).toHaveLength(2); // enrolment + one
  });

  it('ends a sign-in challenge after five minutes, and a new sign-in replaces the open one', async () => {
    const { secret } = await enrolledUser('slow.user');
    let challenge = await totpChallenge('slow.user');
    clock.advance(5 * MINUTE - 1000);
    await completeSignIn(deps, { challenge, code: totpAt(secret, clock) });

    clock.advance(STEP);
    challenge = await totpChallenge('slow.user');
    clock.advance(5 * MINUTE + 1000);
    const late = await refusal(completeSignIn(deps, { challenge, code: totpAt(secret, clock) }));
    expect(late.code).toBe('UNAUTHENTICATED');
    expect(late.message).toMatch(/timed out/);

    const first = await totpChallenge('slow.user');
    const second = await totpChallenge('slow.user');
    expect((await refusal(completeSignIn(deps, { challenge: first, code: totpAt(secret, clock) }))).message).toMatch(/timed out/);
    await completeSignIn(deps, { challenge: second, code: totpAt(secret, clock) });
  });

  it('through the router: the token stays in the slot, sessions lock when idle, sign-out ends them', async () => {
    const { id, secret } = await enrolledUser('router.user');
    const signInVia = async (slot: SessionSlot): Promise<SessionInfo> => {
      const step = await invoke('auth.signIn', { username: 'Router.User', password: PASSWORD }, slot);
      if (!step.ok) throw new Error(JSON.stringify(step.error));
      const done = await invoke('auth.completeSignIn', { challenge: (step.value as SignInStep).challenge, code: totpAt(secret, clock) }, slot);
      if (!done.ok) throw new Error(JSON.stringify(done.error));
      clock.advance(STEP);
      return done.value as SessionInfo;
    };

    const slot = memorySlot();
    const info = await signInVia(slot);
    expect(info).toEqual({ userId: id, username: 'router.user', displayName: 'User router.user', role: 'agent', idleMinutes: 15 });
    expect(slot.token).toBeTruthy();
    expect(JSON.stringify(info)).not.toContain(slot.token);
    expect(await invoke('app.status', {}, slot)).toMatchObject({ ok: true, value: { session: { username: 'router.user' } } });

    // Activity restarts the idle timer.
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * MINUTE);
      expect(await invoke('employees.search', { query: 'nobody' }, slot)).toMatchObject({ ok: true });
    }
    clock.advance(15 * MINUTE + 1000);
    const idle = await invoke('employees.search', { query: 'nobody' }, slot);
    expect(idle).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', details: { reason: 'idle' } } });
    expect(slot.token).toBeUndefined();
    expect(await audits('desk_user.session_locked', id)).toEqual([expect.objectContaining({ details: { reason: 'idle' } })]);
    expect(await invoke('employees.search', { query: 'nobody' }, slot)).toMatchObject({ ok: false, error: { message: 'Sign in first.' } });

    // The idle time is a setting.
    await putSetting(core.db, clock, 'session.idleMinutes', 5);
    try {
      const short = memorySlot();
      expect((await signInVia(short)).idleMinutes).toBe(5);
      clock.advance(5 * MINUTE - 1000 - STEP);
      expect((await invoke('app.status', {}, short)).ok).toBe(true);
      expect(short.token).toBeDefined();
      clock.advance(5 * MINUTE + 1000);
      expect(await invoke('employees.get', { employeeId: 1 }, short)).toMatchObject({ ok: false, error: { details: { reason: 'idle' } } });
    } finally {
      await putSetting(core.db, clock, 'session.idleMinutes', 15);
    }

    const again = memorySlot();
    await signInVia(again);
    const token = again.token;
    expect(await invoke('auth.signOut', {}, again)).toEqual({ ok: true, value: null });
    expect(again.token).toBeUndefined();
    expect((await audits('desk_user.signout', id)).at(-1)).toMatchObject({ action: 'desk_user.signout', result: 'ok' });
    const stale = memorySlot();
    stale.set(token);
    expect(await invoke('employees.search', { query: 'nobody' }, stale)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses, rather than fails, a code when the clock is behind the last step used', async () => {
    const { secret } = await enrolledUser('clockback.user');
    // A code from the next step (allowed drift) is the last one used…
    await completeSignIn(deps, { challenge: await totpChallenge('clockback.user'), code: totpAt(secret, clock, +1) });
    // …then this machine's clock is put back two minutes (NTP, or a second desk PC on the same database).
    clock.advance(-2 * MINUTE);
    const slot = memorySlot();
    const step = await invoke('auth.signIn', { username: 'clockback.user', password: PASSWORD }, slot);
    expect(step.ok).toBe(true);
    const res = await invoke('auth.completeSignIn', { challenge: (step as { value: SignInStep }).value.challenge, code: totpAt(secret, clock) }, slot);
    expect(res).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    clock.advance(2 * MINUTE);
  });
});

describe.each(TARGETS)('first admin race on $name', (target: Target) => {
  let core: TestCore;
  const clock = new ManualClock();
  beforeAll(async () => {
    core = await openTestCore(target, { clock });
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('lets exactly one of two simultaneous first-run screens create the admin', async () => {
    const results = await Promise.allSettled(
      ['first.one', 'first.two'].map((username) =>
        createFirstAdmin({ db: core.db, clock }, { userId: null, name: 'first-run' }, { username, displayName: username, password: PASSWORD }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await countDeskUsers(core.db)).toBe(1);
    expect(await core.db('audit_events').where({ action: 'desk_user.created' })).toHaveLength(1);
  });
});
