/**
 * Managers fix the emails on record (records.updateEmails), on sqlite and PostgreSQL: only
 * managers and admins; every address checked; one work and one personal address; an address on
 * another employee's record only with a confirmation and a reason; a stale record version refused
 * with nothing written, also when two desks (two processes) race; the active email method's address
 * kept unless the method is re-registered in the same change; audited before/after against the
 * ticket; confirmations to every address (old ones too) that a real SMTP server receives; and the
 * search follows the addresses.
 */
import { rolesWith } from '../../shared/policy';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, okValue } from '../support/call-as';
import { channels, type InputOf } from '../../shared/contract';
import { emailAddressProblem, updateEmailsInputSchema } from '../../shared/channels/records';
import type { EmployeeDetail, EmployeeEmail } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { toBool, toIso } from '../../electron/core/db/values';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import { EmployeeSearch } from '../../electron/core/employees/search.service';
import type { Router } from '../../electron/core/ipc/router';
import { silentLogger } from '../../electron/core/log/logger';
import { createMailSender } from '../../electron/core/mail/sender';
import { useLoopbackSmtp } from '../support/mail-fixture';
import { WEBCHAT_URL } from '../../electron/core/mail/templates';
import { CHANGE_TEXT } from '../../electron/core/mfa/factors.service';
import { confirmEmailRegistration, requestEmailCode } from '../../electron/core/mfa/selfservice.service';
import { AUDIT_EMAILS_CHANGED, updateEmails } from '../../electron/core/records/emails.service';
import { deskEnv } from '../support/cli';
import { startSmtpServer } from '../support/mail-server';
import {
  assertNoSecrets,
  deskUser,
  employeeRow,
  expectRefusedUnchanged,
  expectWireRefusedUnchanged,
  factorsOf,
  insertId,
  latestCode,
  makeEmployee,
  outbox,
  routerWatchingMail,
  type DeskUserFixture,
  type EmployeeFixture,
} from '../support/mfa-fixtures';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';

const START = '2026-02-02T10:00:00.000Z';
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHILD = path.join(ROOT, 'test/support/records-edit-child.ts');
const SUBJECT = 'The email addresses on your record have changed';

type Entry = { id?: number; kind: 'work' | 'personal'; address: string; usedForCodes?: boolean };

/** The first of the field issues a VALIDATION (or NOT_FOUND) error lists. */
function firstIssue(err: { details?: Record<string, unknown> }): { path: string; message: string } | undefined {
  return (err.details?.['issues'] as Array<{ path: string; message: string }> | undefined)?.[0];
}

const uniq = () => crypto.randomBytes(4).toString('hex');

/** The list as the page shows it, ready to send back. */
function listOf(e: EmployeeDetail): Entry[] {
  return e.emails.map((m) => ({ id: m.id, kind: m.kind, address: m.address, usedForCodes: m.usedForCodes }));
}

/** A child process: a second desk on the same database that tries one change when told to. */
function editInChild(env: NodeJS.ProcessEnv): { ready: Promise<void>; done: Promise<Record<string, unknown>>; go(): void } {
  const child = spawn(TSX, [CHILD], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)));
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').filter(Boolean).pop();
      if (code !== 0 || !line || line === 'ready') reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe.each(TARGETS)('managers fix the emails on record on $name', (target) => {
  const clock = new ManualClock(START);
  let core: TestCore;
  let router: Router;
  let wakeUps = 0;
  const users: Record<'agent' | 'manager' | 'supervisor' | 'admin', DeskUserFixture> = {} as never;

  const as =
    (who: keyof typeof users) =>
    (payload: InputOf<'records.updateEmails'>) =>
      callAs({ router }, users[who]).call('records.updateEmails', payload);
  const manager = as('manager');
  /** For payloads the contract would not let the renderer send. */
  const managerRaw = (payload: unknown) => callAs({ router }, users.manager).raw('records.updateEmails', payload);
  type UpdateEmails = InputOf<'records.updateEmails'>;

  async function current(e: { id: number }): Promise<EmployeeDetail> {
    return (await employeePage(core.db, clock, e.id)).employee;
  }

  /** A change of the emails of `e` (as loaded) on a ticket. */
  function change(e: EmployeeDetail, emails: Entry[], extra: Partial<UpdateEmails> = {}): UpdateEmails {
    return { employeeId: e.id, ticketRef: `REC-${e.id}`, version: e.version, emails, ...extra };
  }

  async function employee(): Promise<EmployeeFixture & { u: string }> {
    const u = uniq();
    const e = await makeEmployee(core, { emails: [`w.${u}@work.example.org`, `p.${u}@home.example.net`] });
    return { ...e, u };
  }

  async function finds(query: string, id: number): Promise<boolean> {
    const page = await new EmployeeSearch(core.db, core.db).page({ query, filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 100, cursor: null });
    return page.rows.some((r) => r.id === id);
  }

  async function audits(employeeId: number): Promise<Array<Record<string, unknown>>> {
    const rows: Array<Record<string, unknown>> = await core.db('audit_events').where({ employee_id: employeeId, action: AUDIT_EMAILS_CHANGED }).orderBy('id');
    return rows.map((r) => ({ ...r, details: JSON.parse(String(r.details)) }));
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    router = routerWatchingMail(core, silentLogger, () => {
      wakeUps++;
    });
    users.agent = await deskUser(core, 'agent.one', 'agent');
    users.manager = await deskUser(core, 'manager.one', 'manager');
    users.supervisor = await deskUser(core, 'supervisor.one', 'supervisor');
    users.admin = await deskUser(core, 'admin.one', 'admin');
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('is for managers and admins only: agents and supervisors are refused by the router and the service', async () => {
    expect(rolesWith(channels['records.updateEmails'].access)).toEqual(['manager', 'admin']);
    const e = await current(await employee());
    const payload = change(e, [{ ...listOf(e)[0]!, address: `fixed.${uniq()}@example.org` }, listOf(e)[1]!]);
    for (const who of ['agent', 'supervisor'] as const) {
      await expectWireRefusedUnchanged(core.db, () => as(who)(payload), 'FORBIDDEN');
    }
    await expectRefusedUnchanged(
      core.db,
      () => updateEmails(core, { actor: { userId: null, name: 'someone' }, role: 'agent', ticketRef: 'REC-1' }, { employeeId: e.id, version: e.version, emails: [] }),
      'FORBIDDEN',
      /^Only managers and admins can change the emails on record/,
    );
    expect(wakeUps).toBe(0);
    // An admin may.
    const r = await okValue(as('admin')(payload));
    expect(r.version).toBe(e.version + 1);
    wakeUps = 0;
  });

  it('a manager corrects the work address: version +1, the search follows, audited before/after with the ticket, every address told (the old one too)', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = e.emails as [EmployeeEmail, EmployeeEmail];
    const u = uniq();
    const fixed = `Jo.Fixed${u}@Work.Example.org`;
    expect(await finds(work.address, f.id)).toBe(true);
    expect(await finds(`w.${f.u}`, f.id)).toBe(true);

    const res = await okValue(manager(change(e, [{ id: work.id, kind: 'work', address: `  ${fixed} ` }, listOf(e)[1]!], { ticketRef: ' REC-100 ' })));
    expect(res).toEqual({
      version: e.version + 1,
      emails: [
        { id: work.id, kind: 'work', address: fixed, usedForCodes: false },
        { id: personal.id, kind: 'personal', address: personal.address, usedForCodes: false },
      ],
      changes: [`Your work address was corrected from ${work.address} to ${fixed}.`],
      reference: expect.stringMatching(new RegExp(`^REC-${f.id}-[0-9A-F]{6}$`)),
      confirmations: 3,
      duplicates: [],
      reRegistration: null,
      cancelledFactorId: null,
      tasksClosed: 0,
    });
    expect(wakeUps).toBe(1);
    wakeUps = 0;
    expect(Number((await employeeRow(core.db, f.id)).version)).toBe(e.version + 1);
    expect((await current(f)).version).toBe(e.version + 1);
    expect(await core.db('employee_emails').where({ id: work.id }).first()).toMatchObject({ address: fixed, address_lc: fixed.toLowerCase(), kind: 'work', source: 'manager' });

    // The search: the new address (exactly, and a piece of it), not the old one.
    expect(await finds(fixed.toLowerCase(), f.id)).toBe(true);
    expect(await finds(fixed.toUpperCase(), f.id)).toBe(true);
    expect(await finds(`fixed${u}`, f.id)).toBe(true);
    expect(await finds(work.address, f.id)).toBe(false);
    expect(await finds(`w.${f.u}`, f.id)).toBe(false);
    expect(await finds(personal.address, f.id)).toBe(true);

    // Audited in the same transaction, before and after, against the ticket.
    const [a, ...more] = await audits(f.id);
    expect(more).toEqual([]);
    expect(a).toMatchObject({ actor_name: 'manager.one', actor_user_id: users.manager.id, ticket_ref: 'REC-100', result: 'ok' });
    expect(a!.details).toMatchObject({
      before: listOf(e),
      after: res.emails,
      changes: res.changes,
      versionBefore: e.version,
      versionAfter: e.version + 1,
      reference: res.reference,
      confirmations: 3,
    });

    // A confirmation to every address: the two on record now and the old work address. No code.
    const mails = await outbox(core, f.id);
    expect(mails.map((m) => m.template)).toEqual(['record_change', 'record_change', 'record_change']);
    expect(mails.map((m) => m.recipient).sort()).toEqual([fixed, personal.address, work.address].sort());
    for (const m of mails) {
      expect(m).toMatchObject({ sealed: false, reference: res.reference, subject: SUBJECT });
      expect(m.text).toContain('the email addresses on your record were changed:');
      expect(m.text).toContain(`  - Your work address was corrected from ${work.address} to ${fixed}.`);
      expect(m.text).toContain(`The email addresses on your record are now: ${fixed}, ${personal.address}`);
      expect(m.text).toContain(`reference ${res.reference}: ${WEBCHAT_URL}`);
      expect(m.text).not.toMatch(/^\s+\d{6}\s*$/m);
      expect(m.html).toContain(`href="${WEBCHAT_URL}"`);
    }
  });

  it('checks every new or corrected address: syntax, line breaks and header tricks, length; nothing is written', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    const longest = 'a'.repeat(64) + '@' + 'b'.repeat(63) + '.' + 'c'.repeat(63) + '.' + 'd'.repeat(57) + '.org';
    expect(longest).toHaveLength(254);
    expect(emailAddressProblem(longest)).toBeNull();
    const bad: Array<[string, RegExp]> = [
      ['', /^Enter the email address$/],
      ['   ', /^Enter the email address$/],
      ['no-at-sign.example.org', /exactly one @/],
      ['two@@example.org', /exactly one @/],
      ['a@b@example.org', /exactly one @/],
      ['jo@localhost', /domain such as/],
      ['jo@example.c', /domain such as/],
      ['jo@exa_mple.org', /domain such as/],
      ['jo@-example.org', /domain such as/],
      ['jo@example..org', /domain such as/],
      ['.jo@example.org', /Before the @/],
      ['jo.@example.org', /Before the @/],
      ['j..o@example.org', /Before the @/],
      ['@example.org', /1–64 characters/],
      ['a'.repeat(65) + '@example.org', /1–64 characters/],
      [longest.replace('@', 'a@'), /at most 254 characters/],
      ['x'.repeat(1001) + '@example.org', /at most 254 characters/],
      ['jo@example.org\r\nBcc: evil@example.com', /Line breaks and control characters/],
      ['jo@example.org\nBcc: evil@example.com', /Line breaks and control characters/],
      ['jo@example.org\r', /Line breaks and control characters/],
      ['jo\u0000@example.org', /Line breaks and control characters/],
      ['jo\u0085@example.org', /Line breaks and control characters/],
      ['jo@exa mple.org', /no spaces/],
      ['jo\t@example.org', /Line breaks and control characters/],
      ['Eve<eve@example.org>', /angle brackets/],
      ['jo@example.org,eve@example.com', /commas/],
      ['jo@example.org;eve@example.com', /semicolons/],
      ['"jo"@example.org', /quotes/],
      ["o'brien@example.org", /quotes/],
      ['jo(comment)@example.org', /brackets/],
      ['jo@[127.0.0.1]', /brackets/],
      ['mailto:jo@example.org', /colons/],
      ['jö@example.org', /plain letters/],
      ['jo@exämple.org', /plain letters/],
      ['jo!x@example.org', /Before the @/],
    ];
    for (const [address, message] of bad) {
      // As a correction of the work address, and as a new personal one.
      const corrected = await expectWireRefusedUnchanged(core.db, () => manager(change(e, [{ ...work, address }, personal])), 'VALIDATION');
      expect(firstIssue(corrected), JSON.stringify(address)).toEqual({ path: 'emails.0.address', message: expect.stringMatching(message) });
      const added = await expectWireRefusedUnchanged(core.db, () => manager(change(e, [work, { kind: 'personal', address }])), 'VALIDATION');
      expect(firstIssue(added), JSON.stringify(address)).toEqual({ path: 'emails.1.address', message: expect.stringMatching(message) });
    }
    // The longest address there can be is accepted.
    const r = await okValue(manager(change(e, [{ ...work, address: longest }, personal])));
    expect(r.emails[0]!.address).toBe(longest);
    wakeUps = 0;
  });

  it('refuses a second work or personal address, unknown ids, repeats, two addresses for codes, a missing ticket or reason; nothing is written', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    const other = await current(await employee());
    const cases: Array<[string, Record<string, unknown>, string, RegExp, string | null]> = [
      ['a second work address', change(e, [work, personal, { kind: 'work', address: `w2.${uniq()}@work.example.org` }]), 'VALIDATION', /one work address at most/, 'emails.2.kind'],
      ['the personal address made a second work one', change(e, [work, { ...personal, kind: 'work' }]), 'VALIDATION', /one work address at most/, 'emails.1.kind'],
      ['a second personal address', change(e, [work, personal, { kind: 'personal', address: `p2.${uniq()}@home.example.net` }]), 'VALIDATION', /one personal address at most/, 'emails.2.kind'],
      ['an unknown address id', change(e, [{ ...work, id: 2_000_000_000 }, personal]), 'NOT_FOUND', /not on this employee's record/, 'emails.0.id'],
      ["another employee's address id", change(e, [work, { ...personal, id: other.emails[1]!.id }]), 'NOT_FOUND', /not on this employee's record/, 'emails.1.id'],
      ['the same address twice', change(e, [work, { kind: 'personal', address: work.address.toUpperCase() }]), 'VALIDATION', /in the list twice/, 'emails.1.address'],
      ['the same id twice', change(e, [work, { ...work, kind: 'personal', address: `x.${uniq()}@example.org` }]), 'VALIDATION', /twice/, 'emails.1.id'],
      ['two addresses for codes', change(e, [{ ...work, usedForCodes: true }, { ...personal, usedForCodes: true }]), 'VALIDATION', /one address for codes at most/, 'emails'],
      ['no ticket reference', { ...change(e, [work]), ticketRef: undefined }, 'VALIDATION', /^This is needed$/, 'ticketRef'],
      ['a bad ticket reference', change(e, [work], { ticketRef: 'INC 1' }), 'VALIDATION', /^Use letters, digits and \. _ : \/ - only in the ticket reference$/, 'ticketRef'],
      ['no version', { ...change(e, [work]), version: undefined }, 'VALIDATION', /^This is needed$/, 'version'],
      ['version 0', change(e, [work], { version: 0 }), 'VALIDATION', /^Enter a number from 1$/, 'version'],
      ['confirmation without a reason', change(e, [work], { confirmDuplicate: true }), 'VALIDATION', /Write the reason for going ahead/, 'reason'],
      ['a reason that is too short', change(e, [work], { confirmDuplicate: true, reason: 'because' }), 'VALIDATION', /^Write the reason \(at least 10 characters\)$/, 'reason'],
      ['re-registering to an address not in the list', change(e, [work], { reEmailFactorTo: personal.address }), 'VALIDATION', /one of the addresses in the list/, 'reEmailFactorTo'],
      ['an unknown kind', change(e, [{ ...work, kind: 'home' as never }]), 'VALIDATION', /^Choose one of the options offered$/, 'emails.0.kind'],
      ['an extra field', { ...change(e, [work]), source: 'hr' }, 'VALIDATION', /^The desk was sent something it does not expect here$/, ''],
      ['eleven addresses', change(e, Array.from({ length: 11 }, (_v, i) => ({ kind: 'work' as const, address: `n${i}@example.org` }))), 'VALIDATION', /^At most 10 addresses$/, 'emails'],
      ['nothing changed', change(e, [work, personal]), 'RULE_VIOLATION', /^Nothing to change/, null],
    ];
    for (const [what, payload, code, message, path] of cases) {
      const err = await expectWireRefusedUnchanged(core.db, () => managerRaw(payload), code, message).catch((x: unknown) => {
        throw new Error(`${what}: ${String(x)}`);
      });
      if (path !== null) expect(firstIssue(err)?.path, what).toBe(path);
    }
    // Direct callers of the service get the same checks.
    const ctx = { actor: { userId: null, name: 'script' }, role: 'manager' as const, ticketRef: 'REC-1' };
    await expectRefusedUnchanged(core.db, () => updateEmails(core, ctx, { employeeId: e.id, version: e.version, emails: [{ kind: 'work', address: 'jo@example.org\r\nBcc: x@y.org' }] }), 'VALIDATION', /Line breaks/);
    await expectRefusedUnchanged(core.db, () => updateEmails(core, { ...ctx, ticketRef: ' REC-1' }, { employeeId: e.id, version: e.version, emails: [] }), 'VALIDATION', /ticket reference/);
    await expectRefusedUnchanged(core.db, () => updateEmails(core, ctx, { employeeId: 2_000_000_000, version: 1, emails: [] }), 'NOT_FOUND');
    // The schema, on its own: addresses only bounded and trimmed of spaces there.
    expect(updateEmailsInputSchema.parse(change(e, [{ kind: 'work', address: '  a@b.org  ' }])).emails).toEqual([{ kind: 'work', address: 'a@b.org', usedForCodes: false }]);
    expect(wakeUps).toBe(0);
  });

  it('an odd address already on record (from HR) is not judged again, and a record with two work addresses keeps them but gains none', async () => {
    const f = await employee();
    const now = clock.now().toISOString();
    const odd = `O'Hara.${f.u}@legacy.example.org`;
    await core.db('employee_emails').where({ id: f.emails[0]!.id }).update({ address: odd, address_lc: odd.toLowerCase() });
    const second = `w2.${f.u}@nhs.net`;
    await insertId(core.db, 'employee_emails', {
      employee_id: f.id,
      kind: 'work',
      address: second,
      address_lc: second,
      used_for_codes: false,
      source: 'hr',
      created_at: now,
      updated_at: now,
    });
    const e = await current(f);
    expect(e.emails.map((m) => m.kind)).toEqual(['work', 'work', 'personal']);
    const [w1, w2, personal] = listOf(e) as [Entry, Entry, Entry];
    const newPersonal = `p2.${f.u}@home.example.net`;
    const r = await okValue(manager(change(e, [w1, w2, { ...personal, address: newPersonal }])));
    expect(r.emails.map((m: EmployeeEmail) => m.address)).toEqual([odd, second, newPersonal]);
    const e2 = await current(f);
    await expectWireRefusedUnchanged(
      core.db,
      () => manager(change(e2, [...listOf(e2), { kind: 'work', address: `w3.${f.u}@nhs.net` }])),
      'VALIDATION',
      /one work address at most/,
    );
    // Correcting the odd one: the new address must be valid.
    await expectWireRefusedUnchanged(core.db, () => manager(change(e2, [{ ...listOf(e2)[0]!, address: `O'Hara2.${f.u}@legacy.example.org` }, ...listOf(e2).slice(1)])), 'VALIDATION', /quotes/);
    const r2 = await okValue(manager(change(e2, listOf(e2).slice(1))));
    expect(r2.emails.map((m: EmployeeEmail) => m.address)).toEqual([second, newPersonal]);
    expect(r2.changes).toEqual([`The work address ${odd} was removed from your record.`]);
    wakeUps = 0;
  });

  it("an address on another employee's record is refused naming them; with a confirmation and a written reason it goes ahead", async () => {
    const a = await employee();
    const b = await employee();
    const rowA = await employeeRow(core.db, a.id);
    const shared = a.emails[1]!.address;
    const e = await current(b);
    const [work, personal] = listOf(e) as [Entry, Entry];
    const payload = change(e, [work, { ...personal, address: shared.toUpperCase() }]);
    const err = await expectWireRefusedUnchanged(core.db, () => manager(payload), 'CONFLICT', /is also on the record of employee/);
    const owner = { address: shared, employeeId: a.id, employeeNumber: String(rowA.employee_number), name: `${String(rowA.first_name)} ${String(rowA.last_name)}` };
    expect(err.details).toEqual({ conflict: 'duplicate', needsConfirmation: true, duplicates: [owner] });
    expect(err.message).toContain(`employee ${owner.employeeNumber} (${owner.name})`);
    // Added rather than corrected: the same.
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [work, { kind: 'personal', address: shared }])), 'CONFLICT', /also on the record/);
    // Confirmed, but no reason: refused.
    await expectWireRefusedUnchanged(core.db, () => manager({ ...payload, confirmDuplicate: true }), 'VALIDATION', /reason/);
    const reason = 'Shared family mailbox, confirmed with the line manager';
    const res = await okValue(manager({ ...payload, confirmDuplicate: true, reason: `  ${reason} ` }));
    expect(res.duplicates).toEqual([owner]);
    expect(res.emails[1]).toEqual({ id: personal.id, kind: 'personal', address: shared.toUpperCase(), usedForCodes: false });
    const [audit] = await audits(b.id);
    expect(audit!.details).toMatchObject({ duplicates: [owner], reason });
    // Both are found by the address now.
    expect(await finds(shared, a.id)).toBe(true);
    expect(await finds(shared, b.id)).toBe(true);
    wakeUps = 0;
  });

  it('a stale version is refused with what the record holds now, and nothing is written', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    await okValue(manager(change(e, [work, { ...personal, address: `first.${f.u}@home.example.net` }])));
    const now = await current(f);
    const err = await expectWireRefusedUnchanged(
      core.db,
      () => manager(change(e, [{ ...work, address: `second.${f.u}@work.example.org` }, personal])),
      'CONFLICT',
      /^Someone else changed this record: the emails on record are now work .*, personal first\..*; reload and try again\.$/,
    );
    expect(err.details).toEqual({ conflict: 'stale', version: e.version + 1, seenVersion: e.version, emails: now.emails });
    // Even a change that would be refused for something else is refused as stale first.
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [work, personal])), 'CONFLICT', /Someone else changed this record/);
    // On the version it has now, it goes through.
    const r = await okValue(manager(change(now, [{ ...listOf(now)[0]!, address: `second.${f.u}@work.example.org` }, listOf(now)[1]!])));
    expect(r.version).toBe(e.version + 2);
    wakeUps = 0;
  });

  it('two desks in two processes change the same version at once: exactly one wins, the other gets CONFLICT', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    const env = (who: string, address: string) => ({
      ...deskEnv(core.scratch, core.scratch.dataDir),
      RECORDS_NOW: clock.now().toISOString(),
      RECORDS_ACTOR: who,
      RECORDS_TICKET: `RACE-${who}`,
      RECORDS_INPUT: JSON.stringify({ employeeId: e.id, version: e.version, emails: [{ ...work, address }, personal] }),
    });
    const addresses = { 'manager.a': `a.${f.u}@work.example.org`, 'manager.b': `b.${f.u}@work.example.org` };
    const a = editInChild(env('manager.a', addresses['manager.a']));
    const b = editInChild(env('manager.b', addresses['manager.b']));
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const results = await Promise.all([a.done, b.done]);
    const wins = results.filter((r) => r.ok);
    const lost = results.filter((r) => !r.ok);
    expect(wins).toEqual([{ ok: true, version: e.version + 1 }]);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(lost[0]!.message).toMatch(/^Someone else changed this record/);
    const rows = await audits(f.id);
    expect(rows).toHaveLength(1);
    const winner = rows[0]!.actor_name as keyof typeof addresses;
    expect(rows[0]!.ticket_ref).toBe(`RACE-${winner}`);
    const after = await current(f);
    expect(after.version).toBe(e.version + 1);
    expect(after.emails.map((m) => m.address)).toEqual([addresses[winner], personal.address]);
    expect((await outbox(core, f.id)).map((m) => m.recipient).sort()).toEqual([addresses[winner], work.address, personal.address].sort());
  });

  it("the active email method's address cannot be removed, corrected away or lose the codes unless the same change re-registers the method; then MFA stays enabled", async () => {
    const f = await employee();
    await requestEmailCode(core, { employeeId: f.id, emailId: f.emails[0]!.id });
    const firstCode = await latestCode(core, f.id);
    await confirmEmailRegistration(core, { employeeId: f.id, code: firstCode });
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    expect(work.usedForCodes).toBe(true);
    const method = e.factors.find((x) => x.type === 'email' && x.state === 'active')!;
    const before = await employeeRow(core.db, f.id);
    expect(before.mfa_state).toBe('enabled');

    const removed = await expectWireRefusedUnchanged(core.db, () => manager(change(e, [personal])), 'RULE_VIOLATION', /email method \(one-time codes\) uses/);
    expect(removed.details).toEqual({ factorId: method.id, emailId: work.id, address: work.address, needsReRegistration: true });
    await expectWireRefusedUnchanged(
      core.db,
      () => manager(change(e, [{ ...work, address: `new.${f.u}@work.example.org` }, personal])),
      'RULE_VIOLATION',
      /email method \(one-time codes\) uses/,
    );
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [{ ...work, usedForCodes: false }, { ...personal, usedForCodes: true }])), 'RULE_VIOLATION', /^Codes go to .*re-register the email method/);
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [{ ...work, usedForCodes: false }, personal])), 'RULE_VIOLATION', /^Codes go to/);
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [personal], { reEmailFactorTo: personal.address })), 'RULE_VIOLATION', /choose .* for codes/);
    await expectWireRefusedUnchanged(core.db, () => manager(change(e, [work, personal], { reEmailFactorTo: work.address })), 'RULE_VIOLATION', /already uses/);
    // A case-only correction is the same address: allowed without re-registration.
    const upper = await okValue(manager(change(e, [{ ...work, address: work.address.toUpperCase() }, personal])));
    expect(upper.reRegistration).toBeNull();
    const e2 = await current(f);
    expect(e2.factors.find((x) => x.id === method.id)?.state).toBe('active');

    // Removed, with the method re-registered to the personal address in the same change.
    const res = await okValue(manager(change(e2, [{ ...listOf(e2)[1]!, usedForCodes: true }], { ticketRef: 'REC-77', reEmailFactorTo: personal.address.toUpperCase() })));
    expect(res.reRegistration).toEqual({
      factorId: expect.any(Number),
      factorType: 'email',
      codeId: expect.any(Number),
      recipient: personal.address,
      expiresAt: new Date(clock.now().getTime() + 20 * 60_000).toISOString(),
      removedFactorId: method.id,
    });
    expect(res.emails).toEqual([{ id: personal.id, kind: 'personal', address: personal.address, usedForCodes: true }]);
    const factors = await factorsOf(core.db, f.id);
    expect(factors.find((x) => x.id === method.id)).toMatchObject({ state: 'removed' });
    expect(toIso(factors.find((x) => x.id === method.id)!.removed_at)).toBe(clock.now().toISOString());
    expect(factors.find((x) => x.id === res.reRegistration!.factorId)).toMatchObject({ type: 'email', state: 'pending', email_id: personal.id });
    const row = await employeeRow(core.db, f.id);
    expect(row.mfa_state).toBe('enabled');
    expect(String(row.mfa_enabled_at)).toBe(String(before.mfa_enabled_at));
    expect(toBool(row.has_email)).toBe(false);
    expect(toBool(row.pending_registration)).toBe(true);
    // The registration code to the new address (sealed), the confirmation to the old and the new.
    const mails = (await outbox(core, f.id)).filter((m) => m.reference === res.reference || (m.template === 'registration_code' && m.recipient === personal.address));
    const registration = mails.filter((m) => m.template === 'registration_code');
    expect(registration.map((m) => [m.recipient, m.sealed])).toEqual([[personal.address, true]]);
    const confirmations = mails.filter((m) => m.template === 'record_change');
    expect(confirmations.map((m) => m.recipient).sort()).toEqual([work.address.toUpperCase(), personal.address].sort());
    for (const m of confirmations) {
      expect(m.text).toContain(`The work address ${work.address.toUpperCase()} was removed from your record.`);
      expect(m.text).toContain(CHANGE_TEXT.emailReRegistration(personal.address));
    }
    const code = await latestCode(core, f.id);
    const [, audit] = await audits(f.id);
    expect(audit).toMatchObject({ ticket_ref: 'REC-77' });
    expect(audit!.details).toMatchObject({ removedFactorId: method.id, factorId: res.reRegistration!.factorId, registrationCodeTo: personal.address });
    assertNoSecrets(JSON.stringify(audit) + JSON.stringify(res) + confirmations.map((m) => m.text + m.html).join(''), [code, firstCode]);
    // The employee finishes with the code sent to the new address.
    const done = await confirmEmailRegistration(core, { employeeId: f.id, code });
    expect(done.factorId).toBe(res.reRegistration!.factorId);
    expect((await current(f)).emails).toEqual([{ id: personal.id, kind: 'personal', address: personal.address, usedForCodes: true }]);
    wakeUps = 0;
  });

  it('a pending email registration whose address is removed is cancelled, and its code no longer works', async () => {
    const f = await employee();
    const sent = await requestEmailCode(core, { employeeId: f.id, emailId: f.emails[1]!.id });
    const code = await latestCode(core, f.id);
    const e = await current(f);
    const res = await okValue(manager(change(e, [listOf(e)[0]!])));
    expect(res.cancelledFactorId).toBe(sent.factorId);
    expect(res.changes).toContain(`The email registration waiting for ${f.emails[1]!.address} was cancelled: set up the email method again on the employee self-service portal.`);
    expect((await factorsOf(core.db, f.id)).find((x) => x.id === sent.factorId)).toMatchObject({ state: 'removed' });
    expect((await core.db('one_time_codes').where({ id: sent.codeId }).first()).superseded_at).not.toBeNull();
    await expect(confirmEmailRegistration(core, { employeeId: f.id, code })).rejects.toMatchObject({ code: 'RULE_VIOLATION' });
    const row = await employeeRow(core.db, f.id);
    expect(row.mfa_state).toBe('not_registered');
    expect(toBool(row.pending_registration)).toBe(false);
    wakeUps = 0;
  });

  it('with no email method active, the manager chooses the address for codes: exactly one, or none', async () => {
    const f = await employee();
    const e = await current(f);
    const [work, personal] = listOf(e) as [Entry, Entry];
    const r = await okValue(manager(change(e, [work, { ...personal, usedForCodes: true }])));
    expect(r.emails.map((m: EmployeeEmail) => m.usedForCodes)).toEqual([false, true]);
    expect(r.changes).toEqual([`One-time codes now go to ${personal.address}.`]);
    const e2 = await current(f);
    const r2 = await okValue(manager(change(e2, [{ ...work, usedForCodes: true }, { ...personal, usedForCodes: false }])));
    expect(r2.emails.map((m: EmployeeEmail) => m.usedForCodes)).toEqual([true, false]);
    const e3 = await current(f);
    const r3 = await okValue(manager(change(e3, [work, personal])));
    expect(r3.emails.map((m: EmployeeEmail) => m.usedForCodes)).toEqual([false, false]);
    expect(r3.changes).toEqual(['No address on your record is chosen for one-time codes now.']);
    // Addresses swapped between the rows (unique per employee): two steps, one change.
    const e4 = await current(f);
    const r4 = await okValue(manager(change(e4, [{ ...work, address: personal.address }, { ...personal, address: work.address }])));
    expect(r4.emails.map((m: EmployeeEmail) => [m.id, m.address])).toEqual([
      [work.id, personal.address],
      [personal.id, work.address],
    ]);
    wakeUps = 0;
  });

  it('the confirmations reach a real SMTP server on loopback: the old and the new address, and the one kept', async () => {
    const srv = await startSmtpServer();
    try {
      await useLoopbackSmtp({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, srv.port);
      const f = await employee();
      const e = await current(f);
      const [work, personal] = listOf(e) as [Entry, Entry];
      const fresh = `new.${f.u}@home.example.net`;
      const res = await okValue(manager(change(e, [work, { ...personal, address: fresh }])));
      const sender = createMailSender({ db: core.db, clock, vault: core.vault, logger: silentLogger, dataDir: core.scratch.dataDir, pollMs: 60_000 });
      try {
        // Everything queued so far goes out (one earlier mail fails for good: the test SMTP server
        // refuses the 254-character address, as it allows 253).
        const drained = await sender.drainOnce();
        expect(drained.retried).toBe(0);
      } finally {
        await sender.stop();
      }
      const got = srv.received.filter((m) => m.text.includes(res.reference));
      expect(got.flatMap((m) => m.to).map((a) => a.toLowerCase()).sort()).toEqual([work.address, personal.address, fresh].map((a) => a.toLowerCase()).sort());
      for (const m of got) {
        expect(m.subject).toBe(SUBJECT);
        expect(m.text).toContain(`Your personal address was corrected from ${personal.address} to ${fresh}.`);
        expect(m.html).toContain('white-space:pre-line');
        expect(m.text).not.toMatch(/^\s+\d{6}\s*$/m);
      }
      const rows: Array<Record<string, unknown>> = await core.db('mail_outbox').where({ employee_id: f.id, reference: res.reference });
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
      for (const r of rows) expect(String(r.smtp_response)).toMatch(/^250 /);
    } finally {
      await srv.close();
    }
  });
});
