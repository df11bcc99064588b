import { rolesWith, type Capability } from '../../shared/policy';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditCsv } from '../../electron/core/audit/reports.service';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { CHANNEL_NAMES, channels } from '../../shared/contract';
import type { CallerVerificationView, EmployeePageData } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import type { Router } from '../../electron/core/ipc/router';
import { REMOVE_NEEDS_BOTH } from '../../electron/core/mfa/removal';
import { EMPLOYEE_MAX_CODE_FAILURES, FACTOR_MAX_ATTEMPTS, VERIFICATION_VALID_MINUTES } from '../../shared/mfa-rules';
import {
  confirmAppRegistration,
  confirmEmailRegistration,
  requestEmailCode,
  startAppRegistration,
} from '../../electron/core/mfa/selfservice.service';
import { callAs, type Caller } from '../support/call-as';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import {
  appCode,
  assertNoSecrets,
  codeIn,
  deskTeam,
  employeeRow,
  expectWireRefusedUnchanged,
  factorsOf,
  fullSnapshot,
  latestCode,
  makeEmployee,
  MIN,
  nextStep,
  outbox,
  recordingLogger,
  routerWatchingMail,
  secretFromUri,
  wrong,
  type DeskUserFixture,
  type EmployeeFixture,
} from '../support/mfa-fixtures';

const START = '2026-01-05T09:00:00.000Z';
const MFA_CHANNELS = CHANNEL_NAMES.filter((n) => n.startsWith('mfa.'));

describe.each(TARGETS)('agent MFA actions on $name', (target) => {
  const clock = new ManualClock(START);
  const logger = recordingLogger();
  let core: TestCore;
  let router: Router;
  let wakeUps = 0;
  const users: Record<'agent' | 'agent2' | 'manager' | 'supervisor' | 'admin', DeskUserFixture> = {} as never;
  const secrets = new Set<string>();

  const as = (who: keyof typeof users): Caller => callAs({ router }, users[who]);
  let agent: Caller;

  /** An employee who registered both the app and the email method themselves. */
  async function withBoth(opts: { emails?: string[] } = {}): Promise<EmployeeFixture & { secret: string; appId: number; emailFactorId: number }> {
    const e = await makeEmployee(core, opts);
    const started = await startAppRegistration(core, { employeeId: e.id });
    const secret = secretFromUri(started.otpauthUri);
    secrets.add(secret);
    secrets.add(started.otpauthUri);
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) });
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id);
    secrets.add(code);
    await confirmEmailRegistration(core, { employeeId: e.id, code });
    nextStep(clock);
    return { ...e, secret, appId: started.factorId, emailFactorId: sent.factorId };
  }

  /** Verify the caller on a ticket with an identity-check code, as an agent would. */
  async function verifyByEmail(e: EmployeeFixture, ticketRef: string, by = agent): Promise<CallerVerificationView> {
    await by.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id, 'identity_check_code');
    secrets.add(code);
    return by.ok('mfa.checkIdentityCode', { employeeId: e.id, ticketRef, code });
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger });
    router = routerWatchingMail(core, logger, () => {
      wakeUps++;
    });
    Object.assign(users, await deskTeam(core));
    agent = as('agent');
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('declares every MFA channel for agents, supervisors and admins (override: supervisors and admins); managers are refused', async () => {
    expect(MFA_CHANNELS.sort()).toEqual(
      [
        'mfa.checkAuthenticatorCode',
        'mfa.checkIdentityCode',
        'mfa.overrideVerification',
        'mfa.reRegister',
        'mfa.removeFactor',
        'mfa.restartRegistration',
        'mfa.sendIdentityCode',
        'mfa.unlock',
      ].sort(),
    );
    for (const name of MFA_CHANNELS) {
      expect(rolesWith(channels[name].access as Capability), name).toEqual(name === 'mfa.overrideVerification' ? ['supervisor', 'admin'] : ['agent', 'supervisor', 'admin']);
    }
    // Nothing turns MFA off.
    expect(CHANNEL_NAMES.filter((n) => /disable|turnoff|turnOff|mfa\.off/i.test(n))).toEqual([]);
    const e = await withBoth();
    const payloads: Record<string, unknown> = {
      'mfa.sendIdentityCode': { employeeId: e.id, ticketRef: 'INC-1', emailId: e.emails[0]!.id },
      'mfa.checkIdentityCode': { employeeId: e.id, ticketRef: 'INC-1', code: '123456' },
      'mfa.checkAuthenticatorCode': { employeeId: e.id, ticketRef: 'INC-1', code: appCode(e.secret, clock) },
      'mfa.overrideVerification': { employeeId: e.id, ticketRef: 'INC-1', reason: 'Known caller, confirmed by line manager' },
      'mfa.reRegister': { employeeId: e.id, ticketRef: 'INC-1', factorType: 'authenticator_app' },
      'mfa.restartRegistration': { employeeId: e.id, ticketRef: 'INC-1', factorId: e.appId },
      'mfa.removeFactor': { employeeId: e.id, ticketRef: 'INC-1', factorId: e.appId },
      'mfa.unlock': { employeeId: e.id, ticketRef: 'INC-1' },
    };
    for (const name of MFA_CHANNELS) {
      await expectWireRefusedUnchanged(core.db, () => as('manager').raw(name, payloads[name]), 'FORBIDDEN');
    }
    await expectWireRefusedUnchanged(core.db, () => agent.raw('mfa.overrideVerification', payloads['mfa.overrideVerification']), 'FORBIDDEN');
    expect(wakeUps).toBe(0);
  });

  it('sensitive actions are refused until the caller is verified on THIS ticket, and nothing changes', async () => {
    const e = await withBoth();
    const sensitive: Array<[string, Record<string, unknown>]> = [
      ['mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-2', factorType: 'authenticator_app' }],
      ['mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-2', factorType: 'email', emailId: e.emails[1]!.id }],
      ['mfa.restartRegistration', { employeeId: e.id, ticketRef: 'INC-2', factorId: e.appId }],
      ['mfa.removeFactor', { employeeId: e.id, ticketRef: 'INC-2', factorId: e.appId }],
      ['mfa.unlock', { employeeId: e.id, ticketRef: 'INC-2' }],
    ];
    for (const [name, payload] of sensitive) {
      const err = await expectWireRefusedUnchanged(core.db, () => agent.raw(name, payload), 'RULE_VIOLATION', /^Verify the caller first/);
      expect(err.details).toMatchObject({ needsVerification: true, ticketRef: 'INC-2' });
    }
    // Verified on another ticket does not count.
    await verifyByEmail(e, 'INC-OTHER');
    for (const [name, payload] of sensitive) {
      await expectWireRefusedUnchanged(core.db, () => agent.raw(name, payload), 'RULE_VIOLATION', /^Verify the caller first/);
    }
    expect(wakeUps).toBe(1); // the identity-check mail only
    wakeUps = 0;
  });

  it('verifies the caller with an identity-check code sent to the address chosen by id; a wrong code is counted and audited', async () => {
    clock.set(START);
    const e = await withBoth();
    const sent = await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: 'CHAT:2026/0042', emailId: e.emails[1]!.id });
    expect(sent).toEqual({ codeId: expect.any(Number), recipient: e.emails[1]!.address, expiresAt: new Date(clock.now().getTime() + 20 * MIN).toISOString() });
    expect(wakeUps).toBe(1);
    const mail = (await outbox(core, e.id)).at(-1)!;
    expect([mail.template, mail.recipient, mail.sealed]).toEqual(['identity_check_code', e.emails[1]!.address, true]);
    expect(mail.text).toContain('CHAT:2026/0042');
    const code = codeIn(mail);
    secrets.add(code);

    const bad = await agent.call('mfa.checkIdentityCode', { employeeId: e.id, ticketRef: 'CHAT:2026/0042', code: wrong(code) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'RULE_VIOLATION', details: { attemptsLeft: 4, failures: 1 } } });
    const rejected = await core.db('audit_events').where({ employee_id: e.id, action: 'code.rejected' }).first();
    expect(rejected).toMatchObject({ result: 'refused', ticket_ref: 'CHAT:2026/0042', actor_name: 'agent.one', actor_user_id: users.agent.id });

    clock.advance(MIN);
    const v = await agent.ok('mfa.checkIdentityCode', { employeeId: e.id, ticketRef: ' CHAT:2026/0042 ', code: ` ${code} ` });
    expect(v).toEqual({
      id: expect.any(Number),
      ticketRef: 'CHAT:2026/0042',
      method: 'email_code',
      verifiedAt: clock.now().toISOString(),
      verifiedBy: 'agent.one',
      reason: null,
      validUntil: new Date(clock.now().getTime() + VERIFICATION_VALID_MINUTES * MIN).toISOString(),
    });
    const row = await core.db('caller_verifications').where({ id: v.id }).first();
    expect(row).toMatchObject({ employee_id: e.id, ticket_ref: 'CHAT:2026/0042', method: 'email_code', verified_by: users.agent.id, verified_by_name: 'agent.one', reason: null });
    expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(0);
    const audit = await core.db('audit_events').where({ employee_id: e.id, action: 'caller.verified' }).first();
    expect(audit).toMatchObject({ ticket_ref: 'CHAT:2026/0042', actor_name: 'agent.one', result: 'ok' });
    // An address not on this employee's record: not found, nothing changes.
    const other = await makeEmployee(core);
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: 'INC-3', emailId: other.emails[0]!.id }), 'NOT_FOUND');
    wakeUps = 0;
  });

  it('verifies with the authenticator app: a code is accepted once (replay refused), drift ±1 ok, ±2 refused, 5 wrong codes lock it', async () => {
    const e = await withBoth();
    const code = appCode(e.secret, clock);
    const v = await agent.ok('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code });
    expect(v).toMatchObject({ method: 'authenticator_app', ticketRef: 'INC-4', verifiedBy: 'agent.one' });
    const app = (await factorsOf(core.db, e.id)).find((f) => f.id === e.appId)!;
    expect(app.last_used_at).not.toBeNull();

    const replay = await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code });
    expect(replay).toMatchObject({ ok: false, error: { code: 'RULE_VIOLATION', details: { replay: true, attemptsLeft: 4 } } });
    expect((replay as { error: { message: string } }).error.message).toMatch(/already been used/);

    for (const [offset, good] of [
      [-2, false],
      [2, false],
      [-1, true],
    ] as const) {
      nextStep(clock);
      const r = await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code: appCode(e.secret, clock, offset) });
      expect(r.ok, `offset ${offset}`).toBe(good);
    }
    nextStep(clock);
    expect((await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code: appCode(e.secret, clock, 1) })).ok).toBe(true);

    // Five wrong in a row lock the app (the right code resets the count, so start from zero).
    nextStep(clock);
    nextStep(clock);
    for (let i = 1; i <= FACTOR_MAX_ATTEMPTS; i++) {
      const r = await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code: appCode(e.secret, clock, 5) });
      expect(r).toMatchObject({ ok: false, error: { details: { attemptsLeft: FACTOR_MAX_ATTEMPTS - i, locked: i === FACTOR_MAX_ATTEMPTS } } });
    }
    expect(Boolean((await employeeRow(core.db, e.id)).locked)).toBe(true);
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-4', code: appCode(e.secret, clock) }),
      'RULE_VIOLATION',
      /locked after 5 wrong codes/,
    );
    const rejected = await core.db('audit_events').where({ employee_id: e.id, action: 'factor.code_rejected', ticket_ref: 'INC-4' });
    expect(rejected.length).toBe(1 + 2 + FACTOR_MAX_ATTEMPTS);
  });

  it('a supervisor may override with a written reason; an agent may not; a short reason is refused', async () => {
    const e = await withBoth();
    await expectWireRefusedUnchanged(core.db, () => as('supervisor').call('mfa.overrideVerification', { employeeId: e.id, ticketRef: 'INC-5', reason: 'ok' }), 'VALIDATION');
    const v = await as('supervisor').ok('mfa.overrideVerification', { employeeId: e.id, ticketRef: 'INC-5', reason: '  Phone lost and mailbox closed; identity confirmed by line manager on a call.  ' });
    expect(v).toMatchObject({ method: 'supervisor_override', verifiedBy: 'supervisor.one', reason: 'Phone lost and mailbox closed; identity confirmed by line manager on a call.' });
    const audit = await core.db('audit_events').where({ employee_id: e.id, action: 'caller.verification_overridden' }).first();
    expect(audit).toMatchObject({ ticket_ref: 'INC-5', actor_name: 'supervisor.one' });
    expect(JSON.parse(audit.details).reason).toMatch(/^Phone lost/);
    // An admin can too; the verification lets any agent act on that ticket.
    await as('admin').ok('mfa.overrideVerification', { employeeId: e.id, ticketRef: 'INC-5B', reason: 'Admin override for the test of roles' });
    // Past the verification check: the only refusal left is that nothing is locked.
    const r = await as('agent2').call('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-5' });
    expect(r).toMatchObject({ ok: false, error: { code: 'RULE_VIOLATION', message: expect.stringMatching(/^Nothing to unlock/) } });
  });

  it('a verification is good for 60 minutes on its ticket', async () => {
    clock.set('2026-01-06T09:00:00.000Z');
    const e = await withBoth();
    await verifyByEmail(e, 'INC-6');
    const verifiedAt = clock.now().getTime();
    // Put something to unlock in place, then try at 59:59 (ok) and at exactly 60:00 (refused).
    await core.db('employees').where({ id: e.id }).update({ code_failures: 2 });
    clock.set(new Date(verifiedAt + VERIFICATION_VALID_MINUTES * MIN));
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-6' }), 'RULE_VIOLATION', /^Verify the caller first/);
    clock.set(new Date(verifiedAt + VERIFICATION_VALID_MINUTES * MIN - 1000));
    expect(await agent.ok('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-6' })).toEqual({ codeFailures: 2, codesWereLocked: false, factorIds: [] });
  });

  it('re-registering the app (lost phone): the old seed fails at once, a code goes to the chosen address, all addresses are told, MFA stays on', async () => {
    clock.set('2026-01-07T09:00:00.000Z');
    const e = await withBoth({ emails: ['b.work@work.example.org', 'b.home@home.example.net', 'b.third@nhs.example.net'] });
    const before = await employeeRow(core.db, e.id);
    await verifyByEmail(e, 'INC-7');
    wakeUps = 0;
    const res = await agent.ok('mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-7', factorType: 'authenticator_app', emailId: e.emails[2]!.id });
    expect(wakeUps).toBe(1);
    expect(res).toMatchObject({ factorType: 'authenticator_app', removedFactorId: e.appId, recipient: e.emails[2]!.address });
    expect(res.reference).toMatch(new RegExp(`^CHG-${res.factorId}-[0-9A-F]{6}$`));

    const factors = await factorsOf(core.db, e.id);
    const old = factors.find((f) => f.id === e.appId)!;
    const fresh = factors.find((f) => f.id === res.factorId)!;
    expect(old).toMatchObject({ state: 'removed', totp_seed_enc: null });
    expect(old.removed_at).not.toBeNull();
    expect(fresh).toMatchObject({ type: 'authenticator_app', state: 'pending', totp_seed_enc: null });
    const after = await employeeRow(core.db, e.id);
    expect(after.mfa_enabled_at).toEqual(before.mfa_enabled_at);
    expect([after.mfa_state, Boolean(after.has_app), Boolean(after.has_email), Boolean(after.pending_registration)]).toEqual(['enabled', false, true, true]);

    // The old phone's codes stop working at once, everywhere.
    nextStep(clock);
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-7', code: appCode(e.secret, clock) }),
      'RULE_VIOLATION',
      /no authenticator app set up/,
    );
    const oldCode = appCode(e.secret, clock);
    await expect(confirmAppRegistration(core, { employeeId: e.id, code: oldCode })).rejects.toMatchObject({ code: 'RULE_VIOLATION' });

    // Mails: the registration code to the chosen address, a confirmation to every address, no secret in them.
    const mails = await outbox(core, e.id);
    const regMail = mails.filter((m) => m.template === 'registration_code').at(-1)!;
    expect(regMail.recipient).toBe(e.emails[2]!.address);
    const regCode = codeIn(regMail);
    secrets.add(regCode);
    const confirmations = mails.filter((m) => m.template === 'change_confirmation' && m.reference === res.reference);
    expect(confirmations.map((m) => m.recipient).sort()).toEqual(e.emails.map((m) => m.address).sort());
    for (const m of confirmations) {
      expect(m.sealed).toBe(false);
      expect(m.text).toMatch(/authenticator app was reset/);
      assertNoSecrets(`${m.subject}\n${m.text}\n${m.html}`, [regCode, e.secret]);
    }
    const audit = await core.db('audit_events').where({ employee_id: e.id, action: 'factor.reregistration_started' }).first();
    expect(audit).toMatchObject({ ticket_ref: 'INC-7', actor_name: 'agent.one' });
    expect(JSON.parse(audit.details)).toMatchObject({ removedFactorId: e.appId, factorId: res.factorId, removedState: 'active', codeId: res.codeId, reference: res.reference });

    // The employee sets up the new phone with the emailed code, then a code from the new app.
    const needs = await startAppRegistration(core, { employeeId: e.id }).catch((x: unknown) => x as { code: string; details: Record<string, unknown> });
    expect(needs).toMatchObject({ code: 'RULE_VIOLATION', details: { needsCode: true } });
    const started = await startAppRegistration(core, { employeeId: e.id, code: regCode });
    expect(started.factorId).toBe(res.factorId);
    const newSecret = secretFromUri(started.otpauthUri);
    secrets.add(newSecret);
    secrets.add(started.otpauthUri);
    expect(newSecret).not.toBe(e.secret);
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(newSecret, clock) });
    nextStep(clock);
    await agent.ok('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-7', code: appCode(newSecret, clock) });
    expect((await factorsOf(core.db, e.id)).map((f) => [f.type, f.state])).toEqual([
      ['authenticator_app', 'removed'],
      ['email', 'active'],
      ['authenticator_app', 'active'],
    ]);
    expect((await employeeRow(core.db, e.id)).mfa_enabled_at).toEqual(before.mfa_enabled_at);
  });

  it('re-registering the email method with another address on record', async () => {
    clock.set('2026-01-08T09:00:00.000Z');
    const e = await withBoth();
    await verifyByEmail(e, 'INC-8');
    const res = await agent.ok('mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-8', factorType: 'email', emailId: e.emails[1]!.id });
    expect(res).toMatchObject({ factorType: 'email', removedFactorId: e.emailFactorId, recipient: e.emails[1]!.address });
    const fresh = (await factorsOf(core.db, e.id)).find((f) => f.id === res.factorId)!;
    expect(fresh).toMatchObject({ state: 'pending', email_id: e.emails[1]!.id });
    const emailsNow = await core.db('employee_emails').where({ employee_id: e.id }).orderBy('id');
    expect(emailsNow.map((m) => Boolean(m.used_for_codes))).toEqual([false, false]);
    const code = await latestCode(core, e.id);
    secrets.add(code);
    await confirmEmailRegistration(core, { employeeId: e.id, code });
    const emailsAfter = await core.db('employee_emails').where({ employee_id: e.id }).orderBy('id');
    expect(emailsAfter.map((m) => Boolean(m.used_for_codes))).toEqual([false, true]);
    // Without an address on record there is nowhere to send the code.
    const none = await makeEmployee(core, { emails: [] });
    const app = await startAppRegistration(core, { employeeId: none.id });
    secrets.add(app.otpauthUri);
    secrets.add(secretFromUri(app.otpauthUri));
    await confirmAppRegistration(core, { employeeId: none.id, code: appCode(secretFromUri(app.otpauthUri), clock) });
    await as('supervisor').ok('mfa.overrideVerification', { employeeId: none.id, ticketRef: 'INC-8N', reason: 'No email on record; checked on video call' });
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.reRegister', { employeeId: none.id, ticketRef: 'INC-8N', factorType: 'authenticator_app' }),
      'RULE_VIOLATION',
      /^No email address on record: a manager must add one before codes can be sent by email\.$/,
    );
  });

  it('re-registration is refused for leavers and without internet access, and when there is no factor of that type', async () => {
    const e = await withBoth();
    await verifyByEmail(e, 'INC-9');
    await core.db('employees').where({ id: e.id }).update({ status: 'leaver', leaving_date: '2026-01-02' });
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-9', factorType: 'authenticator_app' }),
      'RULE_VIOLATION',
      /^Left on 2 January 2026: leavers cannot register for MFA\.$/,
    );
    await core.db('employees').where({ id: e.id }).update({ status: 'active', leaving_date: null, internet_access_approved: false });
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.reRegister', { employeeId: e.id, ticketRef: 'INC-9', factorType: 'email' }),
      'RULE_VIOLATION',
      /^Internet access for ESR is not approved/,
    );
    // Nor can a pending registration be restarted for a leaver.
    const pending = await makeEmployee(core);
    const sent = await requestEmailCode(core, { employeeId: pending.id, emailId: pending.emails[0]!.id });
    secrets.add(await latestCode(core, pending.id));
    await verifyByEmail(pending, 'INC-9P');
    await core.db('employees').where({ id: pending.id }).update({ status: 'leaver', leaving_date: '2026-01-02' });
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.restartRegistration', { employeeId: pending.id, ticketRef: 'INC-9P', factorId: sent.factorId }),
      'RULE_VIOLATION',
      /^Left on 2 January 2026: leavers cannot register for MFA\.$/,
    );
    const bare = await makeEmployee(core);
    await verifyByEmail(bare, 'INC-9B');
    await expectWireRefusedUnchanged(
      core.db,
      () => agent.call('mfa.reRegister', { employeeId: bare.id, ticketRef: 'INC-9B', factorType: 'authenticator_app' }),
      'RULE_VIOLATION',
      /no authenticator app to re-register/,
    );
  });

  it('restarting an expired registration sends a fresh code that replaces the old one', async () => {
    clock.set('2026-01-09T09:00:00.000Z');
    const e = await makeEmployee(core);
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const old = await latestCode(core, e.id);
    secrets.add(old);
    clock.advance(25 * MIN);
    await expect(confirmEmailRegistration(core, { employeeId: e.id, code: old })).rejects.toMatchObject({ message: expect.stringMatching(/expired.*request a new code/) });
    await verifyByEmail(e, 'INC-10');
    wakeUps = 0;
    const res = await agent.ok('mfa.restartRegistration', { employeeId: e.id, ticketRef: 'INC-10', factorId: sent.factorId });
    expect(wakeUps).toBe(1);
    expect(res).toMatchObject({ factorId: sent.factorId, factorType: 'email', recipient: e.emails[0]!.address });
    expect((await core.db('one_time_codes').where({ id: sent.codeId }).first()).superseded_at).not.toBeNull();
    const fresh = await latestCode(core, e.id);
    secrets.add(fresh);
    const page: EmployeePageData = await agent.ok('employees.page', { employeeId: e.id });
    expect(page.registrations).toEqual([
      {
        factorId: sent.factorId,
        type: 'email',
        emailAddress: e.emails[0]!.address,
        startedAt: '2026-01-09T09:00:00.000Z',
        code: expect.objectContaining({ id: res.codeId, purpose: 'registration', attempts: 0, consumedAt: null, expiresAt: res.expiresAt }),
      },
    ]);
    await confirmEmailRegistration(core, { employeeId: e.id, code: fresh });
    // Only a pending registration can be restarted; another employee's factor is not found.
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.restartRegistration', { employeeId: e.id, ticketRef: 'INC-10', factorId: sent.factorId }), 'RULE_VIOLATION', /Only a pending registration/);
    const other = await withBoth();
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.restartRegistration', { employeeId: e.id, ticketRef: 'INC-10', factorId: other.appId }), 'NOT_FOUND');
  });

  it('removing a factor: refused with one method (the guide’s words), allowed with both; every address is told; MFA stays on', async () => {
    clock.set('2026-01-10T09:00:00.000Z');
    const e = await withBoth();
    const enabledAt = (await employeeRow(core.db, e.id)).mfa_enabled_at;
    await verifyByEmail(e, 'INC-11');
    wakeUps = 0;
    const res = await agent.ok('mfa.removeFactor', { employeeId: e.id, ticketRef: 'INC-11', factorId: e.emailFactorId });
    expect(wakeUps).toBe(1);
    expect(res).toEqual({ factorId: e.emailFactorId, reference: expect.stringMatching(new RegExp(`^CHG-${e.emailFactorId}-[0-9A-F]{6}$`)) });
    const confirmations = (await outbox(core, e.id)).filter((m) => m.reference === res.reference);
    expect(confirmations.map((m) => m.recipient).sort()).toEqual(e.emails.map((m) => m.address).sort());
    const row = await employeeRow(core.db, e.id);
    expect([row.mfa_state, Boolean(row.has_app), Boolean(row.has_email)]).toEqual(['enabled', true, false]);
    expect(row.mfa_enabled_at).toEqual(enabledAt);
    expect((await core.db('employee_emails').where({ id: e.emails[0]!.id }).first()).used_for_codes).toBeFalsy();

    const err = await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.removeFactor', { employeeId: e.id, ticketRef: 'INC-11', factorId: e.appId }), 'RULE_VIOLATION');
    expect(err.message).toBe(REMOVE_NEEDS_BOTH);
    expect(err.message).toBe('You can only remove an authentication method if you have both options set up (authenticator app and email address).');
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.removeFactor', { employeeId: e.id, ticketRef: 'INC-11', factorId: e.emailFactorId }), 'NOT_FOUND');
    expect(wakeUps).toBe(1);
  });

  it(`unlock clears the ${EMPLOYEE_MAX_CODE_FAILURES}-failure code lock and the app's wrong-code count; with nothing locked it is refused`, async () => {
    clock.set('2026-01-11T09:00:00.000Z');
    const e = await withBoth();
    // Ten wrong identity-check codes (two codes, five each) lock the employee's codes.
    for (let round = 0; round < 2; round++) {
      await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: 'INC-12', emailId: e.emails[0]!.id });
      const code = await latestCode(core, e.id, 'identity_check_code');
      secrets.add(code);
      for (let i = 0; i < 5; i++) await agent.call('mfa.checkIdentityCode', { employeeId: e.id, ticketRef: 'INC-12', code: wrong(code) });
    }
    for (let i = 0; i < 2; i++) await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-12', code: appCode(e.secret, clock, 7) });
    const locked = await employeeRow(core.db, e.id);
    expect([Number(locked.code_failures), locked.codes_locked_at !== null, Boolean(locked.locked)]).toEqual([10, true, true]);
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: 'INC-12', emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /locked/);
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-12' }), 'RULE_VIOLATION', /^Verify the caller first/);

    // The authenticator app still verifies the caller (its own count is 2 of 5).
    nextStep(clock);
    await agent.ok('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-12', code: appCode(e.secret, clock) });
    await agent.call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef: 'INC-12', code: appCode(e.secret, clock, 7) });
    const pageBefore: EmployeePageData = await agent.ok('employees.page', { employeeId: e.id });
    expect(pageBefore.codeLock).toEqual({ failures: 10, maxFailures: 10, lockedAt: locked.codes_locked_at instanceof Date ? locked.codes_locked_at.toISOString() : locked.codes_locked_at });
    expect(pageBefore.verifications[0]).toMatchObject({ ticketRef: 'INC-12', method: 'authenticator_app', verifiedBy: 'agent.one' });

    const res = await agent.ok('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-12' });
    expect(res).toEqual({ codeFailures: 10, codesWereLocked: true, factorIds: [e.appId] });
    const after = await employeeRow(core.db, e.id);
    expect([Number(after.code_failures), after.codes_locked_at, Boolean(after.locked)]).toEqual([0, null, false]);
    expect(Number((await factorsOf(core.db, e.id)).find((f) => f.id === e.appId)!.failed_attempts)).toBe(0);
    const audit = await core.db('audit_events').where({ employee_id: e.id, action: 'mfa.unlocked' }).first();
    expect(audit).toMatchObject({ ticket_ref: 'INC-12', actor_name: 'agent.one' });
    expect(JSON.parse(audit.details)).toEqual({ codeFailures: 10, codesWereLocked: true, factorIds: [e.appId] });
    // Codes can be sent again; nothing left to unlock.
    await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: 'INC-12', emailId: e.emails[0]!.id });
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.unlock', { employeeId: e.id, ticketRef: 'INC-12' }), 'RULE_VIOLATION', /Nothing to unlock/);
  });

  it('unknown employees and malformed tickets are refused before anything changes', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['mfa.sendIdentityCode', { employeeId: 9_999_999, ticketRef: 'INC-13', emailId: 1 }, 'NOT_FOUND'],
      ['mfa.unlock', { employeeId: 9_999_999, ticketRef: 'INC-13' }, 'NOT_FOUND'],
      ['mfa.unlock', { employeeId: 1, ticketRef: 'IN' }, 'VALIDATION'],
      ['mfa.unlock', { employeeId: 1, ticketRef: 'INC 13' }, 'VALIDATION'],
      ['mfa.unlock', { employeeId: 1, ticketRef: 'x'.repeat(65) }, 'VALIDATION'],
      ['mfa.checkIdentityCode', { employeeId: 1, ticketRef: 'INC-13', code: '12345' }, 'VALIDATION'],
      ['mfa.checkIdentityCode', { employeeId: 1, ticketRef: 'INC-13', code: '12345a' }, 'VALIDATION'],
      ['mfa.reRegister', { employeeId: 1, ticketRef: 'INC-13', factorType: 'sms' }, 'VALIDATION'],
    ];
    for (const [name, payload, code] of cases) await expectWireRefusedUnchanged(core.db, () => agent.raw(name, payload), code);
  });

  it('the employee page shows verifications, the code lock and pending registrations, and never a secret', async () => {
    const rows = await core.db('employees').select('id');
    for (const r of rows) {
      const page: EmployeePageData = await agent.ok('employees.page', { employeeId: Number(r.id) });
      const json = JSON.stringify(page);
      expect(json).not.toMatch(/code_hash|codeHash|totp_seed|seed_enc|otpauth/i);
      assertNoSecrets(json, secrets);
      expect(page.codeLock.maxFailures).toBe(EMPLOYEE_MAX_CODE_FAILURES);
      for (const v of page.verifications) expect(Date.parse(v.validUntil) - Date.parse(v.verifiedAt)).toBe(VERIFICATION_VALID_MINUTES * MIN);
    }
  });

  it('no code or seed in audit details, logs or any plain column; every agent action row carries its ticket', async () => {
    expect(secrets.size).toBeGreaterThan(20);
    const audit = await core.db('audit_events').select('*');
    assertNoSecrets(JSON.stringify(audit), secrets);
    assertNoSecrets(logger.lines.join('\n'), secrets);
    assertNoSecrets(JSON.stringify(await fullSnapshot(core.db)), secrets);
    // Nor in an export of the whole trail, or the chain check's report.
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const exported = await exportAuditCsv(core.db, clock, core.vault, {}, sink, { actor: { userId: null, name: 'canary.check' } });
    expect(exported.rows).toBeGreaterThanOrEqual(audit.length);
    assertNoSecrets(Buffer.concat(chunks).toString('utf8'), secrets);
    assertNoSecrets(JSON.stringify(await verifyAuditChain(core.db, core.vault)), secrets);
    for (const a of audit.filter((x) => ['agent.one', 'agent.two', 'supervisor.one', 'admin.one'].includes(x.actor_name))) {
      expect(a.ticket_ref, a.action).toMatch(/^[A-Za-z0-9._:/-]{3,64}$/);
    }
    // MFA was never turned off for anyone who had it.
    const enabled = await core.db('employees').whereNotNull('mfa_enabled_at').select('id');
    const registered = await core.db('factors').where({ state: 'active' }).distinct('employee_id');
    for (const r of registered) expect(enabled.map((x) => Number(x.id))).toContain(Number(r.employee_id));
  });
});
