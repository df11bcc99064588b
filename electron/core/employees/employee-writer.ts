/**
 * The one writer of employee rows and their addresses on record. The rows come from
 * employee-rows.ts, which fills in the columns derived from the record (the two sort keys, the
 * search text, an address's lower-case form), so the HR import, the demo seed and the tests'
 * fixtures write the same values for the same record.
 */
import type { Knex } from 'knex';
import type { EmailKind } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { databaseKind } from '../db/connection';
import { copyFields } from '../db/copy-text';
import { copyChunks, copyRows, inChunks } from '../db/pg-copy';
import {
  buildGivenSort,
  buildSearchDoc,
  buildSortName,
  emailRow,
  employeeRow,
  joinJson,
  PER_ROW_COLUMNS,
  type EmailInsertRow,
  type EmployeeInsertRow,
  type EncodedEmployee,
  type EncodingFormat,
  type JoinedEmployees,
  type NewEmployee,
  type SearchFields,
} from './employee-rows';

export {
  buildGivenSort,
  buildSearchDoc,
  buildSortName,
  emailRow,
  employeeRow,
  encodeNewEmployee,
  type EncodingFormat,
  HR_RECORD_COLUMNS,
  NAMING_COLUMNS,
  type EmailInsertRow,
  type EmployeeInsertRow,
  type EncodedEmployee,
  type JoinedEmployees,
  joinJson,
  type MfaFlags,
  type NewEmail,
  type NewEmployee,
  type SearchFields,
} from './employee-rows';

type Q = Knex | Knex.Transaction;

/**
 * Insert many rows with one parameter (sqlite): the rows as JSON, an array of arrays read through
 * JSONB, so no row's text is parsed twice. Binding tens of thousands of separate parameters costs
 * more than the insert itself; one string costs next to nothing.
 */
async function insertJson<R extends object>(q: Q, table: string, rows: readonly R[], returning?: readonly string[]): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((_c, i) => `value ->> ${i}`).join(', ')} FROM jsonb_each(jsonb(?))`;
  const json = JSON.stringify(rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? null)));
  const res = await q.raw<Array<Record<string, unknown>>>(sql + (returning ? ` RETURNING ${returning.join(', ')}` : ''), [json]);
  return returning ? res : [];
}

/** Run in the caller's transaction, or in one of its own (COPY belongs to one connection). */
function inTransaction<T>(q: Q, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return 'isTransaction' in q && q.isTransaction ? work(q as Knex.Transaction) : q.transaction(work);
}

/**
 * Copy rows into a table (PostgreSQL): COPY FROM STDIN, which the server reads with each column's
 * own input function and no statement to plan; the rows' columns are those of the first row.
 */
async function copyInto<R extends object>(q: Q, table: string, rows: readonly R[]): Promise<void> {
  if (rows.length === 0) return;
  await inTransaction(q, (trx) => copyRows(trx, table, Object.keys(rows[0]!), rows as ReadonlyArray<Record<string, unknown>>));
}

/** Insert employee rows (from employeeRow) in one statement. */
export async function insertEmployees(q: Q, rows: readonly EmployeeInsertRow[]): Promise<void> {
  if (databaseKind(q) === 'postgres') await copyInto(q, 'employees', rows);
  else await insertJson(q, 'employees', rows);
}

/**
 * Insert employee rows the database numbers, in one statement; their ids by employee number. On
 * PostgreSQL the ids are drawn from the table's own sequence first (one statement for them all,
 * in ascending order as the rows come), then the rows are copied in with them.
 */
export async function insertEmployeesForIds(q: Q, rows: readonly EmployeeInsertRow[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  if (databaseKind(q) !== 'postgres') {
    const inserted = await insertJson(q, 'employees', rows, ['id', 'employee_number']);
    return new Map(inserted.map((x) => [String(x.employee_number), Number(x.id)]));
  }
  return inTransaction(q, async (trx) => {
    const drawn = await trx.raw<{ rows: Array<{ id: string | number }> }>(
      "SELECT nextval(pg_get_serial_sequence('employees', 'id')) AS id FROM generate_series(1, ?)",
      [rows.length],
    );
    const ids = drawn.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    await copyInto(trx, 'employees', rows.map((r, i) => ({ ...r, id: ids[i]! })));
    return new Map(rows.map((r, i) => [r.employee_number, ids[i]!]));
  });
}

/** The bulk format insertEncodedEmployees takes on this database. */
export function encodingFor(q: Q): EncodingFormat {
  return databaseKind(q) === 'postgres' ? 'copy' : 'json';
}

/**
 * Insert new employees and their addresses, from encodeNewEmployee's rows in the database's format
 * (encodingFor), in two statements: the employees, then their addresses. The caller's transaction
 * holds the write lock (on sqlite the writer begins IMMEDIATE; on PostgreSQL the caller holds the
 * lock every bulk loader of employees takes, hr/batch-apply.ts lockForBatch), so the ids are
 * numbered here, after the highest the table has ever given, in the order given: nothing comes
 * back from the database, and each address's row finds its employee's id by the employee's place
 * in the list. Returns the first id given.
 */
export async function insertEncodedEmployees(trx: Knex.Transaction, encoded: readonly EncodedEmployee[], createdAt: string): Promise<number> {
  if (encoded.length === 0) return 0;
  const format = encodingFor(trx);
  if (encoded.some((e) => e.format !== format)) throw new Error(`insertEncodedEmployees takes ${format} rows on this database`);
  if (format === 'copy') return copyEncodedEmployees(trx, encoded as ReadonlyArray<Extract<EncodedEmployee, { format: 'copy' }>>, sharedColumns(createdAt));
  const json = encoded as ReadonlyArray<Extract<EncodedEmployee, { format: 'json' }>>;
  return insertJoinedEmployees(
    trx,
    joinJson(
      json.map((e) => e.row),
      json.map((e) => e.emails),
    ),
    createdAt,
  );
}

/** What every new record (and every address of one) gets alike: the columns, their values. */
function sharedColumns(createdAt: string): { fixed: Record<string, unknown>; same: string[]; mail: EmailInsertRow } {
  const fixed = employeeRow({ employeeNumber: '', firstName: '', lastName: '', username: '', organisation: '', department: '', emails: [], createdAt }) as Record<string, unknown>;
  const same = Object.keys(fixed).filter((c) => !(PER_ROW_COLUMNS as readonly string[]).includes(c));
  return { fixed, same, mail: emailRow({ employeeId: 0, kind: 'work', address: '', createdAt }) };
}

/**
 * Bytes bound as a parameter without a copy: the driver binds a Buffer as a blob, which the
 * statements read as text (CAST(? AS TEXT): UTF-8, as the database is; jsonb() would take a blob
 * for JSONB).
 */
function asBlob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * insertEncodedEmployees on sqlite, from rows already joined (joinJson): one parameter per
 * statement. `leaveOut` names rows not to insert, by their place in the list (ascending): the
 * others keep their order and take consecutive ids, as if the list had held them alone.
 */
export async function insertJoinedEmployees(trx: Knex.Transaction, joined: JoinedEmployees, createdAt: string, leaveOut: readonly number[] = []): Promise<number> {
  if (databaseKind(trx) !== 'sqlite') throw new Error('insertJoinedEmployees takes json rows, which only sqlite reads');
  if (joined.count - leaveOut.length <= 0) return 0;
  const { fixed, same, mail } = sharedColumns(createdAt);
  const top = await trx.raw<Array<{ top: number }>>(
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'employees'), 0), coalesce((SELECT max(id) FROM employees), 0)) AS top",
  );
  const base = Number(top[0]!.top);
  // A row's id: after the highest, by its place among the rows kept. The places left out are read
  // once into a small table (a handful per batch, as a rule), which each row's id counts below it.
  const skip = leaveOut.length > 0 ? JSON.stringify(leaveOut) : null;
  const skipTable = skip ? 'WITH skip(place) AS MATERIALIZED (SELECT value FROM json_each(?)) ' : '';
  const idOf = (key: string) => (skip ? `? + ${key} + 1 - (SELECT count(*) FROM skip WHERE place < ${key})` : `? + ${key} + 1`);
  const kept = (key: string) => (skip ? `WHERE ${key} NOT IN skip` : '');
  const skips = skip ? [skip] : [];
  await trx.raw(
    `${skipTable}INSERT INTO employees (id, ${PER_ROW_COLUMNS.join(', ')}, ${same.join(', ')})
     SELECT ${idOf('r.key')}, ${PER_ROW_COLUMNS.map((_c, i) => `r.value ->> ${i}`).join(', ')}, ${same.map(() => '?').join(', ')} FROM jsonb_each(jsonb(CAST(? AS TEXT))) AS r ${kept('r.key')}`,
    [...skips, base, ...same.map((c) => fixed[c] as Knex.Value), asBlob(joined.rows)],
  );
  await trx.raw(
    `${skipTable}INSERT INTO employee_emails (employee_id, kind, address, address_lc, used_for_codes, source, created_at, updated_at)
     SELECT ${idOf('e.key')}, m.value ->> 0, m.value ->> 1, m.value ->> 2, ?, ?, ?, ?
     FROM jsonb_each(jsonb(CAST(? AS TEXT))) AS e, jsonb_each(e.value) AS m ${kept('e.key')}`,
    [...skips, base, mail.used_for_codes, mail.source, mail.created_at, mail.updated_at, asBlob(joined.emails)],
  );
  return base + 1;
}

/**
 * insertEncodedEmployees on PostgreSQL: the ids taken from the table's sequence at once (one
 * statement moves it past them all, instead of a nextval per row), then the rows copied in with
 * them, the values every new record shares added once per batch.
 */
async function copyEncodedEmployees(
  trx: Knex.Transaction,
  encoded: ReadonlyArray<Extract<EncodedEmployee, { format: 'copy' }>>,
  shared: { fixed: Record<string, unknown>; same: string[]; mail: EmailInsertRow },
): Promise<number> {
  const taken = await trx.raw<{ rows: Array<{ top: string | number }> }>(
    `WITH s AS (SELECT pg_get_serial_sequence('employees', 'id')::regclass AS seq),
          t AS (SELECT seq, GREATEST(COALESCE(pg_sequence_last_value(seq), 0), COALESCE((SELECT max(id) FROM employees), 0)) AS top FROM s)
     SELECT top, setval(seq, top + ?) FROM t`,
    [encoded.length],
  );
  const base = Number(taken.rows[0]!.top);
  const rowTail = '\t' + copyFields(shared.same.map((c) => shared.fixed[c]));
  await copyChunks(trx, 'employees', ['id', ...PER_ROW_COLUMNS, ...shared.same], inChunks(encoded.keys(), (i) => `${base + i + 1}\t${encoded[i]!.row}${rowTail}`));
  const m = shared.mail;
  const mailTail = '\t' + copyFields([m.used_for_codes, m.source, m.created_at, m.updated_at]);
  function* addresses(): Generator<string> {
    for (let i = 0; i < encoded.length; i++) {
      for (const a of encoded[i]!.emails) yield `${base + i + 1}\t${a}${mailTail}`;
    }
  }
  await copyChunks(trx, 'employee_emails', ['employee_id', 'kind', 'address', 'address_lc', 'used_for_codes', 'source', 'created_at', 'updated_at'], inChunks(addresses(), (line) => line));
  return base + 1;
}

/** Insert address rows (from emailRow) in one statement. */
export async function insertEmails(q: Q, rows: readonly EmailInsertRow[]): Promise<void> {
  if (databaseKind(q) === 'postgres') await copyInto(q, 'employee_emails', rows);
  else await insertJson(q, 'employee_emails', rows);
}

/**
 * Insert one employee with their addresses on record (the fixtures' way in); their id. The search
 * text lists the addresses work first, as refreshing it from the table would.
 */
export async function insertEmployee(
  q: Q,
  e: Omit<NewEmployee, 'emails'> & { emails: ReadonlyArray<{ kind: EmailKind; address: string }> },
): Promise<number> {
  const emails = [...e.emails.filter((m) => m.kind === 'work'), ...e.emails.filter((m) => m.kind !== 'work')];
  const id = (await insertEmployeesForIds(q, [employeeRow({ ...e, emails: emails.map((m) => m.address.toLowerCase()) })])).get(e.employeeNumber)!;
  await insertEmails(
    q,
    e.emails.map((m) => emailRow({ employeeId: id, kind: m.kind, address: m.address, createdAt: e.createdAt, updatedAt: e.updatedAt })),
  );
  return id;
}

/**
 * The derived columns a change of the record must also write: the sort keys when a name changed,
 * the search text when it differs (on sqlite writing it re-indexes the row, so an equal one is not written).
 */
export function derivedChanges(
  before: { first_name: string; last_name: string; search_doc: string },
  after: SearchFields,
): Partial<Pick<EmployeeInsertRow, 'sort_name' | 'given_sort' | 'search_doc'>> {
  const set: Partial<Pick<EmployeeInsertRow, 'sort_name' | 'given_sort' | 'search_doc'>> = {};
  if (before.first_name !== after.firstName || before.last_name !== after.lastName) {
    set.sort_name = buildSortName(after.firstName, after.lastName);
    set.given_sort = buildGivenSort(after.firstName, after.lastName);
  }
  const searchDoc = buildSearchDoc(after);
  if (searchDoc !== before.search_doc) set.search_doc = searchDoc;
  return set;
}

/** Write a change of an employee's record (its derived columns included, see derivedChanges): a new version. */
export async function updateEmployee(q: Q, id: number, set: Record<string, unknown>, now: string): Promise<void> {
  await q('employees')
    .where({ id })
    .update({ ...set, version: q.raw('version + 1'), updated_at: now });
}

/**
 * updateEmployee for many records at once. On PostgreSQL, one statement per set of changed columns
 * (and per 1,000 records): the new values travel as one JSON parameter, typed by the table's own
 * row type, instead of one statement and round trip per record (a nightly HR feed of 2,000,000 rows
 * changes 20,000 records). On sqlite, which has no round trip, one statement per record.
 */
export async function updateEmployees(q: Q, updates: ReadonlyArray<{ id: number; set: Record<string, unknown> }>, now: string): Promise<void> {
  if (databaseKind(q) !== 'postgres') {
    for (const u of updates) await updateEmployee(q, u.id, u.set, now);
    return;
  }
  const bySet = new Map<string, Array<Record<string, unknown>>>();
  for (const u of updates) {
    const key = Object.keys(u.set).sort().join(',');
    const group = bySet.get(key) ?? [];
    group.push({ ...u.set, id: u.id });
    bySet.set(key, group);
  }
  for (const [key, group] of bySet) {
    const columns = key === '' ? [] : key.split(',');
    const assignments = [...columns.map(() => '?? = j.??'), 'version = e.version + 1', 'updated_at = ?'].join(', ');
    for (let i = 0; i < group.length; i += 1000) {
      await q.raw(
        `UPDATE employees AS e SET ${assignments} FROM json_populate_recordset(NULL::employees, ?) AS j WHERE e.id = j.id`,
        [...columns.flatMap((c) => [c, c]), now, JSON.stringify(group.slice(i, i + 1000))],
      );
    }
  }
}

/** Free an employee's username for another in the same transaction (it gets its own later). */
export async function releaseUsername(q: Q, id: number): Promise<void> {
  await q('employees').where({ id }).update({ username: `~${id}` });
}

/**
 * Rebuild the employee's search_doc from their row and the emails on record now (address_lc), in
 * the caller's transaction. Every writer of employee_emails calls this, so the substring search
 * (and on sqlite the FTS index, which a trigger keeps on search_doc) follows the addresses.
 */
export async function refreshSearchDoc(db: Knex | Knex.Transaction, employeeId: number): Promise<string> {
  const e = await db('employees').where({ id: employeeId }).first<| { first_name: string; last_name: string; employee_number: string; username: string }
    | undefined>('first_name', 'last_name', 'employee_number', 'username');
  if (!e) throw new DeskError('NOT_FOUND', `No employee with id ${employeeId}`);
  const emails: Array<{ address_lc: string }> = await db('employee_emails')
    .where({ employee_id: employeeId })
    .orderBy('kind', 'desc')
    .orderBy('id')
    .select('address_lc');
  const doc = buildSearchDoc({
    firstName: e.first_name,
    lastName: e.last_name,
    employeeNumber: e.employee_number,
    username: e.username,
    emails: emails.map((m) => m.address_lc),
  });
  await db('employees').where({ id: employeeId }).update({ search_doc: doc });
  return doc;
}
