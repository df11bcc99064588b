/**
 * An employee's and an address's rows as written, with the columns derived from the record (the two
 * sort keys, the search text, an address's lower-case form). Pure, with no database at hand, so the
 * HR import's reader thread can encode new employees' rows off the main thread; employee-writer.ts
 * writes them.
 */
import type { EmailKind, EmployeeStatus, MfaState } from '../../../shared/domain';
import { copyFields } from '../db/copy-text';

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

/** The columns of a new employee's row that differ from row to row; the rest are the same for all new records. */
export const PER_ROW_COLUMNS = ['employee_number', 'first_name', 'last_name', 'username', 'organisation', 'department', 'job_title', 'status', 'leaving_date', 'internet_access_approved', 'sort_name', 'given_sort', 'search_doc', 'hr_hash'] as const;

/**
 * A new employee as insertEncodedEmployees takes them, in the database's own bulk format: on sqlite
 * JSON (one parameter for all rows), on PostgreSQL COPY's text format (copy-text.ts).
 */
export type EncodedEmployee =
  | {
      format: 'json';
      /** The values of PER_ROW_COLUMNS, as employeeRow gives them, as a JSON array. */
      row: string;
      /** [kind, address, lower-case address] per address, as a JSON array. */
      emails: string;
    }
  | {
      format: 'copy';
      /** The values of PER_ROW_COLUMNS as one COPY line's fields (no line end). */
      row: string;
      /** Per address: kind, address, lower-case address, as a COPY line's fields. */
      emails: string[];
    };

export type EncodingFormat = EncodedEmployee['format'];

/**
 * A new employee (no factors yet) and their addresses on record, encoded once for
 * insertEncodedEmployees. Written out rather than through employeeRow: a first load encodes every
 * row of the extract, and building the whole row object first doubled the cost (the tests hold
 * the two to the same values). The addresses apart, so that the statement that inserts them does
 * not parse the employees' values again.
 */
export function encodeNewEmployee(
  e: Omit<NewEmployee, 'id' | 'mfa' | 'createdAt' | 'updatedAt'>,
  emails: ReadonlyArray<{ kind: EmailKind; address: string }>,
  format: EncodingFormat = 'json',
): EncodedEmployee {
  const values = [
    e.employeeNumber,
    e.firstName,
    e.lastName,
    e.username,
    e.organisation,
    e.department,
    e.jobTitle ?? '',
    e.status ?? 'active',
    e.leavingDate ?? null,
    e.internetAccessApproved ?? false,
    buildSortName(e.firstName, e.lastName),
    buildGivenSort(e.firstName, e.lastName),
    buildSearchDoc(e),
    e.hrHash ?? null,
  ];
  // Loops rather than closures: a first load encodes millions of rows.
  const addresses: string[][] = [];
  for (const m of emails) addresses.push([m.kind, m.address, m.address.toLowerCase()]);
  if (format === 'copy') {
    const lines: string[] = [];
    for (const a of addresses) lines.push(copyFields(a));
    return { format, row: copyFields(values), emails: lines };
  }
  return { format, row: JSON.stringify(values), emails: JSON.stringify(addresses) };
}

/**
 * New employees' JSON inserts (encodeNewEmployee's, format 'json') joined for one insert
 * (insertJoinedEmployees): their values and their addresses as two JSON arrays, element for element.
 * Joined where they were encoded: on a first load the reader thread joins them, so two arrays
 * cross to the main thread instead of an object per row. They are UTF-8 bytes, not strings: the
 * reader thread hands their memory over (a transfer, not a copy) and sqlite reads them as they are,
 * where a string was copied into the message, out of it, and into UTF-8 again for sqlite (a
 * 2,000,000-row first load's batches: 61.0 and 62.8 s against 70.8 and 80.6 s, peak RSS 478–527
 * MiB against 586–624 MiB, measured alternately).
 */
export interface JoinedEmployees {
  count: number;
  /** A JSON array in UTF-8: per employee, the values of PER_ROW_COLUMNS. */
  rows: Uint8Array;
  /** A JSON array in UTF-8: per employee, its addresses' [kind, address, lower-case address]. */
  emails: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * JSON texts as one JSON array in UTF-8, each written straight into the bytes. Joining them into
 * one string first and encoding that cost about nine times as much: the string of a whole batch
 * was copied again, two bytes a character once one name in it was not ASCII, and read again by the
 * encoder (5,000 rows: 9–10 ms against 1.1 ms).
 */
export function jsonArrayBytes(items: readonly string[]): Uint8Array {
  let chars = 2;
  for (const s of items) chars += s.length + 1;
  // Room for every character in one byte and an eighth more; grown when names need more.
  let out = new Uint8Array(chars + (chars >> 3) + 16);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, at + n));
    bigger.set(out.subarray(0, at));
    out = bigger;
  };
  out[at++] = 0x5b; // [
  for (let i = 0; i < items.length; i++) {
    if (i > 0) {
      room(1);
      out[at++] = 0x2c; // ,
    }
    let s = items[i]!;
    for (;;) {
      const { read, written } = utf8.encodeInto(s, out.subarray(at));
      at += written;
      if (read === s.length) break;
      s = s.slice(read);
      room(s.length * 3);
    }
  }
  room(1);
  out[at++] = 0x5d; // ]
  return out.subarray(0, at);
}

/** Join encodeNewEmployee's JSON rows and addresses (row for row). */
export function joinJson(rows: readonly string[], emails: readonly string[]): JoinedEmployees {
  if (rows.length !== emails.length) throw new Error('joinJson takes the addresses of each row');
  return { count: rows.length, rows: jsonArrayBytes(rows), emails: jsonArrayBytes(emails) };
}

/** The memory of joined inserts, to transfer to another thread with them (each array owns its own). */
export function joinedBuffers(j: JoinedEmployees): ArrayBuffer[] {
  return [j.rows.buffer as ArrayBuffer, j.emails.buffer as ArrayBuffer];
}
