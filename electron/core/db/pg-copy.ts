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
import { copyFields } from './copy-text';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Lines handed to the stream at once: big enough that the stream's overhead does not count. */
const LINES_PER_CHUNK = 500;

function* copyLines(columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Generator<string> {
  yield* inChunks(rows, (row) => copyFields(columns.map((c) => row[c])));
}

/** Items as COPY lines (`line` gives one's fields), LINES_PER_CHUNK lines to a string. */
export function* inChunks<T>(items: Iterable<T>, line: (item: T) => string): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const item of items) {
    chunk += line(item) + '\n';
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
  await copyChunks(trx, table, columns, copyLines(columns, rows));
}

/**
 * Copy lines already in COPY's text format (each ending in a new line, any number to a string)
 * into a table's given columns, as copyRows does.
 */
export async function copyChunks(trx: Knex.Transaction, table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void> {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`Not a plain identifier for COPY: ${name}`);
  }
  // Inside a transaction knex hands out the one connection the transaction holds, and releasing it is a no-op.
  const client = trx.client as { acquireConnection(): Promise<ClientBase> };
  const connection = await client.acquireConnection();
  const ingest = connection.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks, { objectMode: false }), ingest);
}
