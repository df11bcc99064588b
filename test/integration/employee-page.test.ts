import { appendEvents, type AuditContent } from '../../electron/core/audit/chain';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, type Caller } from '../support/call-as';
import type { AuditEntry, AuditPage, MailLogEntry, OneTimeCodeView } from '../../shared/domain';
import { eligibility, formatDay } from '../../shared/eligibility';
import { DeskError } from '../../shared/errors';
import { ManualClock } from '../../electron/core/clock';
import { toIso } from '../../electron/core/db/values';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { EMPLOYEE_MAX_CODE_FAILURES, VERIFICATIONS_SHOWN } from '../../shared/mfa-rules';
import {
  AUDIT_PAGE_SIZE,
  CODE_MAX_ATTEMPTS,
  employeeAudit,
  employeePage,
  MAIL_LOG_LIMIT,
} from '../../electron/core/employee-page/employee-page.service';
import type { SessionSlot } from '../../electron/core/ipc/router';
import { deskUser } from '../support/mfa-fixtures';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const START = '2026-01-05T09:00:00.000Z';
const MIN = 60_000;
const MISSING_ID = 9_999_999;

const at = (offsetMs: number) => new Date(Date.parse(START) + offsetMs).toISOString();
const hash = () => crypto.randomBytes(32).toString('hex');

async function insertId(db: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await db(table).insert(row).returning('id');
  return typeof r === 'object' ? Number((r as { id: number }).id) : Number(r);
}

interface CodeRow {
  purpose: 'registration' | 'reset' | 'identity_check';
  issued: number;
  consumed?: number;
  superseded?: number;
  locked?: number;
  attempts?: number;
}

async function insertCode(db: Knex, employeeId: number, c: CodeRow, codeHash = hash()): Promise<{ id: number; codeHash: string; view: OneTimeCodeView }> {
  const row = {
    employee_id: employeeId,
    purpose: c.purpose,
    code_hash: codeHash,
    recipient: `employee${employeeId}@example.org`,
    request_ref: null,
    issued_at: at(c.issued),
    expires_at: at(c.issued + 20 * MIN),
    consumed_at: c.consumed === undefined ? null : at(c.consumed),
    superseded_at: c.superseded === undefined ? null : at(c.superseded),
    locked_at: c.locked === undefined ? null : at(c.locked),
    attempts: c.attempts ?? 0,
  };
  const id = await insertId(db, 'one_time_codes', row);
  return {
    id,
    codeHash,
    view: {
      id,
      purpose: c.purpose,
      recipient: row.recipient,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      consumedAt: row.consumed_at,
      supersededAt: row.superseded_at,
      lockedAt: row.locked_at,
      attempts: row.attempts,
      maxAttempts: CODE_MAX_ATTEMPTS,
    },
  };
}

let mailSerial = 0;
async function insertMail(db: Knex, employeeId: number, created: number, status: 'queued' | 'sent' | 'failed' = 'sent'): Promise<number> {
  mailSerial++;
  return insertId(db, 'mail_outbox', {
    employee_id: employeeId,
    template: 'change_confirmation',
    recipient: `employee${employeeId}@example.org`,
    subject: `Change ${mailSerial}`,
    body_text: 'body\n',
    body_html: null,
    status,
    attempts: status === 'queued' ? 0 : status === 'failed' ? 3 : 1,
    next_attempt_at: at(created),
    message_id: `<test-${employeeId}-${mailSerial}-${crypto.randomBytes(4).toString('hex')}@mfa-desk.invalid>`,
    last_error: status === 'failed' ? '550 mailbox unavailable' : null,
    smtp_response: status === 'sent' ? '250 2.0.0 OK' : null,
    created_at: at(created),
    sent_at: status === 'sent' ? at(created + 1000) : null,
  });
}

async function insertAudit(db: Knex, employeeId: number, occurred: number, extra: Partial<AuditContent> = {}): Promise<number> {
  const [id] = await appendEvents(db, [{
    occurred_at: at(occurred),
    actor_user_id: null,
    actor_name: 'agent.test',
    employee_id: employeeId,
    ticket_ref: null,
    action: 'employee.viewed',
    result: 'ok',
    details: '{}',
    ...extra,
  }]);
  return id!;
}

/** The mail log as the page must show it, read from the table. */
async function mailOracle(db: Knex, employeeId: number): Promise<MailLogEntry[]> {
  const rows: Array<Record<string, unknown>> = await db('mail_outbox').where('employee_id', employeeId);
  return rows
    .map((r) => ({
      id: Number(r.id),
      createdAt: toIso(r.created_at)!,
      sentAt: toIso(r.sent_at),
      recipient: String(r.recipient),
      template: String(r.template),
      subject: String(r.subject),
      status: r.status as MailLogEntry['status'],
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      smtpResponse: (r.smtp_response as string | null) ?? null,
    }))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));
}

/** Every audit event of the employee, newest first. */
async function auditOracle(db: Knex, employeeId: number): Promise<number[]> {
  const rows: Array<{ id: number }> = await db('audit_events').where('employee_id', employeeId).select('id');
  return rows.map((r) => Number(r.id)).sort((a, b) => b - a);
}

const pages = new Map<string, Record<string, unknown>>();

describe.each(TARGETS)('employee page on $name', (target: Target) => {
  const clock = new ManualClock(START);
  let core: TestCore;
  let slot: SessionSlot;
  const call: Caller['call'] = (channel, input) => callAs(core, slot).call(channel, input);
  const mine: Record<string, unknown> = {};

  // E: codes, > 50 mails, 60 audit events. G: exactly 50 mails and 25 audit events. H: nothing at all.
  // F: an old identity check buried under 50 newer registration codes.
  let E: number;
  let F: number;
  let G: number;
  let H: number;
  const hashes: string[] = [];
  let expectedCodes: OneTimeCodeView[];
  let inserted: { audits: number[] };

  beforeAll(async () => {
    mailSerial = 0; // subjects are compared across databases
    core = await openTestCore(target, { clock });
    await seedDemoData({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { employees: 40, seed: 11, deskUsers: false });
    slot = (await deskUser(core, 'agent', 'agent')).slot;

    const withApp = await core.db('factors').where({ type: 'authenticator_app', state: 'active' }).whereNotNull('totp_seed_enc').orderBy('employee_id');
    expect(withApp.length).toBeGreaterThan(1);
    E = Number(withApp[0].employee_id);
    F = Number(withApp[1].employee_id);
    const bare = await core.db('employees').whereNotIn('id', core.db('factors').select('employee_id')).orderBy('id').select('id');
    G = Number(bare[0].id);
    H = Number(bare[1].id);

    // Codes for E: two registration codes (the newer shown), two reset codes issued at the same
    // moment (the later row shown) and one identity check.
    const r1 = await insertCode(core.db, E, { purpose: 'registration', issued: -30 * MIN, superseded: -5 * MIN, attempts: 1 });
    const r2 = await insertCode(core.db, E, { purpose: 'registration', issued: -5 * MIN, attempts: 2 });
    const rs1 = await insertCode(core.db, E, { purpose: 'reset', issued: -20 * MIN, locked: -15 * MIN, attempts: 5 });
    const rs2 = await insertCode(core.db, E, { purpose: 'reset', issued: -20 * MIN, attempts: 0 });
    const i1 = await insertCode(core.db, E, { purpose: 'identity_check', issued: -2 * MIN, consumed: -1 * MIN, attempts: 1 });
    hashes.push(r1.codeHash, r2.codeHash, rs1.codeHash, rs2.codeHash, i1.codeHash);
    expectedCodes = [i1.view, r2.view, rs2.view];

    // 55 mails for E, one minute apart, the last two at the same moment.
    const statuses = ['sent', 'queued', 'failed'] as const;
    for (let i = 0; i < 55; i++) await insertMail(core.db, E, -(60 - Math.min(i, 53)) * MIN, statuses[i % 3]);

    // 60 audit events for E, oldest first, with a few odd ones.
    inserted = { audits: [] };
    for (let i = 0; i < 60; i++) {
      const extra: Partial<AuditContent> =
        i === 10 ? { details: '{not json' } : i === 11 ? { details: '[1,2]' } : i === 12 ? { details: 'null' } : i === 13 ? { result: 'refused', ticket_ref: 'INC-42', details: JSON.stringify({ reason: 'leaver' }) } : { details: JSON.stringify({ n: i }) };
      inserted.audits.push(await insertAudit(core.db, E, -(120 - i) * MIN, extra));
    }

    // G: exactly 50 mails and exactly 25 audit events (whatever the seed gave it, topped up).
    const gMails = (await mailOracle(core.db, G)).length;
    for (let i = gMails; i < MAIL_LOG_LIMIT; i++) await insertMail(core.db, G, -(200 - i) * MIN);
    const gAudits = (await auditOracle(core.db, G)).length;
    for (let i = gAudits; i < AUDIT_PAGE_SIZE; i++) await insertAudit(core.db, G, -(200 - i) * MIN);

    // F: one identity check a day ago, then 50 registration codes.
    const old = await insertCode(core.db, F, { purpose: 'identity_check', issued: -24 * 60 * MIN });
    hashes.push(old.codeHash);
    for (let i = 0; i < 50; i++) hashes.push((await insertCode(core.db, F, { purpose: 'registration', issued: -(500 - i) * MIN, superseded: -(499 - i) * MIN })).codeHash);
    mine.oldIdentityCheck = old.view;

    // Every code hash in the database, seeded ones included.
    for (const r of await core.db('one_time_codes').select('code_hash')) if (!hashes.includes(r.code_hash)) hashes.push(String(r.code_hash));
    pages.set(target.name, mine);
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('returns the record, its eligibility, and the server time from the injected clock', async () => {
    const page = await employeePage(core.db, clock, E);
    expect(page.employee.id).toBe(E);
    expect(page.employee.factors.some((f) => f.type === 'authenticator_app' && f.state === 'active')).toBe(true);
    expect(page.eligibility).toEqual(
      eligibility({
        status: page.employee.status,
        leavingDate: page.employee.leavingDate,
        internetAccessApproved: page.employee.internetAccessApproved,
        emailCount: page.employee.emails.length,
        mfaEnabledAt: page.employee.mfaEnabledAt,
      }),
    );
    expect(page.eligibility.reasons.map((r) => r.code)).toContain('mfa_enabled');
    expect(page.serverTime).toBe(START);
    clock.advance(61_500);
    const later = await call('employees.page', { employeeId: E });
    expect(later.ok && (later.value).serverTime).toBe(at(61_500));
    clock.set(START);
    mine.page = await employeePage(core.db, clock, E);
  });

  it('a leaver without internet access and without email: the reasons in the words of the guides', async () => {
    await core.db('employees').where({ id: H }).update({ status: 'leaver', leaving_date: '2025-03-03', internet_access_approved: false });
    await core.db('employee_emails').where({ employee_id: H }).delete();
    const page = await employeePage(core.db, clock, H);
    expect(page.eligibility).toEqual({
      canRegister: false,
      canUseApp: false,
      canUseEmail: false,
      reasons: [
        { code: 'leaver', blocks: true, message: 'Left on 3 March 2025: leavers cannot register for MFA.' },
        { code: 'internet_not_approved', blocks: true, message: 'Internet access for ESR is not approved: it must be approved before registering for MFA.' },
        { code: 'no_email', blocks: false, message: 'No email address on record: a manager must add one before codes can be sent by email.' },
      ],
    });
    expect(formatDay('2025-03-03')).toBe('3 March 2025');
  });

  it('shows the latest code per purpose, newest first (ties broken by the later row)', async () => {
    const page = await employeePage(core.db, clock, E);
    expect(page.codes).toEqual(expectedCodes);
    expect(page.codes.map((c) => c.purpose)).toEqual(['identity_check', 'registration', 'reset']);
  });

  it('shows the latest code of every purpose even when one purpose has many newer codes', async () => {
    const page = await employeePage(core.db, clock, F);
    expect(page.codes.map((c) => c.purpose)).toEqual(['registration', 'identity_check']);
    expect(page.codes[1]).toEqual(mine.oldIdentityCheck);
  });

  it('shows the 50 newest mails, newest first (same moment: later row first), and says there are more', async () => {
    const page = await employeePage(core.db, clock, E);
    const all = await mailOracle(core.db, E);
    expect(all.length).toBeGreaterThan(MAIL_LOG_LIMIT);
    expect(page.mails).toHaveLength(MAIL_LOG_LIMIT);
    expect(page.mails).toEqual(all.slice(0, MAIL_LOG_LIMIT));
    expect(page.mailsMore).toBe(true);
    expect(page.mails[0]!.createdAt).toBe(page.mails[1]!.createdAt);
    expect(page.mails[0]!.id).toBeGreaterThan(page.mails[1]!.id);
    expect(page.mails.map((m) => m.status)).toEqual(expect.arrayContaining(['sent', 'queued', 'failed']));
    const failed = page.mails.find((m) => m.status === 'failed')!;
    expect(failed).toMatchObject({ sentAt: null, lastError: '550 mailbox unavailable', smtpResponse: null, attempts: 3 });
    const sent = page.mails.find((m) => m.status === 'sent')!;
    expect(Date.parse(sent.sentAt!) - Date.parse(sent.createdAt)).toBe(1000);
  });

  it('exactly 50 mails: all shown, no more; one more: still 50 shown, and more', async () => {
    const before = await employeePage(core.db, clock, G);
    expect([before.mails.length, before.mailsMore]).toEqual([MAIL_LOG_LIMIT, false]);
    expect(before.mails).toEqual(await mailOracle(core.db, G));
    const newest = await insertMail(core.db, G, 5 * MIN);
    const after = await employeePage(core.db, clock, G);
    expect([after.mails.length, after.mailsMore, after.mails[0]!.id]).toEqual([MAIL_LOG_LIMIT, true, newest]);
  });

  it('shows the first 25 audit events, newest first; employees.audit pages through the rest to the end', async () => {
    const page = await employeePage(core.db, clock, E);
    const want = await auditOracle(core.db, E);
    expect(want.length).toBeGreaterThanOrEqual(60);
    expect(page.audit.rows.map((r) => r.id)).toEqual(want.slice(0, AUDIT_PAGE_SIZE));
    expect(page.audit.nextCursor).not.toBeNull();

    const seen: AuditEntry[] = [...page.audit.rows];
    let cursor = page.audit.nextCursor;
    let calls = 0;
    while (cursor !== null) {
      const res = await call('employees.audit', { employeeId: E, cursor });
      expect(res.ok, JSON.stringify(res)).toBe(true);
      const next = (res as { value: AuditPage }).value;
      expect(next.rows.length).toBeLessThanOrEqual(AUDIT_PAGE_SIZE);
      if (next.nextCursor !== null) expect(next.rows).toHaveLength(AUDIT_PAGE_SIZE);
      seen.push(...next.rows);
      cursor = next.nextCursor;
      expect(++calls).toBeLessThan(20);
    }
    expect(seen.map((r) => r.id)).toEqual(want);
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    expect(calls).toBe(Math.ceil(want.length / AUDIT_PAGE_SIZE) - 1);
    // Newest first by time too.
    const times = seen.map((r) => Date.parse(r.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The first call with no cursor is the page's first audit page.
    expect(await call('employees.audit', { employeeId: E })).toEqual({ ok: true, value: page.audit });

    // Entries as recorded; details that are not a JSON object read as {}.
    const byId = new Map(seen.map((r) => [r.id, r]));
    expect(byId.get(inserted.audits[59]!)).toEqual({
      id: inserted.audits[59],
      occurredAt: at(-61 * MIN),
      actor: 'agent.test',
      ticketRef: null,
      action: 'employee.viewed',
      result: 'ok',
      details: { n: 59 },
    });
    expect(byId.get(inserted.audits[13]!)).toMatchObject({ result: 'refused', ticketRef: 'INC-42', details: { reason: 'leaver' } });
    for (const i of [10, 11, 12]) expect(byId.get(inserted.audits[i]!)!.details, String(i)).toEqual({});
    mine.audit = seen;
  });

  it('exactly 25 audit events: one page; one more: a second page of one', async () => {
    const one = await employeePage(core.db, clock, G);
    expect([one.audit.rows.length, one.audit.nextCursor]).toEqual([AUDIT_PAGE_SIZE, null]);
    const newest = await insertAudit(core.db, G, 6 * MIN);
    const two = await employeePage(core.db, clock, G);
    expect(two.audit.rows[0]!.id).toBe(newest);
    const lastShown = two.audit.rows[AUDIT_PAGE_SIZE - 1]!;
    expect(two.audit.nextCursor).toBe(`${lastShown.occurredAt}~${lastShown.id}`);
    const rest = await employeeAudit(core.db, G, two.audit.nextCursor);
    expect([rest.rows.length, rest.nextCursor]).toEqual([1, null]);
    expect([...two.audit.rows, ...rest.rows].map((r) => r.id)).toEqual(await auditOracle(core.db, G));
    // Nothing before the start of time.
    expect(await employeeAudit(core.db, G, '1970-01-01T00:00:00.000Z~1')).toEqual({ rows: [], nextCursor: null });
  });

  it('an employee with no codes, mails or audit events has empty sections', async () => {
    const bare = await core.db<{ id: number }>('employees').whereNotIn('id', core.db('factors').select('employee_id')).whereNotIn('id', [G, H]).orderBy('id').first('id');
    const page = await employeePage(core.db, clock, Number(bare!.id));
    expect([page.codes, page.mails, page.mailsMore, page.audit]).toEqual([[], [], false, { rows: [], nextCursor: null }]);
    expect([page.verifications, page.codeLock, page.registrations]).toEqual([[], { failures: 0, maxFailures: EMPLOYEE_MAX_CODE_FAILURES, lockedAt: null }, []]);
    expect(page.employee.factors).toEqual([]);
  });

  it('shows the caller verifications of recent tickets (newest first, at most 20), the code lock, and pending registrations with their code', async () => {
    // G: 22 verifications on several tickets; the code lock; a pending email factor with two codes.
    const verifiedAt: string[] = [];
    for (let i = 0; i < VERIFICATIONS_SHOWN + 2; i++) {
      const t = at(-(100 - i) * MIN);
      verifiedAt.push(t);
      await insertId(core.db, 'caller_verifications', {
        employee_id: G,
        ticket_ref: `INC-${100 + (i % 3)}`,
        method: (['email_code', 'authenticator_app', 'supervisor_override'] as const)[i % 3],
        verified_by: null,
        verified_by_name: i % 3 === 2 ? 'supervisor.test' : 'agent.test',
        reason: i % 3 === 2 ? 'Known caller' : null,
        verified_at: t,
      });
    }
    await core.db('employees').where({ id: G }).update({ code_failures: 10, codes_locked_at: at(-3 * MIN) });
    const email = (await core.db<{ id: number; employee_id: number; address: string }>('employee_emails').where({ employee_id: G }).orderBy('id').first('id', 'address'))!;
    const factorId = await insertId(core.db, 'factors', {
      employee_id: G,
      type: 'email',
      state: 'pending',
      email_id: email.id,
      failed_attempts: 0,
      created_at: at(-30 * MIN),
      updated_at: at(-30 * MIN),
    });
    const older = await insertCode(core.db, G, { purpose: 'registration', issued: -30 * MIN, superseded: -10 * MIN });
    await core.db('one_time_codes').where({ id: older.id }).update({ factor_id: factorId, email_id: email.id });
    const newer = await insertCode(core.db, G, { purpose: 'registration', issued: -10 * MIN, attempts: 2 });
    await core.db('one_time_codes').where({ id: newer.id }).update({ factor_id: factorId, email_id: email.id });
    hashes.push(older.codeHash, newer.codeHash);

    const page = await employeePage(core.db, clock, G);
    expect(page.verifications).toHaveLength(VERIFICATIONS_SHOWN);
    expect(page.verifications.map((v) => v.verifiedAt)).toEqual([...verifiedAt].reverse().slice(0, VERIFICATIONS_SHOWN));
    expect(page.verifications[0]).toEqual({
      id: expect.any(Number),
      ticketRef: 'INC-100',
      method: 'email_code',
      verifiedAt: verifiedAt[21],
      verifiedBy: 'agent.test',
      reason: null,
      validUntil: new Date(Date.parse(verifiedAt[21]!) + 60 * MIN).toISOString(),
    });
    expect(page.verifications.find((v) => v.method === 'supervisor_override')).toMatchObject({ verifiedBy: 'supervisor.test', reason: 'Known caller' });
    expect(page.codeLock).toEqual({ failures: 10, maxFailures: EMPLOYEE_MAX_CODE_FAILURES, lockedAt: at(-3 * MIN) });
    expect(page.registrations).toEqual([
      { factorId, type: 'email', emailAddress: email.address, startedAt: at(-30 * MIN), code: newer.view },
    ]);
    // The seeded pending registrations show too (their demo codes are not bound to the factor).
    const seededPending = await core.db<{ employee_id: number; state: string }>('factors').where({ state: 'pending' }).whereNot('employee_id', G).first('employee_id');
    if (seededPending) {
      const other = await employeePage(core.db, clock, Number(seededPending.employee_id));
      expect(other.registrations).toHaveLength(1);
      expect(other.registrations[0]!.code).toBeNull();
    }
  });

  it('never carries a secret: no sealed TOTP seed and no code hash in any page', async () => {
    const seeds = (await core.db('factors').whereNotNull('totp_seed_enc').select('totp_seed_enc')).map((r) => String(r.totp_seed_enc));
    expect(seeds.length).toBeGreaterThan(0);
    expect(hashes.length).toBeGreaterThan(50);
    const ids = (await core.db('employees').select('id').orderBy('id')).map((r) => Number(r.id));
    const leaks: string[] = [];
    for (const id of ids) {
      const json = JSON.stringify(await employeePage(core.db, clock, id));
      for (const s of seeds) if (json.includes(s)) leaks.push(`${id}: a sealed seed`);
      for (const h of hashes) if (json.includes(h)) leaks.push(`${id}: a code hash`);
      if (/totp_seed|code_hash|seed_enc|codeHash/i.test(json)) leaks.push(`${id}: a secret's field name`);
    }
    expect(leaks).toEqual([]);
  });

  it('through the router: NOT_FOUND for a missing employee on both channels, VALIDATION for bad input', async () => {
    const got: Array<[string, unknown, string]> = [];
    const cases: Array<[string, unknown, string]> = [
      ['employees.page', { employeeId: MISSING_ID }, 'NOT_FOUND'],
      ['employees.page', { employeeId: 2 ** 31 - 1 }, 'NOT_FOUND'],
      ['employees.audit', { employeeId: MISSING_ID }, 'NOT_FOUND'],
      ['employees.audit', { employeeId: MISSING_ID, cursor: '100' }, 'NOT_FOUND'],
      ['employees.page', { employeeId: 0 }, 'VALIDATION'],
      ['employees.page', { employeeId: 2 ** 31 }, 'VALIDATION'],
      ['employees.page', { employeeId: '1' }, 'VALIDATION'],
      ['employees.page', {}, 'VALIDATION'],
      ['employees.page', { employeeId: 1, extra: 1 }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: 'abc' }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: '' }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: '-1' }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: '1.5' }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: '12345678901' }, 'VALIDATION'],
      ['employees.audit', { employeeId: E, cursor: 25 }, 'VALIDATION'],
    ];
    for (const [channel, payload] of cases) {
      const res = await callAs(core, slot).raw(channel, payload);
      got.push([channel, payload, res.ok ? 'ok' : res.error.code]);
    }
    expect(got).toEqual(cases);
    const direct = await employeePage(core.db, clock, MISSING_ID).catch((err: unknown) => err);
    expect(direct).toBeInstanceOf(DeskError);
    expect((direct as DeskError).code).toBe('NOT_FOUND');
    for (const bad of ['abc', 'x1', '1e3', ' 1']) {
      const err = await employeeAudit(core.db, E, bad).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(DeskError);
      expect((err as DeskError).code, bad).toBe('VALIDATION');
    }
    expect(await call('employees.page', { employeeId: E }).then((r) => r.ok)).toBe(true);
  });

  it('an audit cursor past 32 bits (allowed by the contract) is answered or refused, never INTERNAL', async () => {
    const res = await call('employees.audit', { employeeId: E, cursor: '9999999999' });
    const code = res.ok ? 'ok' : res.error.code;
    expect(['ok', 'VALIDATION']).toContain(code);
    if (res.ok) expect((res.value).rows.map((r) => r.id)).toEqual((await auditOracle(core.db, E)).slice(0, AUDIT_PAGE_SIZE));
  });
});

describe('sqlite and PostgreSQL', () => {
  it.runIf(TARGETS.length === 2)('give the same employee page and audit trail', () => {
    const sqlite = pages.get('sqlite');
    const postgres = pages.get('postgres');
    expect(sqlite && postgres).toBeTruthy();
    expect(Object.keys(sqlite!)).toEqual(expect.arrayContaining(['page', 'audit', 'oldIdentityCheck']));
    expect(postgres).toEqual(sqlite);
  });
});
