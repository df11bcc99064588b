import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { silentLogger } from '../../electron/core/log/logger';
import { Vault, type KeyProvider } from '../../electron/core/secrets/vault';
import { changeSetting } from '../../electron/core/settings/settings.service';
import { checkIdentityCode, overrideVerification, sendIdentityCode } from '../../electron/core/mfa/caller-verification.service';
import type { AgentContext } from '../../electron/core/mfa/on-ticket';
import { confirmEmailRegistration, requestEmailCode } from '../../electron/core/mfa/selfservice.service';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import {
  CODE_MAC_PURPOSE,
  CODE_MAX_ATTEMPTS,
  EMPLOYEE_MAX_CODE_FAILURES,
  MAX_CODES_PER_HOUR,
} from '../../shared/mfa-rules';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import {
  assertNoSecrets,
  codeIn,
  deskUser,
  employeeRow,
  expectRefusedUnchanged,
  fullSnapshot,
  latestCode,
  makeEmployee,
  MIN,
  outbox,
  refusal,
  wrong,
  type DeskUserFixture,
} from '../support/mfa-fixtures';

const START = '2026-01-05T09:00:00.000Z';

function keys(bytes: Buffer): KeyProvider {
  return { getKey: () => bytes, exists: () => true, describe: () => 'test key', storage: () => ({ kind: 'file', where: 'memory', file: '(none: a test key in memory)', warning: null }) };
}

describe('Vault.mac', () => {
  it('is an HMAC under a key derived per purpose from the data key, compared in constant time', () => {
    const k1 = crypto.randomBytes(32);
    const v1 = new Vault(keys(k1));
    const v2 = new Vault(keys(crypto.randomBytes(32)));
    const mac = v1.mac('one_time_code', '1:registration:123456');
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.mac('one_time_code', '1:registration:123456')).toBe(mac);
    expect(new Vault(keys(Buffer.from(k1))).mac('one_time_code', '1:registration:123456')).toBe(mac);
    expect(v1.mac('other', '1:registration:123456')).not.toBe(mac);
    expect(v2.mac('one_time_code', '1:registration:123456')).not.toBe(mac);
    // Not a plain hash of the code, nor an HMAC under the data key itself.
    expect(mac).not.toBe(crypto.createHash('sha256').update('1:registration:123456').digest('hex'));
    expect(mac).not.toBe(crypto.createHmac('sha256', k1).update('1:registration:123456').digest('hex'));
    expect(v1.macEquals('one_time_code', '1:registration:123456', mac)).toBe(true);
    expect(v1.macEquals('one_time_code', '1:registration:123457', mac)).toBe(false);
    for (const bad of ['', 'zz', mac.toUpperCase(), mac.slice(0, 63), `${mac}0`]) {
      expect(v1.macEquals('one_time_code', '1:registration:123456', bad), bad).toBe(false);
    }
  });
});

describe.each(TARGETS)('one-time codes on $name', (target) => {
  const clock = new ManualClock(START);
  let core: TestCore;
  let agent: DeskUserFixture;
  let ctx: AgentContext;
  const secrets = new Set<string>();

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    agent = await deskUser(core, 'agent.codes', 'agent');
    ctx = { actor: { userId: agent.id, name: agent.username }, role: 'agent', ticketRef: 'INC-1001' };
  });
  afterAll(async () => {
    await core?.dispose();
  });
  // Each test works on a ticket of its own (a ticket is about one employee).
  let ticketNo = 1000;
  beforeEach(() => {
    ctx = { ...ctx, ticketRef: `INC-${++ticketNo}` };
  });

  it('a code is 6 digits, mailed sealed, stored only as a keyed hash and bound to employee, request, factor and address', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
    expect(sent.recipient).toBe(e.emails[1]!.address);
    expect(sent.requestId).toMatch(/^SS-[0-9A-F]{12}$/);
    expect(sent.expiresAt).toBe(new Date(Date.parse(START) + 20 * MIN).toISOString());

    const mails = await outbox(core, e.id);
    expect(mails.map((m) => [m.template, m.recipient, m.sealed])).toEqual([['registration_code', e.emails[1]!.address, true]]);
    const code = codeIn(mails[0]!);
    secrets.add(code);
    expect(code).toMatch(/^\d{6}$/);
    expect(mails[0]!.text).toContain('20 minutes');

    const row = await core.db('one_time_codes').where({ id: sent.codeId }).first();
    expect(row).toMatchObject({
      employee_id: e.id,
      purpose: 'registration',
      recipient: e.emails[1]!.address,
      request_ref: sent.requestId,
      factor_id: sent.factorId,
      email_id: e.emails[1]!.id,
      attempts: 0,
      consumed_at: null,
      superseded_at: null,
      locked_at: null,
    });
    expect(row.code_hash).toBe(core.vault.mac(CODE_MAC_PURPOSE, `${e.id}:registration:${code}`));
    expect(row.code_hash).not.toBe(crypto.createHash('sha256').update(code).digest('hex'));
    // The code itself is in no column of any table (the mail body is sealed).
    assertNoSecrets(JSON.stringify(await fullSnapshot(core.db)), [code]);
    const factor = await core.db('factors').where({ id: sent.factorId }).first();
    expect(factor).toMatchObject({ employee_id: e.id, type: 'email', state: 'pending', email_id: e.emails[1]!.id });
    expect(await employeeRow(core.db, e.id)).toMatchObject({ mfa_state: 'pending' });

    const done = await confirmEmailRegistration(core, { employeeId: e.id, code });
    expect(done.factorType).toBe('email');
    const used = await core.db('one_time_codes').where({ id: sent.codeId }).first();
    expect(used.consumed_at).not.toBeNull();
    // The same code again is refused and changes nothing (here because nothing waits for a code any
    // more; that a used code itself is refused is shown by 'a code is used once' below).
    await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code }), 'RULE_VIOLATION', /no email registration waiting/i);
  });

  it('expires at exactly the lifetime (20 minutes): refused with "start again and request a new code", nothing changed', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id);
    secrets.add(code);
    clock.advance(20 * MIN);
    const err = await expectRefusedUnchanged(
      core.db,
      () => confirmEmailRegistration(core, { employeeId: e.id, code }),
      'RULE_VIOLATION',
      /expired at 09:20 UTC \(a code is valid for 20 minutes\)\. Start the process again and request a new code/,
    );
    expect(err.details).toMatchObject({ expiredAt: '2026-01-05T09:20:00.000Z' });
    // A wrong code on an expired code is not counted either: nothing was compared.
    await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(code) }), 'RULE_VIOLATION', /expired/);

    // One millisecond before the end it is still good.
    clock.set(START);
    const f = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: f.id, emailId: f.emails[0]!.id });
    const good = await latestCode(core, f.id);
    secrets.add(good);
    clock.advance(20 * MIN - 1);
    await expect(confirmEmailRegistration(core, { employeeId: f.id, code: good })).resolves.toMatchObject({ factorType: 'email' });
  });

  it('the lifetime is the setting otp.lifetimeMinutes', async () => {
    clock.set(START);
    await changeSetting({ db: core.db, clock }, { userId: null, name: 'test' }, { key: 'otp.lifetimeMinutes', value: 30 });
    try {
      const e = await makeEmployee(core);
      const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
      expect(sent.expiresAt).toBe(new Date(Date.parse(START) + 30 * MIN).toISOString());
      const mail = (await outbox(core, e.id))[0]!;
      expect(mail.text).toContain('30 minutes');
      secrets.add(codeIn(mail));
      clock.advance(30 * MIN);
      await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code: codeIn(mail) }), 'RULE_VIOLATION', /valid for 30 minutes/);
    } finally {
      await changeSetting({ db: core.db, clock }, { userId: null, name: 'test' }, { key: 'otp.lifetimeMinutes', value: 20 });
    }
  });

  it('5 wrong tries lock the code; each is counted and audited as refused, and the right code is then refused too', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id);
    secrets.add(code);
    for (let i = 1; i <= CODE_MAX_ATTEMPTS; i++) {
      clock.advance(10_000);
      const err = await refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(code) }));
      expect(err.code).toBe('RULE_VIOLATION');
      const row = await core.db('one_time_codes').where({ id: sent.codeId }).first();
      expect(Number(row.attempts)).toBe(i);
      expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(i);
      if (i < CODE_MAX_ATTEMPTS) {
        expect(err.message).toBe(`That code is not right. ${CODE_MAX_ATTEMPTS - i} ${CODE_MAX_ATTEMPTS - i === 1 ? 'try' : 'tries'} left for this code.`);
        expect(row.locked_at).toBeNull();
      } else {
        expect(err.message).toMatch(/now locked\. Start again and request a new code/);
        expect(row.locked_at).not.toBeNull();
      }
      expect(err.details).toMatchObject({ attemptsLeft: CODE_MAX_ATTEMPTS - i, codeLocked: i === CODE_MAX_ATTEMPTS, failures: i });
    }
    const audits = await core.db('audit_events').where({ employee_id: e.id, action: 'code.rejected' }).orderBy('id');
    expect(audits).toHaveLength(CODE_MAX_ATTEMPTS);
    for (const a of audits) {
      expect(a.result).toBe('refused');
      expect(a.actor_name).toBe('employee');
      expect(JSON.parse(a.details)).toMatchObject({ purpose: 'registration', codeId: sent.codeId });
    }
    await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code }), 'RULE_VIOLATION', /locked after 5 wrong tries\. Start again and request a new code/);
    // One code locking does not lock the employee.
    expect(await employeeRow(core.db, e.id)).toMatchObject({ codes_locked_at: null });
    expect(Boolean((await employeeRow(core.db, e.id)).locked)).toBe(false);
  });

  it('wrong tries sent at once cannot get past the limit: the employee row is held for each check', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id);
    secrets.add(code);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(code) }))),
    );
    expect(results.filter((r) => /not right/.test(r.message))).toHaveLength(CODE_MAX_ATTEMPTS);
    expect(results.filter((r) => /is locked after 5 wrong tries/.test(r.message))).toHaveLength(8 - CODE_MAX_ATTEMPTS);
    expect(Number((await core.db('one_time_codes').where({ id: sent.codeId }).first()).attempts)).toBe(CODE_MAX_ATTEMPTS);
    expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(CODE_MAX_ATTEMPTS);
    expect(await core.db('audit_events').where({ employee_id: e.id, action: 'code.rejected' })).toHaveLength(CODE_MAX_ATTEMPTS);
  });

  it('a new code replaces the old one and does NOT reset the failure count; a right code does', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const first = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const old = await latestCode(core, e.id);
    secrets.add(old);
    for (let i = 0; i < 3; i++) await refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(old) }));
    clock.advance(MIN);
    const second = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const fresh = await latestCode(core, e.id);
    secrets.add(fresh);
    expect(second.factorId).toBe(first.factorId);
    expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(3);
    const oldRow = await core.db('one_time_codes').where({ id: first.codeId }).first();
    expect(oldRow.superseded_at).not.toBeNull();
    // Wrong on the new code: the count goes on from 3.
    const err = await refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(fresh) }));
    expect(err.details).toMatchObject({ failures: 4, attemptsLeft: 4 });
    if (old !== fresh) {
      // The old code is no longer the one checked: it is just a wrong code now.
      const again = await refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: old }));
      expect(again.details).toMatchObject({ failures: 5 });
    }
    await confirmEmailRegistration(core, { employeeId: e.id, code: fresh });
    expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(0);
  });

  it(`${EMPLOYEE_MAX_CODE_FAILURES} wrong codes in a row lock all the employee's codes: none can be issued or redeemed`, async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    let codeId = 0;
    for (let round = 0; round < 2; round++) {
      const sent = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
      codeId = sent.codeId;
      const code = await latestCode(core, e.id);
      secrets.add(code);
      for (let i = 0; i < CODE_MAX_ATTEMPTS; i++) {
        clock.advance(5_000);
        await refusal(() => confirmEmailRegistration(core, { employeeId: e.id, code: wrong(code) }));
      }
    }
    const row = await employeeRow(core.db, e.id);
    expect(Number(row.code_failures)).toBe(EMPLOYEE_MAX_CODE_FAILURES);
    expect(row.codes_locked_at).not.toBeNull();
    expect(Boolean(row.locked)).toBe(true);
    const last = await core.db('audit_events').where({ employee_id: e.id, action: 'code.rejected' }).orderBy('id', 'desc').first();
    expect(JSON.parse(last.details)).toMatchObject({ employeeLocked: true, failures: EMPLOYEE_MAX_CODE_FAILURES, codeId });

    await expectRefusedUnchanged(core.db, () => requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /codes are locked after 10 wrong codes/);
    await expectRefusedUnchanged(core.db, () => sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /codes are locked/);
    await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code: '000000' }), 'RULE_VIOLATION', /codes are locked/);
    // The employee page shows the lock, never a hash.
    const page = await employeePage(core.db, clock, e.id);
    expect(page.codeLock).toEqual({ failures: EMPLOYEE_MAX_CODE_FAILURES, maxFailures: EMPLOYEE_MAX_CODE_FAILURES, lockedAt: expect.any(String) });
    expect(page.employee.locked).toBe(true);
    expect(JSON.stringify(page)).not.toMatch(/code_hash|codeHash/);
  });

  it(`more than ${MAX_CODES_PER_HOUR} codes in a rolling hour is refused with retryAfterSeconds`, async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    for (let i = 0; i < MAX_CODES_PER_HOUR; i++) {
      // Both purposes count together.
      if (i % 2 === 0) await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
      else await sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[1]!.id });
      clock.advance(MIN);
    }
    // 10 minutes after the first: the first leaves the window in 50 minutes.
    const err = await expectRefusedUnchanged(
      core.db,
      () => requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id }),
      'RULE_VIOLATION',
      /at most 10 codes .* in an hour\. Try again in 50 minutes\./,
    );
    expect(err.details).toEqual({ retryAfterSeconds: 50 * 60 });
    clock.advance(50 * MIN - 1_500);
    const later = await expectRefusedUnchanged(core.db, () => sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id }), 'RULE_VIOLATION');
    expect(later.details).toEqual({ retryAfterSeconds: 2 });
    expect(later.message).toMatch(/Try again in 1 minute\./);
    // Exactly an hour after the first code, it no longer counts.
    clock.advance(1_500);
    await expect(requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id })).resolves.toMatchObject({ recipient: e.emails[0]!.address });
    for (const m of await outbox(core, e.id)) secrets.add(codeIn(m));
  });

  it('an identity-check code is bound to its ticket and does not replace a registration code', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const reg = await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    const regCode = await latestCode(core, e.id);
    const sent = await sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[1]!.id });
    const idCode = await latestCode(core, e.id, 'identity_check_code');
    secrets.add(regCode);
    secrets.add(idCode);
    const mail = (await outbox(core, e.id)).find((m) => m.template === 'identity_check_code')!;
    expect(mail.recipient).toBe(e.emails[1]!.address);
    expect(mail.text).toContain(ctx.ticketRef);
    const row = await core.db('one_time_codes').where({ id: sent.codeId }).first();
    expect(row).toMatchObject({ purpose: 'identity_check', request_ref: ctx.ticketRef, email_id: e.emails[1]!.id, factor_id: null });
    expect((await core.db('one_time_codes').where({ id: reg.codeId }).first()).superseded_at).toBeNull();
    // On another ticket there is no code to check.
    await expectRefusedUnchanged(
      core.db,
      () => checkIdentityCode(core, { ...ctx, ticketRef: 'INC-2002' }, { employeeId: e.id, code: idCode }),
      'RULE_VIOLATION',
      /No identity-check code has been sent on this ticket/,
    );
    const v = await checkIdentityCode(core, ctx, { employeeId: e.id, code: idCode });
    expect(v).toMatchObject({ ticketRef: ctx.ticketRef, method: 'email_code', verifiedBy: 'agent.codes' });
    // The registration code still works.
    await expect(confirmEmailRegistration(core, { employeeId: e.id, code: regCode })).resolves.toMatchObject({ factorType: 'email' });
  });

  it('a code is used once: the right identity-check code again is refused and changes nothing', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const sent = await sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id, 'identity_check_code');
    secrets.add(code);
    await checkIdentityCode(core, ctx, { employeeId: e.id, code });
    const err = await expectRefusedUnchanged(
      core.db,
      () => checkIdentityCode(core, ctx, { employeeId: e.id, code }),
      'RULE_VIOLATION',
      /already been used\. Start again and request a new code/,
    );
    expect(err.details).toEqual({ codeId: sent.codeId });
    expect(await core.db('caller_verifications').where({ employee_id: e.id })).toHaveLength(1);
  });

  it('one right code entered at once from two desks verifies the caller once', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    await sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id });
    const code = await latestCode(core, e.id, 'identity_check_code');
    secrets.add(code);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => checkIdentityCode(core, ctx, { employeeId: e.id, code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringMatching(/already been used/) });
    }
    expect(await core.db('caller_verifications').where({ employee_id: e.id })).toHaveLength(1);
    expect(await core.db('audit_events').where({ employee_id: e.id, action: 'caller.verified' })).toHaveLength(1);
  });

  it(`codes requested at once cannot get past ${MAX_CODES_PER_HOUR} in an hour`, async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const results = await Promise.allSettled(
      Array.from({ length: MAX_CODES_PER_HOUR + 5 }, (_, i) =>
        i % 2 === 0
          ? sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id })
          : requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_CODES_PER_HOUR);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'RULE_VIOLATION', details: { retryAfterSeconds: 3600 } });
    }
    expect(await core.db('one_time_codes').where({ employee_id: e.id })).toHaveLength(MAX_CODES_PER_HOUR);
    const mails = await outbox(core, e.id);
    expect(mails).toHaveLength(MAX_CODES_PER_HOUR);
    for (const m of mails) secrets.add(codeIn(m));
  });

  it('a code that is not 6 digits is bad input: refused as VALIDATION before it costs a try, nothing changes', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    await sendIdentityCode(core, ctx, { employeeId: e.id, emailId: e.emails[0]!.id });
    secrets.add(await latestCode(core, e.id));
    secrets.add(await latestCode(core, e.id, 'identity_check_code'));
    for (const bad of ['', '12345', '1234567', '12a456', ' 123456', '１２３４５６', undefined as unknown as string]) {
      await expectRefusedUnchanged(core.db, () => confirmEmailRegistration(core, { employeeId: e.id, code: bad }), 'VALIDATION', /6-digit code/);
      await expectRefusedUnchanged(core.db, () => checkIdentityCode(core, ctx, { employeeId: e.id, code: bad }), 'VALIDATION', /6-digit code/);
    }
    expect(Number((await employeeRow(core.db, e.id)).code_failures)).toBe(0);
    expect(await core.db('audit_events').where({ employee_id: e.id, action: 'code.rejected' })).toHaveLength(0);
  });

  it('an agent action needs a ticket reference the contract accepts, whoever calls the service; nothing changes', async () => {
    clock.set(START);
    const e = await makeEmployee(core);
    const supervisor: AgentContext = { ...ctx, role: 'supervisor' };
    for (const ticketRef of ['', 'IN', ' INC-1001 ', 'INC 1001', 'x'.repeat(65), undefined as unknown as string]) {
      await expectRefusedUnchanged(core.db, () => sendIdentityCode(core, { ...ctx, ticketRef }, { employeeId: e.id, emailId: e.emails[0]!.id }), 'VALIDATION', /ticket reference/);
      await expectRefusedUnchanged(
        core.db,
        () => overrideVerification(core, { ...supervisor, ticketRef }, { employeeId: e.id, reason: 'Known caller, confirmed by line manager' }),
        'VALIDATION',
        /ticket reference/,
      );
    }
  });

  it('no code appears in any audit row', async () => {
    expect(secrets.size).toBeGreaterThan(10);
    const audit = JSON.stringify(await core.db('audit_events').select('details', 'action', 'ticket_ref'));
    assertNoSecrets(audit, secrets);
    const codes = JSON.stringify(await core.db('one_time_codes').select('*'));
    assertNoSecrets(codes, secrets);
  });
});

describe.each(TARGETS)('code counters survive a restart on $name', (target) => {
  it('attempts, failures and the hourly count are read from the database after the core is reopened', async () => {
    const clock = new ManualClock(START);
    const first = await openTestCore(target, { clock });
    const config = { dataDir: first.scratch.dataDir, databaseUrl: first.scratch.databaseUrl, databaseSchema: first.scratch.schema };
    const agent = await deskUser(first, 'agent.restart', 'agent');
    const ctx: AgentContext = { actor: { userId: agent.id, name: agent.username }, role: 'agent', ticketRef: 'INC-9' };
    let again: DeskCore | undefined;
    try {
      const e = await makeEmployee(first);
      const sent = await requestEmailCode(first, { employeeId: e.id, emailId: e.emails[0]!.id });
      const code = await latestCode(first, e.id);
      for (let i = 0; i < 3; i++) await refusal(() => confirmEmailRegistration(first, { employeeId: e.id, code: wrong(code) }));
      for (let i = 0; i < MAX_CODES_PER_HOUR - 1; i++) {
        clock.advance(1_000);
        await sendIdentityCode(first, ctx, { employeeId: e.id, emailId: e.emails[0]!.id });
      }
      await first.close();

      again = await openDeskCore({ config, clock, logger: silentLogger });
      expect(Number((await employeeRow(again.db, e.id)).code_failures)).toBe(3);
      expect(Number((await again.db('one_time_codes').where({ id: sent.codeId }).first()).attempts)).toBe(3);
      // The hourly count is the database's: this would be the 11th code.
      const core2 = again;
      const limit = await expectRefusedUnchanged(core2.db, () => sendIdentityCode(core2, ctx, { employeeId: e.id, emailId: e.emails[0]!.id }), 'RULE_VIOLATION');
      expect(limit.details).toHaveProperty('retryAfterSeconds');
      // The registration code goes on from 3 wrong tries.
      const r4 = await refusal(() => confirmEmailRegistration(core2, { employeeId: e.id, code: wrong(code) }));
      expect(r4.details).toMatchObject({ attemptsLeft: 1, failures: 4 });
      await confirmEmailRegistration(core2, { employeeId: e.id, code });
      expect(Number((await employeeRow(core2.db, e.id)).code_failures)).toBe(0);
    } finally {
      await again?.close();
      await first.scratch.cleanup();
    }
  });
});
