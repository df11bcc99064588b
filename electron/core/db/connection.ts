import knexFactory, { type Knex } from 'knex';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ensurePrivateDir, ensurePrivateFile } from '../data-dir';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** Directory holding desk.sqlite when no PostgreSQL URL is given. */
  dataDir: string;
  /** postgres://… — use PostgreSQL instead of the embedded sqlite file. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to work in (created if missing); defaults to the server's search_path. */
  schema?: string | undefined;
}

export interface Database {
  knex: Knex;
  /**
   * For long read-only queries that must not hold up everything else (the look-up's match count):
   * on sqlite a second, query-only connection to the same file (WAL lets it read while the first
   * one reads or writes, on another thread); on PostgreSQL the same pool, which has many.
   */
  reader: Knex;
  kind: DatabaseKind;
  /** Human-readable location without credentials. */
  location: string;
  close(): Promise<void>;
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'desk.sqlite');
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(invalid url)';
  }
}

/**
 * knex prints its own warnings (a refused connection as "Acquire connection error" with a stack) to
 * the console; every failure also reaches the caller as a rejected promise, which says it once, in
 * words (the CLI's one line, the app's log).
 */
const QUIET = { warn: () => {}, error: () => {}, deprecate: () => {}, debug: () => {} };

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '' && !isPostgresUrl(options.databaseUrl)) {
    throw new Error('DESK_DATABASE_URL must start with postgres:// or postgresql://');
  }
  if (isPostgresUrl(options.databaseUrl)) {
    const schema = options.schema;
    if (schema !== undefined && !SCHEMA_RE.test(schema)) throw new Error(`Invalid schema name: ${schema}`);
    const knex = knexFactory({
      client: 'pg',
      log: QUIET,
      connection: options.databaseUrl,
      pool: { min: 0, max: 10 },
      ...(schema ? { searchPath: [schema, 'public'] } : {}),
    });
    if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    return {
      knex,
      reader: knex,
      kind: 'postgres',
      location: redactUrl(options.databaseUrl) + (schema ? ` (schema ${schema})` : ''),
      close: () => knex.destroy(),
    };
  }
  ensurePrivateDir(options.dataDir);
  const filename = sqliteFile(options.dataDir);
  // sqlite makes a new database 0644 less the umask, and its -wal, -shm and -journal files with the
  // database file's own mode: an empty 0600 file made first (an empty file is an empty database)
  // keeps all of them private whatever the umask.
  ensurePrivateFile(filename);
  const knex = sqliteKnex(filename, false);
  // Opened after the first connection has switched the file to WAL (the pool makes it at once).
  await knex.raw('SELECT 1');
  const reader = sqliteKnex(filename, true);
  return {
    knex,
    reader,
    kind: 'sqlite',
    location: filename,
    close: async () => {
      await reader.destroy();
      await knex.destroy();
    },
  };
}

/** One sqlite connection (knex serialises its queries): the writer, or a query-only reader. */
function sqliteKnex(filename: string, readOnly: boolean): Knex {
  return knexFactory({
    client: 'sqlite3',
    log: QUIET,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: readOnly ? 0 : 1,
      max: 1,
      afterCreate: (conn: SqliteConn, done: (err: Error | null, conn: unknown) => void) => {
        if (!readOnly) beginImmediately(conn);
        conn.serialize(() => {
          if (readOnly) conn.run('PRAGMA query_only = ON');
          else conn.run('PRAGMA journal_mode = WAL');
          conn.run('PRAGMA foreign_keys = ON');
          conn.run('PRAGMA busy_timeout = 10000');
          conn.run(`PRAGMA cache_size = ${readOnly ? -16384 : -65536}`); // 16 / 64 MiB of page cache
          conn.run('PRAGMA synchronous = NORMAL', (err) => done(err, conn));
        });
      },
    },
  });
}

interface SqliteConn {
  serialize(fn: () => void): void;
  run(sql: string, cb?: (err: Error | null) => void): void;
  all(sql: string, ...rest: unknown[]): unknown;
}

/**
 * Every transaction on the writer begins IMMEDIATE (knex says BEGIN, which is DEFERRED): it takes
 * the database's write lock before its first read, waiting for it (busy timeout) while another
 * process writes. A deferred transaction that has read and then writes after another process
 * committed gets SQLITE_BUSY at once, without waiting, which would reach the user when two desks
 * share one file (a shared drive).
 */
function beginImmediately(conn: SqliteConn): void {
  const all = conn.all.bind(conn);
  conn.all = (sql: string, ...rest: unknown[]) => all(sql === 'BEGIN;' ? 'BEGIN IMMEDIATE;' : sql, ...rest);
}

interface PgConnection {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Run a statement prepared once per PostgreSQL connection (by name, with $1… placeholders) on one
 * of the pool's connections, without knex's query runner in between. For the look-up's exact keys,
 * where the statement itself takes a fraction of a millisecond and the runner's work around it
 * (compiling, placeholders, events) is a noticeable share of the rest.
 */
export async function pgPrepared<R>(knex: Knex, name: string, text: string, values: readonly unknown[]): Promise<R[]> {
  const client = knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<unknown> };
  const conn = await client.acquireConnection();
  try {
    return (await conn.query({ name, text, values })).rows as R[];
  } finally {
    await client.releaseConnection(conn);
  }
}

/**
 * A knex query run as a prepared statement (see pgPrepared), named after its text: the same shape
 * of query (the values are parameters) is planned once per connection rather than every time.
 * Only for shapes that come in a small, fixed number of variants, since each connection keeps
 * every statement it prepared.
 */
export function pgPreparedBuilder<R>(knex: Knex, qb: Knex.QueryBuilder): Promise<R[]> {
  const { sql, bindings } = qb.toSQL().toNative();
  return pgPrepared<R>(knex, `desk_q_${createHash('sha256').update(sql).digest('base64url').slice(0, 32)}`, sql, bindings);
}

export function databaseKind(knex: Knex): DatabaseKind {
  const configured = (knex.client as { config?: { client?: unknown } }).config?.client;
  const client = typeof configured === 'string' ? configured : '';
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'postgres' : 'sqlite';
}
