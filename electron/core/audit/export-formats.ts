import type { Writable } from 'node:stream';
import type ExcelJSModule from 'exceljs';
import type PDFKitDocument from 'pdfkit';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat, type AuditReportFilter } from '../../../shared/domain';

/**
 * The three shapes of an audit export. Each takes the rows a page at a time and writes them to the
 * output as it goes (constant memory), then a closing part — CSV: a final section; XLSX: a second
 * sheet; PDF: a last page — with the filter, the row count and the signed chain head. Text that a
 * spreadsheet would run as a formula is made plain text, and line breaks inside a value become
 * spaces, in every format.
 */

export { AUDIT_EXPORT_FORMATS, type AuditExportFormat };

export const AUDIT_COLUMNS = ['seq', 'occurred_at', 'actor', 'employee_id', 'employee_number', 'ticket_ref', 'action', 'result', 'details'] as const;

export type Cell = string | number | null;

export interface ReportSummary {
  filter: AuditReportFilter;
  rows: number;
  headSeq: number;
  headHash: string;
  checkpointAt: string;
}

export interface ReportWriter {
  /** Write rows (cells in AUDIT_COLUMNS order); resolves when the output can take more. */
  rows(rows: ReadonlyArray<ReadonlyArray<Cell>>): Promise<void>;
  /** Write the closing part and end the output. */
  finish(summary: ReportSummary): Promise<void>;
  /** End the output without the closing part (the export was cancelled; the file is then deleted). */
  abandon(): Promise<void>;
}

const NEEDS_CARE = /[",\r\n]|^[=+\-@\t]/;

/**
 * A text value as a spreadsheet must show it: line breaks become spaces, and a value starting with
 * = + - @ (or a tab or carriage return) gets a leading apostrophe, so no spreadsheet runs it.
 */
export function plainText(value: string): string {
  if (!NEEDS_CARE.test(value)) return value;
  const s = value.replace(/\r\n|\r|\n/g, ' ');
  return /^[=+\-@\t\r]/.test(value) ? `'${s}` : s;
}

/** One CSV cell: plain text (above), quoted when it holds a quote or a comma. */
export function safeCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (!NEEDS_CARE.test(value)) return value; // most cells: nothing to do
  const s = plainText(value);
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: ReadonlyArray<Cell>): string {
  return cells.map(safeCell).join(',') + '\r\n';
}

/**
 * Rows are turned into text a slice at a time, with a turn of the event loop between slices: the
 * export runs in the desk's main process, which must keep answering while it works.
 */
const SLICE = 1000;
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

async function writeText(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

async function ended(out: Writable): Promise<void> {
  if (out.writableFinished) return;
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
}

function summaryLines(s: ReportSummary): Array<[string, string | number]> {
  return [
    ['filter', JSON.stringify(s.filter)],
    ['rows', s.rows],
    ['chain head', `${s.headSeq} ${s.headHash}`],
    ['signed checkpoint', s.checkpointAt],
  ];
}

function csvWriter(out: Writable): ReportWriter {
  let started = false;
  const header = async () => {
    if (!started) await writeText(out, csvLine([...AUDIT_COLUMNS]));
    started = true;
  };
  return {
    async rows(rows) {
      await header();
      for (let i = 0; i < rows.length; i += SLICE) {
        let chunk = '';
        for (const r of rows.slice(i, i + SLICE)) chunk += csvLine(r);
        await writeText(out, chunk);
        await breathe();
      }
    },
    async finish(s) {
      await header();
      await writeText(out, '\r\n' + csvLine(['# MFA Desk audit report']));
      await writeText(out, csvLine(['# filter', JSON.stringify(s.filter)]));
      await writeText(out, csvLine(['# rows', s.rows]));
      await writeText(out, csvLine(['# chain head', s.headSeq, s.headHash]));
      await writeText(out, csvLine(['# signed checkpoint', s.checkpointAt]));
      out.end();
      await ended(out);
    },
    async abandon() {
      out.end();
      await ended(out);
    },
  };
}

/** The streaming XLSX writer of exceljs: rows are committed (written out) as they come. */
function xlsxWriter(ExcelJS: typeof ExcelJSModule, out: Writable): ReportWriter {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = book.addWorksheet('Audit events');
  sheet.addRow([...AUDIT_COLUMNS]).commit();
  const cell = (v: Cell) => (typeof v === 'string' ? plainText(v) : v);
  return {
    async rows(rows) {
      for (let i = 0; i < rows.length; i += SLICE) {
        for (const r of rows.slice(i, i + SLICE)) sheet.addRow(r.map(cell)).commit();
        // Let the zip stream hand what it has to the file before the next slice.
        await breathe();
        if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
    },
    async finish(s) {
      sheet.commit();
      const report = book.addWorksheet('Report');
      report.addRow(['MFA Desk audit report']).commit();
      for (const [k, v] of summaryLines(s)) report.addRow([k, typeof v === 'string' ? plainText(v) : v]).commit();
      report.commit();
      await book.commit();
      await ended(out);
    },
    async abandon() {
      sheet.commit();
      await book.commit();
      await ended(out);
    },
  };
}

/** A PDF of the events (landscape A4, each event a heading line and its details), then a last page. */
function pdfWriter(PDFDocument: typeof PDFKitDocument, out: Writable): ReportWriter {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: 'MFA Desk audit report', Creator: 'MFA Desk' } });
  doc.pipe(out);
  doc.font('Helvetica-Bold').fontSize(12).text('MFA Desk audit report');
  doc.moveDown(0.5);
  const text = (v: Cell | undefined) => (v === null || v === undefined ? '-' : typeof v === 'number' ? String(v) : plainText(v));
  return {
    async rows(rows) {
      for (const [i, r] of rows.entries()) {
        if (i > 0 && i % (SLICE / 4) === 0) await breathe();
        const [seq, at, actor, employeeId, employeeNumber, ticket, action, result, details] = r;
        doc
          .font('Helvetica-Bold')
          .fontSize(8)
          .text(`#${text(seq)}  ${text(at)}  ${text(actor)}  ${text(action)}  ${text(result)}  employee ${text(employeeNumber ?? employeeId)}  ticket ${text(ticket)}`);
        doc.font('Helvetica').fontSize(8).text(text(details));
        doc.moveDown(0.3);
      }
      await breathe();
      if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
    },
    async finish(s) {
      doc.addPage();
      doc.font('Helvetica-Bold').fontSize(12).text('MFA Desk audit report: what this file holds');
      doc.moveDown(0.5);
      for (const [k, v] of summaryLines(s)) doc.font('Helvetica').fontSize(10).text(`${k}: ${typeof v === 'string' ? plainText(v) : v}`);
      doc.end();
      await ended(out);
    },
    async abandon() {
      doc.end();
      await ended(out);
    },
  };
}

/**
 * The writer for a format. The XLSX and PDF libraries are loaded with their first export: every
 * `desk` command and the app's start would otherwise pay about 0.3 s to load them.
 */
export async function reportWriter(format: AuditExportFormat, out: Writable): Promise<ReportWriter> {
  if (format === 'xlsx') return xlsxWriter((await import('exceljs')).default, out);
  if (format === 'pdf') return pdfWriter((await import('pdfkit')).default, out);
  return csvWriter(out);
}
