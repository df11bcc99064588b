/**
 * The floor under the HR import goal: what the database alone needs, on this machine, to take N
 * employees (and their addresses, 1.5 a head as in the generated extract) into an empty desk and
 * build the look-up's indexes, with no CSV, no checks and no application code at all. The rows are
 * made inside the database by one INSERT … SELECT per table; the indexes are set aside and built
 * exactly as a real load into an empty desk does it (deferIndexes / restoreIndexes). A real import
 * cannot be faster than this; when the floor is above the goal, the goal is out of reach here.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../electron/core/clock';
import { openDatabase, type Database } from '../../electron/core/db/connection';
import { deferIndexes, restoreIndexes } from '../../electron/core/db/deferred-indexes';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { dropSchema } from './scratch-db';
import { timed } from './stats';

export interface ImportFloor {
  /** Inserting the employees, then their addresses (seconds). */
  insertSeconds: number;
  /** Building the secondary indexes (sqlite: and the full-text index) afterwards (seconds). */
  indexSeconds: number;
  totalSeconds: number;
}

const FIRST = ['george', 'lucas', 'toby', 'lucy', 'thomas', 'helen', 'amelia', 'oliver', 'isla', 'jack', 'harry', 'sophie', 'mohammed', 'priya', 'chloe', 'daniel'];
const LAST = ['hart', 'dawson', 'wallace', 'smith', 'ford', 'collins', 'patel', 'jones', 'taylor', 'brown', 'williams', 'wilson', 'khan', 'evans', 'obrien', 'thompson', 'white', 'hughes', 'edwards', 'green'];

/** The rows, as SQL for each database: names from short lists, numbers and usernames unique. */
function employeesSql(kind: 'sqlite' | 'postgres', n: number): string {
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
  const pick = (xs: string[], expr: string) =>
    kind === 'postgres' ? `(ARRAY[${list(xs)}])[((${expr}) % ${xs.length} + 1)::int]` : `json_extract('${JSON.stringify(xs)}', '$[' || ((${expr}) % ${xs.length}) || ']')`;
  const number = kind === 'postgres' ? `(10000000 + i)::text` : `CAST(10000000 + i AS TEXT)`;
  const now = kind === 'postgres' ? `'2026-01-01T00:00:00Z'::timestamptz` : `'2026-01-01T00:00:00.000Z'`;
  const series =
    kind === 'postgres'
      ? `SELECT i FROM generate_series(1::bigint, ${n}) AS g(i)` // bigint: i × 104,729 passes 2^31
      : `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) SELECT i FROM s`;
  return `INSERT INTO employees (employee_number, first_name, last_name, username, organisation, department, job_title, status,
      internet_access_approved, version, sort_name, given_sort, search_doc, created_at, updated_at)
    SELECT num, f, l, u, 'Trust ' || (i % 120), 'Department ' || (i % 30), 'Nurse', 'active', true, 1, l || ' ' || f, f || ' ' || l,
      f || ' ' || l || ' ' || num || ' ' || u || ' ' || f || '.' || l || i || '@nhs.net' || CASE WHEN i % 2 = 0 THEN ' ' || f || l || i || '@outlook.com' ELSE '' END,
      ${now}, ${now}
    FROM (SELECT i, ${number} AS num, ${pick(FIRST, 'i * 7919')} AS f, ${pick(LAST, 'i * 104729')} AS l,
            ${pick(FIRST, 'i * 7919')} || i AS u FROM (${series}) AS s) AS p`;
}

const EMAILS_SQL = `INSERT INTO employee_emails (employee_id, kind, address, address_lc, used_for_codes, source, created_at, updated_at)
  SELECT id, 'work', first_name || '.' || last_name || id || '@nhs.net', first_name || '.' || last_name || id || '@nhs.net', false, 'hr', created_at, created_at FROM employees
  UNION ALL
  SELECT id, 'personal', first_name || last_name || id || '@outlook.com', first_name || last_name || id || '@outlook.com', false, 'hr', created_at, created_at FROM employees WHERE id % 2 = 0`;

export async function measureImportFloor(rows: number, workDir: string, pgUrl?: string): Promise<ImportFloor> {
  const dataDir = fs.mkdtempSync(path.join(workDir, 'floor-'));
  const schema = pgUrl ? `bench_floor_${crypto.randomBytes(4).toString('hex')}` : undefined;
  let database: Database | undefined;
  try {
    database = await openDatabase({ dataDir, databaseUrl: pgUrl, schema });
    await migrateToLatest(database.knex);
    const db = database.knex;
    if (!(await deferIndexes(db, systemClock, 'benchmark floor'))) throw new Error('the indexes were already deferred');
    const insert = await timed(async () => {
      await db.transaction(async (trx) => {
        await trx.raw(employeesSql(database!.kind, rows));
        await trx.raw(EMAILS_SQL);
      });
    });
    const index = await timed(() => restoreIndexes(db));
    const count = Number(((await db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    if (count !== rows) throw new Error(`the floor inserted ${count} employees, not ${rows}`);
    return { insertSeconds: insert.ms / 1000, indexSeconds: index.ms / 1000, totalSeconds: (insert.ms + index.ms) / 1000 };
  } finally {
    await database?.close();
    if (pgUrl && schema) await dropSchema(pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
