import { MAX_ROW_ID } from '../../../shared/schemas';
import type { Knex } from 'knex';
import type { AuditReportFilter, AuditReportPage, AuditReportRow, AuditSortKey, SortDirection } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import { databaseKind, type DatabaseKind } from '../db/connection';
import type { Vault } from '../secrets/vault';
import { recordAudit, type Actor } from './audit.service';
import { writeCheckpoint } from './integrity';
import { reportWriter, type AuditExportFormat, type Cell } from './export-formats';
import type { Writable } from 'node:stream';

/**
 * Supervisors' audit reports: the events a filter selects, a keyset page at a time in the order
 * asked for (always ending in seq, so every page is a range of an index walk), their total, and
 * the same rows streamed to a file.
 */

const SORT_COLUMN: Record<AuditSortKey, string> = {
  time: 'audit_events.occurred_at',
  actor: 'audit_events.actor_name',
  action: 'audit_events.action',
  result: 'audit_events.result',
};
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DAY_MS = 24 * 60 * 60_000;

/** The first instant of a day (plus `days`), as stored: ISO-8601 UTC with milliseconds. */
export function dayStart(day: string, days = 0): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString();
}

/**
 * The filter as conditions on audit_events (dates as half-open UTC ranges); with `page`, also where
 * a page in time order resumes (after the event at that time and sequence number).
 */
export function applyAuditFilter(qb: Knex.QueryBuilder, f: AuditReportFilter, page?: { after: [string, number]; dir: SortDirection }): Knex.QueryBuilder {
  // The time range, narrowed to where a time-ordered page resumes: sqlite starts an index range at
  // one bound only, so the tighter one must be the only one (or every page would walk from the
  // filter's first day again).
  let from = f.from ? dayStart(f.from) : null;
  let to: [string, '<' | '<='] | null = f.to ? [dayStart(f.to, 1), '<'] : null;
  if (page?.dir === 'asc' && (from === null || page.after[0] > from)) from = page.after[0];
  if (page?.dir === 'desc' && (to === null || page.after[0] < to[0])) to = [page.after[0], '<='];
  if (from) qb.where('audit_events.occurred_at', '>=', from);
  if (to) qb.where('audit_events.occurred_at', to[1], to[0]);
  if (page) qb.whereRaw(`(audit_events.occurred_at, audit_events.seq) ${page.dir === 'asc' ? '>' : '<'} (?, ?)`, page.after);
  if (f.actor) qb.where('audit_events.actor_name', f.actor);
  if (f.action) {
    if (f.action.endsWith('.')) qb.where('audit_events.action', '>=', f.action).andWhere('audit_events.action', '<', f.action.slice(0, -1) + '/');
    else qb.where('audit_events.action', f.action);
  }
  if (f.employeeId !== undefined) qb.where('audit_events.employee_id', f.employeeId);
  if (f.employeeNumber) qb.whereIn('audit_events.employee_id', (sub) => void sub.select('id').from('employees').where('employee_number', f.employeeNumber!));
  if (f.ticketRef) qb.where('audit_events.ticket_ref', f.ticketRef);
  if (f.result) qb.where('audit_events.result', f.result);
  return qb;
}

function parseDetails(raw: unknown): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(String(raw));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { unreadable: String(raw).slice(0, 200) };
  }
}

export function toReportRow(r: Record<string, unknown>): AuditReportRow {
  return {
    seq: Number(r.seq),
    occurredAt: new Date(r.occurred_at as string | Date).toISOString(),
    actor: String(r.actor_name),
    employeeId: r.employee_id === null || r.employee_id === undefined ? null : Number(r.employee_id),
    employeeNumber: (r.employee_number as string | null | undefined) ?? null,
    ticketRef: (r.ticket_ref as string | null) ?? null,
    action: String(r.action),
    result: r.result === 'refused' ? 'refused' : 'ok',
    details: parseDetails(r.details),
  };
}

/** The columns a report row is made of (the events, and the employee's number). */
export const REPORT_COLUMNS = [
  'audit_events.seq',
  'audit_events.occurred_at',
  'audit_events.actor_name',
  'audit_events.employee_id',
  'employees.employee_number',
  'audit_events.ticket_ref',
  'audit_events.action',
  'audit_events.result',
  'audit_events.details',
];

function reportQuery(db: Knex, f: AuditReportFilter, page?: { after: [string, number]; dir: SortDirection }): Knex.QueryBuilder {
  const qb = db('audit_events').leftJoin('employees', 'employees.id', 'audit_events.employee_id').select(REPORT_COLUMNS);
  return applyAuditFilter(qb, f, page);
}

/** Where the last page ended: the sort column's value and the sequence number. */
interface Cursor {
  v: string;
  s: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(raw: string | null | undefined, sort: AuditSortKey): Cursor | null {
  if (!raw) return null;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    c = null;
  }
  const ok =
    typeof c === 'object' &&
    c !== null &&
    Number.isInteger((c as Cursor).s) &&
    (c as Cursor).s >= 0 &&
    (c as Cursor).s <= MAX_ROW_ID &&
    typeof (c as Cursor).v === 'string' &&
    (sort === 'time' ? ISO_UTC.test((c as Cursor).v) : (c as Cursor).v.length <= 200);
  if (!ok) throw new DeskError('VALIDATION', 'The report page cursor does not belong to this report; start again.');
  return c as Cursor;
}

export async function auditReportPage(
  db: Knex,
  input: { filter: AuditReportFilter; sort: { by: AuditSortKey; dir: SortDirection }; cursor?: string | null | undefined; limit: number },
): Promise<AuditReportPage> {
  const { by, dir } = input.sort;
  const cursor = decodeCursor(input.cursor, by);
  const col = SORT_COLUMN[by];
  const qb = reportQuery(db, input.filter, by === 'time' && cursor ? { after: [cursor.v, cursor.s], dir } : undefined);
  if (cursor && by !== 'time') qb.whereRaw(`(${col}, audit_events.seq) ${dir === 'asc' ? '>' : '<'} (?, ?)`, [cursor.v, cursor.s]);
  qb.orderBy([
    { column: col, order: dir },
    { column: 'audit_events.seq', order: dir },
  ]).limit(input.limit + 1);
  const rows = ((await qb) as Array<Record<string, unknown>>).map(toReportRow);
  const shown = rows.slice(0, input.limit);
  const last = shown[shown.length - 1];
  const value = (r: AuditReportRow): string => (by === 'actor' ? r.actor : by === 'action' ? r.action : by === 'result' ? r.result : r.occurredAt);
  return { rows: shown, nextCursor: rows.length > input.limit && last ? encodeCursor({ v: value(last), s: last.seq }) : null };
}

/** How many events the filter selects. */
export async function auditReportCount(db: Knex, filter: AuditReportFilter): Promise<number> {
  const row = (await applyAuditFilter(db('audit_events'), filter).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

// ── Export ───────────────────────────────────────────────────────────────────────────────────────

/** A row as stored, straight to cells (AUDIT_COLUMNS order): the details column is already JSON text. */
function rowCells(r: Record<string, unknown>): Cell[] {
  const at = r.occurred_at;
  return [
    Number(r.seq),
    typeof at === 'string' && ISO_UTC.test(at) ? at : new Date(at as string | Date).toISOString(),
    String(r.actor_name),
    r.employee_id === null || r.employee_id === undefined ? null : Number(r.employee_id),
    (r.employee_number as string | null | undefined) ?? null,
    (r.ticket_ref as string | null | undefined) ?? null,
    String(r.action),
    String(r.result),
    String(r.details),
  ];
}

/**
 * Rows per keyset page of an export. sqlite hands a page over in one callback on the main thread;
 * node-postgres parses its rows on the main thread as they arrive, and a smaller page keeps both
 * that work and the memory it holds at once lower.
 */
const EXPORT_PAGE: Record<DatabaseKind, number> = { sqlite: 5000, postgres: 2000 };

export interface AuditExportResult {
  rows: number;
  headSeq: number;
  headHash: string;
  checkpointAt: string;
}

export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled');
    this.name = 'ExportCancelled';
  }
}

/**
 * Stream the filtered events, oldest first (time, then sequence number), to `out` as CSV, XLSX or
 * PDF (export-formats.ts): keyset pages of 5,000, written with back-pressure, so memory stays flat whatever the size.
 * A signed checkpoint is written first and the export stops at its head, so the file is one
 * consistent cut of the chain; it ends with the filter, the row count and that head, for a reader to
 * check it against `desk audit verify`. The output is ended when the file is complete. The export
 * itself is then recorded (audit.exported) with the format, the filter and the count.
 */
export async function exportAudit(
  db: Knex,
  clock: Clock,
  vault: Vault,
  filter: AuditReportFilter,
  format: AuditExportFormat,
  out: Writable,
  opts: {
    actor: Actor;
    /** Where the rows are read (sqlite: the query-only connection, with its smaller page cache). */
    reader?: Knex | undefined;
    dataDir?: string | undefined;
    onProgress?: (rows: number, total: number) => void;
    signal?: AbortSignal;
  },
): Promise<AuditExportResult> {
  const checkpoint = await writeCheckpoint({ db, clock, vault, dataDir: opts.dataDir }, opts.actor, { reason: 'export' });
  const read = opts.reader ?? db;
  const counted = (await applyAuditFilter(read('audit_events'), filter).where('seq', '<=', checkpoint.headSeq).count({ n: '*' }).first()) as { n: number | string };
  const total = Number(counted.n);
  const writer = await reportWriter(format, out);
  let after: [string, number] | null = null;
  let rows = 0;
  for (;;) {
    if (opts.signal?.aborted) {
      await writer.abandon();
      throw new ExportCancelled();
    }
    // Oldest first: keyset pages along the (occurred_at, seq) index, which starts at the filter's
    // first day rather than at the first event ever written.
    const qb = reportQuery(read, filter, after ? { after, dir: 'asc' } : undefined).where('audit_events.seq', '<=', checkpoint.headSeq);
    const page = (await qb.orderBy(['audit_events.occurred_at', 'audit_events.seq']).limit(EXPORT_PAGE[databaseKind(read)])) as Array<Record<string, unknown>>;
    if (page.length === 0) break;
    const cells = page.map(rowCells);
    await writer.rows(cells);
    rows += page.length;
    const last = cells[cells.length - 1]!;
    after = [last[1] as string, last[0] as number];
    opts.onProgress?.(rows, total);
  }
  await writer.finish({ filter, rows, headSeq: checkpoint.headSeq, headHash: checkpoint.headHash, checkpointAt: checkpoint.at });
  // Who took which part of the trail away with them (after the export's head, so not in the file).
  await recordAudit(db, clock, { actor: opts.actor, action: 'audit.exported', details: { format, filter: { ...filter }, rows, headSeq: checkpoint.headSeq } });
  return { rows, headSeq: checkpoint.headSeq, headHash: checkpoint.headHash, checkpointAt: checkpoint.at };
}

/** exportAudit as CSV. */
export function exportAuditCsv(
  db: Knex,
  clock: Clock,
  vault: Vault,
  filter: AuditReportFilter,
  out: Writable,
  opts: Parameters<typeof exportAudit>[6],
): Promise<AuditExportResult> {
  return exportAudit(db, clock, vault, filter, 'csv', out, opts);
}
