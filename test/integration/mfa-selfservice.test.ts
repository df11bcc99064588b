import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { changeSetting } from '../../electron/core/settings/settings.service';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import {
  confirmAppRegistration,
  confirmEmailRegistration,
  requestEmailCode,
  selfServiceStatus,
  startAppRegistration,
} from '../../electron/core/mfa/selfservice.service';
import { FACTOR_MAX_ATTEMPTS } from '../../shared/mfa-rules';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import {
  appCode,
  assertNoSecrets,
  employeeRow,
  expectRefusedUnchanged,
  factorsOf,
  fullSnapshot,
  latestCode,
  makeEmployee,
  MIN,
  nextStep,
  outbox,
  recordingLogger,
  refusal,
  secretFromUri,
  seedOf,
} from '../support/mfa-fixtures';

const START = '2026-01-05T09:00:00.000Z';

const LEAVER = 'Left on 31 December 2025: leavers cannot register for MFA.';
const NO_INTERNET = 'Internet access for ESR is not approved: it must be approved before registering for MFA.';
const NO_EMAIL = 'No email address on record: a manager must add one before codes can be sent by email.';

describe.each(TARGETS)('self-service registration on $name', (target) => {
  const clock = new ManualClock(START);
  const logger = recordingLogger();
  let core: TestCore;
  /** Every code, seed and URI handed out, for the leak checks at the end. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger });
  });

  /** Start the employee's app registration, keeping its URI and secret for the leak checks. */
  async function startApp(employeeId: number) {
    const started = await startAppRegistration(core, { employeeId });
    const secret = secretFromUri(started.otpauthUri);
    secrets.add(secret);
    secrets.add(started.otpauthUri);
    return { started, secret };
  }
  afterAll(async () => {
    await core?.dispose();
  });

  it('authenticator app: a Microsoft Authenticator URI for issuer "Hants" and the username, the seed sealed, then confirmed with a current code', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const started = await startAppRegistration(core, { employeeId: e.id });
    secrets.add(started.otpauthUri);
    const uri = new URL(started.otpauthUri);
    const secret = secretFromUri(started.otpauthUri);
    secrets.add(secret);
    expect([uri.protocol, uri.host, decodeURIComponent(uri.pathname)]).toEqual(['otpauth:', 'totp', `/Hants:${e.username}`]);
    expect(uri.searchParams.get('issuer')).toBe('Hants');
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
    expect(secret).toMatch(/^[A-Z2-7]{32,}$/); // ≥ 20 bytes
    expect([started.issuer, started.account]).toEqual(['Hants', e.username]);

    const [factor] = await factorsOf(core.db, e.id);
    expect(factor).toMatchObject({ id: started.factorId, type: 'authenticator_app', state: 'pending', failed_attempts: 0 });
    expect(factor!.totp_seed_enc).toMatch(/^v1\./);
    expect(factor!.totp_seed_enc).not.toContain(secret);
    expect(await seedOf(core, started.factorId)).toBe(secret);
    expect(await employeeRow(core.db, e.id)).toMatchObject({ mfa_state: 'pending', mfa_enabled_at: null });
    expect(Boolean((await employeeRow(core.db, e.id)).pending_registration)).toBe(true);

    // A wrong code is counted; a current one registers the app.
    const wrongTry = await refusal(() => confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock, 3) }));
    expect(wrongTry.message).toMatch(/not right.*4 tries left/);
    expect(Number((await factorsOf(core.db, e.id))[0]!.failed_attempts)).toBe(1);
    const done = await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) });
    expect(done).toMatchObject({ factorId: started.factorId, factorType: 'authenticator_app', mfaEnabledAt: START, confirmations: 2 });
    expect(done.reference).toMatch(new RegExp(`^CHG-${started.factorId}-[0-9A-F]{6}$`));
    const active = (await factorsOf(core.db, e.id))[0]!;
    expect(active).toMatchObject({ state: 'active', failed_attempts: 0 });
    expect(Number(active.totp_last_step)).toBe(Math.floor(Date.parse(START) / 30_000));
    const row = await employeeRow(core.db, e.id);
    expect(row).toMatchObject({ mfa_state: 'enabled' });
    expect(Boolean(row.has_app) && !row.has_email && !row.pending_registration && !row.locked).toBe(true);
    expect(row.mfa_enabled_at).not.toBeNull();

    // A change confirmation to every address on record, with the reference, and no secret.
    const mails = await outbox(core, e.id);
    expect(mails.map((m) => [m.template, m.recipient, m.reference, m.sealed])).toEqual(
      e.emails.map((x) => ['change_confirmation', x.address, done.reference, false]),
    );
    for (const m of mails) {
      expect(m.text).toContain(done.reference);
      expect(m.text).toContain('https://www.example.nhs.uk/shared-services/webchat');
      expect(m.text).toContain('authenticator app was added');
      assertNoSecrets(`${m.subject}\n${m.text}\n${m.html}`, [secret, started.otpauthUri, appCode(secret, clock)]);
    }
    const audit = await core.db('audit_events').where({ employee_id: e.id }).orderBy('id');
    expect(audit.map((a) => [a.action, a.result, a.actor_name])).toEqual([
      ['factor.registration_started', 'ok', 'employee'],
      ['factor.code_rejected', 'refused', 'employee'],
      ['factor.registered', 'ok', 'employee'],
    ]);
    expect(JSON.parse(audit[2]!.details)).toMatchObject({ factorId: started.factorId, factorType: 'authenticator_app', reference: done.reference, mfaEnabled: 'now' });

    // Already set up: starting again is refused and changes nothing.
    await expectRefusedUnchanged(core.db, () => startAppRegistration(core, { employeeId: e.id }), 'RULE_VIOLATION', /already set up.*re-register/);
  });

  it('the issuer is the setting employee.totp.issuer', async () => {
    await changeSetting({ db: core.db, clock }, { userId: null, name: 'test' }, { key: 'employee.totp.issuer', value: 'Hants ESR' });
    try {
      const e = await makeEmployee(core);
      const { started } = await startApp(e.id);
      expect(new URL(started.otpauthUri).searchParams.get('issuer')).toBe('Hants ESR');
      expect(decodeURIComponent(new URL(started.otpauthUri).pathname)).toBe(`/Hants ESR:${e.username}`);
    } finally {
      await changeSetting({ db: core.db, clock }, { userId: null, name: 'test' }, { key: 'employee.totp.issuer', value: 'Hants' });
    }
  });

  it('starting again replaces the seed: codes from the first QR code no longer work', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const a = await startAppRegistration(core, { employeeId: e.id });
    const b = await startAppRegistration(core, { employeeId: e.id });
    const first = secretFromUri(a.otpauthUri);
    const second = secretFromUri(b.otpauthUri);
    for (const s of [a.otpauthUri, b.otpauthUri, first, second]) secrets.add(s);
    expect(b.factorId).toBe(a.factorId);
    expect(second).not.toBe(first);
    const err = await refusal(() => confirmAppRegistration(core, { employeeId: e.id, code: appCode(first, clock) }));
    expect(err.code).toBe('RULE_VIOLATION');
    await expect(confirmAppRegistration(core, { employeeId: e.id, code: appCode(second, clock) })).resolves.toMatchObject({ factorType: 'authenticator_app' });
  });

  it('TOTP drift: one step either way is accepted, two are refused', async () => {
    for (const [offset, ok] of [
      [-2, false],
      [-1, true],
      [1, true],
      [2, false],
    ] as const) {
      clock.set(START);
      nextStep(clock);
      const e = await makeEmployee(core);
      const { secret } = await startApp(e.id);
      const code = appCode(secret, clock, offset);
      if (ok) {
        await expect(confirmAppRegistration(core, { employeeId: e.id, code }), `offset ${offset}`).resolves.toMatchObject({ factorType: 'authenticator_app' });
      } else {
        const err = await refusal(() => confirmAppRegistration(core, { employeeId: e.id, code }));
        expect(err.message, `offset ${offset}`).toMatch(/not right/);
        expect((await factorsOf(core.db, e.id))[0]!.state).toBe('pending');
      }
    }
  });

  it(`${FACTOR_MAX_ATTEMPTS} wrong app codes lock the registration; the right one is then refused and nothing changes`, async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const { secret } = await startApp(e.id);
    for (let i = 0; i < FACTOR_MAX_ATTEMPTS; i++) await refusal(() => confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock, 5) }));
    expect(Boolean((await employeeRow(core.db, e.id)).locked)).toBe(true);
    await expectRefusedUnchanged(core.db, () => confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) }), 'RULE_VIOLATION', /locked after 5 wrong codes/);
  });

  it('an authenticator code that is not 6 digits is bad input: VALIDATION, no wrong code counted, nothing changes', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const { secret } = await startApp(e.id);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${appCode(secret, clock)} `, undefined as unknown as string]) {
      await expectRefusedUnchanged(core.db, () => confirmAppRegistration(core, { employeeId: e.id, code: bad }), 'VALIDATION', /6-digit code/);
    }
    expect(Number((await factorsOf(core.db, e.id))[0]!.failed_attempts)).toBe(0);
    await expect(confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) })).resolves.toMatchObject({ factorType: 'authenticator_app' });
  });

  it('email: the employee chooses an address on record, the code goes there, and entering it registers the method', async () => {
    clock.set(START);
    const e = await makeEmployee(core, { emails: ['a.work@work.example.org', 'a.home@home.example.net', 'a.other@nhs.example.net'] });
    const status = await selfServiceStatus(core, { employeeId: e.id });
    expect(status.emails.map((m) => [m.id, m.address])).toEqual(e.emails.map((m) => [m.id, m.address]));
    expect(status.eligibility.canUseEmail).toBe(true);

    const chosen = e.emails[1]!;
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: chosen.id });
    expect(sent.recipient).toBe(chosen.address);
    const code = await latestCode(core, e.id);
    secrets.add(code);
    clock.advance(5 * MIN);
    const done = await confirmEmailRegistration(core, { employeeId: e.id, code });
    expect(done).toMatchObject({ factorType: 'email', factorId: sent.factorId, confirmations: 3 });
    const emails = await core.db('employee_emails').where({ employee_id: e.id }).orderBy('id');
    expect(emails.map((m) => Boolean(m.used_for_codes))).toEqual([false, true, false]);
    const row = await employeeRow(core.db, e.id);
    expect([row.mfa_state, Boolean(row.has_email), Boolean(row.has_app), Boolean(row.pending_registration)]).toEqual(['enabled', true, false, false]);
    const enabledAt = row.mfa_enabled_at;

    const confirmations = (await outbox(core, e.id)).filter((m) => m.template === 'change_confirmation');
    expect(confirmations.map((m) => m.recipient).sort()).toEqual(e.emails.map((m) => m.address).sort());
    for (const m of confirmations) {
      expect(m.reference).toBe(done.reference);
      expect(m.text).toContain(chosen.address);
      assertNoSecrets(`${m.subject}\n${m.text}\n${m.html}`, [code]);
    }

    // Already set up: another request is refused and nothing changes.
    await expectRefusedUnchanged(core.db, () => requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /already set up/);

    // Adding the app later keeps the first enable time: MFA is enabled once.
    clock.advance(60 * MIN);
    const app = await startAppRegistration(core, { employeeId: e.id });
    secrets.add(app.otpauthUri);
    secrets.add(secretFromUri(app.otpauthUri));
    const second = await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secretFromUri(app.otpauthUri), clock) });
    expect(second.mfaEnabledAt).toBe(new Date(Date.parse(START) + 5 * MIN).toISOString());
    expect((await employeeRow(core.db, e.id)).mfa_enabled_at).toEqual(enabledAt);
    expect(JSON.parse((await core.db('audit_events').where({ employee_id: e.id, action: 'factor.registered' }).orderBy('id', 'desc').first()).details).mfaEnabled).toBe('already');
  });

  it('choosing another address before entering the code moves the pending registration and replaces the code', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const first = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const old = await latestCode(core, e.id);
    const second = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
    const fresh = await latestCode(core, e.id);
    secrets.add(old);
    secrets.add(fresh);
    expect(second.factorId).toBe(first.factorId);
    expect((await factorsOf(core.db, e.id)).map((f) => [f.state, f.email_id])).toEqual([['pending', e.emails[1]!.id]]);
    const done = await confirmEmailRegistration(core, { employeeId: e.id, code: fresh });
    expect(done.factorType).toBe('email');
    const page = await employeePage(core.db, clock, e.id);
    expect(page.employee.factors.map((f) => [f.type, f.state, f.emailAddress])).toEqual([['email', 'active', e.emails[1]!.address]]);
  });

  it('leavers and employees without approved internet access are refused in the guides’ words, and nothing changes', async () => {
    clock.set(START);
    const leaver = await makeEmployee(core, { leaver: true });
    const offline = await makeEmployee(core, { internet: false });
    const both = await makeEmployee(core, { leaver: true, internet: false });
    for (const [e, message] of [
      [leaver, LEAVER],
      [offline, NO_INTERNET],
      [both, `${LEAVER} ${NO_INTERNET}`],
    ] as const) {
      const actions: Array<() => Promise<unknown>> = [
        () => startAppRegistration(core, { employeeId: e.id }),
        () => confirmAppRegistration(core, { employeeId: e.id, code: '123456' }),
        () => requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id }),
        () => confirmEmailRegistration(core, { employeeId: e.id, code: '123456' }),
      ];
      for (const run of actions) {
        const err = await expectRefusedUnchanged(core.db, run, 'RULE_VIOLATION');
        expect(err.message).toBe(message);
      }
    }
  });

  it('the email method needs an address on record; an address of someone else is not found; nothing changes', async () => {
    const none = await makeEmployee(core, { emails: [] });
    const other = await makeEmployee(core);
    const e = await makeEmployee(core);
    const err = await expectRefusedUnchanged(core.db, () => requestEmailCode(core, { employeeId: none.id, emailId: other.emails[0]!.id }), 'RULE_VIOLATION');
    expect(err.message).toBe(NO_EMAIL);
    await expectRefusedUnchanged(core.db, () => requestEmailCode(core, { employeeId: e.id, emailId: other.emails[0]!.id }), 'NOT_FOUND', /not on this employee's record/);
    await expectRefusedUnchanged(core.db, () => requestEmailCode(core, { employeeId: 9_999_999, emailId: e.emails[0]!.id }), 'NOT_FOUND');
    await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code: '123456' }), 'RULE_VIOLATION', /no email registration waiting/);
    await expectRefusedUnchanged(core.db, () => confirmAppRegistration(core, { employeeId: e.id, code: '123456' }), 'RULE_VIOLATION', /Start the registration first/);
    // The app needs no address: an employee without one can still register it.
    const { secret } = await startApp(none.id);
    const done = await confirmAppRegistration(core, { employeeId: none.id, code: appCode(secret, clock) });
    expect(done.confirmations).toBe(0);
  });

  it('no code, seed or URI reaches the audit trail, the logs, or any plain column', async () => {
    expect(secrets.size).toBeGreaterThan(10);
    const audit = JSON.stringify(await core.db('audit_events').select('*'));
    assertNoSecrets(audit, secrets);
    assertNoSecrets(logger.lines.join('\n'), secrets);
    const snap = await fullSnapshot(core.db);
    assertNoSecrets(JSON.stringify(snap), secrets);
    // The employee pages neither.
    for (const r of await core.db('employees').select('id')) {
      assertNoSecrets(JSON.stringify(await employeePage(core.db, clock, Number(r.id))), secrets);
    }
    const codeMails = (await core.db('mail_outbox').whereIn('template', ['registration_code', 'identity_check_code'])) as Array<Record<string, unknown>>;
    expect(codeMails.length).toBeGreaterThan(0);
    for (const m of codeMails) expect(Boolean(m.sealed)).toBe(true);
  });
});
