/**
 * PostgreSQL's bulk way in: `COPY table (columns) FROM STDIN` in text format, streamed by
 * pg-copy-streams over the caller's own transaction's connection. The rows travel as tab-separated
 * lines the server reads with each column's own input function, so no JSON is built in Node and
 * none is parsed on the server, and nothing is returned. The table's constraints hold as for an
 * INSERT: a duplicate fails the COPY, and with it the transaction.
 */
import type { Knex } from 'knex';
import type { ClientBase } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Lines handed to the stream at once: big enough that the stream's overhead does not count. */
const LINES_PER_CHUNK = 500;

/** One value in COPY's text format: `\N` for null, t/f for booleans, dates as ISO text, text with its four specials escaped. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') throw new TypeError(`COPY takes text, numbers, booleans and dates, not ${typeof value}`);
  const s = value;
  // The common case (names, numbers, addresses, dates) has none of them: no copy of the string.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function* copyLines(columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + copyText(row[columns[i]!]);
    chunk += line + '\n';
    if (++n === LINES_PER_CHUNK) {
      yield chunk;
      chunk = '';
      n = 0;
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Copy rows into a table, in the transaction's connection (its COPY is part of the transaction: a
 * rollback takes it back). Every row has the given columns; an absent value is written as NULL.
 */
export async function copyRows(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): Promise<void> {
  if (rows.length === 0) return;
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`Not a plain identifier for COPY: ${name}`);
  }
  // Inside a transaction knex hands out the one connection the transaction holds, and releasing it is a no-op.
  const client = trx.client as { acquireConnection(): Promise<ClientBase> };
  const connection = await client.acquireConnection();
  const ingest = connection.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyLines(columns, rows), { objectMode: false }), ingest);
}
