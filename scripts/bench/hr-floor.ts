/**
 * The floor under the HR import goal: what the database alone needs, on this machine, to take the
 * very rows a first load wrote (its employees and their addresses on record, every column as the
 * import filled it) into an empty desk and build the look-up's indexes, with no CSV, no checks and
 * no application code at all. The rows are taken from the first load's desk once it has finished
 * (captureFloorSource, not timed) into a table of their own; the floor then moves them into an
 * empty desk by one INSERT … SELECT per table, in the order the load wrote them (so its keys are
 * as scattered, its names and addresses as varied), and builds the indexes exactly as a real load
 * into an empty desk does (deferIndexes / restoreIndexes). A real import of that extract cannot be
 * faster than this; when the floor is above a goal, the goal is out of reach here.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
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

/** The rows a first load wrote, kept apart from its desk: a sqlite file, or a PostgreSQL schema. */
export interface FloorSource {
  kind: 'sqlite' | 'postgres';
  /** The sqlite file, or the schema's name. */
  where: string;
  employees: number;
  pgUrl?: string;
  dispose(): Promise<void>;
}

const TABLES = ['employees', 'employee_emails'] as const;
const SOURCE = 'floor_src';

/**
 * Copy a finished first load's employees and addresses out of its desk (`db`), in id order, for the
 * floor. Not timed. sqlite: into a file of their own in `dir`; PostgreSQL: into a schema of their own.
 */
export async function captureFloorSource(db: Knex, kind: 'sqlite' | 'postgres', dir: string, pgUrl?: string): Promise<FloorSource> {
  let where: string;
  if (kind === 'sqlite') {
    where = path.join(dir, `floor-source-${crypto.randomBytes(4).toString('hex')}.sqlite`);
    // The writer is one connection: what is attached here is attached for the statements below.
    await db.raw('ATTACH DATABASE ? AS ??', [where, SOURCE]);
    try {
      for (const t of TABLES) await db.raw(`CREATE TABLE ${SOURCE}.${t} AS SELECT * FROM main.${t} ORDER BY id`);
    } finally {
      await db.raw('DETACH DATABASE ??', [SOURCE]);
    }
  } else {
    where = `bench_floor_src_${crypto.randomBytes(4).toString('hex')}`;
    await db.raw('CREATE SCHEMA ??', [where]);
    for (const t of TABLES) await db.raw(`CREATE TABLE ??.?? AS SELECT * FROM ?? ORDER BY id`, [where, t, t]);
  }
  const employees = Number(((await db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
  return {
    kind,
    where,
    employees,
    ...(pgUrl ? { pgUrl } : {}),
    dispose: async () => {
      if (kind === 'sqlite') fs.rmSync(where, { force: true });
      else if (pgUrl) await dropSchema(pgUrl, where);
    },
  };
}

/** A table's columns, as the migrations made them. */
async function columnsOf(db: Knex, kind: 'sqlite' | 'postgres', table: string): Promise<string[]> {
  if (kind === 'sqlite') return (await db.raw<Array<{ name: string }>>('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table])).map((c) => c.name);
  const r = await db.raw<{ rows: Array<{ name: string }> }>(
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
    [table],
  );
  return r.rows.map((c) => c.name);
}

/** Into an empty desk of its own: the source's rows by INSERT … SELECT (timed), then the indexes (timed). */
export async function measureImportFloor(source: FloorSource, workDir: string): Promise<ImportFloor> {
  const dataDir = fs.mkdtempSync(path.join(workDir, 'floor-'));
  const schema = source.kind === 'postgres' ? `bench_floor_${crypto.randomBytes(4).toString('hex')}` : undefined;
  let database: Database | undefined;
  try {
    database = await openDatabase({ dataDir, databaseUrl: source.pgUrl, schema });
    if (database.kind !== source.kind) throw new Error(`the floor's source is ${source.kind}, its desk ${database.kind}`);
    await migrateToLatest(database.knex);
    const db = database.knex;
    const kind = database.kind;
    if (!(await deferIndexes(db, systemClock, 'benchmark floor'))) throw new Error('the indexes were already deferred');
    const from = kind === 'sqlite' ? SOURCE : source.where;
    if (kind === 'sqlite') await db.raw('ATTACH DATABASE ? AS ??', [source.where, SOURCE]);
    const columns = new Map<string, string>();
    for (const t of TABLES) columns.set(t, (await columnsOf(db, kind, t)).map((c) => db.raw('??', [c]).toQuery()).join(', '));
    const insert = await timed(async () => {
      await db.transaction(async (trx) => {
        for (const t of TABLES) await trx.raw(`INSERT INTO ?? (${columns.get(t)}) SELECT ${columns.get(t)} FROM ??.?? ORDER BY id`, [t, from, t]);
      });
    });
    if (kind === 'sqlite') await db.raw('DETACH DATABASE ??', [SOURCE]);
    const index = await timed(() => restoreIndexes(db));
    const count = Number(((await db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    if (count !== source.employees) throw new Error(`the floor inserted ${count} employees, not ${source.employees}`);
    return { insertSeconds: insert.ms / 1000, indexSeconds: index.ms / 1000, totalSeconds: (insert.ms + index.ms) / 1000 };
  } finally {
    await database?.close();
    if (source.pgUrl && schema) await dropSchema(source.pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
