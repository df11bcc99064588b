import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HR_IMPORT_MAX_BATCH } from '../../shared/schemas';
import { openDeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import { deferIndexes, deferredIndexes, restoreIndexes } from '../../electron/core/db/deferred-indexes';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { toBool } from '../../electron/core/db/values';
import { silentLogger } from '../../electron/core/log/logger';
import { refreshEmployeeFlags } from '../../electron/core/employees/employees.service';
import { EmployeeSearch } from '../../electron/core/employees/search.service';
import { parseCsv } from '../../electron/core/hr/csv';
import { importHrFile, SQLITE_GROUP, type HrImportOptions, type HrImportProgress } from '../../electron/core/hr/hr-import.service';
import { deskEnv, killWhen, runDesk } from '../support/cli';
import { hrCsv, hrPerson, writeHrCsv } from '../support/hr-csv';
import { dumpRecords, indexDefinitions, recordProblems } from '../support/hr-records';
import { snapshot } from '../support/snapshot';
import { openScratchDatabase, openTestCore, scratch, TARGETS, tempDir, type Target, type TestCore } from '../support/targets';

const FIXTURES = path.resolve(__dirname, '../fixtures/hr');
const ACTOR = { userId: null, name: 'hr-test' };

interface ReportLine {
  line: number;
  employee_number: string;
  outcome: string;
  reason: string;
}

function readReport(file: string): ReportLine[] {
  const [head, ...rest] = parseCsv(fs.readFileSync(file, 'utf8'));
  expect(head!.fields).toEqual(['line', 'employee_number', 'outcome', 'reason']);
  return rest.map((r) => ({ line: Number(r.fields[0]), employee_number: r.fields[1]!, outcome: r.fields[2]!, reason: r.fields[3]! }));
}

async function count(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  return Number(((await db(table).where(where).count({ n: '*' }).first()) as { n: number | string }).n);
}

/**
 * The employees and the batches' audit rows, in one statement (one snapshot: a commit the killed
 * import had sent cannot land between them), from the scratch schema only on PostgreSQL.
 */
async function loaded(db: Knex, schema: string | undefined): Promise<{ employees: number; batches: number }> {
  const t = (table: string) => (schema ? `${schema}.${table}` : table);
  const r = await db.raw<{ rows?: unknown[] } | unknown[]>("SELECT (SELECT count(*) FROM ??) AS employees, (SELECT count(*) FROM ?? WHERE action = 'hr.import_batch') AS batches", [
    t('employees'),
    t('audit_events'),
  ]);
  const row = (Array.isArray(r) ? r[0] : r.rows?.[0]) as { employees: number | string; batches: number | string };
  return { employees: Number(row.employees), batches: Number(row.batches) };
}

interface EmployeeWithEmails extends Record<string, unknown> {
  id: number;
  version: number;
  internet_access_approved: boolean;
  emails: Array<{ id: number; kind: unknown; address: unknown; source: unknown; used_for_codes: boolean }>;
}

async function employeeByNumber(db: Knex, number: string): Promise<EmployeeWithEmails | undefined> {
  const e = (await db('employees').where({ employee_number: number }).first()) as Record<string, unknown> | undefined;
  if (!e) return undefined;
  const emails = (await db('employee_emails').where({ employee_id: e.id }).orderBy('id')) as Array<Record<string, unknown>>;
  return {
    ...e,
    id: Number(e.id),
    version: Number(e.version),
    internet_access_approved: toBool(e.internet_access_approved),
    emails: emails.map((m) => ({ id: Number(m.id), kind: m.kind, address: m.address, source: m.source, used_for_codes: toBool(m.used_for_codes) })),
  };
}

async function audits(db: Knex, action: string): Promise<Array<{ employee_id: number | null; actor_name: string; details: Record<string, unknown> }>> {
  const rows = (await db('audit_events').where({ action }).orderBy('id')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    employee_id: r.employee_id == null ? null : Number(r.employee_id),
    actor_name: String(r.actor_name),
    details: JSON.parse(String(r.details)) as Record<string, unknown>,
  }));
}

describe.each(TARGETS)('HR import on $name', (target: Target) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let core: TestCore;
  let work: string;

  /** A file of rows (persons by object) in the scratch folder. */
  function file(name: string, content: string | Buffer): string {
    const f = path.join(work, name);
    fs.writeFileSync(f, content);
    return f;
  }

  function run(f: string, o: Partial<HrImportOptions> = {}) {
    return importHrFile({ db: core.db, clock }, { file: f, actor: ACTOR, ...o });
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    work = tempDir('desk-hr-');
  });
  afterAll(async () => {
    await core?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('reads a messy extract: BOM, header in other case, CRLF, quoted commas, quotes and line breaks, blank lines, an unknown column', async () => {
    const f = path.join(work, 'messy.csv');
    fs.copyFileSync(path.join(FIXTURES, 'messy.csv'), f);
    const warnings: string[] = [];
    const progress: HrImportProgress[] = [];
    const r = await run(f, { onWarning: (w) => warnings.push(w), onProgress: (p) => progress.push(p) });
    expect(warnings).toEqual(['Column 13 ("notes") is not an HR import column: ignored.']);
    expect(r.warnings).toEqual(warnings);
    expect(r).toMatchObject({ dryRun: false, cancelled: false, totalRows: 5, reportLines: 0, reportFile: path.join(work, 'messy.report.csv') });
    expect(r.counts).toMatchObject({ rows: 5, created: 5, updated: 0, unchanged: 0, rejected: 0, conflicts: 0, emailsAdded: 5 });
    expect(readReport(r.reportFile)).toEqual([]);
    // Into an empty desk: the rows, then the look-up's indexes built once.
    const importing = progress.filter((p) => p.phase === 'importing').at(-1)!;
    expect(importing).toMatchObject({ rows: 5, totalRows: 5, bytes: fs.statSync(f).size, totalBytes: fs.statSync(f).size });
    const last = progress.at(-1)!;
    expect(last.phase).toBe('indexing');
    expect(last.rows).toBe(last.totalRows);

    const jane = await employeeByNumber(core.db, '10000001');
    expect(jane).toMatchObject({
      first_name: 'Jane',
      last_name: 'Smith, Jr',
      username: 'jsmith1',
      organisation: 'Hampshire Hospitals NHS Foundation Trust',
      department: 'Cardiology',
      job_title: 'Nurse, "Senior"',
      status: 'active',
      leaving_date: null,
      internet_access_approved: true,
      version: 1,
      sort_name: 'smith, jr jane',
      given_sort: 'jane smith, jr',
      search_doc: 'jane smith, jr 10000001 jsmith1 jane.smith@hhft.nhs.uk jane.smith@gmail.com',
      mfa_state: 'not_registered',
      created_at: expect.anything(),
    });
    expect(jane!.emails.map((m) => [m.kind, m.address, m.source, m.used_for_codes])).toEqual([
      ['work', 'Jane.Smith@hhft.nhs.uk', 'hr', false],
      ['personal', 'jane.smith@gmail.com', 'hr', false],
    ]);
    expect(await employeeByNumber(core.db, '10000002')).toMatchObject({ last_name: "O'Neil", status: 'leaver', leaving_date: '2025-06-30', internet_access_approved: false, job_title: '' });
    expect(await employeeByNumber(core.db, '10000003')).toMatchObject({ first_name: 'Zoë', last_name: 'Łukasz', department: 'Estates, Facilities', status: 'active', emails: [] });
    expect(await employeeByNumber(core.db, '10000004')).toMatchObject({ first_name: 'Ann', emails: [expect.objectContaining({ address: 'ann.lee@trustd.nhs.uk' })] });
    // The same address as work and personal is one address on record.
    expect(await employeeByNumber(core.db, '10000005')).toMatchObject({ organisation: 'Trust "E"', internet_access_approved: false, emails: [expect.objectContaining({ kind: 'work', address: 'bo.ng@truste.nhs.uk' })] });

    const started = await audits(core.db, 'hr.import_started');
    const batchSize = 5000;
    expect(started).toEqual([{ employee_id: null, actor_name: 'hr-test', details: { file: 'messy.csv', bytes: fs.statSync(f).size, rows: 5, batchSize, deferredIndexes: true } }]);
    expect((await audits(core.db, 'hr.import_batch')).map((a) => a.details)).toEqual([
      { importId: r.importId, fromLine: 2, toLine: 12, rows: 5, created: 5, updated: 0, unchanged: 0, fingerprinted: 0, rejected: 0, leavers: 0, conflicts: 0 },
    ]);
    expect((await audits(core.db, 'hr.import_finished')).map((a) => a.details)).toEqual([expect.objectContaining({ importId: r.importId, rows: 5, created: 5 })]);
    expect(await recordProblems(core.db)).toEqual([]);
  });

  it('refuses a file without a required column before writing anything', async () => {
    const before = await snapshot(core.db);
    const f = path.join(work, 'missing.csv');
    fs.copyFileSync(path.join(FIXTURES, 'missing-column.csv'), f);
    await expect(run(f)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/lacks the required column personal_email.*Nothing was imported/) });
    expect(await snapshot(core.db)).toEqual(before);
    expect(fs.existsSync(path.join(work, 'missing.report.csv'))).toBe(false);
  });

  it('refuses what is not CSV (binary, no header, a quote left open, empty) before writing anything', async () => {
    const before = await snapshot(core.db);
    const cases: Array<[string, RegExp]> = [
      ['binary.csv', /binary data/],
      ['no-header.csv', /not a header row/],
      ['unclosed-quote.csv', /ends inside a quoted field that starts on line 3/],
      ['empty.csv', /The file is empty/],
    ];
    for (const [name, message] of cases) {
      await expect(run(path.join(FIXTURES, name), { reportFile: path.join(work, `${name}.report.csv`) }), name).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(message),
      });
      expect(fs.existsSync(path.join(work, `${name}.report.csv`))).toBe(false);
    }
    await expect(run(path.join(work, 'nowhere.csv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshot(core.db)).toEqual(before);
  });

  it('rejects bad rows to a report numbered by the line in the file (a multi-line field counts its lines)', async () => {
    const report = path.join(work, 'rejections-report.csv');
    const r = await run(path.join(FIXTURES, 'rejections.csv'), { reportFile: report });
    expect(r.counts).toMatchObject({ rows: 17, created: 2, rejected: 15 });
    expect(r.reportFile).toBe(report);
    const lines = readReport(report);
    expect(lines.every((l) => l.outcome === 'rejected')).toBe(true);
    expect(lines.map((l) => [l.line, l.employee_number])).toEqual([
      [3, '1234'],
      [4, '10000013'],
      [7, '10000014'],
      [8, '10000015'],
      [9, '10000016'],
      [10, '10000017'],
      [11, '10000018'],
      [12, '10000011'],
      [13, '10000019'],
      [14, '10000020'],
      [15, '10000021'],
      [16, '10000022'],
      [17, '10000023'],
      [18, ''],
      [19, '10000025'],
    ]);
    const reason = (line: number) => lines.find((l) => l.line === line)!.reason;
    expect(reason(3)).toMatch(/employee_number "1234" is not 8 digits/);
    expect(reason(4)).toMatch(/job_title has a line break/);
    expect(reason(7)).toMatch(/a leaver needs a leaving_date/);
    expect(reason(8)).toMatch(/an active employee has no leaving_date/);
    expect(reason(9)).toMatch(/work_email "not-an-address" is not an email address/);
    expect(reason(10)).toMatch(/the line has 10 fields; the header has 12/);
    expect(reason(11)).toMatch(/username "bad user"/);
    expect(reason(12)).toMatch(/employee 10000011 is on an earlier line too/);
    expect(reason(13)).toMatch(/username gone11 is also on line 2 \(employee 10000011\)/);
    expect(reason(14)).toMatch(/status "retired" is not active or leaver/);
    expect(reason(15)).toMatch(/internet_access_approved "maybe"/);
    expect(reason(16)).toMatch(/leaving_date "2025-02-30" is not a date/);
    expect(reason(17)).toMatch(/not well-formed CSV: unexpected text after a closing quote on line 17/);
    expect(reason(18)).toMatch(/employee_number "" is not 8 digits/);
    expect(reason(19)).toMatch(/first_name is empty/);
    expect(await employeeByNumber(core.db, '10000011')).toMatchObject({ username: 'gone11' });
    expect(await employeeByNumber(core.db, '10000026')).toMatchObject({ username: 'lgood26', internet_access_approved: false });
    expect(await employeeByNumber(core.db, '10000013')).toBeUndefined();
    // A later file may not take a username another employee holds.
    const taken = file('taken.csv', hrCsv([{ ...hrPerson(900), employee_number: '10000090', username: 'gone11' }]));
    const t = await run(taken);
    expect(t.counts).toMatchObject({ created: 0, rejected: 1 });
    expect(readReport(t.reportFile)).toEqual([{ line: 2, employee_number: '10000090', outcome: 'rejected', reason: 'username gone11 belongs to employee 10000011' }]);
  });

  it('writes the same report one row a batch, over several commits (on sqlite, groups of batches), in line order', async () => {
    const whole = await run(path.join(FIXTURES, 'rejections.csv'), { reportFile: path.join(work, 'whole-report.csv') });
    const single = await run(path.join(FIXTURES, 'rejections.csv'), { reportFile: path.join(work, 'single-report.csv'), batchSize: 1 });
    expect(single.counts).toEqual(whole.counts);
    const shape = (lines: ReportLine[]) => lines.map((l) => [l.line, l.employee_number, l.outcome]);
    const lines = readReport(single.reportFile);
    expect(lines).toHaveLength(15);
    expect(shape(lines)).toEqual(shape(readReport(whole.reportFile)));
  });

  it('upserts by employee number: new, updated (version and updated_at move, emails replaced) and unchanged', async () => {
    const people = [1, 2, 3].map((i) => ({ ...hrPerson(i, 5), employee_number: `3000000${i}`, username: `u3000000${i}` }));
    const first = await run(file('base.csv', hrCsv(people)));
    expect(first.counts).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    const before = await Promise.all(people.map((p) => employeeByNumber(core.db, p.employee_number)));

    clock.advance(60_000);
    const changed = [
      { ...people[0]!, last_name: 'Newname', work_email: 'New.Address@example.nhs.uk' },
      people[1]!,
      { ...people[2]!, department: 'Other Department' },
      { ...hrPerson(4, 5), employee_number: '30000004', username: 'u30000004' },
    ];
    const r = await run(file('changed.csv', hrCsv(changed)));
    expect(r.counts).toMatchObject({ rows: 4, created: 1, updated: 2, unchanged: 1, rejected: 0, emailsRemoved: people[0]!.work_email ? 1 : 0 });
    const [a, b, c] = await Promise.all(people.map((p) => employeeByNumber(core.db, p.employee_number)));
    expect(a).toMatchObject({ last_name: 'Newname', version: 2, sort_name: `newname ${people[0]!.first_name.toLowerCase()}` });
    expect(a!.updated_at).not.toEqual(before[0]!.updated_at);
    expect(a!.search_doc).toContain('new.address@example.nhs.uk');
    expect(a!.search_doc).toContain('newname');
    expect(a!.emails.filter((m) => m.kind === 'work').map((m) => m.address)).toEqual(['New.Address@example.nhs.uk']);
    expect(b).toEqual(before[1]);
    expect(c).toMatchObject({ department: 'Other Department', version: 2, search_doc: before[2]!.search_doc });
    expect(await recordProblems(core.db)).toEqual([]);
  });

  it('keeps used_for_codes on an address that stays, even when HR changes its case or kind', async () => {
    const p = { ...hrPerson(11, 5), employee_number: '31000001', username: 'u31000001', work_email: 'Keep.Me@example.nhs.uk', personal_email: '' };
    await run(file('keep1.csv', hrCsv([p])));
    const e = (await employeeByNumber(core.db, '31000001'))!;
    await core.db('employee_emails').where({ id: e.emails[0]!.id }).update({ used_for_codes: true });
    const r = await run(file('keep2.csv', hrCsv([{ ...p, work_email: '', personal_email: 'keep.me@EXAMPLE.nhs.uk' }])));
    expect(r.counts).toMatchObject({ updated: 1, emailsAdded: 0, emailsRemoved: 0 });
    const after = (await employeeByNumber(core.db, '31000001'))!;
    expect(after.emails).toEqual([{ id: e.emails[0]!.id, kind: 'personal', address: 'keep.me@EXAMPLE.nhs.uk', source: 'hr', used_for_codes: true }]);
  });

  it('dry run: counts what would change (new, updated, unchanged, leavers, rejected) and writes nothing', async () => {
    const people = [1, 2, 3].map((i) => ({ ...hrPerson(i, 6), status: 'active', leaving_date: '', employee_number: `3200000${i}`, username: `u3200000${i}` }));
    await run(file('dry-base.csv', hrCsv(people)));
    const next = [
      { ...people[0]!, job_title: 'Changed Title' },
      people[1]!,
      { ...people[2]!, status: 'leaver', leaving_date: '2026-02-27' },
      { ...hrPerson(4, 6), employee_number: '32000004', username: 'u32000004' },
      { ...hrPerson(5, 6), employee_number: '123', username: 'u123' },
    ];
    const f = file('dry-next.csv', hrCsv(next));
    const before = await snapshot(core.db);
    const records = await dumpRecords(core.db);
    const dry = await run(f, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, cancelled: false, importId: null, reportLines: 1 });
    expect(dry.counts).toMatchObject({ rows: 5, created: 1, updated: 2, unchanged: 1, leavers: 1, rejected: 1 });
    expect(await snapshot(core.db)).toEqual(before);
    expect(await dumpRecords(core.db)).toEqual(records);
    const real = await run(f);
    expect(real.counts).toEqual(dry.counts);
  });

  it('marks leavers: pending registration and unused codes cancelled, the look-up flags refreshed, audited per employee', async () => {
    const p = { ...hrPerson(21, 7), status: 'active', leaving_date: '', internet_access_approved: 'yes', employee_number: '33000001', username: 'u33000001' };
    await run(file('leaver1.csv', hrCsv([p])));
    const e = (await employeeByNumber(core.db, '33000001'))!;
    const now = clock.now().toISOString();
    const [pending] = await core.db('factors')
      .insert({ employee_id: e.id, type: 'authenticator_app', state: 'pending', totp_seed_enc: 'v1.sealed', created_at: now, updated_at: now })
      .returning('id');
    const pendingId = Number(typeof pending === 'object' ? pending.id : pending);
    const code = (o: Record<string, unknown>) => ({
      employee_id: e.id,
      purpose: 'registration',
      code_hash: 'h',
      recipient: 'x@example.org',
      issued_at: now,
      expires_at: now,
      ...o,
    });
    await core.db('one_time_codes').insert([code({}), code({ consumed_at: now }), code({ purpose: 'identity_check' })]);
    await refreshEmployeeFlags(core.db, e.id);
    const flagged = (await employeeByNumber(core.db, '33000001'))!;
    expect([toBool(flagged.pending_registration), flagged.mfa_state]).toEqual([true, 'pending']);

    clock.advance(60_000);
    const r = await run(file('leaver2.csv', hrCsv([{ ...p, status: 'leaver', leaving_date: '2026-02-28' }])));
    expect(r.counts).toMatchObject({ updated: 1, leavers: 1, pendingFactorsCancelled: 1, codesCancelled: 2 });
    const after = (await employeeByNumber(core.db, '33000001'))!;
    expect(after).toMatchObject({ status: 'leaver', leaving_date: '2026-02-28', version: 2, mfa_state: 'not_registered' });
    expect(toBool(after.pending_registration)).toBe(false);
    expect(await core.db('factors').where({ id: pendingId }).first()).toMatchObject({ state: 'removed', totp_seed_enc: null });
    expect(await count(core.db, 'one_time_codes', { employee_id: e.id })).toBe(3);
    const open = await core.db('one_time_codes').where({ employee_id: e.id }).whereNull('consumed_at').whereNull('superseded_at').whereNull('locked_at');
    expect(open).toEqual([]);
    const left = (await audits(core.db, 'employee.left')).filter((a) => a.employee_id === e.id);
    expect(left).toEqual([
      {
        employee_id: e.id,
        actor_name: 'hr-test',
        details: { source: 'hr_import', importId: r.importId, line: 2, leavingDate: '2026-02-28', pendingFactorsCancelled: [pendingId], codesCancelled: 2 },
      },
    ]);
    // Again: nothing left to do, nothing audited.
    const again = await run(file('leaver3.csv', hrCsv([{ ...p, status: 'leaver', leaving_date: '2026-02-28' }])));
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 1, leavers: 0, pendingFactorsCancelled: 0, codesCancelled: 0 });
    expect((await audits(core.db, 'employee.left')).filter((a) => a.employee_id === e.id)).toHaveLength(1);
  });

  it('never drops an address a manager added or one an active email factor uses: kept, reported and audited as conflicts', async () => {
    const p = { ...hrPerson(31, 8), employee_number: '34000001', username: 'u34000001', work_email: 'old.work@example.nhs.uk', personal_email: 'codes@example.org' };
    await run(file('conflict1.csv', hrCsv([p])));
    const e = (await employeeByNumber(core.db, '34000001'))!;
    const now = clock.now().toISOString();
    await core.db('employee_emails').insert({
      employee_id: e.id,
      kind: 'personal',
      address: 'Manager.Added@example.org',
      address_lc: 'manager.added@example.org',
      source: 'manager',
      used_for_codes: false,
      created_at: now,
      updated_at: now,
    });
    const codesEmail = e.emails.find((m) => m.address === 'codes@example.org')!;
    await core.db('employee_emails').where({ id: codesEmail.id }).update({ used_for_codes: true });
    await core.db('factors').insert({ employee_id: e.id, type: 'email', state: 'active', email_id: codesEmail.id, registered_at: now, created_at: now, updated_at: now });

    clock.advance(60_000);
    const f = file('conflict2.csv', hrCsv([{ ...p, work_email: 'new.work@example.nhs.uk', personal_email: '' }]));
    const r = await run(f);
    expect(r.counts).toMatchObject({ updated: 1, conflicts: 2, emailsAdded: 1, emailsRemoved: 1 });
    const after = (await employeeByNumber(core.db, '34000001'))!;
    expect(after.emails.map((m) => [m.address, m.source, m.used_for_codes])).toEqual([
      ['codes@example.org', 'hr', true],
      ['Manager.Added@example.org', 'manager', false],
      ['new.work@example.nhs.uk', 'hr', false],
    ]);
    expect(after.search_doc).toContain('manager.added@example.org');
    expect(after.search_doc).not.toContain('old.work');
    const report = readReport(r.reportFile);
    expect(report).toEqual([
      { line: 2, employee_number: '34000001', outcome: 'conflict', reason: expect.stringMatching(/codes@example.org, but an active email factor sends one-time codes to it: kept/) },
      { line: 2, employee_number: '34000001', outcome: 'conflict', reason: expect.stringMatching(/a manager added the personal address Manager.Added@example.org; HR lists no personal address: kept/) },
    ]);
    expect((await audits(core.db, 'hr.import_conflict')).filter((a) => a.employee_id === e.id).map((a) => a.details)).toEqual([
      {
        importId: r.importId,
        line: 2,
        kept: [
          { address: 'codes@example.org', kind: 'personal', source: 'hr' },
          { address: 'Manager.Added@example.org', kind: 'personal', source: 'manager' },
        ],
      },
    ]);
    // Run again: the record stays as it is, the conflicts are reported again.
    const again = await run(f);
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 1, conflicts: 2 });
    expect(await employeeByNumber(core.db, '34000001')).toEqual(after);
  });

  it('is idempotent over several batches: a second run finds everything unchanged; the look-up finds the employees', async () => {
    const f = path.join(work, 'many.csv');
    await writeHrCsv(f, 2500, { seed: 9, change: (i, row) => ({ ...row, employee_number: String(50_000_000 + i), username: `${row.username}m` }) });
    const progress: HrImportProgress[] = [];
    const first = await run(f, { batchSize: 1000, onProgress: (p) => progress.push(p) });
    expect(first.counts).toMatchObject({ rows: 2500, created: 2500, rejected: 0 });
    // The desk had employees already: indexes kept up to date row by row, nothing deferred.
    expect(progress.some((p) => p.phase === 'indexing')).toBe(false);
    const importing = progress.filter((p) => p.phase === 'importing');
    expect(importing.map((p) => p.rows)).toEqual([1000, 2000, 2500]);
    expect(importing.every((p) => p.totalRows === 2500 && p.rowsPerSecond > 0 && p.etaSeconds !== null)).toBe(true);
    expect(importing.at(-1)!.etaSeconds).toBe(0);
    expect((await audits(core.db, 'hr.import_batch')).filter((a) => a.details.importId === first.importId)).toHaveLength(3);
    const records = await dumpRecords(core.db);
    clock.advance(60_000);
    // Asked for more rows a batch than one statement can look up: held to the most it can.
    const second = await run(f, { batchSize: 1_000_000 });
    expect(second.counts).toMatchObject({ rows: 2500, created: 0, updated: 0, unchanged: 2500, rejected: 0, conflicts: 0 });
    expect((await audits(core.db, 'hr.import_started')).at(-1)?.details.batchSize).toBe(HR_IMPORT_MAX_BATCH);
    expect(await dumpRecords(core.db)).toEqual(records);

    const search = new EmployeeSearch(core.db);
    const person = { ...hrPerson(1234, 9), username: `${hrPerson(1234, 9).username}m` };
    const find = async (query: string) =>
      (await search.page({ query, filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 50 })).rows.map((x) => x.employeeNumber);
    expect(await find('50001234')).toEqual(['50001234']);
    expect(await find(person.username)).toContain('50001234');
    expect(await find(`${person.first_name} ${person.last_name}`)).toContain('50001234');
    const address = person.work_email || person.personal_email;
    expect(await find(address.toLowerCase())).toContain('50001234');
    expect(await recordProblems(core.db)).toEqual([]);
  });

  it('loads an empty desk with the look-up indexes deferred and builds them once, exactly as they were; a load stopped before that has them built at the next open', async () => {
    const empty = await openTestCore(target, { clock });
    try {
      const before = await indexDefinitions(empty.db);
      expect(before.length).toBeGreaterThan(8);
      const f = path.join(work, 'first-load.csv');
      await writeHrCsv(f, 2500, { seed: 11, change: (i, row) => ({ ...row, employee_number: String(70_000_000 + i), username: `load${i}` }) });
      const phases: string[] = [];
      let during: Promise<[string[], unknown]> | undefined;
      const r = await importHrFile(
        { db: empty.db, clock },
        {
          file: f,
          actor: ACTOR,
          batchSize: 1000,
          onProgress: (p) => {
            if (phases.at(-1) !== p.phase) phases.push(p.phase);
            // After the first of three batches: what the database holds while the rows go in.
            if (p.phase === 'importing' && !during) during = Promise.all([indexDefinitions(empty.db), deferredIndexes(empty.db)]);
          },
        },
      );
      expect(r.counts).toMatchObject({ rows: 2500, created: 2500, rejected: 0 });
      expect(phases).toEqual(['checking', 'importing', 'indexing']);
      const [whileLoading, marker] = await during!;
      // Only the primary keys and the unique indexes were there (and no full-text triggers).
      expect(whileLoading.length).toBeLessThan(before.length);
      expect(whileLoading.every((d) => /unique|_uq|pkey|autoindex|\(automatic\)/i.test(d))).toBe(true);
      expect(marker).toMatchObject({ reason: `HR import ${r.importId}` });
      // Afterwards: every index and trigger as the migrations made it, the marker gone, search working.
      expect(await indexDefinitions(empty.db)).toEqual(before);
      expect(await deferredIndexes(empty.db)).toBeNull();
      expect(await recordProblems(empty.db)).toEqual([]);
      const search = new EmployeeSearch(empty.db);
      const hits = await search.page({ query: 'oad123', filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 50 });
      expect(hits.rows.map((x) => x.username).sort()).toEqual(['load123', 'load1230', 'load1231', 'load1232', 'load1233', 'load1234', 'load1235', 'load1236', 'load1237', 'load1238', 'load1239']);

      // A load killed before it built them leaves the marker: the next open of the desk builds them.
      expect(await deferIndexes(empty.db, clock, 'a load that was killed')).toBe(true);
      expect(await deferIndexes(empty.db, clock, 'a second load')).toBe(false);
      expect((await indexDefinitions(empty.db)).length).toBe(whileLoading.length);
      // Stopped after two of the indexes were built: each was taken off the marker with its build.
      const missing = (await deferredIndexes(empty.db))!.statements.length;
      await expect(
        restoreIndexes(empty.db, (done) => {
          if (done === 2) throw new Error('the process stopped here');
        }),
      ).rejects.toThrow('the process stopped here');
      expect((await deferredIndexes(empty.db))!.statements).toHaveLength(missing - 2);
      expect((await indexDefinitions(empty.db)).length).toBe(whileLoading.length + 2);
      await empty.close();
      const reopened = await openDeskCore({
        config: { dataDir: empty.scratch.dataDir, databaseUrl: empty.scratch.databaseUrl, databaseSchema: empty.scratch.schema },
        clock,
        logger: silentLogger,
      });
      try {
        expect(await indexDefinitions(reopened.db)).toEqual(before);
        expect(await deferredIndexes(reopened.db)).toBeNull();
        expect(await recordProblems(reopened.db)).toEqual([]);
      } finally {
        await reopened.close();
      }
    } finally {
      await empty.scratch.cleanup();
    }
  });

  it('two processes deferring at once: one does it, the other finds it done; building together puts back every index once', async () => {
    const s = scratch(target);
    const a = await openScratchDatabase(s);
    const b = await openScratchDatabase(s);
    try {
      await migrateToLatest(a.knex);
      const before = await indexDefinitions(a.knex);
      const deferred = await Promise.all([deferIndexes(a.knex, clock, 'load a'), deferIndexes(b.knex, clock, 'load b')]);
      expect(deferred.filter(Boolean)).toHaveLength(1);
      expect((await indexDefinitions(a.knex)).length).toBeLessThan(before.length);
      const built = await Promise.all([restoreIndexes(a.knex), restoreIndexes(b.knex)]);
      expect(built.some(Boolean)).toBe(true);
      expect(await indexDefinitions(b.knex)).toEqual(before);
      expect(await deferredIndexes(a.knex)).toBeNull();
    } finally {
      await a.close();
      await b.close();
      await s.cleanup();
    }
  });

  it('stops between batches when cancelled; the batches done stay done and a re-run finishes', async () => {
    const f = path.join(work, 'cancel.csv');
    await writeHrCsv(f, 3000, { seed: 10, change: (i, row) => ({ ...row, employee_number: String(60_000_000 + i), username: `c${i}x` }) });
    const controller = new AbortController();
    const r = await run(f, { batchSize: 1000, signal: controller.signal, onProgress: (p) => p.phase === 'importing' && controller.abort() });
    expect(r).toMatchObject({ cancelled: true, counts: expect.objectContaining({ rows: 1000, created: 1000 }) });
    expect(await count(core.db, 'employees', {})).toBeGreaterThan(0);
    expect((await audits(core.db, 'hr.import_cancelled')).map((a) => a.details.importId)).toContain(r.importId);
    const again = await run(f);
    expect(again.counts).toMatchObject({ rows: 3000, created: 2000, unchanged: 1000 });
  });
});

describe.each(TARGETS)('desk import hr on $name', (target: Target) => {
  const ROWS = 20_000;
  const BATCH = 500;
  let work: string;
  let bigFile: string;

  beforeAll(async () => {
    work = tempDir('desk-hr-cli-');
    bigFile = path.join(work, 'extract.csv');
    await writeHrCsv(bigFile, ROWS, { seed: 3 });
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('refuses a missing column (exit 1, nothing written), warns about unknown columns, and dry-runs', async () => {
    const s = scratch(target);
    try {
      const env = deskEnv(s, s.dataDir);
      const missing = await runDesk(env, ['import', 'hr', path.join(FIXTURES, 'missing-column.csv')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/desk: The header row lacks the required column personal_email/);
      const messy = path.join(work, 'messy.csv');
      fs.copyFileSync(path.join(FIXTURES, 'messy.csv'), messy);
      const dry = await runDesk(env, ['import', 'hr', messy, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stderr).toMatch(/import: warning: Column 13 \("notes"\) is not an HR import column: ignored\./);
      expect(dry.stdout).toMatch(/dry run: nothing was written/);
      expect(dry.stdout).toMatch(/new {9}5\n/);
      const db = await openScratchDatabase(s);
      try {
        expect(await count(db.knex, 'employees')).toBe(0);
      } finally {
        await db.close();
      }
      const usage = await runDesk(env, ['import', 'hr']);
      expect(usage.code).toBe(2);
    } finally {
      await s.cleanup();
    }
  });

  it('killed during an import: every batch is all there or not there, the records agree, and a re-run equals a clean import', async () => {
    const s = scratch(target);
    const clean = scratch(target);
    try {
      const env = deskEnv(s, s.dataDir);
      const report = path.join(work, `kill-${target.name}.report.csv`);
      // Killed once the database holds a batch (its audit row): on sqlite the first group's commit,
      // SQLITE_GROUP.batches of them; the load has more than twice as many to go.
      expect(ROWS / BATCH).toBeGreaterThan(2 * SQLITE_GROUP.batches);
      const db = await openScratchDatabase(s);
      let partial: number;
      try {
        const killed = await killWhen(env, ['import', 'hr', bigFile, '--batch-size', String(BATCH), '--report', report], async () => {
          const { batches } = await loaded(db.knex, s.schema);
          return batches > 0 ? batches : null;
        });
        expect(killed.killedAt, `${killed.stderr}\n${killed.lastError ?? ''}`).not.toBeNull();
        const after = await loaded(db.knex, s.schema);
        partial = after.employees;
        expect(partial).toBeGreaterThanOrEqual(BATCH);
        expect(partial).toBeLessThan(ROWS);
        expect(partial % BATCH).toBe(0);
        expect(after.batches).toBe(partial / BATCH);
        expect(await count(db.knex, 'audit_events', { action: 'hr.import_finished' })).toBe(0);
        // A load into an empty desk: killed before it built the look-up's indexes, it left them
        // deferred (the full-text index not yet built); the records themselves agree.
        expect(await deferredIndexes(db.knex)).toMatchObject({ reason: expect.stringMatching(/^HR import \d+$/) });
        expect(await recordProblems(db.knex, { fullText: false })).toEqual([]);
      } finally {
        await db.close();
      }

      const rerun = await runDesk(env, ['import', 'hr', bigFile, '--batch-size', String(BATCH), '--report', report]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout).toMatch(new RegExp(`new +${(ROWS - partial).toLocaleString('en-GB')}\\n`));
      expect(rerun.stdout).toMatch(new RegExp(`unchanged +${partial.toLocaleString('en-GB')}\\n`));
      expect(rerun.stderr).toMatch(/import: 20,000 \/ 20,000 rows/);

      const cleanRun = await runDesk(deskEnv(clean, clean.dataDir), ['import', 'hr', bigFile, '--report', path.join(work, `clean-${target.name}.report.csv`)]);
      expect(cleanRun.code, cleanRun.stderr).toBe(0);
      const [a, b] = [await openScratchDatabase(s), await openScratchDatabase(clean)];
      try {
        const resumed = await dumpRecords(a.knex);
        expect(resumed).toHaveLength(ROWS);
        expect(resumed).toEqual(await dumpRecords(b.knex));
        expect(await recordProblems(a.knex)).toEqual([]);
        // The re-run's start built the indexes the killed load had deferred: the same as a clean import's.
        expect(await deferredIndexes(a.knex)).toBeNull();
        expect(await indexDefinitions(a.knex)).toEqual(await indexDefinitions(b.knex));
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await s.cleanup();
      await clean.cleanup();
    }
  }, 240_000);
});
