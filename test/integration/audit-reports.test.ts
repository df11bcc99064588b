/**
 * Supervisors' audit reports on both databases: every filter and sort, paged through the contract,
 * against an oracle computed from all the rows; the total; the CSV export parsed back with an
 * independent CSV parser (csv-parse), matching the filtered rows exactly, with its closing section;
 * spreadsheet formula injection and line breaks neutralised; `desk export audit`; roles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../electron/core/audit/audit.service';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { auditReportPage, exportAudit, exportAuditCsv, toReportRow } from '../../electron/core/audit/reports.service';
import { AUDIT_COLUMNS, plainText, safeCell } from '../../electron/core/audit/export-formats';
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { ManualClock } from '../../electron/core/clock';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import type { AuditReportFilter, AuditReportRow, AuditSortKey, DeskRole } from '../../shared/domain';
import { deskEnv, runDesk } from '../support/cli';
import { openTestCore, scratch, tempDir, TARGETS, type Target, type TestCore } from '../support/targets';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { silentLogger } from '../../electron/core/log/logger';
import type { AuditAction } from '../../shared/audit-actions';
import { insertEmployee } from '../../electron/core/employees/employee-writer';
import type { ResultOf } from '../../shared/contract';
import { callAs, type Caller } from '../support/call-as';

const ACTORS = ['ann.agent', 'bob.agent', 'sue.supervisor', 'system'];
const ACTIONS = ['factor.removed', 'factor.reregistration_started', 'caller.verified', 'records.emails_updated', 'employee.viewed'] as AuditAction[];
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2-3', '@SUM(A1)', 'line one\r\nline two', '\tTAB', 'quote " and, comma'];

describe.each(TARGETS)('audit reports on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;
  let all: AuditReportRow[];
  let employees: number[];
  const calls: Partial<Record<DeskRole, Caller>> = {};

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-02-01T08:00:00.000Z'));
    core = await openTestCore(target, { clock });
    employees = [];
    for (let i = 0; i < 3; i++) {
      employees.push(
        await insertEmployee(core.db, {
          employeeNumber: String(40_000_001 + i),
          firstName: 'Report',
          lastName: `Person${i}`,
          username: `rperson${i}`,
          organisation: 'Trust',
          department: 'Dept',
          emails: [],
          createdAt: clock.now().toISOString(),
        }),
      );
    }
    // 240 events over 12 days, deterministic mixes; a few with hostile text in the free fields.
    for (let i = 0; i < 240; i++) {
      clock.advance(((i * 37) % 113) * 60_000 + 60 * 60_000);
      await recordAudit(core.db, clock, {
        actor: { userId: null, name: i % 31 === 5 ? HOSTILE[i % HOSTILE.length]! : ACTORS[i % ACTORS.length]! },
        action: ACTIONS[(i * 7) % ACTIONS.length]!,
        result: i % 5 === 0 ? 'refused' : 'ok',
        employeeId: i % 4 === 3 ? null : employees[i % 3]!,
        ticketRef: i % 3 === 0 ? null : i % 29 === 1 ? HOSTILE[i % HOSTILE.length]! : `chat-${i % 10}`,
        details: { i, note: i % 23 === 0 ? '=cmd|/C calc' : `n${i}` },
      });
    }
    // Signed in after the events (the clock has moved on 12 days: earlier sessions would be locked).
    for (const role of ['agent', 'supervisor', 'admin'] as const) {
      const userId = await createDeskUser({ db: core.db, clock }, { userId: null, name: 'test' }, { username: `${role}.reports`, displayName: role, role, password: 'a-long-test-password' });
      const session = core.sessions.create({ userId, username: `${role}.reports`, displayName: role, role, idleMinutes: 480 });
      const slot = { get: () => session.token, set: () => {} };
      calls[role] = callAs(core, slot);
    }
    await load();
  });

  /** Every event as a report row, read afresh (exports add events of their own). */
  async function load(): Promise<void> {
    const rows = await core.db('audit_events').leftJoin('employees', 'employees.id', 'audit_events.employee_id').select('audit_events.*', 'employees.employee_number').orderBy('seq');
    all = rows.map(toReportRow);
  }
  afterAll(async () => {
    await core?.dispose();
  });

  function oracle(f: AuditReportFilter): AuditReportRow[] {
    const day = (iso: string) => iso.slice(0, 10);
    return all.filter(
      (r) =>
        (!f.from || day(r.occurredAt) >= f.from) &&
        (!f.to || day(r.occurredAt) <= f.to) &&
        (!f.actor || r.actor === f.actor) &&
        (!f.action || (f.action.endsWith('.') ? r.action.startsWith(f.action) : r.action === f.action)) &&
        (f.employeeId === undefined || r.employeeId === f.employeeId) &&
        (!f.employeeNumber || r.employeeNumber === f.employeeNumber) &&
        (!f.ticketRef || r.ticketRef === f.ticketRef) &&
        (!f.result || r.result === f.result),
    );
  }

  function sorted(rows: AuditReportRow[], by: AuditSortKey, dir: 'asc' | 'desc'): AuditReportRow[] {
    const key = (r: AuditReportRow) => (by === 'actor' ? r.actor : by === 'action' ? r.action : by === 'result' ? r.result : r.occurredAt);
    const cmp = (a: AuditReportRow, b: AuditReportRow) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.seq - b.seq);
    const out = [...rows].sort(cmp);
    return dir === 'asc' ? out : out.reverse();
  }

  const FILTERS: AuditReportFilter[] = [
    {},
    { from: '2026-02-03', to: '2026-02-06' },
    { actor: 'bob.agent' },
    { action: 'factor.' },
    { action: 'caller.verified', result: 'refused' },
    { employeeId: 0 }, // replaced by a real id below
    { employeeNumber: '40000003', result: 'ok' },
    { employeeNumber: '99999999' },
    { ticketRef: 'chat-4', from: '2026-02-02' },
    { from: '2026-02-09', to: '2026-02-09' },
    { actor: 'nobody.here' },
  ];

  it('pages every filter in every order through the contract, matching the oracle; counts agree', async () => {
    FILTERS[5] = { employeeId: employees[1]! };
    expect(all.length).toBeGreaterThanOrEqual(240);
    for (const filter of FILTERS) {
      const want = oracle(filter);
      const count = await calls.supervisor!.call('audit.reportCount', { filter });
      expect(count, JSON.stringify(filter)).toEqual({ ok: true, value: { count: want.length } });
      for (const by of ['time', 'actor', 'action', 'result'] as const) {
        for (const dir of ['asc', 'desc'] as const) {
          const got: AuditReportRow[] = [];
          let cursor: string | null = null;
          for (let guard = 0; guard < 100; guard++) {
            const page: ResultOf<'audit.report'> = await calls.supervisor!.ok('audit.report', { filter, sort: { by, dir }, cursor, limit: 17 });
            got.push(...page.rows);
            cursor = page.nextCursor;
            if (!cursor) break;
          }
          expect(got.map((r) => r.seq), `${JSON.stringify(filter)} by ${by} ${dir}`).toEqual(sorted(want, by, dir).map((r) => r.seq));
        }
      }
    }
    // A page carries the whole row, the employee number joined in.
    const one = await calls.admin!.ok('audit.report', { filter: { employeeId: employees[0]! }, limit: 1 });
    expect(one.rows[0]).toEqual(sorted(oracle({ employeeId: employees[0]! }), 'time', 'desc')[0]);
    expect(one.rows[0]!.employeeNumber).toBe('40000001');
  });

  it('refuses bad filters and cursors with a clear error, and agents altogether', async () => {
    const s = calls.supervisor!;
    for (const filter of [{ from: '2026-02-30' }, { from: '2026-02-05', to: '2026-02-01' }, { action: 'DROP TABLE' }, { actor: 'a b' }, { result: 'maybe' }, { employeeNumber: '123' }, { extra: 1 }]) {
      expect(await s.raw('audit.report', { filter }), JSON.stringify(filter)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await s.call('audit.report', { cursor: 'not-a-cursor' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const first = await s.ok('audit.report', { sort: { by: 'actor', dir: 'asc' }, limit: 5 });
    // A cursor from one order does not fit another.
    expect(await s.call('audit.report', { sort: { by: 'time', dir: 'asc' }, cursor: first.nextCursor })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    for (const channel of ['audit.report', 'audit.reportCount']) expect(await calls.agent!.raw(channel, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('exports the filtered rows to CSV, exactly, oldest first, with formula injection and line breaks neutralised, ending with filter, count and the signed head', async () => {
    const done: Array<{ filter: AuditReportFilter; rows: number; headSeq: number }> = [];
    for (const filter of [{}, { action: 'factor.' as const, from: '2026-02-04' }, { actor: 'nobody.here' }]) {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (c: Buffer) => chunks.push(c));
      const progress: number[] = [];
      const result = await exportAuditCsv(core.db, clock, core.vault, filter, sink, { actor: { userId: null, name: 'sue.supervisor' }, onProgress: (n) => progress.push(n) });
      sink.end();
      await load();
      const text = Buffer.concat(chunks).toString('utf8');
      const records = parse(text, { relax_column_count: true, skip_empty_lines: true });
      const want = oracle(filter).filter((r) => r.seq <= result.headSeq);
      expect(records[0]).toEqual([...AUDIT_COLUMNS]);
      const body = records.slice(1, 1 + want.length);
      const expected = want.map((r) => [r.seq, r.occurredAt, r.actor, r.employeeId, r.employeeNumber, r.ticketRef, r.action, r.result, JSON.stringify(r.details)].map((v) => unescaped(v)));
      expect(body).toEqual(expected);
      expect(records.slice(1 + want.length)).toEqual([
        ['# MFA Desk audit report'],
        ['# filter', JSON.stringify(filter)],
        ['# rows', String(want.length)],
        ['# chain head', String(result.headSeq), result.headHash],
        ['# signed checkpoint', result.checkpointAt],
      ]);
      expect(result.rows).toBe(want.length);
      done.push({ filter, rows: result.rows, headSeq: result.headSeq });
      // No cell a spreadsheet would run, and no cell spans lines.
      for (const rec of body) for (const cell of rec) expect(cell).not.toMatch(/^[=+\-@\t\r]|[\r\n]/);
      expect(progress.at(-1) ?? 0).toBe(want.length);
    }
    // Each export is in the trail, after its own head, with its filter and count.
    const exported = await core.db('audit_events').where({ action: 'audit.exported' }).orderBy('seq');
    expect(exported.map((e) => [e.actor_name, JSON.parse(e.details)])).toEqual(
      done.map((d) => ['sue.supervisor', { format: 'csv', filter: d.filter, rows: d.rows, headSeq: d.headSeq }]),
    );
    // The export's head is a signed checkpoint the chain walk accepts.
    expect(await verifyAuditChain(core.db, core.vault)).toMatchObject({ ok: true });
    expect(Number((await core.db('audit_checkpoints').where({ reason: 'export' }).count({ n: '*' }).first())!.n)).toBe(3);
  });

  it('`desk export audit` writes the same file from the command line; a bad filter writes nothing', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'audit.csv');
    const env = deskEnv(core.scratch, core.config.dataDir);
    await load();
    const run = await runDesk(env, ['export', 'audit', '--from', '2026-02-03', '--to', '2026-02-08', '--agent', 'bob.agent', '--action', 'factor.', '--employee-number', '40000002', '--format', 'csv', '--out', out]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const want = oracle({ from: '2026-02-03', to: '2026-02-08', actor: 'bob.agent', action: 'factor.', employeeNumber: '40000002' });
    expect(want.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`^Wrote ${want.length} events to .*audit\\.csv \\(chain head #\\d+ [0-9a-f]{64}, signed `));
    const records = parse(fs.readFileSync(out, 'utf8'), { relax_column_count: true, skip_empty_lines: true });
    expect(records.slice(1, 1 + want.length).map((r) => Number(r[0]))).toEqual(want.map((r) => r.seq));
    expect(records.at(-3)).toEqual(['# rows', String(want.length)]);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('600');

    // The other formats from the command line.
    for (const [format, magic] of [['xlsx', 'PK'], ['pdf', '%PDF-']] as const) {
      const file = path.join(dir, `audit.${format}`);
      const r = await runDesk(env, ['export', 'audit', '--format', format, '--action', 'factor.', '--out', file]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(fs.readFileSync(file).subarray(0, magic.length).toString()).toBe(magic);
    }

    const bad = path.join(dir, 'bad.csv');
    for (const args of [
      ['--from', '2026-13-01'],
      ['--result', 'maybe'],
      ['--format', 'xml'],
      ['--employee', 'x'],
    ]) {
      const r = await runDesk(env, ['export', 'audit', '--out', bad, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(fs.existsSync(bad)).toBe(false);
      expect(fs.existsSync(`${bad}.part`)).toBe(false);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

/** What a cell reads as after csv-parse: the safe form, unquoted. */
function unescaped(v: string | number | null): string {
  const s = safeCell(v);
  return s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

describe('safe CSV cells', () => {
  it('neutralises formulas and line breaks and quotes what needs quoting', () => {
    expect(safeCell('=1+1')).toBe("'=1+1");
    expect(safeCell('+44 20')).toBe("'+44 20");
    expect(safeCell('-5')).toBe("'-5");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('\tx')).toBe("'\tx");
    expect(safeCell('\rx')).toBe("' x");
    expect(safeCell('a\r\nb\nc')).toBe('a b c');
    expect(safeCell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(safeCell('=a,b')).toBe('"\'=a,b"');
    expect(safeCell(-5)).toBe('-5');
    expect(safeCell(null)).toBe('');
    expect(safeCell('plain')).toBe('plain');
  });
});

describe.each(TARGETS)('audit exports from the app on $name', (target: Target) => {
  async function signedIn(core: DeskCore, role: DeskRole, name: string) {
    const userId = await createDeskUser({ db: core.db, clock: core.clock }, { userId: null, name: 'test' }, { username: name, displayName: name, role, password: 'a-long-test-password' });
    const session = core.sessions.create({ userId, username: name, displayName: name, role, idleMinutes: 480 });
    return callAs(core, { get: () => session.token, set: () => {} });
  }
  async function until(as: Caller, jobId: string) {
    for (let i = 0; i < 200; i++) {
      const job = await as.ok('audit.export.status', { jobId });
      if (job.state !== 'running') return job;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error('export did not finish');
  }

  it('runs in the background, is fetched in parts by its owner only, and holds exactly the filtered rows', async () => {
    const core = await openTestCore(target);
    try {
      for (let i = 0; i < 120; i++) await recordAudit(core.db, core.clock, { actor: { userId: null, name: i % 2 ? 'ann.agent' : 'bob.agent' }, action: 'test.event' as AuditAction, details: { i, pad: 'x'.repeat(i * 50) } });
      const sue = await signedIn(core, 'supervisor', 'sue.supervisor');
      const ada = await signedIn(core, 'admin', 'ada.admin');
      const agent = await signedIn(core, 'agent', 'al.agent');
      expect(await agent.call('audit.export.start', { filter: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const started = (await sue.ok('audit.export.start', { filter: { actor: 'ann.agent' }, format: 'csv' }))!;
      expect(started).toMatchObject({ state: 'running', savedTo: null, fileName: expect.stringMatching(/^audit-\d{8}-\d{4}\.csv$/) });
      expect(await sue.call('audit.export.start', { filter: {} })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      const done = await until(sue, started.jobId);
      expect(done).toMatchObject({ state: 'done', rows: 60, total: 60, error: null });
      // Someone else's export is not theirs to see.
      expect(await ada.call('audit.export.status', { jobId: started.jobId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await ada.call('audit.export.chunk', { jobId: started.jobId, offset: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const parts: Buffer[] = [];
      let offset = 0;
      let calls = 0;
      for (;;) {
        const chunk = await sue.ok('audit.export.chunk', { jobId: started.jobId, offset });
        parts.push(Buffer.from(chunk.data, 'base64'));
        offset = chunk.offset;
        calls++;
        if (chunk.done) break;
      }
      const text = Buffer.concat(parts).toString('utf8');
      expect(Buffer.byteLength(text)).toBe(done.size);
      expect(calls).toBe(Math.ceil(done.size! / (512 * 1024)));
      const records = parse(text, { relax_column_count: true, skip_empty_lines: true });
      const want = (await core.db('audit_events').where({ actor_name: 'ann.agent' }).where('seq', '<=', done.headSeq).orderBy('seq').select('seq')).map((r) => String(r.seq));
      expect(records.slice(1, 61).map((r) => r[0])).toEqual(want);
      expect(records.at(-3)).toEqual(['# rows', '60']);
      expect(await sue.call('audit.export.chunk', { jobId: started.jobId, offset: done.size! + 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      // The file waits, private, in the data directory's exports folder.
      const files = fs.readdirSync(path.join(core.config.dataDir, 'exports'));
      expect(files).toEqual([`${started.jobId}.csv`]);
      expect((fs.statSync(path.join(core.config.dataDir, 'exports', files[0]!)).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await core.dispose();
    }
  });

  it('a cancelled export keeps nothing; in the app the file goes where the save dialog says, or nowhere when it is cancelled', async () => {
    const s = scratch(target);
    const answers: Array<string | null> = [];
    const core = await openDeskCore({
        config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema },
        clock: new ManualClock(),
        logger: silentLogger,
        chooseSavePath: (name) => {
          expect(name).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
          return Promise.resolve(answers.shift() ?? null);
        },
      });
    try {
      for (let i = 0; i < 10; i++) await recordAudit(core.db, core.clock, { actor: { userId: null, name: 'ann.agent' }, action: 'test.event' as AuditAction });
      const sue = await signedIn(core, 'supervisor', 'sue.supervisor');
      // Cancelled in the dialog: no export.
      answers.push(null);
      expect(await sue.call('audit.export.start', { filter: {} })).toEqual({ ok: true, value: null });
      // Saved where chosen.
      const dir = tempDir();
      const chosen = path.join(dir, 'my-report.csv');
      answers.push(chosen);
      const started = (await sue.ok('audit.export.start', { filter: {} }))!;
      const done = await until(sue, started.jobId);
      expect(done).toMatchObject({ state: 'done', savedTo: chosen, fileName: 'my-report.csv' });
      expect(fs.readFileSync(chosen, 'utf8')).toMatch(/^seq,occurred_at,actor,/);
      expect(fs.existsSync(`${chosen}.part`)).toBe(false);
      expect(await sue.call('audit.export.chunk', { jobId: started.jobId, offset: 0 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      // Cancelled while running: nothing kept, no audit.exported event.
      answers.push(path.join(dir, 'cancelled.csv'));
      const before = Number((await core.db('audit_events').where({ action: 'audit.exported' }).count({ n: '*' }).first())!.n);
      const run = (await sue.ok('audit.export.start', { filter: {} }))!;
      const cancelled = await sue.ok('audit.export.cancel', { jobId: run.jobId });
      expect(['running', 'cancelled']).toContain(cancelled.state);
      expect(await until(sue, run.jobId)).toMatchObject({ state: 'cancelled', savedTo: null });
      expect(fs.existsSync(path.join(dir, 'cancelled.csv'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'cancelled.csv.part'))).toBe(false);
      expect(Number((await core.db('audit_events').where({ action: 'audit.exported' }).count({ n: '*' }).first())!.n)).toBe(before);
      fs.rmSync(dir, { recursive: true, force: true });
    } finally {
      await core.close();
      await s.cleanup();
    }
  });
});

describe.each(TARGETS)('audit exports as XLSX and PDF on $name', (target: Target) => {
  let core: TestCore;
  const HOSTILE_ACTOR = '=HYPERLINK("http://evil.example","click")';
  beforeAll(async () => {
    core = await openTestCore(target);
    for (let i = 0; i < 40; i++) {
      await recordAudit(core.db, core.clock, {
        actor: { userId: null, name: i === 7 ? HOSTILE_ACTOR : `agent${i % 3}` },
        action: i % 2 ? 'factor.removed' : 'caller.verified',
        result: i % 5 ? 'ok' : 'refused',
        ticketRef: i % 4 ? `chat-${i}` : null,
        details: { i, note: i === 9 ? 'two\r\nlines' : `n${i}` },
      });
    }
  });
  afterAll(async () => {
    await core?.dispose();
  });

  async function run(format: 'xlsx' | 'pdf', filter: AuditReportFilter) {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportAudit(core.db, core.clock, core.vault, filter, format, sink, { actor: { userId: null, name: 'sue.supervisor' } });
    const rows = await core
      .db('audit_events')
      .leftJoin('employees', 'employees.id', 'audit_events.employee_id')
      .select('audit_events.*', 'employees.employee_number')
      .where('seq', '<=', result.headSeq)
      .andWhere((q) => {
        if (filter.action) q.where('action', filter.action);
      })
      .orderBy('seq');
    return { bytes: Buffer.concat(chunks), result, want: rows.map(toReportRow) };
  }

  it('pages events that share one instant in time order, both ways, each exactly once (ties broken by sequence number)', async () => {
    const all = (await core.db('audit_events').orderBy('seq').select('seq', 'occurred_at')).map((r) => Number(r.seq));
    for (const dir of ['asc', 'desc'] as const) {
      const got: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await auditReportPage(core.db, { filter: { from: '2026-01-05', to: '2026-01-05' }, sort: { by: 'time', dir }, cursor, limit: 7 });
        got.push(...page.rows.map((r) => r.seq));
        cursor = page.nextCursor;
      } while (cursor);
      expect(got).toEqual(dir === 'asc' ? all : [...all].reverse());
    }
  });

  it('XLSX: the rows in the first sheet, exactly, formulas made text; the filter, count and signed head in the second', async () => {
    const { bytes, result, want } = await run('xlsx', {});
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Audit events')!;
    const values: unknown[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row) => values.push(Array.from((row.values as unknown[]).slice(1), (v) => v ?? null)));
    expect(values[0]).toEqual([...AUDIT_COLUMNS]);
    const text = (v: string | null) => (v === null ? null : unescapedPlain(v));
    const expected = want.map((r) => [r.seq, r.occurredAt, text(r.actor), r.employeeId, r.employeeNumber, text(r.ticketRef), r.action, r.result, text(JSON.stringify(r.details))]);
    // exceljs leaves trailing empty cells out of a row: pad to the columns.
    expect(values.slice(1).map((v) => [...v, ...Array(9 - v.length).fill(null)])).toEqual(expected);
    expect(values.slice(1).find((v) => String(v[2]).includes('HYPERLINK'))![2]).toBe(`'${HOSTILE_ACTOR}`);
    const report = book.getWorksheet('Report')!;
    const summary: unknown[][] = [];
    report.eachRow((row) => summary.push((row.values as unknown[]).slice(1)));
    expect(summary).toEqual([['MFA Desk audit report'], ['filter', '{}'], ['rows', want.length], ['chain head', `${result.headSeq} ${result.headHash}`], ['signed checkpoint', result.checkpointAt]]);
    expect(result.rows).toBe(want.length);
  });

  it('PDF: every event in order with its details, formulas made text, and a last page with filter, count and signed head', async () => {
    const { bytes, result, want } = await run('pdf', { action: 'factor.removed' });
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = tempDir();
    const file = path.join(dir, 'audit.pdf');
    fs.writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    const squeeze = (s: string) => s.replace(/\s+/g, '');
    const flat = squeeze(text);
    let from = 0;
    for (const r of want) {
      const heading = squeeze(`#${r.seq} ${r.occurredAt} ${unescapedPlain(r.actor)} ${r.action} ${r.result} employee ${r.employeeNumber ?? r.employeeId ?? '-'} ticket ${r.ticketRef ?? '-'}`);
      const at = flat.indexOf(heading, from);
      expect(at, `event ${r.seq} in order`).toBeGreaterThanOrEqual(from);
      const details = squeeze(unescapedPlain(JSON.stringify(r.details)));
      expect(flat.indexOf(details, at), `details of ${r.seq}`).toBe(at + heading.length);
      from = at + heading.length;
    }
    expect(want.length).toBe(20);
    const pages = text.split('\f').filter((p) => p.trim());
    const last = pages.at(-1)!;
    expect(last).toMatch(/what this file holds/);
    expect(last).toContain('filter: {"action":"factor.removed"}');
    expect(last).toContain(`rows: ${want.length}`);
    expect(squeeze(last)).toContain(squeeze(`chain head: ${result.headSeq} ${result.headHash}`));
  });
});

/** What a text cell becomes in an XLSX or PDF export (no CSV quoting). */
function unescapedPlain(v: string): string {
  return plainText(v);
}
