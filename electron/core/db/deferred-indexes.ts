import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { databaseKind } from './connection';

/**
 * Loading an empty desk (the first HR import, millions of employees): the look-up's secondary
 * indexes are dropped for the load and built once at the end. Inserting rows into a dozen b-trees
 * in random key order costs several times what building each b-tree once from sorted keys does
 * (and on sqlite every page a batch touches goes through the WAL again).
 *
 * Only what no rule depends on is deferred: the primary keys and every UNIQUE index stay, so
 * employee numbers, usernames and addresses per employee stay unique throughout. The definitions
 * are read from the database itself (so what is rebuilt is exactly what the migrations made) and
 * kept, in the same transaction that drops them, in the settings row DEFERRED_INDEXES_KEY. Every
 * step is one transaction: a process killed during the load leaves the marker, and the next open
 * of the database (openDeskCore) or the next import builds the indexes before anything else.
 */
const DEFERRED_INDEXES_KEY = 'db.deferredIndexes';

const TABLES = ['employees', 'employee_emails'] as const;

export interface DeferredIndexes {
  /** What deferred them, e.g. "hr import 42". */
  reason: string;
  at: string;
  /** The CREATE statements, in the order to run them. */
  statements: string[];
}

export type IndexProgress = (done: number, total: number) => void;

type Q = Knex | Knex.Transaction;

async function readMarker(q: Q): Promise<DeferredIndexes | null> {
  const row = await q('settings').where({ key: DEFERRED_INDEXES_KEY }).first<{ value: string } | undefined>('value');
  return row ? (JSON.parse(row.value) as DeferredIndexes) : null;
}

/**
 * One process at a time defers or builds (two loads starting together, a desk opening while a load
 * builds): sqlite's write lock, taken by a first write; on PostgreSQL a transaction-scoped lock.
 */
async function lockMarker(trx: Knex.Transaction): Promise<void> {
  if (databaseKind(trx) === 'postgres') await trx.raw("SELECT pg_advisory_xact_lock(hashtext('mfa-desk.deferred-indexes'))");
  else await trx('settings').where({ key: DEFERRED_INDEXES_KEY }).update({ key: DEFERRED_INDEXES_KEY });
}

/** The look-up's secondary (non-unique) indexes and, on sqlite, the full-text triggers, as defined now. */
async function secondaryObjects(q: Q): Promise<Array<{ kind: 'index' | 'trigger'; name: string; sql: string }>> {
  if (databaseKind(q) === 'postgres') {
    const r = await q.raw<{ rows: Array<{ name: string; sql: string }> }>(
      `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
         JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = current_schema()::regnamespace
         JOIN pg_index x ON x.indexrelid = c.oid
       WHERE i.schemaname = current_schema() AND i.tablename IN (${TABLES.map(() => '?').join(', ')})
         AND NOT x.indisunique AND NOT x.indisprimary
       ORDER BY i.indexname`,
      [...TABLES],
    );
    return r.rows.map((x) => ({ kind: 'index' as const, ...x }));
  }
  const rows = await q.raw<Array<{ kind: 'index' | 'trigger'; name: string; sql: string }>>(
    `SELECT m.type AS kind, m.name AS name, m.sql AS sql FROM sqlite_master m
     WHERE m.tbl_name IN (${TABLES.map(() => '?').join(', ')}) AND m.sql IS NOT NULL
       AND ((m.type = 'index' AND m.sql NOT LIKE 'CREATE UNIQUE%') OR (m.type = 'trigger' AND m.name LIKE 'employees\\_fts\\_%' ESCAPE '\\'))
     ORDER BY m.type, m.name`,
    [...TABLES],
  );
  return rows;
}

/**
 * Drop the secondary indexes for a load, with the marker. Returns false (and changes nothing) when
 * they are already deferred, e.g. by a load in another process.
 */
export async function deferIndexes(db: Knex, clock: Clock, reason: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    await lockMarker(trx);
    if (await readMarker(trx)) return false;
    const objects = await secondaryObjects(trx);
    // Indexes first, then the triggers (which refer to the full-text table, built after them).
    const statements = [...objects.filter((o) => o.kind === 'index'), ...objects.filter((o) => o.kind === 'trigger')].map((o) => o.sql);
    const marker: DeferredIndexes = { reason, at: clock.now().toISOString(), statements };
    await trx('settings').insert({ key: DEFERRED_INDEXES_KEY, value: JSON.stringify(marker), updated_at: marker.at });
    for (const o of objects) await trx.raw(`DROP ${o.kind === 'index' ? 'INDEX' : 'TRIGGER'} ??`, [o.name]);
    return true;
  });
}

/** Whether a load has the indexes deferred now (or left them so). */
export async function deferredIndexes(db: Knex): Promise<DeferredIndexes | null> {
  return readMarker(db);
}

/**
 * Build what deferIndexes dropped and clear the marker. Each index is built in a transaction of its
 * own that also takes it off the marker, so the write lock is never held for more than one index
 * (other desks' writes queue behind one build, not all of them), and a process stopped midway
 * leaves a marker naming exactly what is still missing. The last step creates sqlite's full-text
 * triggers and rebuilds the full-text index from the rows, with the marker's removal. Nothing to
 * do without a marker. Returns whether it built anything.
 */
export async function restoreIndexes(db: Knex, onProgress?: IndexProgress): Promise<boolean> {
  const postgres = databaseKind(db) === 'postgres';
  let total: number | null = null;
  let done = 0;
  for (;;) {
    const step = await db.transaction(async (trx): Promise<'none' | 'more' | 'finished'> => {
      await lockMarker(trx);
      const marker = await readMarker(trx);
      if (!marker) return 'none';
      const isTrigger = (sql: string) => /^CREATE\s+TRIGGER\b/i.test(sql);
      const indexes = marker.statements.filter((sql) => !isTrigger(sql));
      if (total === null) {
        total = indexes.length + 1;
        onProgress?.(0, total);
      }
      if (indexes.length > 0) {
        // Building a b-tree or the trigram index sorts every key: give the sort memory for this
        // transaction only (PostgreSQL's default of 64 MB spills a 2,000,000-row build to disk).
        if (postgres) await trx.raw("SET LOCAL maintenance_work_mem = '256MB'");
        await trx.raw(indexes[0]!);
        const rest = marker.statements.filter((sql) => sql !== indexes[0]);
        await trx('settings').where({ key: DEFERRED_INDEXES_KEY }).update({ value: JSON.stringify({ ...marker, statements: rest }) });
        return 'more';
      }
      for (const sql of marker.statements) await trx.raw(sql);
      if (!postgres) await trx.raw("INSERT INTO employee_fts(employee_fts) VALUES ('rebuild')");
      await trx('settings').where({ key: DEFERRED_INDEXES_KEY }).delete();
      return 'finished';
    });
    if (step === 'none') break;
    done++;
    onProgress?.(done, total ?? done);
    if (step === 'finished') break;
  }
  const built = done > 0;
  // PostgreSQL plans from statistics that autovacuum would bring up to date only later: the tables
  // went from empty to their full size, so gather them now.
  if (built && postgres) await db.raw('ANALYZE employees, employee_emails');
  return built;
}
