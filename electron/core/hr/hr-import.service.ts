/**
 * The HR import: the HR extract (a CSV file, possibly millions of rows) brought into the employee
 * records. Employees are matched by employee number: new ones are created, changed ones updated
 * (version + 1), the rest left alone, so running the same file twice changes nothing the second
 * time. The file is read twice, streaming, in constant memory: first a check that it is CSV at all
 * with the columns the import needs (nothing is written unless it is), then the import in batches
 * (HR_IMPORT_BATCH rows), each batch one transaction with its audit row: a batch is all there or not there,
 * so an import that is stopped (cancelled, killed, the power cut) leaves consistent records and can
 * simply be run again.
 *
 * Rules, per row: see validateRow (the rejected ones go to the report with their line number).
 * Emails: HR's work and personal addresses replace the addresses HR gave before (source 'hr');
 * an address a manager added (source 'manager') is never dropped, and neither is an address an
 * active email factor sends codes to: both are kept and listed in the report as conflicts.
 * Leavers: status and leaving date set, their pending registrations and unused codes cancelled,
 * audited per employee ('employee.left').
 */
import type { HrImportCountsView } from '../../../shared/domain';
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Knex } from 'knex';
import type { EmailKind, EmployeeStatus } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { auditContent, recordAudit, type Actor, type AuditEventInput } from '../audit/audit.service';
import { appendEvents } from '../audit/chain';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { deferIndexes, restoreIndexes } from '../db/deferred-indexes';
import { toBool } from '../db/values';
import { buildGivenSort, buildSearchDoc, buildSortName, refreshEmployeeFlags, type EmployeeRow } from '../employees/employees.service';
import { CsvFormatError, csvLine, readCsvChunks, type CsvLimits, type CsvRecord } from './csv';

/** The columns of the HR extract, as named in its header row (case and surrounding spaces ignored). */
export const HR_COLUMNS = [
  'employee_number',
  'first_name',
  'last_name',
  'username',
  'organisation',
  'department',
  'job_title',
  'status',
  'leaving_date',
  'internet_access_approved',
  'work_email',
  'personal_email',
] as const;
export type HrColumn = (typeof HR_COLUMNS)[number];

/**
 * Rows per batch (one transaction each), by database. sqlite writes every page a transaction
 * touches to its WAL, and an employee row touches a page in each of 14 b-trees: 5,000 rows a batch
 * write about half as much as 1,000 (200,000 rows imported in 36 s instead of 65 s here), while a
 * batch still holds the write lock for well under a second or two. PostgreSQL logs rows, not pages:
 * the batch size makes no measurable difference there, so its batches stay short (1,000).
 */
export const HR_IMPORT_BATCH = { sqlite: 5000, postgres: 1000 } as const;
/**
 * The most rows a batch may hold, whatever is asked: a batch looks its employee numbers and
 * usernames up in one statement each, and sqlite takes at most 32,766 parameters in a statement.
 */
export const HR_IMPORT_MAX_BATCH = 10_000;

/** What an import did (or a dry run would do); the app shows the same shape (shared/domain.ts). */
export type HrImportCounts = HrImportCountsView;

export interface HrImportProgress {
  /**
   * 'checking': the first read (is it CSV, how many rows); 'importing': the batches; 'indexing':
   * after a load into an empty desk, building the look-up indexes it deferred (see deferIndexes).
   */
  phase: 'checking' | 'importing' | 'indexing';
  /** Data rows done in this phase ('indexing': indexes built). */
  rows: number;
  /** Data rows in the file: known once the check is done (null while checking; 'indexing': indexes to build). */
  totalRows: number | null;
  bytes: number;
  totalBytes: number;
  /** This phase's rate so far. */
  rowsPerSecond: number;
  /** Seconds this phase has still to go (null until there is a rate). */
  etaSeconds: number | null;
  counts: HrImportCounts;
}

export interface HrImportOptions {
  /** The CSV file. */
  file: string;
  /** Count what would change; write nothing to the database (the report file is still written). */
  dryRun?: boolean;
  /** Where the line-numbered report of rejected rows and conflicts goes; default next to the file. */
  reportFile?: string;
  actor: Actor;
  /** Rows per batch (one transaction each); default HR_IMPORT_BATCH for the database. */
  batchSize?: number;
  /** Called after the header is read, after each batch, and while checking. */
  onProgress?: (progress: HrImportProgress) => void;
  /** Unknown columns and the like, as soon as they are found (also in the result). */
  onWarning?: (message: string) => void;
  /** Stops the import between batches (the batches done stay done). */
  signal?: AbortSignal;
  csvLimits?: Partial<CsvLimits>;
}

export interface HrImportResult {
  dryRun: boolean;
  /** Stopped through the signal before the end of the file. */
  cancelled: boolean;
  counts: HrImportCounts;
  totalRows: number;
  warnings: string[];
  reportFile: string;
  /** Lines in the report (rejected rows and conflicts). */
  reportLines: number;
  /** The id of the import's 'hr.import_started' audit row (null in a dry run). */
  importId: number | null;
  seconds: number;
}

export interface HrImportDeps {
  db: Knex;
  clock: Clock;
}

/** The report's name next to the input: hr.csv -> hr.report.csv. */
export function defaultReportFile(file: string): string {
  const dir = path.dirname(file);
  const base = path.basename(file).replace(/\.csv$/i, '');
  return path.join(dir, `${base}.report.csv`);
}

function zeroCounts(): HrImportCounts {
  return {
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    leavers: 0,
    rejoined: 0,
    conflicts: 0,
    emailsAdded: 0,
    emailsRemoved: 0,
    pendingFactorsCancelled: 0,
    codesCancelled: 0,
  };
}

// ── the header ──────────────────────────────────────────────────────────────────────────────

export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
}

export interface HeaderMap {
  index: Record<HrColumn, number>;
  fieldCount: number;
  warnings: string[];
}

/** Map the header row to the columns; refuse a header that lacks one (nothing is written then). */
export function readHeader(record: CsvRecord | undefined): HeaderMap {
  const list = HR_COLUMNS.join(', ');
  if (!record) throw new DeskError('VALIDATION', `The file is empty. An HR extract starts with a header row naming its columns: ${list}.`);
  if (record.error) throw new DeskError('VALIDATION', `The header row (line ${record.line}) is not well-formed CSV: ${record.error}.`);
  const known = new Set<string>(HR_COLUMNS);
  const index: Partial<Record<HrColumn, number>> = {};
  const warnings: string[] = [];
  record.fields.forEach((raw, i) => {
    const name = normaliseHeader(raw);
    if (known.has(name)) {
      if (index[name as HrColumn] !== undefined) {
        throw new DeskError('VALIDATION', `The header row names the column ${name} twice (columns ${index[name as HrColumn]! + 1} and ${i + 1}). Nothing was imported.`);
      }
      index[name as HrColumn] = i;
    } else {
      warnings.push(`Column ${i + 1} (${JSON.stringify(raw.trim().slice(0, 60))}) is not an HR import column: ignored.`);
    }
  });
  const found = HR_COLUMNS.filter((c) => index[c] !== undefined);
  if (found.length === 0) {
    throw new DeskError(
      'VALIDATION',
      `The first line is not a header row: none of its names is an HR import column. The file must start with a header row naming the columns ${list}. Nothing was imported.`,
    );
  }
  const missing = HR_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new DeskError(
      'VALIDATION',
      `The header row lacks the required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (the import needs ${list}). Nothing was imported.`,
      { missing },
    );
  }
  return { index: index as Record<HrColumn, number>, fieldCount: record.fields.length, warnings };
}

// ── one row ─────────────────────────────────────────────────────────────────────────────────

export interface HrEmail {
  kind: EmailKind;
  address: string;
  lc: string;
}

export interface HrRow {
  line: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  username: string;
  organisation: string;
  department: string;
  jobTitle: string;
  status: EmployeeStatus;
  leavingDate: string | null;
  internetAccessApproved: boolean;
  /** Work first, then personal; one entry per address. */
  emails: HrEmail[];
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const NUMBER_RE = /^\d{8}$/;
/** As desk and demo usernames: 3–64 lower-case letters, digits, dots, dashes or underscores. */
const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL_RE = new RegExp(`^[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+)*@${LABEL}(?:\\.${LABEL})*\\.[A-Za-z][A-Za-z0-9-]{1,62}$`);
const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

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

export function isEmailAddress(value: string): boolean {
  if (value.length > 254 || !EMAIL_RE.test(value)) return false;
  const at = value.lastIndexOf('@');
  return at <= 64;
}

class RowError extends Error {}

/** A data row checked and normalised, or the reason it is rejected. */
export function validateRow(record: CsvRecord, header: HeaderMap): HrRow | string {
  if (record.error) return `not well-formed CSV: ${record.error}`;
  if (record.fields.length !== header.fieldCount) {
    return `the line has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}; the header has ${header.fieldCount}`;
  }
  const get = (c: HrColumn) => record.fields[header.index[c]]!.trim();
  try {
    const employeeNumber = get('employee_number');
    if (!NUMBER_RE.test(employeeNumber)) throw new RowError(`employee_number ${shown(employeeNumber)} is not 8 digits`);
    const firstName = text('first_name', get('first_name'), 100, true);
    const lastName = text('last_name', get('last_name'), 100, true);
    const username = get('username').toLowerCase();
    if (!USERNAME_RE.test(username)) throw new RowError(`username ${shown(username)} is not 3–64 letters, digits, dots, dashes or underscores`);
    const organisation = text('organisation', get('organisation'), 200, true);
    const department = text('department', get('department'), 200, true);
    const jobTitle = text('job_title', get('job_title'), 200, false);
    const status = get('status').toLowerCase();
    if (status !== 'active' && status !== 'leaver') throw new RowError(`status ${shown(get('status'))} is not active or leaver`);
    const leaving = get('leaving_date');
    if (leaving !== '' && !isDate(leaving)) throw new RowError(`leaving_date ${shown(leaving)} is not a date (YYYY-MM-DD)`);
    if (status === 'leaver' && leaving === '') throw new RowError('a leaver needs a leaving_date (YYYY-MM-DD)');
    if (status === 'active' && leaving !== '') throw new RowError(`an active employee has no leaving_date (got ${leaving}); a leaver has status leaver`);
    const internetRaw = get('internet_access_approved').toLowerCase();
    if (!YES.has(internetRaw) && !NO.has(internetRaw)) {
      throw new RowError(`internet_access_approved ${shown(get('internet_access_approved'))} is not yes/no, true/false or 1/0`);
    }
    const emails: HrEmail[] = [];
    for (const [column, kind] of [
      ['work_email', 'work'],
      ['personal_email', 'personal'],
    ] as const) {
      const address = get(column);
      if (address === '') continue;
      if (!isEmailAddress(address)) throw new RowError(`${column} ${shown(address)} is not an email address`);
      const lc = address.toLowerCase();
      if (!emails.some((e) => e.lc === lc)) emails.push({ kind, address, lc });
    }
    return {
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
      emails,
    };
  } catch (err) {
    if (err instanceof RowError) return err.message;
    throw err;
  }
}

/** A row of nothing but empty fields (",,,,," as spreadsheets leave them) counts as a blank line. */
function isBlank(record: CsvRecord): boolean {
  return !record.error && record.fields.every((f) => f.trim() === '');
}

/** Which employee numbers the file has had so far: 10^8 bits (12.5 MB), whatever the file's size. */
class NumberSet {
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

// ── the report ──────────────────────────────────────────────────────────────────────────────

class Report {
  lines = 0;
  private constructor(private readonly stream: fs.WriteStream) {}

  static async open(file: string): Promise<Report> {
    // Rejected rows name employees: 0600, in the data folder's imports/ and wherever the CLI puts it.
    const stream = fs.createWriteStream(file, { flags: 'w', encoding: 'utf8', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new DeskError('VALIDATION', `Cannot write the report to ${file}: ${(err as Error).message}`);
    }
    const report = new Report(stream);
    await report.write(['line', 'employee_number', 'outcome', 'reason']);
    report.lines = 0;
    return report;
  }

  async write(values: Array<string | number>): Promise<void> {
    this.lines++;
    if (!this.stream.write(csvLine(values))) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

// ── one batch ───────────────────────────────────────────────────────────────────────────────

type Q = Knex | Knex.Transaction;

/** What the import compares against: the record as HR gives it, and the search text. */
type ExistingEmployee = Omit<EmployeeRow, 'mfa_enabled_at' | 'version'> & { search_doc: string };

interface ExistingEmail {
  id: number;
  employee_id: number;
  kind: EmailKind;
  address: string;
  address_lc: string;
  used_for_codes: unknown;
  source: 'hr' | 'manager';
}

interface Conflict {
  address: string;
  kind: EmailKind;
  source: 'hr' | 'manager';
  reason: string;
}

interface Update {
  row: HrRow;
  id: number;
  set: Record<string, unknown>;
  usernameChanged: boolean;
  deleteEmails: number[];
  updateEmails: Array<{ id: number; kind: EmailKind; address: string }>;
  addEmails: HrEmail[];
  pendingFactorIds: number[];
  codeIds: number[];
  becameLeaver: boolean;
  rejoined: boolean;
  changedFields: string[];
}

interface BatchPlan {
  creates: HrRow[];
  updates: Update[];
  unchanged: number;
  rejected: Array<{ row: HrRow; reason: string }>;
  conflicts: Array<{ row: HrRow; employeeId: number; conflicts: Conflict[] }>;
}

const EMPLOYEE_COLUMNS = [
  'id',
  'employee_number',
  'first_name',
  'last_name',
  'username',
  'organisation',
  'department',
  'job_title',
  'status',
  'leaving_date',
  'internet_access_approved',
  'search_doc',
] as const;

/**
 * What the batch changes, from the rows and what the database holds. Pure reading: the dry run
 * stops here. In a real run `q` is the batch's transaction, which already holds the write lock.
 */
async function planBatch(q: Q, rows: HrRow[], lockRows: boolean): Promise<BatchPlan> {
  const plan: BatchPlan = { creates: [], updates: [], unchanged: 0, rejected: [], conflicts: [] };
  if (rows.length === 0) return plan;
  let existingQuery = q('employees')
    .whereIn(
      'employee_number',
      rows.map((r) => r.employeeNumber),
    )
    .orderBy('id')
    .select(...EMPLOYEE_COLUMNS);
  if (lockRows) existingQuery = existingQuery.forUpdate();
  const existing = new Map<string, ExistingEmployee>();
  for (const e of (await existingQuery) as ExistingEmployee[]) existing.set(String(e.employee_number), { ...e, id: Number(e.id) });

  // Usernames are unique: a row may take a username only from nobody, or from an employee in this
  // batch who gives it up. Rejections can free or block others, so check until nothing changes.
  const holders = new Map<string, string>(); // username -> employee number holding it now
  const wanted = [...new Set(rows.map((r) => r.username))];
  for (const h of (await q('employees').whereIn('username', wanted).select('username', 'employee_number')) as Array<{ username: string; employee_number: string }>) {
    holders.set(String(h.username), String(h.employee_number));
  }
  let accepted = rows;
  for (;;) {
    const byNumber = new Map(accepted.map((r) => [r.employeeNumber, r]));
    const claimed = new Map<string, HrRow>();
    const next: HrRow[] = [];
    for (const r of accepted) {
      const first = claimed.get(r.username);
      if (first) {
        plan.rejected.push({ row: r, reason: `username ${r.username} is also on line ${first.line} (employee ${first.employeeNumber})` });
        continue;
      }
      const holder = holders.get(r.username);
      if (holder !== undefined && holder !== r.employeeNumber) {
        const other = byNumber.get(holder);
        if (!other || other.username === r.username) {
          plan.rejected.push({ row: r, reason: `username ${r.username} belongs to employee ${holder}` });
          continue;
        }
      }
      claimed.set(r.username, r);
      next.push(r);
    }
    if (next.length === accepted.length) break;
    accepted = next;
  }

  const existingIds = accepted.map((r) => existing.get(r.employeeNumber)?.id).filter((id): id is number => id !== undefined);
  const emailsOf = new Map<number, ExistingEmail[]>();
  const codesEmailIds = new Set<number>();
  const pendingOf = new Map<number, number[]>();
  const codesOf = new Map<number, number[]>();
  if (existingIds.length > 0) {
    const emails = (await q('employee_emails')
      .whereIn('employee_id', existingIds)
      .orderBy('id')
      .select('id', 'employee_id', 'kind', 'address', 'address_lc', 'used_for_codes', 'source')) as ExistingEmail[];
    for (const m of emails) {
      const id = Number(m.employee_id);
      const list = emailsOf.get(id) ?? [];
      list.push({ ...m, id: Number(m.id), employee_id: id });
      emailsOf.set(id, list);
    }
    const factorEmails = (await q('factors')
      .whereIn('employee_id', existingIds)
      .where({ type: 'email', state: 'active' })
      .whereNotNull('email_id')
      .select('email_id')) as Array<{ email_id: number }>;
    for (const f of factorEmails) codesEmailIds.add(Number(f.email_id));
    const leaverIds = accepted.filter((r) => r.status === 'leaver' && existing.has(r.employeeNumber)).map((r) => existing.get(r.employeeNumber)!.id);
    if (leaverIds.length > 0) {
      for (const f of (await q('factors').whereIn('employee_id', leaverIds).where({ state: 'pending' }).orderBy('id').select('id', 'employee_id')) as Array<{
        id: number;
        employee_id: number;
      }>) {
        pendingOf.set(Number(f.employee_id), [...(pendingOf.get(Number(f.employee_id)) ?? []), Number(f.id)]);
      }
      for (const c of (await q('one_time_codes')
        .whereIn('employee_id', leaverIds)
        .whereNull('consumed_at')
        .whereNull('superseded_at')
        .whereNull('locked_at')
        .orderBy('id')
        .select('id', 'employee_id')) as Array<{ id: number; employee_id: number }>) {
        codesOf.set(Number(c.employee_id), [...(codesOf.get(Number(c.employee_id)) ?? []), Number(c.id)]);
      }
    }
  }

  for (const r of accepted) {
    const e = existing.get(r.employeeNumber);
    if (!e) {
      plan.creates.push(r);
      continue;
    }
    const changedFields: string[] = [];
    const set: Record<string, unknown> = {};
    const compare = (column: string, before: unknown, after: unknown) => {
      if (before !== after) {
        changedFields.push(column);
        set[column] = after;
      }
    };
    compare('first_name', e.first_name, r.firstName);
    compare('last_name', e.last_name, r.lastName);
    compare('username', e.username, r.username);
    compare('organisation', e.organisation, r.organisation);
    compare('department', e.department, r.department);
    compare('job_title', e.job_title ?? '', r.jobTitle);
    compare('status', e.status, r.status);
    compare('leaving_date', e.leaving_date ?? null, r.leavingDate);
    compare('internet_access_approved', toBool(e.internet_access_approved), r.internetAccessApproved);

    // Emails: HR's replace HR's; a manager's and one that receives codes are kept (a conflict).
    const current = emailsOf.get(e.id) ?? [];
    const hrByLc = new Map(r.emails.map((m) => [m.lc, m]));
    const seen = new Set<string>();
    const finalLc: string[] = [];
    const deleteEmails: number[] = [];
    const updateEmails: Update['updateEmails'] = [];
    const conflicts: Conflict[] = [];
    const hrOf = (kind: EmailKind) => r.emails.find((m) => m.kind === kind)?.address;
    for (const m of current) {
      const hr = hrByLc.get(m.address_lc);
      if (hr) {
        seen.add(m.address_lc);
        finalLc.push(m.address_lc);
        if (m.source === 'hr' && (m.kind !== hr.kind || m.address !== hr.address)) updateEmails.push({ id: m.id, kind: hr.kind, address: hr.address });
      } else if (m.source === 'manager') {
        finalLc.push(m.address_lc);
        const instead = hrOf(m.kind);
        conflicts.push({
          address: m.address,
          kind: m.kind,
          source: m.source,
          reason: `a manager added the ${m.kind} address ${m.address}; HR lists ${instead ? `${instead} instead` : `no ${m.kind} address`}: kept`,
        });
      } else if (codesEmailIds.has(m.id) || toBool(m.used_for_codes)) {
        finalLc.push(m.address_lc);
        conflicts.push({
          address: m.address,
          kind: m.kind,
          source: m.source,
          reason: `HR no longer lists the ${m.kind} address ${m.address}, but an active email factor sends one-time codes to it: kept`,
        });
      } else {
        deleteEmails.push(m.id);
      }
    }
    const addEmails = r.emails.filter((m) => !seen.has(m.lc));
    for (const m of addEmails) finalLc.push(m.lc);
    if (conflicts.length > 0) plan.conflicts.push({ row: r, employeeId: e.id, conflicts });

    const pendingFactorIds = r.status === 'leaver' ? (pendingOf.get(e.id) ?? []) : [];
    const codeIds = r.status === 'leaver' ? (codesOf.get(e.id) ?? []) : [];
    const changed =
      changedFields.length > 0 ||
      deleteEmails.length > 0 ||
      updateEmails.length > 0 ||
      addEmails.length > 0 ||
      pendingFactorIds.length > 0 ||
      codeIds.length > 0;
    if (!changed) {
      plan.unchanged++;
      continue;
    }
    if (set.first_name !== undefined || set.last_name !== undefined) {
      set.sort_name = buildSortName(r.firstName, r.lastName);
      set.given_sort = buildGivenSort(r.firstName, r.lastName);
    }
    const searchDoc = buildSearchDoc({
      firstName: r.firstName,
      lastName: r.lastName,
      employeeNumber: r.employeeNumber,
      username: r.username,
      emails: finalLc,
    });
    // Only a search text that differs is written: on sqlite writing it re-indexes the row.
    if (searchDoc !== e.search_doc) set.search_doc = searchDoc;
    plan.updates.push({
      row: r,
      id: e.id,
      set,
      usernameChanged: set.username !== undefined,
      deleteEmails,
      updateEmails,
      addEmails,
      pendingFactorIds,
      codeIds,
      becameLeaver: e.status === 'active' && r.status === 'leaver',
      rejoined: e.status === 'leaver' && r.status === 'active',
      changedFields,
    });
  }
  return plan;
}

type Row = Record<string, unknown>;

/**
 * Insert many rows with one parameter: the rows as JSON, unpacked by the database (on sqlite an
 * array of arrays read through JSONB, so no row's text is parsed twice; on PostgreSQL objects read
 * by json_populate_recordset with the table's own column types). Binding tens of thousands of
 * separate parameters costs more than the insert itself; one string costs next to nothing.
 */
async function insertRows(trx: Knex.Transaction, table: string, rows: Row[], postgres: boolean, returning?: string[]): Promise<Row[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!);
  const list = columns.join(', ');
  let sql: string;
  let json: string;
  if (postgres) {
    sql = `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, ?::json)`;
    json = JSON.stringify(rows);
  } else {
    sql = `INSERT INTO ${table} (${list}) SELECT ${columns.map((_c, i) => `value ->> ${i}`).join(', ')} FROM jsonb_each(jsonb(?))`;
    json = JSON.stringify(rows.map((r) => columns.map((c) => r[c] ?? null)));
  }
  const res = (await trx.raw(sql + (returning ? ` RETURNING ${returning.join(', ')}` : ''), [json])) as Row[] | { rows: Row[] };
  return returning ? (Array.isArray(res) ? res : res.rows) : [];
}

interface BatchContext {
  trx: Knex.Transaction;
  postgres: boolean;
  clock: Clock;
  actor: Actor;
  importId: number | null;
}

/**
 * Write what the plan says, in the batch's transaction. Returns the audit events it makes (leavers,
 * conflicts) for the caller to append with the batch's own, last: the audit chain's lock is then
 * held only from the end of the batch's writes to its commit.
 */
async function applyBatch(ctx: BatchContext, plan: BatchPlan): Promise<AuditEventInput[]> {
  const { trx, postgres } = ctx;
  const events: AuditEventInput[] = [];
  const now = ctx.clock.now().toISOString();

  // Usernames handed from one employee to another within the batch: out of the way first.
  for (const u of plan.updates) {
    if (u.usernameChanged) await trx('employees').where({ id: u.id }).update({ username: `~${u.id}` });
  }
  const emailRows: Row[] = [];
  const emailRow = (employeeId: number, m: HrEmail): Row => ({
    employee_id: employeeId,
    kind: m.kind,
    address: m.address,
    address_lc: m.lc,
    used_for_codes: false,
    source: 'hr',
    created_at: now,
    updated_at: now,
  });
  const deletes: number[] = [];
  for (const u of plan.updates) {
    await trx('employees')
      .where({ id: u.id })
      .update({ ...u.set, version: trx.raw('version + 1'), updated_at: now });
    deletes.push(...u.deleteEmails);
    for (const m of u.updateEmails) await trx('employee_emails').where({ id: m.id }).update({ kind: m.kind, address: m.address, updated_at: now });
    for (const m of u.addEmails) emailRows.push(emailRow(u.id, m));
  }
  for (let i = 0; i < deletes.length; i += 500) await trx('employee_emails').whereIn('id', deletes.slice(i, i + 500)).delete();

  // Leavers: pending registrations and unused codes cancelled, the look-up flags brought in step.
  for (const u of plan.updates) {
    if (u.pendingFactorIds.length > 0) {
      await trx('factors').whereIn('id', u.pendingFactorIds).update({ state: 'removed', removed_at: now, totp_seed_enc: null, updated_at: now });
      await refreshEmployeeFlags(trx, u.id);
    }
    if (u.codeIds.length > 0) await trx('one_time_codes').whereIn('id', u.codeIds).update({ superseded_at: now });
    if (u.becameLeaver || u.pendingFactorIds.length > 0 || u.codeIds.length > 0) {
      events.push({
        actor: ctx.actor,
        action: 'employee.left',
        employeeId: u.id,
        details: {
          source: 'hr_import',
          importId: ctx.importId,
          line: u.row.line,
          leavingDate: u.row.leavingDate,
          pendingFactorsCancelled: u.pendingFactorIds,
          codesCancelled: u.codeIds.length,
        },
      });
    }
  }

  if (plan.creates.length > 0) {
    const inserted = await insertRows(
      trx,
      'employees',
      plan.creates.map((r) => ({
        employee_number: r.employeeNumber,
        first_name: r.firstName,
        last_name: r.lastName,
        username: r.username,
        organisation: r.organisation,
        department: r.department,
        job_title: r.jobTitle,
        status: r.status,
        leaving_date: r.leavingDate,
        internet_access_approved: r.internetAccessApproved,
        version: 1,
        sort_name: buildSortName(r.firstName, r.lastName),
        given_sort: buildGivenSort(r.firstName, r.lastName),
        search_doc: buildSearchDoc({
          firstName: r.firstName,
          lastName: r.lastName,
          employeeNumber: r.employeeNumber,
          username: r.username,
          emails: r.emails.map((m) => m.lc),
        }),
        mfa_state: 'not_registered',
        has_app: false,
        has_email: false,
        pending_registration: false,
        locked: false,
        created_at: now,
        updated_at: now,
      })),
      postgres,
      ['id', 'employee_number'],
    );
    const idOf = new Map(inserted.map((x) => [String(x.employee_number), Number(x.id)]));
    for (const r of plan.creates) for (const m of r.emails) emailRows.push(emailRow(idOf.get(r.employeeNumber)!, m));
  }
  await insertRows(trx, 'employee_emails', emailRows, postgres);

  for (const c of plan.conflicts) {
    events.push({
      actor: ctx.actor,
      action: 'hr.import_conflict',
      employeeId: c.employeeId,
      details: { importId: ctx.importId, line: c.row.line, kept: c.conflicts.map((x) => ({ address: x.address, kind: x.kind, source: x.source })) },
    });
  }
  return events;
}

function countPlan(counts: HrImportCounts, plan: BatchPlan): void {
  counts.created += plan.creates.length;
  counts.updated += plan.updates.length;
  counts.unchanged += plan.unchanged;
  counts.rejected += plan.rejected.length;
  counts.conflicts += plan.conflicts.reduce((n, c) => n + c.conflicts.length, 0);
  for (const u of plan.updates) {
    if (u.becameLeaver) counts.leavers++;
    if (u.rejoined) counts.rejoined++;
    counts.emailsAdded += u.addEmails.length;
    counts.emailsRemoved += u.deleteEmails.length;
    counts.pendingFactorsCancelled += u.pendingFactorIds.length;
    counts.codesCancelled += u.codeIds.length;
  }
  for (const r of plan.creates) counts.emailsAdded += r.emails.length;
}

/** Take the database's write lock for the batch (as the demo loader does, so the two never interleave ids). */
async function lockForBatch(trx: Knex.Transaction, postgres: boolean): Promise<void> {
  if (postgres) await trx.raw("SELECT pg_advisory_xact_lock(hashtext('mfa-desk.seed'))");
  // On sqlite any write statement, even one that matches no row, takes the write lock.
  else await trx('settings').where({ key: '' }).update({ value: '' });
}

// ── the import ──────────────────────────────────────────────────────────────────────────────

function asDeskError(err: unknown, afterCheck = false): unknown {
  if (err instanceof CsvFormatError) {
    // After the check, only a file changed while it was being imported can fail here.
    const tail = afterCheck ? ' (The file changed during the import; the batches before this line were imported.)' : ' Nothing was imported.';
    return new DeskError('VALIDATION', `${err.message}${tail}`, err.line === null ? undefined : { line: err.line });
  }
  return err;
}

function openFile(file: string): { stream: fs.ReadStream; size: number } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new DeskError('NOT_FOUND', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!stat.isFile()) throw new DeskError('VALIDATION', `${file} is not a file.`);
  return { stream: fs.createReadStream(file, { highWaterMark: 1 << 20 }), size: stat.size };
}

/**
 * Import the HR extract. Throws DeskError VALIDATION (nothing written) when the file is not CSV or
 * lacks a column; otherwise returns the counts, also when cancelled through the signal.
 */
export async function importHrFile(deps: HrImportDeps, opts: HrImportOptions): Promise<HrImportResult> {
  const started = Date.now();
  const dryRun = opts.dryRun ?? false;
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? HR_IMPORT_BATCH[databaseKind(deps.db)], HR_IMPORT_MAX_BATCH));
  const reportFile = path.resolve(opts.reportFile ?? defaultReportFile(opts.file));
  if (reportFile === path.resolve(opts.file)) throw new DeskError('VALIDATION', 'The report file cannot be the file being imported.');
  const counts = zeroCounts();
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const cancelled = () => opts.signal?.aborted === true;
  const result = (over: Partial<HrImportResult>): HrImportResult => ({
    dryRun,
    cancelled: false,
    counts,
    totalRows: 0,
    warnings,
    reportFile,
    reportLines: 0,
    importId: null,
    seconds: (Date.now() - started) / 1000,
    ...over,
  });

  // 1. The check: CSV all through, the header complete, the data rows counted. Nothing written.
  let header: HeaderMap | undefined;
  let totalRows = 0;
  const check = openFile(opts.file);
  const checkStarted = Date.now();
  let lastCheckReport = 0;
  try {
    for await (const chunk of readCsvChunks(check.stream, opts.csvLimits)) {
      for (const record of chunk.records) {
        if (!header) {
          header = readHeader(record);
          continue;
        }
        if (!isBlank(record)) totalRows++;
      }
      if (cancelled()) {
        check.stream.destroy();
        return result({ cancelled: true });
      }
      const now = Date.now();
      if (opts.onProgress && now - lastCheckReport >= 250) {
        lastCheckReport = now;
        const seconds = Math.max(0.001, (now - checkStarted) / 1000);
        const bytesPerSecond = chunk.bytesRead / seconds;
        opts.onProgress({
          phase: 'checking',
          rows: totalRows,
          totalRows: null,
          bytes: chunk.bytesRead,
          totalBytes: check.size,
          rowsPerSecond: totalRows / seconds,
          etaSeconds: bytesPerSecond > 0 ? (check.size - chunk.bytesRead) / bytesPerSecond : null,
          counts,
        });
      }
    }
  } catch (err) {
    throw asDeskError(err);
  } finally {
    check.stream.destroy();
  }
  if (!header) header = readHeader(undefined); // an empty file: refused
  for (const w of header.warnings) warn(w);

  // 2. The import, batch by batch.
  const report = await Report.open(reportFile);
  const db = deps.db;
  const postgres = databaseKind(db) === 'postgres';
  let importId: number | null = null;
  // Into an empty desk, the look-up's indexes are built once at the end instead of row by row.
  let deferred = false;
  if (!dryRun) {
    // A load that was stopped before it could build them left them out: build them first.
    await restoreIndexes(db);
    const empty = (await db('employees').first('id')) === undefined;
    importId = await recordAudit(db, deps.clock, {
      actor: opts.actor,
      action: 'hr.import_started',
      details: { file: path.basename(opts.file), bytes: check.size, rows: totalRows, batchSize, deferredIndexes: empty },
    });
    if (empty) deferred = await deferIndexes(db, deps.clock, `HR import ${importId}`);
  }
  const importStarted = Date.now();
  const numbers = new NumberSet();
  let isCancelled = false;
  const input = openFile(opts.file);
  let bytes = 0;
  let batch: HrRow[] = [];
  let batchRejected: Array<{ line: number; number: string; reason: string }> = [];
  let batchRecords = 0;
  let firstLine = 0;
  let lastLine = 0;

  const progress = () => {
    const seconds = Math.max(0.001, (Date.now() - importStarted) / 1000);
    const rate = counts.rows / seconds;
    opts.onProgress?.({
      phase: 'importing',
      rows: counts.rows,
      totalRows,
      bytes,
      totalBytes: input.size,
      rowsPerSecond: rate,
      etaSeconds: rate > 0 ? Math.max(0, totalRows - counts.rows) / rate : null,
      counts,
    });
  };

  const flush = async () => {
    if (batchRecords === 0) return;
    const rows = batch;
    const early = batchRejected;
    const records = batchRecords;
    const range = { fromLine: firstLine, toLine: lastLine };
    batch = [];
    batchRejected = [];
    batchRecords = 0;
    let plan: BatchPlan;
    if (dryRun) {
      plan = await planBatch(db, rows, false);
    } else {
      plan = await db.transaction(async (trx) => {
        await lockForBatch(trx, postgres);
        const p = await planBatch(trx, rows, postgres);
        const events = await applyBatch({ trx, postgres, clock: deps.clock, actor: opts.actor, importId }, p);
        events.push({
          actor: opts.actor,
          action: 'hr.import_batch',
          details: {
            importId,
            ...range,
            rows: records,
            created: p.creates.length,
            updated: p.updates.length,
            unchanged: p.unchanged,
            rejected: early.length + p.rejected.length,
            leavers: p.updates.filter((u) => u.becameLeaver).length,
            conflicts: p.conflicts.reduce((n, c) => n + c.conflicts.length, 0),
          },
        });
        await appendEvents(trx, events.map((e) => auditContent(deps.clock, e)));
        return p;
      });
    }
    counts.rows += records;
    counts.rejected += early.length;
    countPlan(counts, plan);
    // The report follows the database: a batch's lines are written once the batch has committed.
    const lines = [
      ...early.map((x) => ({ line: x.line, number: x.number, outcome: 'rejected', reason: x.reason })),
      ...plan.rejected.map((x) => ({ line: x.row.line, number: x.row.employeeNumber, outcome: 'rejected', reason: x.reason })),
      ...plan.conflicts.flatMap((c) => c.conflicts.map((x) => ({ line: c.row.line, number: c.row.employeeNumber, outcome: 'conflict', reason: x.reason }))),
    ].sort((a, b) => a.line - b.line);
    for (const l of lines) await report.write([l.line, l.number, l.outcome, l.reason]);
    progress();
  };

  let inFlight: Promise<void> = Promise.resolve();
  let failure: { err: unknown } | null = null;
  /** The batch in the database, done; its error, if it failed, thrown here. */
  const settled = async () => {
    await inFlight;
    if (failure) throw failure.err;
  };

  try {
    let headerSeen = false;
    outer: for await (const chunk of readCsvChunks(input.stream, opts.csvLimits)) {
      for (const record of chunk.records) {
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        if (isBlank(record)) continue;
        if (batchRecords === 0) firstLine = record.line;
        lastLine = record.line;
        batchRecords++;
        const row = validateRow(record, header);
        if (typeof row === 'string') {
          batchRejected.push({ line: record.line, number: employeeNumberOf(record, header), reason: row });
        } else if (numbers.addSeen(row.employeeNumber)) {
          batchRejected.push({ line: record.line, number: row.employeeNumber, reason: `employee ${row.employeeNumber} is on an earlier line too: only the first is imported` });
        } else {
          batch.push(row);
        }
        if (batchRecords >= batchSize) {
          bytes = chunk.bytesRead;
          // One batch in the database at a time, in file order; the next one is read and checked
          // while the database writes this one.
          await settled();
          if (cancelled()) {
            isCancelled = true;
            break outer;
          }
          inFlight = flush().catch((err: unknown) => {
            failure = { err };
          });
        }
      }
      bytes = chunk.bytesRead;
    }
    await settled();
    if (!isCancelled) await flush();
  } catch (err) {
    throw asDeskError(err, true);
  } finally {
    await inFlight; // never rejects: a failure is kept for settled()
    input.stream.destroy();
    await report.close();
    // Whatever stopped the batches (the end, a cancel, an error), the look-up gets its indexes back.
    if (deferred) {
      await restoreIndexes(db, (done, total) =>
        opts.onProgress?.({
          phase: 'indexing',
          rows: done,
          totalRows: total,
          bytes,
          totalBytes: input.size,
          rowsPerSecond: 0,
          etaSeconds: null,
          counts,
        }),
      );
    }
  }

  if (!dryRun) {
    await recordAudit(db, deps.clock, {
      actor: opts.actor,
      action: isCancelled ? 'hr.import_cancelled' : 'hr.import_finished',
      details: { importId, file: path.basename(opts.file), ...counts, seconds: Math.round((Date.now() - started) / 100) / 10 },
    });
  }
  return result({ cancelled: isCancelled, totalRows, reportLines: report.lines, importId });
}

function employeeNumberOf(record: CsvRecord, header: HeaderMap): string {
  return (record.fields[header.index.employee_number] ?? '').trim().slice(0, 20);
}
