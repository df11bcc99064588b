import type { Knex } from 'knex';
import type { AuditReportFilter, AuditReportPage, AuditReportRow, AuditSortKey, SortDirection } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import type { Vault } from '../secrets/vault';
import { recordAudit, type Actor } from './audit.service';
import { writeCheckpoint } from './integrity';

/**
 * Supervisors' audit reports: the events a filter selects, a keyset page at a time in the order
 * asked for (always ending in seq, so every page is a range of an index walk), their total, and
 * the same rows streamed to a file.
 */

const SORT_COLUMN: Record<AuditSortKey, string | null> = { seq: null, actor: 'audit_events.actor_name', action: 'audit_events.action', result: 'audit_events.result' };

const DAY_MS = 24 * 60 * 60_000;

/** The filter as conditions on audit_events (dates as half-open UTC ranges). */
export function applyAuditFilter(qb: Knex.QueryBuilder, f: AuditReportFilter): Knex.QueryBuilder {
  if (f.from) qb.where('audit_events.occurred_at', '>=', new Date(`${f.from}T00:00:00.000Z`).toISOString());
  if (f.to) qb.where('audit_events.occurred_at', '<', new Date(new Date(`${f.to}T00:00:00.000Z`).getTime() + DAY_MS).toISOString());
  if (f.actor) qb.where('audit_events.actor_name', f.actor);
  if (f.action) {
    if (f.action.endsWith('.')) qb.where('audit_events.action', '>=', f.action).andWhere('audit_events.action', '<', f.action.slice(0, -1) + '/');
    else qb.where('audit_events.action', f.action);
  }
  if (f.employeeId !== undefined) qb.where('audit_events.employee_id', f.employeeId);
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

const REPORT_COLUMNS = [
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

function reportQuery(db: Knex, f: AuditReportFilter): Knex.QueryBuilder {
  const qb = db('audit_events').leftJoin('employees', 'employees.id', 'audit_events.employee_id').select(REPORT_COLUMNS);
  return applyAuditFilter(qb, f);
}

interface Cursor {
  v: string | null;
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
    (c as Cursor).s <= 2_147_483_647 &&
    (sort === 'seq' ? (c as Cursor).v === null : typeof (c as Cursor).v === 'string' && (c as Cursor).v!.length <= 200);
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
  const qb = reportQuery(db, input.filter);
  const op = dir === 'asc' ? '>' : '<';
  if (cursor) {
    if (col) qb.whereRaw(`(${col}, audit_events.seq) ${op} (?, ?)`, [cursor.v, cursor.s]);
    else qb.where('audit_events.seq', op, cursor.s);
  }
  qb.orderBy([...(col ? [{ column: col, order: dir }] : []), { column: 'audit_events.seq', order: dir }]).limit(input.limit + 1);
  const rows = ((await qb) as Array<Record<string, unknown>>).map(toReportRow);
  const shown = rows.slice(0, input.limit);
  const last = shown[shown.length - 1];
  const value = (r: AuditReportRow): string | null => (by === 'actor' ? r.actor : by === 'action' ? r.action : by === 'result' ? r.result : null);
  return { rows: shown, nextCursor: rows.length > input.limit && last ? encodeCursor({ v: value(last), s: last.seq }) : null };
}

/** How many events the filter selects. */
export async function auditReportCount(db: Knex, filter: AuditReportFilter): Promise<number> {
  const row = (await applyAuditFilter(db('audit_events'), filter).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

// ── CSV ──────────────────────────────────────────────────────────────────────────────────────────

export const AUDIT_CSV_HEADER = ['seq', 'occurred_at', 'actor', 'employee_id', 'employee_number', 'ticket_ref', 'action', 'result', 'details'] as const;

/**
 * One cell, safe to open in a spreadsheet: line breaks become spaces (no cell spans lines), and a
 * text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) gets a leading apostrophe, so it shows as text.
 */
export function safeCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (!NEEDS_CARE.test(value)) return value; // most cells: nothing to do
  let s = value.replace(/\r\n|\r|\n/g, ' ');
  if (/^[=+\-@\t\r]/.test(value)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const NEEDS_CARE = /[",\r\n]|^[=+\-@\t]/;

export function csvLine(cells: ReadonlyArray<string | number | null>): string {
  return cells.map(safeCell).join(',') + '\r\n';
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A row as stored, straight to cells: the details column is already JSON text. */
function rowCells(r: Record<string, unknown>): Array<string | number | null> {
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

/** Rows per keyset page of an export. */
const EXPORT_PAGE = 5000;

export interface ExportSink {
  /** Returns false when the reader is full: wait for 'drain'. */
  write(chunk: string): boolean;
  once(event: 'drain', fn: () => void): unknown;
}

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
 * Stream the filtered events, oldest first, as CSV: keyset pages of 5,000 by seq, written with
 * back-pressure, so memory stays flat whatever the size. A signed checkpoint is written first and
 * the export stops at its head, so the file is one consistent cut of the chain; it ends with a
 * section naming the filter, the row count and that head, for a reader to check it against
 * `desk audit verify`. The export itself is then recorded (audit.exported) with the filter and the count.
 */
export async function exportAuditCsv(
  db: Knex,
  clock: Clock,
  vault: Vault,
  filter: AuditReportFilter,
  sink: ExportSink,
  opts: { actor: Actor; dataDir?: string | undefined; onProgress?: (rows: number, total: number) => void; signal?: AbortSignal },
): Promise<AuditExportResult> {
  const checkpoint = await writeCheckpoint(db, clock, vault, { reason: 'export', createdBy: opts.actor.name, dataDir: opts.dataDir });
  const counted = (await applyAuditFilter(db('audit_events'), filter).where('seq', '<=', checkpoint.headSeq).count({ n: '*' }).first()) as { n: number | string };
  const total = Number(counted.n);
  const write = async (text: string) => {
    if (!sink.write(text)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  };
  await write(csvLine([...AUDIT_CSV_HEADER]));
  let after = 0;
  let rows = 0;
  for (;;) {
    if (opts.signal?.aborted) throw new ExportCancelled();
    const page = (await reportQuery(db, filter)
      .where('audit_events.seq', '>', after)
      .andWhere('audit_events.seq', '<=', checkpoint.headSeq)
      .orderBy('audit_events.seq')
      .limit(EXPORT_PAGE)) as Array<Record<string, unknown>>;
    if (page.length === 0) break;
    let chunk = '';
    for (const r of page) chunk += csvLine(rowCells(r));
    await write(chunk);
    rows += page.length;
    after = Number(page[page.length - 1]!.seq);
    opts.onProgress?.(rows, total);
  }
  await write('\r\n');
  await write(csvLine(['# MFA Desk audit report']));
  await write(csvLine(['# filter', JSON.stringify(filter)]));
  await write(csvLine(['# rows', rows]));
  await write(csvLine(['# chain head', checkpoint.headSeq, checkpoint.headHash]));
  await write(csvLine(['# signed checkpoint', checkpoint.at]));
  // Who took which part of the trail away with them (after the export's head, so not in the file).
  await recordAudit(db, clock, { actor: opts.actor, action: 'audit.exported', details: { format: 'csv', filter: { ...filter }, rows, headSeq: checkpoint.headSeq } });
  return { rows, headSeq: checkpoint.headSeq, headHash: checkpoint.headHash, checkpointAt: checkpoint.at };
}
