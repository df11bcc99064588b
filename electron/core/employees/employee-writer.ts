/**
 * The one writer of employee rows and their addresses on record. It fills in the columns derived
 * from the record (the two sort keys, the search text, an address's lower-case form), so the HR
 * import, the demo seed and the tests' fixtures write the same values for the same record.
 */
import type { Knex } from 'knex';
import type { EmailKind, EmployeeStatus, MfaState } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { databaseKind } from '../db/connection';
import { copyRows } from '../db/pg-copy';

type Q = Knex | Knex.Transaction;

/** What the search text covers: names, employee number, username and every address on record. */
export interface SearchFields {
  firstName: string;
  lastName: string;
  employeeNumber: string;
  username: string;
  /** Every address on record, work before personal, then in the order they were added. */
  emails: readonly string[];
}

/** The lower-case text the substring index covers. */
export function buildSearchDoc(e: SearchFields): string {
  return [e.firstName, e.lastName, e.employeeNumber, e.username, ...e.emails].join(' ').toLowerCase();
}

/** lower(last first): the list's order and surname prefixes. */
export function buildSortName(firstName: string, lastName: string): string {
  return `${lastName} ${firstName}`.toLowerCase();
}

/** lower(first last): first-name prefixes. */
export function buildGivenSort(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.toLowerCase();
}

/** The text columns that name an employee: what every list of employees shows of them. */
export const NAMING_COLUMNS = ['employee_number', 'first_name', 'last_name', 'username', 'organisation', 'department'] as const;

/** The columns HR gives for an employee; the CSV extract names its columns the same. */
export const HR_RECORD_COLUMNS = [...NAMING_COLUMNS, 'job_title', 'status', 'leaving_date', 'internet_access_approved'] as const;

/** The look-up flags, as the employee's factors and code lock set them. */
export interface MfaFlags {
  mfaEnabledAt: string | null;
  mfaState: MfaState;
  hasApp: boolean;
  hasEmail: boolean;
  pendingRegistration: boolean;
  locked: boolean;
}

const NO_MFA: MfaFlags = { mfaEnabledAt: null, mfaState: 'not_registered', hasApp: false, hasEmail: false, pendingRegistration: false, locked: false };

export interface NewEmployee extends SearchFields {
  /** Given only by a loader that numbers rows itself under the write lock; a bulk insert gives all or none. */
  id?: number;
  organisation: string;
  department: string;
  jobTitle?: string;
  status?: EmployeeStatus;
  leavingDate?: string | null;
  internetAccessApproved?: boolean;
  /** A new record has no factors unless a loader made them with it. */
  mfa?: MfaFlags;
  createdAt: string;
  updatedAt?: string;
  /** The HR import's fingerprint of the row it made this record from (hr/row-hash.ts), version 1. */
  hrHash?: string;
}

/** An employees row as written. */
export type EmployeeInsertRow = Record<(typeof NAMING_COLUMNS)[number] | 'job_title' | 'sort_name' | 'given_sort' | 'search_doc' | 'created_at' | 'updated_at', string> & {
  id?: number;
  status: EmployeeStatus;
  leaving_date: string | null;
  internet_access_approved: boolean;
  mfa_enabled_at: string | null;
  version: number;
  mfa_state: MfaState;
  has_app: boolean;
  has_email: boolean;
  pending_registration: boolean;
  locked: boolean;
  hr_hash?: string;
};

/** A new employee's row, derived columns included (pure: for bulk loads that insert many at once). */
export function employeeRow(e: NewEmployee): EmployeeInsertRow {
  const mfa = e.mfa ?? NO_MFA;
  const row: EmployeeInsertRow = {
    employee_number: e.employeeNumber,
    first_name: e.firstName,
    last_name: e.lastName,
    username: e.username,
    organisation: e.organisation,
    department: e.department,
    job_title: e.jobTitle ?? '',
    status: e.status ?? 'active',
    leaving_date: e.leavingDate ?? null,
    internet_access_approved: e.internetAccessApproved ?? false,
    mfa_enabled_at: mfa.mfaEnabledAt,
    version: 1,
    sort_name: buildSortName(e.firstName, e.lastName),
    given_sort: buildGivenSort(e.firstName, e.lastName),
    search_doc: buildSearchDoc(e),
    mfa_state: mfa.mfaState,
    has_app: mfa.hasApp,
    has_email: mfa.hasEmail,
    pending_registration: mfa.pendingRegistration,
    locked: mfa.locked,
    created_at: e.createdAt,
    updated_at: e.updatedAt ?? e.createdAt,
  };
  if (e.id !== undefined) row.id = e.id;
  if (e.hrHash !== undefined) row.hr_hash = e.hrHash;
  return row;
}

export interface NewEmail {
  id?: number;
  employeeId: number;
  kind: EmailKind;
  address: string;
  source?: 'hr' | 'manager';
  usedForCodes?: boolean;
  createdAt: string;
  updatedAt?: string;
}

/** An employee_emails row as written. */
export interface EmailInsertRow {
  id?: number;
  employee_id: number;
  kind: EmailKind;
  address: string;
  address_lc: string;
  used_for_codes: boolean;
  source: 'hr' | 'manager';
  created_at: string;
  updated_at: string;
}

/** An address on record's row, its look-up form included (pure, as employeeRow). */
export function emailRow(m: NewEmail): EmailInsertRow {
  const row: EmailInsertRow = {
    employee_id: m.employeeId,
    kind: m.kind,
    address: m.address,
    address_lc: m.address.toLowerCase(),
    used_for_codes: m.usedForCodes ?? false,
    source: m.source ?? 'hr',
    created_at: m.createdAt,
    updated_at: m.updatedAt ?? m.createdAt,
  };
  if (m.id !== undefined) row.id = m.id;
  return row;
}

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
