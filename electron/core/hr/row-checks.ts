import type { EmailKind, EmployeeDetail } from '../../../shared/domain';
import { USERNAME_PATTERN } from '../../../shared/schemas';
import type { CsvRecord } from './csv';
import type { HeaderMap, HrColumn } from './header';
import { hrRowHash } from './row-hash';

export interface HrEmail {
  kind: EmailKind;
  address: string;
  lc: string;
}

/** A data row checked and normalised: the record as HR gives it, and HR's addresses. */
export type HrRow = Pick<
  EmployeeDetail,
  'employeeNumber' | 'firstName' | 'lastName' | 'username' | 'organisation' | 'department' | 'jobTitle' | 'status' | 'leavingDate' | 'internetAccessApproved'
> & {
  line: number;
  /** Work first, then personal; one entry per address. */
  emails: HrEmail[];
  /** The row's fingerprint (row-hash.ts): how a re-import knows it unchanged. */
  hash: string;
};

/**
 * What planning needs of a row before it knows whether the row changed: who, from which line,
 * whether a leaver, and its fingerprint. A re-import's batches come from the reader thread as these
 * keys; the whole rows of the few that may have changed are asked for afterwards (batch-plan.ts
 * BatchRows).
 */
export type RowKey = Pick<HrRow, 'line' | 'employeeNumber' | 'username' | 'status' | 'hash'>;

export function keyOf(r: HrRow): RowKey {
  return { line: r.line, employeeNumber: r.employeeNumber, username: r.username, status: r.status, hash: r.hash };
}

/**
 * What planning needs of a row that can only be new (a first load's on sqlite, whose insert the
 * reader thread encodes): who, from which line, with how many addresses on record.
 */
export interface NewRowKey {
  employeeNumber: string;
  username: string;
  line: number;
  addresses: number;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const NUMBER_RE = /^\d{8}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL_RE = new RegExp(`^[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+)*@${LABEL}(?:\\.${LABEL})*\\.[A-Za-z][A-Za-z0-9-]{1,62}$`);
const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

class RowError extends Error {}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function text(column: HrColumn, value: string, max: number, required: boolean): string {
  if (required && value === '') throw new RowError(`${column} is empty`);
  if (value.length > max) throw new RowError(`${column} is longer than ${max} characters`);
  if (CONTROL.test(value)) throw new RowError(`${column} has a line break or control character`);
  return value;
}

function isDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && y >= 1900;
}

function isEmailAddress(value: string): boolean {
  if (value.length > 254 || !EMAIL_RE.test(value)) return false;
  const at = value.lastIndexOf('@');
  return at <= 64;
}

const EMAIL_COLUMNS = [
  ['work_email', 'work'],
  ['personal_email', 'personal'],
] as const;

/** A field of the record, trimmed (a plain function, not a closure made for each of millions of rows). */
function fieldOf(record: CsvRecord, header: HeaderMap, column: HrColumn): string {
  return record.fields[header.index[column]]!.trim();
}

/** HR's addresses of the row, work first, each once (case ignored). */
function emailsOf(record: CsvRecord, header: HeaderMap): HrEmail[] {
  const emails: HrEmail[] = [];
  for (const [column, kind] of EMAIL_COLUMNS) {
    const address = fieldOf(record, header, column);
    if (address === '') continue;
    if (!isEmailAddress(address)) throw new RowError(`${column} ${shown(address)} is not an email address`);
    const lc = address.toLowerCase();
    // Two columns: only the work address can be there before the personal one.
    if (emails.length === 0 || emails[0]!.lc !== lc) emails.push({ kind, address, lc });
  }
  return emails;
}

/** A data row checked and normalised, or the reason it is rejected (for the report). */
export function validateRow(record: CsvRecord, header: HeaderMap): HrRow | string {
  if (record.error) return `not well-formed CSV: ${record.error}`;
  if (record.fields.length !== header.fieldCount) {
    return `the line has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}; the header has ${header.fieldCount}`;
  }
  try {
    const employeeNumber = fieldOf(record, header, 'employee_number');
    if (!NUMBER_RE.test(employeeNumber)) throw new RowError(`employee_number ${shown(employeeNumber)} is not 8 digits`);
    const firstName = text('first_name', fieldOf(record, header, 'first_name'), 100, true);
    const lastName = text('last_name', fieldOf(record, header, 'last_name'), 100, true);
    const username = fieldOf(record, header, 'username').toLowerCase();
    if (!USERNAME_PATTERN.test(username)) throw new RowError(`username ${shown(username)} is not 3–64 letters, digits, dots, dashes or underscores`);
    const organisation = text('organisation', fieldOf(record, header, 'organisation'), 200, true);
    const department = text('department', fieldOf(record, header, 'department'), 200, true);
    const jobTitle = text('job_title', fieldOf(record, header, 'job_title'), 200, false);
    const status = fieldOf(record, header, 'status').toLowerCase();
    if (status !== 'active' && status !== 'leaver') throw new RowError(`status ${shown(fieldOf(record, header, 'status'))} is not active or leaver`);
    const leaving = fieldOf(record, header, 'leaving_date');
    if (leaving !== '' && !isDate(leaving)) throw new RowError(`leaving_date ${shown(leaving)} is not a date (YYYY-MM-DD)`);
    if (status === 'leaver' && leaving === '') throw new RowError('a leaver needs a leaving_date (YYYY-MM-DD)');
    if (status === 'active' && leaving !== '') throw new RowError(`an active employee has no leaving_date (got ${leaving}); a leaver has status leaver`);
    const internetRaw = fieldOf(record, header, 'internet_access_approved').toLowerCase();
    if (!YES.has(internetRaw) && !NO.has(internetRaw)) {
      throw new RowError(`internet_access_approved ${shown(fieldOf(record, header, 'internet_access_approved'))} is not yes/no, true/false or 1/0`);
    }
    const row = {
      line: record.line,
      employeeNumber,
      firstName,
      lastName,
      username,
      organisation,
      department,
      jobTitle,
      status,
      leavingDate: status === 'leaver' ? leaving : null,
      internetAccessApproved: YES.has(internetRaw),
      emails: emailsOf(record, header),
      hash: '',
    } satisfies HrRow;
    row.hash = hrRowHash(row);
    return row;
  } catch (err) {
    if (err instanceof RowError) return err.message;
    throw err;
  }
}

/** A row of nothing but empty fields (",,,,," as spreadsheets leave them) counts as a blank line. */
export function isBlank(record: CsvRecord): boolean {
  if (record.error) return false;
  for (const f of record.fields) if (f.trim() !== '') return false;
  return true;
}

/** The employee number as the row gives it, for the report of a row that was rejected. */
export function employeeNumberOf(record: CsvRecord, header: HeaderMap): string {
  return (record.fields[header.index.employee_number] ?? '').trim().slice(0, 20);
}

/** Which employee numbers the file has had so far: 10^8 bits (12.5 MB), whatever the file's size. */
export class NumberSet {
  private readonly bits = new Uint8Array(12_500_000);
  /** True when n was already there. */
  addSeen(n: string): boolean {
    const v = Number(n);
    const byte = v >>> 3;
    const mask = 1 << (v & 7);
    const bits = this.bits[byte] ?? 0;
    this.bits[byte] = bits | mask;
    return (bits & mask) !== 0;
  }
}

/**
 * Which usernames the file may have had so far: a Bloom filter of 2^25 bits (4 MiB) with four
 * probes, whatever the file's size. "No" is certain; "maybe" is wrong for about 1 username in 500
 * after 2,000,000 rows (fewer in smaller files). A first load asks the database about a username
 * only when the file may have had it before: nobody else can hold it. Small enough to write here
 * (two string hashes and a bit array) rather than take a package for it.
 */
export class UsernameFilter {
  private static readonly BITS = 1 << 25;
  private readonly bits = new Uint8Array(UsernameFilter.BITS >>> 3);

  /** Adds u; true when u may have been added before, false when it certainly was not. */
  addMaybeSeen(u: string): boolean {
    // Two independent 32-bit hashes of the UTF-16 code units (FNV-1a, and the same with a
    // multiply-xorshift finish); the k probes are h1 + i·h2 (Kirsch and Mitzenmacher).
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < u.length; i++) {
      const c = u.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) | 1;
    let seen = true;
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + Math.imul(i, h2)) & (UsernameFilter.BITS - 1);
      const byte = bit >>> 3;
      const mask = 1 << (bit & 7);
      const bits = this.bits[byte] ?? 0;
      if ((bits & mask) === 0) {
        seen = false;
        this.bits[byte] = bits | mask;
      }
    }
    return seen;
  }
}
