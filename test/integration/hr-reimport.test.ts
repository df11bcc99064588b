/**
 * The nightly HR re-import: a row whose record is still as the last import left it is known by its
 * fingerprint (employees.hr_hash) and neither read in full nor written. These tests hold that path
 * to the full comparison (the same records, counts, report and audit rows), check that it really
 * writes nothing, and that a re-import killed midway re-runs to the end state of a clean one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { databaseKind } from '../../electron/core/db/connection';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import { parseCsv } from '../../electron/core/hr/csv';
import { importHrFile, type HrImportResult } from '../../electron/core/hr/hr-import.service';
import { okValue } from '../support/call-as';
import { deskEnv, killDuring, runDesk } from '../support/cli';
import { hrPerson, writeHrCsv, type HrCsvRow } from '../support/hr-csv';
import { dumpRecords, recordProblems } from '../support/hr-records';
import { caller, deskUser } from '../support/mfa-fixtures';
import { openScratchDatabase, openTestCore, scratch, TARGETS, tempDir, type Target, type TestCore } from '../support/targets';

const ACTOR = { userId: null, name: 'hr-nightly' };
const SEED = 11;
const ROWS = 1200;
const BATCH = 300;

/** The nightly extract: the base one with every kind of change a feed brings, and 3 people more. */
function nightly(i: number, row: HrCsvRow): HrCsvRow {
  if (i === 5) return { ...row, work_email: `moved.${i}@example.nhs.uk` };
  // Two people swap usernames in one batch.
  if (i === 6) return { ...row, username: hrPerson(7, SEED).username };
  if (i === 7) return { ...row, username: hrPerson(6, SEED).username };
  if (i === 9) return { ...row, employee_number: `x${row.employee_number}` };
  if (i === 10) return { ...row, username: hrPerson(11, SEED).username };
  if (i % 1000 === 500 && row.status === 'active') return { ...row, status: 'leaver', leaving_date: '2026-04-30' };
  if (row.status === 'leaver' && i % 7 === 0) return { ...row, status: 'active', leaving_date: '' };
  if (i % 100 === 0) return { ...row, job_title: `${row.job_title} (acting up)` };
  return row;
}

function readReport(file: string): string[][] {
  return parseCsv(fs.readFileSync(file, 'utf8')).map((r) => r.fields);
}

/** Per-employee audit rows of one import, by employee number, without ids that differ between desks. */
async function employeeAudits(db: Knex, importId: number | null): Promise<Array<{ action: string; employee: string; details: Record<string, unknown> }>> {
  const rows = await db('audit_events')
    .join('employees', 'employees.id', 'audit_events.employee_id')
    .whereIn('action', ['employee.left', 'hr.import_conflict'])
    .orderBy('audit_events.id')
    .select<Array<{ action: string; employee_number: string; details: string }>>('action', 'employee_number', 'details');
  return rows
    .map((r) => ({ action: r.action, employee: String(r.employee_number), details: JSON.parse(r.details) as Record<string, unknown> }))
    .filter((r) => r.details.importId === importId)
    .map((r) => ({ ...r, details: { ...r.details, importId: 'this import' } }));
}

async function batchAudits(db: Knex, importId: number | null): Promise<Array<Record<string, unknown>>> {
  const rows = await db('audit_events').where({ action: 'hr.import_batch' }).orderBy('id').select<Array<{ details: string; employee_id: unknown }>>('details', 'employee_id');
  return rows
    .map((r): Record<string, unknown> => ({ ...(JSON.parse(r.details) as Record<string, unknown>), employee_id: r.employee_id }))
    .filter((d) => d['importId'] === importId);
}

/** Every insert, update and delete on employees and employee_emails from now on, logged by triggers. */
async function logWrites(db: Knex): Promise<() => Promise<Array<{ tbl: string; op: string }>>> {
  await db.raw('CREATE TABLE write_log (tbl text, op text)');
  if (databaseKind(db) === 'postgres') {
    await db.raw(`CREATE FUNCTION write_log_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO write_log VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$`);
    for (const t of ['employees', 'employee_emails']) {
      await db.raw(`CREATE TRIGGER ${t}_write_log AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION write_log_row()`);
    }
  } else {
    for (const t of ['employees', 'employee_emails']) {
      for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
        await db.raw(`CREATE TRIGGER ${t}_write_log_${op.toLowerCase()} AFTER ${op} ON ${t} BEGIN INSERT INTO write_log VALUES ('${t}', '${op}'); END`);
      }
    }
  }
  return async () => db('write_log').select<Array<{ tbl: string; op: string }>>('tbl', 'op');
}

describe.each(TARGETS)('HR nightly re-import on $name', (target: Target) => {
  const clock = new ManualClock('2026-05-04T02:00:00Z');
  let work: string;
  let baseFile: string;
  let nightlyFile: string;
  const cores: TestCore[] = [];

  async function desk(): Promise<TestCore> {
    const core = await openTestCore(target, { clock });
    cores.push(core);
    return core;
  }

  function run(core: TestCore, file: string, report: string): Promise<HrImportResult> {
    return importHrFile({ db: core.db, clock }, { file, actor: ACTOR, batchSize: BATCH, reportFile: path.join(work, `report-${report}`) });
  }

  beforeAll(async () => {
    work = tempDir('desk-hr-nightly-');
    baseFile = path.join(work, 'base.csv');
    nightlyFile = path.join(work, 'nightly.csv');
    await writeHrCsv(baseFile, ROWS, { seed: SEED });
    await writeHrCsv(nightlyFile, ROWS + 3, { seed: SEED, change: nightly });
  });
  afterAll(async () => {
    for (const c of cores) await c.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('knowing unchanged rows by their fingerprint gives the same records, counts, report and audit rows as comparing every row', async () => {
    const [fast, full] = [await desk(), await desk()];
    // People the feed leaves as they are: a leaver, and one with a work address only.
    const same = Array.from({ length: ROWS }, (_x, k) => k + 1).filter((i) => nightly(i, hrPerson(i, SEED)) === hrPerson(i, SEED) || JSON.stringify(nightly(i, hrPerson(i, SEED))) === JSON.stringify(hrPerson(i, SEED)));
    const leaverNumber = hrPerson(same.find((i) => hrPerson(i, SEED).status === 'leaver')!, SEED).employee_number;
    const managerNumber = hrPerson(same.find((i) => hrPerson(i, SEED).status === 'active' && hrPerson(i, SEED).personal_email === '' && hrPerson(i, SEED).work_email !== '')!, SEED).employee_number;
    for (const [name, core] of [['fast', fast], ['full', full]] as const) {
      expect((await run(core, baseFile, `base-${name}.csv`)).counts).toMatchObject({ created: ROWS, rejected: 0 });
      // A manager adds an address: the record moves on from what the import left, so it is compared in full.
      const e = (await core.db('employees').where({ employee_number: managerNumber }).first<{ id: number }>('id'));
      const page = await employeePage(core.db, clock, Number(e.id));
      const manager = caller(core, await deskUser(core, `manager.${name}`, 'manager'));
      await okValue(
        manager('records.updateEmails', {
          employeeId: page.employee.id,
          ticketRef: 'CHAT-1',
          version: page.employee.version,
          emails: [...page.employee.emails.map((m) => ({ id: m.id, kind: m.kind, address: m.address })), { kind: 'personal' as const, address: 'added.by.manager@example.org' }],
        }),
      );
      // A leaver (unchanged in the feed) with a code still usable: the import cancels it.
      const leaver = (await core.db('employees').where({ employee_number: leaverNumber }).first<{ id: number }>('id'));
      const now = clock.now().toISOString();
      await core.db('one_time_codes').insert({ employee_id: leaver.id, purpose: 'sign_in', code_hash: 'h', recipient: 'x@example.org', issued_at: now, expires_at: now });
    }
    // The other desk as one loaded before fingerprints: every row compared in full.
    await full.db('employees').update({ hr_hash: null });

    clock.advance(3_600_000);
    const a = await run(fast, nightlyFile, 'nightly-fast.csv');
    const b = await run(full, nightlyFile, 'nightly-full.csv');
    expect(a.counts).toEqual(b.counts);
    expect(a.counts).toMatchObject({ rows: ROWS + 3, created: 3, rejected: 2, conflicts: 1, codesCancelled: 1 });
    expect(a.counts.updated).toBeGreaterThan(10);
    expect(a.counts.leavers).toBeGreaterThan(0);
    expect(a.counts.rejoined).toBeGreaterThan(0);
    expect(readReport(path.join(work, 'report-nightly-fast.csv'))).toEqual(readReport(path.join(work, 'report-nightly-full.csv')));
    expect(await dumpRecords(fast.db)).toEqual(await dumpRecords(full.db));
    expect(await employeeAudits(fast.db, a.importId)).toEqual(await employeeAudits(full.db, b.importId));
    const [batchesA, batchesB] = [await batchAudits(fast.db, a.importId), await batchAudits(full.db, b.importId)];
    const strip = (x: Record<string, unknown>) => ({ ...x, importId: null, fingerprinted: null });
    expect(batchesA.map(strip)).toEqual(batchesB.map(strip));
    const fingerprinted = (xs: Array<Record<string, unknown>>) => xs.reduce((n, x) => n + Number(x.fingerprinted), 0);
    // The fast desk knew every unchanged row but the manager's at a glance; the other wrote their fingerprints.
    expect(fingerprinted(batchesA)).toBe(0);
    expect(fingerprinted(batchesB)).toBe(a.counts.unchanged - 1);
    // The same fingerprints, but for the rows the feed rejected (not compared: the full desk has none).
    const rejected = [hrPerson(9, SEED).employee_number, hrPerson(10, SEED).employee_number, managerNumber];
    const hashes = (db: Knex) => db('employees').whereNotIn('employee_number', rejected).orderBy('employee_number').select('employee_number', 'hr_hash');
    expect(await hashes(fast.db)).toEqual(await hashes(full.db));
    expect((await hashes(fast.db)).every((h: { hr_hash: string | null }) => h.hr_hash !== null)).toBe(true);
    // A conflict kept leaves the record different from HR: no fingerprint of its version (2), compared in full every night.
    const kept = await fast.db('employees').where({ employee_number: managerNumber }).first<{ hr_hash: string | null; version: number }>('hr_hash', 'version');
    expect(Number(kept.version)).toBe(2);
    expect(kept.hr_hash ?? '').not.toMatch(/^2:/);
    expect(await recordProblems(fast.db)).toEqual([]);

    // The same feed again: nothing is written to a record; only the standing conflict is audited again.
    const writes = await logWrites(fast.db);
    clock.advance(3_600_000);
    const again = await run(fast, nightlyFile, 'again.csv');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: ROWS + 1, rejected: 2, conflicts: 1, leavers: 0, codesCancelled: 0 });
    expect(await writes()).toEqual([]);
    expect((await employeeAudits(fast.db, again.importId)).map((x) => [x.action, x.employee])).toEqual([['hr.import_conflict', managerNumber]]);
  });

  it('a re-import of an unchanged extract writes no employee or address row and no per-employee audit row', async () => {
    const core = await desk();
    await run(core, baseFile, 'base.csv');
    const before = await dumpRecords(core.db);
    const auditsBefore = Number(((await core.db('audit_events').count({ n: '*' }).first()) as { n: number | string }).n);
    const writes = await logWrites(core.db);
    clock.advance(3_600_000);
    const r = await run(core, baseFile, 'same.csv');
    expect(r.counts).toMatchObject({ rows: ROWS, created: 0, updated: 0, unchanged: ROWS, rejected: 0, conflicts: 0 });
    expect(await writes()).toEqual([]);
    expect(await dumpRecords(core.db)).toEqual(before);
    const added = await core.db('audit_events').where('id', '>', 0).orderBy('id').offset(auditsBefore).select<Array<{ action: string; employee_id: unknown }>>('action', 'employee_id');
    expect(added.map((x) => x.action)).toEqual(['hr.import_started', ...Array<string>(ROWS / BATCH).fill('hr.import_batch'), 'hr.import_finished']);
    expect(added.every((x) => x.employee_id === null)).toBe(true);
  });

  it('a nightly re-import killed midway (SIGKILL) re-runs to the end state of a clean one', async () => {
    const killed = scratch(target);
    const clean = scratch(target);
    try {
      const big = path.join(work, 'kill-base.csv');
      const feed = path.join(work, 'kill-nightly.csv');
      const rows = 8000;
      await writeHrCsv(big, rows, { seed: 5 });
      // Half the people change, so the feed's batches take long enough to be killed among them.
      await writeHrCsv(feed, rows, { seed: 5, change: (i, row) => (i % 2 === 0 ? { ...row, department: `${row.department} North` } : row) });
      for (const s of [killed, clean]) {
        const load = await runDesk(deskEnv(s, s.dataDir), ['import', 'hr', big, '--report', path.join(s.dataDir, 'load.csv')]);
        expect(load.code, load.stderr).toBe(0);
      }
      const env = deskEnv(killed, killed.dataDir);
      const args = ['import', 'hr', feed, '--batch-size', '200', '--report', path.join(killed.dataDir, 'feed.csv')];
      const k = await killDuring(env, args, 200);
      expect(k.killedAt, k.stderr).not.toBeNull();
      const mid = await openScratchDatabase(killed);
      try {
        // Killed midway: the load finished, the feed did not; some of its batches are in.
        expect(Number(((await mid.knex('audit_events').where({ action: 'hr.import_finished' }).count({ n: '*' }).first()) as { n: number | string }).n)).toBe(1);
        expect(Number(((await mid.knex('employees').where('department', 'like', '% North').count({ n: '*' }).first()) as { n: number | string }).n) % 100).toBe(0);
      } finally {
        await mid.close();
      }
      const rerun = await runDesk(env, args);
      expect(rerun.code, rerun.stderr).toBe(0);
      const cleanRun = await runDesk(deskEnv(clean, clean.dataDir), ['import', 'hr', feed, '--report', path.join(clean.dataDir, 'feed.csv')]);
      expect(cleanRun.code, cleanRun.stderr).toBe(0);
      expect(cleanRun.stdout).toMatch(/updated +4,000 /);
      const [x, y] = [await openScratchDatabase(killed), await openScratchDatabase(clean)];
      try {
        expect(await dumpRecords(x.knex)).toEqual(await dumpRecords(y.knex));
        const hashes = (db: Knex) => db('employees').orderBy('employee_number').select('employee_number', 'hr_hash');
        expect(await hashes(x.knex)).toEqual(await hashes(y.knex));
        expect(await recordProblems(x.knex)).toEqual([]);
      } finally {
        await x.close();
        await y.close();
      }
    } finally {
      await killed.cleanup();
      await clean.cleanup();
    }
  }, 240_000);
});
