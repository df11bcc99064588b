import path from 'node:path';
import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import { HR_IMPORT_MAX_BATCH } from '../../../shared/schemas';
import { auditContent, recordAudit } from '../audit/audit.service';
import { appendEvents } from '../audit/chain';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { deferIndexes, restoreIndexes } from '../db/deferred-indexes';
import { applyBatch, batchEvent, countPlan, lockForBatch, reportLines } from './batch-apply';
import { planBatch, type BatchPlan } from './batch-plan';
import { CsvFormatError } from './csv';
import type { PendingBatch } from './extract-passes';
import type { HeaderMap } from './header';
import { HR_IMPORT_BATCH, zeroCounts, type HrImportCounts, type HrImportOptions, type HrImportResult } from './options';
import { ExtractReader } from './reader';
import { revive } from './reader-protocol';
import { defaultReportFile, Report } from './report-file';

interface HrImportDeps {
  db: Knex;
  clock: Clock;
}

/** Everything one import run keeps between its steps. */
interface ImportRun {
  deps: HrImportDeps;
  opts: HrImportOptions;
  dryRun: boolean;
  postgres: boolean;
  batchSize: number;
  header: HeaderMap;
  totalRows: number;
  totalBytes: number;
  counts: HrImportCounts;
  report: Report;
  importId: number | null;
  startedAt: number;
  /** Bytes of the file read so far. */
  bytes: number;
  /** The batch in the database now: one at a time, in file order. Never rejects. */
  inFlight: Promise<void>;
  /** What made a batch fail, thrown at the next settle(). */
  failure: { err: unknown } | null;
}

function asDeskError(err: unknown, afterCheck = false): unknown {
  if (err instanceof CsvFormatError) {
    // After the check, only a file changed while it was being imported can fail here.
    const tail = afterCheck ? ' (The file changed during the import; the batches before this line were imported.)' : ' Nothing was imported.';
    return new DeskError('VALIDATION', `${err.message}${tail}`, err.line === null ? undefined : { line: err.line });
  }
  return err;
}

/**
 * The first read, on the reader thread: CSV all through, the header complete, the data rows counted.
 * Nothing written. Null when cancelled through the signal.
 */
async function checkFile(reader: ExtractReader, opts: HrImportOptions, counts: HrImportCounts): Promise<{ header: HeaderMap; totalRows: number; size: number } | null> {
  for (;;) {
    if (opts.signal?.aborted === true) return null;
    const m = await reader.next();
    if (m.type === 'checked') return { header: m.header, totalRows: m.totalRows, size: m.size };
    if (m.type === 'failed') throw asDeskError(revive(m.error));
    if (m.type === 'done') return null;
    if (m.type === 'checking') {
      const bytesPerSecond = m.bytes / m.seconds;
      opts.onProgress?.({
        phase: 'checking',
        rows: m.rows,
        totalRows: null,
        bytes: m.bytes,
        totalBytes: m.totalBytes,
        rowsPerSecond: m.rows / m.seconds,
        etaSeconds: bytesPerSecond > 0 ? (m.totalBytes - m.bytes) / bytesPerSecond : null,
        counts,
      });
    }
  }
}

function reportProgress(run: ImportRun): void {
  const seconds = Math.max(0.001, (Date.now() - run.startedAt) / 1000);
  const rate = run.counts.rows / seconds;
  run.opts.onProgress?.({
    phase: 'importing',
    rows: run.counts.rows,
    totalRows: run.totalRows,
    bytes: run.bytes,
    totalBytes: run.totalBytes,
    rowsPerSecond: rate,
    etaSeconds: rate > 0 ? Math.max(0, run.totalRows - run.counts.rows) / rate : null,
    counts: run.counts,
  });
}

/** One batch in the database (in its own transaction with its audit rows), then counted and reported. */
async function writeBatch(run: ImportRun, b: PendingBatch): Promise<void> {
  const { db, clock } = run.deps;
  let plan: BatchPlan;
  if (run.dryRun) {
    plan = await planBatch(db, b.rows, false);
  } else {
    plan = await db.transaction(async (trx) => {
      await lockForBatch(trx, run.postgres);
      const p = await planBatch(trx, b.rows, run.postgres);
      const ctx = { trx, clock, actor: run.opts.actor, importId: run.importId };
      const events = await applyBatch(ctx, p);
      events.push(batchEvent(ctx, p, { fromLine: b.fromLine, toLine: b.toLine, rows: b.records, rejectedEarly: b.rejected.length }));
      await appendEvents(trx, events.map((e) => auditContent(clock, e)));
      return p;
    });
  }
  run.counts.rows += b.records;
  run.counts.rejected += b.rejected.length;
  countPlan(run.counts, plan);
  // The report follows the database: a batch's lines are written once the batch has committed.
  await run.report.write(reportLines(b.rejected, plan));
  reportProgress(run);
}

/** Send a batch to the database, behind the one before it; the next is read meanwhile. */
function startBatch(run: ImportRun, b: PendingBatch): void {
  if (b.records === 0) return;
  run.inFlight = writeBatch(run, b).catch((err: unknown) => {
    run.failure = { err };
  });
}

/** The batch in the database, done; its error, if it failed, thrown here. */
async function settle(run: ImportRun): Promise<void> {
  await run.inFlight;
  if (run.failure) throw run.failure.err;
}

/** The second read: every data row into batches, from the reader thread. True when cancelled through the signal. */
async function importRows(run: ImportRun, reader: ExtractReader): Promise<boolean> {
  reader.go();
  for (;;) {
    const m = await reader.next();
    if (m.type === 'failed') {
      await settle(run);
      throw revive(m.error);
    }
    if (m.type === 'done') break;
    if (m.type !== 'batch') continue;
    reader.credit();
    await settle(run);
    if (run.opts.signal?.aborted === true) return true;
    run.bytes = m.bytes;
    startBatch(run, m.batch);
  }
  await settle(run);
  return false;
}

/** Before a real run: its audit row, and into an empty desk the look-up's indexes put off until the end. */
async function beginImport(deps: HrImportDeps, opts: HrImportOptions, facts: { bytes: number; rows: number; batchSize: number }) {
  const { db } = deps;
  // A load that was stopped before it could build them left them out: build them first.
  await restoreIndexes(db);
  const empty = (await db('employees').first('id')) === undefined;
  const importId = await recordAudit(db, deps.clock, {
    actor: opts.actor,
    action: 'hr.import_started',
    details: { file: path.basename(opts.file), bytes: facts.bytes, rows: facts.rows, batchSize: facts.batchSize, deferredIndexes: empty },
  });
  const deferred = empty ? await deferIndexes(db, deps.clock, `HR import ${importId}`) : false;
  return { importId, deferred };
}

/**
 * Import the HR extract. Throws DeskError VALIDATION (nothing written) when the file is not CSV or
 * lacks a column; otherwise returns the counts, also when cancelled through the signal.
 */
export async function importHrFile(deps: HrImportDeps, opts: HrImportOptions): Promise<HrImportResult> {
  const started = Date.now();
  const dryRun = opts.dryRun ?? false;
  const db = deps.db;
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? HR_IMPORT_BATCH[databaseKind(db)], HR_IMPORT_MAX_BATCH));
  const reportFile = path.resolve(opts.reportFile ?? defaultReportFile(opts.file));
  if (reportFile === path.resolve(opts.file)) throw new DeskError('VALIDATION', 'The report file cannot be the file being imported.');
  const counts = zeroCounts();
  const warnings: string[] = [];
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

  const reader = new ExtractReader({ file: opts.file, batchSize, csvLimits: opts.csvLimits, window: 2 });
  let checked: Awaited<ReturnType<typeof checkFile>>;
  try {
    checked = await checkFile(reader, opts, counts);
  } catch (err) {
    await reader.close();
    throw err;
  }
  if (!checked) {
    await reader.close();
    return result({ cancelled: true });
  }
  for (const w of checked.header.warnings) {
    warnings.push(w);
    opts.onWarning?.(w);
  }

  let report: Report;
  let begun: { importId: number | null; deferred: boolean };
  try {
    report = await Report.open(reportFile);
    begun = dryRun ? { importId: null, deferred: false } : await beginImport(deps, opts, { bytes: checked.size, rows: checked.totalRows, batchSize });
  } catch (err) {
    await reader.close();
    throw err;
  }
  const run: ImportRun = {
    deps,
    opts,
    dryRun,
    postgres: databaseKind(db) === 'postgres',
    batchSize,
    header: checked.header,
    totalRows: checked.totalRows,
    totalBytes: checked.size,
    counts,
    report,
    importId: begun.importId,
    startedAt: Date.now(),
    bytes: 0,
    inFlight: Promise.resolve(),
    failure: null,
  };
  let cancelled: boolean;
  try {
    cancelled = await importRows(run, reader);
  } catch (err) {
    throw asDeskError(err, true);
  } finally {
    await run.inFlight; // never rejects: a failure is kept for settle()
    await reader.close();
    await report.close();
    // Whatever stopped the batches (the end, a cancel, an error), the look-up gets its indexes back.
    if (begun.deferred) {
      await restoreIndexes(db, (done, total) =>
        opts.onProgress?.({ phase: 'indexing', rows: done, totalRows: total, bytes: run.bytes, totalBytes: checked.size, rowsPerSecond: 0, etaSeconds: null, counts }),
      );
    }
  }

  if (!dryRun) {
    await recordAudit(db, deps.clock, {
      actor: opts.actor,
      action: cancelled ? 'hr.import_cancelled' : 'hr.import_finished',
      details: { importId: run.importId, file: path.basename(opts.file), ...counts, seconds: Math.round((Date.now() - started) / 100) / 10 },
    });
  }
  return result({ cancelled, totalRows: run.totalRows, reportLines: report.lines, importId: run.importId });
}
