/**
 * updateEmployees, the HR import's writer of changed records: on PostgreSQL one statement per set of
 * changed columns (the values in one JSON parameter, typed by the table's row type), on sqlite one
 * per record. Whatever the way, each record ends as updateEmployee alone would leave it: the new
 * values exactly as given (text COPY or JSON might mangle, a date, a boolean, NULL), a new version,
 * the batch's time, and nobody else's record touched. On PostgreSQL the batch's transaction also
 * tells the planner that random reads are cheap, for that transaction only; a dry run's batches
 * are planned the same way.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/core/clock';
import { toBool, toIso, toText } from '../../electron/core/db/values';
import { employeeRow, insertEmployeesForIds, updateEmployee, updateEmployees } from '../../electron/core/employees/employee-writer';
import { lockForBatch } from '../../electron/core/hr/batch-apply';
import { importHrFile } from '../../electron/core/hr/hr-import.service';
import { writeHrCsv } from '../support/hr-csv';
import { openTestCore, TARGETS, tempDir, type Target, type TestCore } from '../support/targets';

const CREATED = '2026-12-01T08:00:00.000Z';
const NOW = '2026-12-07T09:30:00.000Z';

function person(prefix: string, n: number) {
  return {
    employeeNumber: `${prefix}${String(n).padStart(5, '0')}`,
    firstName: 'Alex',
    lastName: `Update${n}`,
    username: `${prefix.toLowerCase()}.user${n}`,
    organisation: 'Finance',
    department: 'Payroll',
    jobTitle: 'Clerk',
    emails: [],
    createdAt: CREATED,
    status: 'active' as const,
    leavingDate: null,
    internetAccessApproved: false,
  };
}

/** What a record holds after an update, in one shape on both databases. */
async function readBack(db: Knex, ids: number[]) {
  const rows = (await db('employees').whereIn('id', ids).orderBy('id')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id),
    job_title: r.job_title,
    status: r.status,
    leaving_date: r.leaving_date === null ? null : toText(r.leaving_date),
    internet_access_approved: toBool(r.internet_access_approved),
    last_name: r.last_name,
    hr_hash: r.hr_hash,
    version: Number(r.version),
    updated_at: toIso(r.updated_at),
  }));
}

/** Kinds of change, as an HR feed brings them: a job title; a leaver; a name and internet access; none but the new version. */
function changeOf(i: number): Record<string, unknown> {
  if (i === 3) return {};
  if (i % 3 === 0) return { job_title: `Senior "clerk" \\ ${i}\tnight\nshift`, hr_hash: `2:title${i}` };
  if (i % 3 === 1) return { status: 'leaver', leaving_date: '2026-11-30', hr_hash: `2:left${i}` };
  return { last_name: `Zoë 山田 ${i}`, internet_access_approved: true, hr_hash: null };
}

async function insertPeople(db: Knex, prefix: string, count: number): Promise<number[]> {
  const people = Array.from({ length: count }, (_, i) => person(prefix, i));
  const ids = await db.transaction((trx) => insertEmployeesForIds(trx, people.map((p) => employeeRow(p))));
  return people.map((p) => ids.get(p.employeeNumber)!);
}

describe.each(TARGETS)('updating many employee records on $name', (target: Target) => {
  let core: TestCore;

  beforeAll(async () => {
    core = await openTestCore(target);
  });

  afterAll(async () => {
    await core?.dispose();
  });

  it('leaves every record as updating it alone would, more than a statement holds included', async () => {
    // 2,500 of each kind: more than the 1,000 records one PostgreSQL statement takes.
    const count = 7500;
    const batched = await insertPeople(core.db, 'BAT', count);
    const oneByOne = await insertPeople(core.db, 'ONE', count);
    const untouched = await insertPeople(core.db, 'NOT', 3);
    const before = await readBack(core.db, untouched);

    await core.db.transaction((trx) =>
      updateEmployees(
        trx,
        batched.map((id, i) => ({ id, set: changeOf(i) })),
        NOW,
      ),
    );
    await core.db.transaction(async (trx) => {
      for (const [i, id] of oneByOne.entries()) await updateEmployee(trx, id, changeOf(i), NOW);
    });

    const a = await readBack(core.db, batched);
    const b = await readBack(core.db, oneByOne);
    expect(a.map(({ id: _id, ...rest }) => rest)).toEqual(b.map(({ id: _id, ...rest }) => rest));
    expect(a[0]).toMatchObject({ job_title: 'Senior "clerk" \\ 0\tnight\nshift', status: 'active', version: 2, updated_at: NOW, hr_hash: '2:title0' });
    expect(a[1]).toMatchObject({ job_title: 'Clerk', status: 'leaver', leaving_date: '2026-11-30', version: 2, hr_hash: '2:left1' });
    expect(a[2]).toMatchObject({ last_name: 'Zoë 山田 2', internet_access_approved: true, hr_hash: null, status: 'active', leaving_date: null, version: 2 });
    expect(a[3]).toMatchObject({ job_title: 'Clerk', version: 2, updated_at: NOW });
    expect(await readBack(core.db, untouched)).toEqual(before);
  });

  it('changes nothing when a record breaks a rule (the whole call fails with the transaction)', async () => {
    const ids = await insertPeople(core.db, 'BAD', 3);
    const before = await readBack(core.db, ids);
    // A leaver without a leaving date breaks employees_leaving_date_check.
    await expect(
      core.db.transaction((trx) =>
        updateEmployees(
          trx,
          [
            { id: ids[0]!, set: { job_title: 'Fine' } },
            { id: ids[1]!, set: { status: 'leaver' } },
          ],
          NOW,
        ),
      ),
    ).rejects.toThrow();
    expect(await readBack(core.db, ids)).toEqual(before);
  });

  it.runIf(target.name === 'postgres')('plans the batch for data in memory, in the batch’s transaction only', async () => {
    const setting = async (q: Knex | Knex.Transaction) => String((await q.raw('SHOW random_page_cost')).rows[0].random_page_cost);
    const outside = await setting(core.db);
    const inside = await core.db.transaction(async (trx) => {
      await lockForBatch(trx, true);
      return setting(trx);
    });
    expect(inside).toBe('1.1');
    expect(outside).not.toBe('1.1');
    // The pool's connections keep the server's own value afterwards.
    const again = await Promise.all([setting(core.db), setting(core.db), setting(core.db)]);
    expect(again).toEqual([outside, outside, outside]);
  });

  it.runIf(target.name === 'postgres')('plans a dry run’s batches the same way, each in a transaction of its own', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'extract.csv');
    await writeHrCsv(file, 30, { seed: 4 });
    const seen: Array<{ sql: string; tx: string | undefined }> = [];
    const watch = (q: { sql: string; __knexTxId?: string }) => seen.push({ sql: q.sql, tx: q.__knexTxId });
    core.db.on('query', watch);
    try {
      const r = await importHrFile({ db: core.db, clock: systemClock }, { file, actor: { userId: null, name: 'test' }, reportFile: path.join(dir, 'report.csv'), dryRun: true, batchSize: 10 });
      expect(r.counts).toMatchObject({ rows: 30, created: 30 });
    } finally {
      core.db.off('query', watch);
    }
    const lookUps = seen.filter((q) => q.sql.includes('"employee_number" = ANY'));
    expect(lookUps).toHaveLength(3);
    const txs = new Set(lookUps.map((q) => q.tx));
    expect(txs.size).toBe(3);
    for (const tx of txs) {
      expect(tx).toBeDefined();
      expect(seen.some((q) => q.tx === tx && q.sql.includes("set_config('random_page_cost'"))).toBe(true);
    }
  });
});
