/**
 * A first HR load into an empty desk plans its batches from the file alone while the desk holds
 * only what the load itself wrote: no employee-number look-up, and a username looked up only when
 * an earlier line of the file may have had it (batch-plan.ts, OwnRowsOnly). These tests hold that
 * path to planning in full (the same records, counts, report and audit rows), check that it really
 * skips the look-ups, and that an employee added by someone else mid-load sends every later batch
 * back to planning in full.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { insertEmployee } from '../../electron/core/employees/employee-writer';
import { parseCsv } from '../../electron/core/hr/csv';
import { importHrFile, SQLITE_GROUP, type HrImportProgress, type HrImportResult } from '../../electron/core/hr/hr-import.service';
import { hrPerson, writeHrCsv, type HrCsvRow } from '../support/hr-csv';
import { dumpRecords, recordProblems } from '../support/hr-records';
import { openTestCore, TARGETS, tempDir, type Target, type TestCore } from '../support/targets';

const ACTOR = { userId: null, name: 'hr-first-load' };
const SEED = 23;
const ROWS = 400;
const BATCH = 50;

/** Usernames and numbers that come back on later lines, in the same batch and in later ones. */
function repeats(i: number, row: HrCsvRow): HrCsvRow {
  if (i === 20) return { ...row, username: hrPerson(12, SEED).username }; // same batch as line 13
  if (i === 120) return { ...row, username: hrPerson(7, SEED).username }; // a batch after
  if (i === 260) return { ...row, employee_number: hrPerson(3, SEED).employee_number }; // the reader's
  if (i === 390) return { ...row, username: hrPerson(340, SEED).username.toUpperCase() }; // a batch after, in capitals
  return row;
}

function readReport(file: string): string[][] {
  return parseCsv(fs.readFileSync(file, 'utf8')).map((r) => r.fields);
}

/** An employee someone put on the desk outside the import (no addresses; the job title only when given). */
function addByHand(db: Knex, person: HrCsvRow, at: Date, jobTitle?: string): Promise<number> {
  return insertEmployee(db, {
    employeeNumber: person.employee_number,
    firstName: person.first_name,
    lastName: person.last_name,
    username: person.username,
    organisation: person.organisation,
    department: person.department,
    ...(jobTitle === undefined ? {} : { jobTitle }),
    emails: [],
    createdAt: at.toISOString(),
  });
}

/** The SQL of every query the desk runs from now on. */
function watchQueries(db: Knex): string[] {
  const seen: string[] = [];
  db.on('query', (q: { sql: string }) => seen.push(q.sql));
  return seen;
}

async function batchAudits(db: Knex, importId: number | null): Promise<Array<Record<string, unknown>>> {
  const rows = await db('audit_events').where({ action: 'hr.import_batch' }).orderBy('id').select<Array<{ details: string }>>('details');
  return rows
    .map((r) => JSON.parse(r.details) as Record<string, unknown>)
    .filter((d) => d['importId'] === importId)
    .map((d) => ({ ...d, importId: 'this import' }));
}

const usernameLookUp = (sql: string) => /from [`"]employees[`"] where \(?[`"]username[`"] (IN|= ANY)/i.test(sql);
const numberLookUp = (sql: string) => /from [`"]employees[`"] where \(?[`"]employee_number[`"] (IN|= ANY)/i.test(sql);

describe.each(TARGETS)('HR first load on $name', (target: Target) => {
  const clock = new ManualClock('2026-06-01T07:00:00Z');
  let work: string;
  let file: string;
  const cores: TestCore[] = [];

  async function desk(): Promise<TestCore> {
    const core = await openTestCore(target, { clock });
    cores.push(core);
    return core;
  }

  function run(core: TestCore, f: string, report: string, o: { batchSize?: number; onProgress?: (p: HrImportProgress) => void } = {}): Promise<HrImportResult> {
    return importHrFile({ db: core.db, clock }, { file: f, actor: ACTOR, batchSize: o.batchSize ?? BATCH, reportFile: path.join(work, report), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  }

  beforeAll(async () => {
    work = tempDir('desk-hr-first-');
    file = path.join(work, 'extract.csv');
    await writeHrCsv(file, ROWS, { seed: SEED, change: repeats });
  });
  afterAll(async () => {
    for (const c of cores) await c.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('plans from the file alone and gives the same records, counts, report and audit rows as planning in full', async () => {
    const [first, full] = [await desk(), await desk()];
    // Someone already on the other desk: its load is not a first load, and every batch is planned in full.
    const outsider = { ...hrPerson(ROWS + 50, SEED), employee_number: '99999999', username: 'outsider99' };
    await addByHand(full.db, outsider, clock.now());
    const queries = watchQueries(first.db);
    const a = await run(first, file, 'first.csv');
    const fullQueries = watchQueries(full.db);
    const b = await run(full, file, 'full.csv');

    expect(a.counts).toEqual(b.counts);
    expect(a.counts).toMatchObject({ rows: ROWS, created: ROWS - 4, rejected: 4 });
    const report = readReport(path.join(work, 'first.csv'));
    expect(report).toEqual(readReport(path.join(work, 'full.csv')));
    expect(report.slice(1).map((l) => [l[0], l[3]])).toEqual([
      ['21', `username ${hrPerson(12, SEED).username} is also on line 13 (employee ${hrPerson(12, SEED).employee_number})`],
      ['121', `username ${hrPerson(7, SEED).username} belongs to employee ${hrPerson(7, SEED).employee_number}`],
      ['261', `employee ${hrPerson(3, SEED).employee_number} is on an earlier line too: only the first is imported`],
      ['391', `username ${hrPerson(340, SEED).username} belongs to employee ${hrPerson(340, SEED).employee_number}`],
    ]);
    expect((await dumpRecords(full.db)).filter((r) => r.employee_number !== outsider.employee_number)).toEqual(await dumpRecords(first.db));
    expect(await batchAudits(first.db, a.importId)).toEqual(await batchAudits(full.db, b.importId));
    expect(await recordProblems(first.db)).toEqual([]);

    // What each desk asked the database. Planning in full: both look-ups for every batch.
    const batches = ROWS / BATCH;
    expect(fullQueries.filter(numberLookUp)).toHaveLength(batches);
    expect(fullQueries.filter(usernameLookUp)).toHaveLength(batches);
    // A first load: no employee number, and usernames only in the batches with one an earlier line had (lines 21, 121, 391).
    expect(queries.filter(numberLookUp)).toEqual([]);
    expect(queries.filter(usernameLookUp)).toHaveLength(3);
  });

  it('an employee someone else adds during a first load sends every later batch back to planning in full', async () => {
    const core = await desk();
    const rows = 3 * SQLITE_GROUP.batches;
    const small = path.join(work, 'small.csv');
    await writeHrCsv(small, rows, { seed: SEED });
    // The last person of the file is added by someone else after the first batch (on sqlite the
    // insert waits for the batches' group to commit; on PostgreSQL it is in long before the last
    // batch): the import must update them, not insert them again.
    const last = hrPerson(rows, SEED);
    const added: { insert: Promise<number> | null } = { insert: null };
    const addLast = (p: HrImportProgress) => {
      if (p.phase !== 'importing' || p.rows === 0) return;
      added.insert ??= addByHand(core.db, last, clock.now(), 'Added by hand');
    };
    const queries = watchQueries(core.db);
    const r = await run(core, small, 'small-report.csv', { batchSize: 1, onProgress: addLast });
    expect(added.insert).not.toBeNull();
    await added.insert;
    expect(r.counts).toMatchObject({ rows, created: rows - 1, updated: 1, rejected: 0 });
    const e = await core.db('employees').where({ employee_number: last.employee_number }).first<{ job_title: string; version: number }>('job_title', 'version');
    expect(e).toMatchObject({ job_title: last.job_title });
    expect(Number(e.version)).toBe(2);
    expect(await recordProblems(core.db)).toEqual([]);
    // Planned in full from the batch that found the added employee to the end.
    expect(queries.filter(numberLookUp).length).toBeGreaterThanOrEqual(SQLITE_GROUP.batches);
  });
});
