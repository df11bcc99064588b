import path from 'node:path';
import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import { HR_IMPORT_MAX_BATCH } from '../../../shared/schemas';
import { auditContent, recordAudit, type AuditEventInput } from '../audit/audit.service';
import { appendEvents } from '../audit/chain';
import type { Clock } from '../clock';
import { encodingFor, type EncodingFormat } from '../employees/employee-writer';
import { databaseKind } from '../db/connection';
import { deferIndexes, restoreIndexes } from '../db/deferred-indexes';
import { applyBatch, applyNewRows, batchEvent, countPlan, lockForBatch, planForDataInMemory, reportLines } from './batch-apply';
import { planBatch, planNewRows, wholeRows, type BatchPlan, type BatchRows, type OwnRowsOnly } from './batch-plan';
import { CsvFormatError } from './csv';
import type { PendingBatch } from './extract-passes';
import type { HeaderMap } from './header';
import { HR_IMPORT_BATCH, SQLITE_GROUP, zeroCounts, type HrImportCounts, type HrImportOptions, type HrImportResult } from './options';
import { rowsOf } from './new-employee';
import { ExtractReader } from './reader';
import { revive } from './reader-protocol';
import { defaultReportFile, Report, type ReportLine } from './report-file';
import type { HrRow, NewRowKey } from './row-checks';

/** A batch's plan, whichever way its new rows came. */
type Plan = BatchPlan<HrRow | NewRowKey>;

interface HrImportDeps {
  db: Knex;
  clock: Clock;
}

/** Everything one import run keeps between its steps. */
interface ImportRun {
  deps: HrImportDeps;
  opts: HrImportOptions;
  /** The reader thread: it hands on the batches and holds a re-import's whole rows until planned. */
  reader: ExtractReader;
  dryRun: boolean;
  postgres: boolean;
  /**
   * A first load: every row is new, so the reader thread encodes each row for its insert, in the
   * database's format, while the main thread writes the batch before, and hands the batch on as
   * NewRows. Null otherwise.
   */
  encodeAhead: EncodingFormat | null;
  /**
   * A first load while the desk holds no employee but those it wrote (the highest id among them):
   * its batches are planned without asking the database what it cannot hold (batch-plan.ts,
   * OwnRowsOnly). Null from the first batch that finds an employee anyone else added: every batch
   * is then planned in full.
   */
  ownRows: { lastId: number } | null;
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
  /** sqlite: the batches written since the last commit. */
  group: Group | null;
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

/** A batch the database has taken, and what it did. */
interface Written {
  b: PendingBatch;
  plan: Plan;
}

/** Batches written in one transaction not yet committed (sqlite: SQLITE_GROUP). */
interface Group {
  trx: Knex.Transaction;
  startedAt: number;
  batches: number;
  /** The batches' report lines, written once the group is committed; their rows are not kept meanwhile. */
  lines: ReportLine[];
}

/** Count a batch the database has taken (on sqlite its group's commit follows within SQLITE_GROUP) and report progress. */
function account(run: ImportRun, w: Written): void {
  run.counts.rows += w.b.records;
  run.counts.rejected += w.b.rejected.length;
  countPlan(run.counts, w.plan);
  reportProgress(run);
}

/** A committed batch's report lines: the report follows the database. */
async function reportBatch(run: ImportRun, w: Written): Promise<void> {
  await run.report.write(reportLines(w.b.rejected, w.plan));
}

/** The highest employee id on the desk (0 when none). */
async function topEmployeeId(trx: Knex.Transaction): Promise<number> {
  const row = await trx('employees').max({ top: 'id' }).first<{ top: number | string | null }>();
  return Number(row?.top ?? 0);
}

/**
 * Under the batch's write lock: whether the desk still holds only the employees this first load
 * wrote (none added by anyone else since it began), and so may plan the batch from the file alone.
 */
async function ownRowsOnly(run: ImportRun, trx: Knex.Transaction, b: PendingBatch): Promise<OwnRowsOnly | undefined> {
  if (!run.ownRows) return undefined;
  if ((await topEmployeeId(trx)) !== run.ownRows.lastId) {
    run.ownRows = null;
    return undefined;
  }
  return { earlierUsernames: new Set(b.earlierUsernames) };
}

/** The batch as planBatch takes it: a re-import's as keys, the reader holding the whole rows; a first load's as NewRows. */
function rowsOfBatch(run: ImportRun, b: PendingBatch): BatchRows {
  const held = b.held;
  if (held) return { keys: held.keys, whole: (indices) => run.reader.rowsOf(held.seq, indices) };
  return wholeRows(b.newRows ? rowsOf(b.newRows) : b.rows);
}

/** Plan and apply one batch in `trx`, with its audit rows. */
async function applyInTransaction(run: ImportRun, trx: Knex.Transaction, b: PendingBatch): Promise<Plan> {
  const clock = run.deps.clock;
  await lockForBatch(trx, run.postgres);
  const own = await ownRowsOnly(run, trx, b);
  const ctx = { trx, clock, actor: run.opts.actor, importId: run.importId };
  let p: Plan;
  let events: AuditEventInput[];
  if (b.newRows && own) {
    const planned = await planNewRows(trx, b.newRows.keys, own);
    await applyNewRows(ctx, b.newRows, planned);
    [p, events] = [planned, []];
  } else {
    // Planned in full (a first load's rows too, once someone else has added an employee).
    const planned = await planBatch(trx, rowsOfBatch(run, b), run.postgres, own);
    [p, events] = [planned, await applyBatch(ctx, planned)];
  }
  events.push(batchEvent(ctx, p, { fromLine: b.fromLine, toLine: b.toLine, rows: b.records, rejectedEarly: b.rejected.length }));
  await appendEvents(trx, events.map((e) => auditContent(clock, e)));
  // A batch that fails after this stops the import: the next batch never compares against it.
  if (run.ownRows && p.creates.length > 0) run.ownRows.lastId = await topEmployeeId(trx);
  return p;
}

/** Commit the open group, if any, then write its batches' report lines. A group whose commit fails is rolled back. */
async function commitGroup(run: ImportRun): Promise<void> {
  const group = run.group;
  if (!group) return;
  run.group = null;
  try {
    await group.trx.commit();
  } catch (err) {
    if (!group.trx.isCompleted()) await group.trx.rollback().catch(() => undefined);
    throw err;
  }
  await run.report.write(group.lines);
}

/** A dry run's plan, reading only: on PostgreSQL in a transaction of its own, planned as a real batch's is. */
async function planDry(run: ImportRun, b: PendingBatch): Promise<Plan> {
  const rows = rowsOfBatch(run, b);
  if (!run.postgres) return planBatch(run.deps.db, rows, false);
  return run.deps.db.transaction(async (trx) => {
    await planForDataInMemory(trx);
    return planBatch(trx, rows, false);
  });
}

/**
 * One batch in the database, all-or-nothing with its audit rows, then counted (the progress), its
 * report lines written once it is committed. PostgreSQL: a transaction per batch. sqlite: a
 * savepoint in the open group's transaction; a batch that fails is rolled back to its savepoint
 * and the group's earlier batches are committed before the error goes on.
 */
async function writeBatch(run: ImportRun, b: PendingBatch): Promise<void> {
  const { db } = run.deps;
  if (run.dryRun || run.postgres) {
    const plan = run.dryRun ? await planDry(run, b) : await db.transaction((trx) => applyInTransaction(run, trx, b));
    await reportBatch(run, { b, plan });
    account(run, { b, plan });
    return;
  }
  run.group ??= { trx: await db.transaction(), startedAt: Date.now(), batches: 0, lines: [] };
  const group = run.group;
  let plan: Plan;
  try {
    plan = await group.trx.transaction((sp) => applyInTransaction(run, sp, b));
  } catch (err) {
    // The batch is rolled back to its savepoint; the group's earlier batches are whole and kept.
    await commitGroup(run).catch(() => undefined);
    throw err;
  }
  group.batches += 1;
  for (const line of reportLines(b.rejected, plan)) group.lines.push(line);
  account(run, { b, plan });
  if (group.batches >= SQLITE_GROUP.batches || Date.now() - group.startedAt >= SQLITE_GROUP.ms) await commitGroup(run);
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
async function importRows(run: ImportRun): Promise<boolean> {
  const reader = run.reader;
  reader.go(run.ownRows !== null, run.encodeAhead);
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
    if (run.opts.signal?.aborted === true) {
      await commitGroup(run);
      return true;
    }
    run.bytes = m.bytes;
    startBatch(run, m.batch);
  }
  await settle(run);
  await commitGroup(run);
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
    reader,
    dryRun,
    postgres: databaseKind(db) === 'postgres',
    encodeAhead: begun.deferred ? encodingFor(db) : null,
    // The desk was empty when the import began (its indexes deferred).
    ownRows: begun.deferred ? { lastId: 0 } : null,
    batchSize,
    header: checked.header,
    totalRows: checked.totalRows,
    totalBytes: checked.size,
    counts,
    report,
    importId: begun.importId,
    startedAt: Date.now(),
    bytes: 0,
    group: null,
    inFlight: Promise.resolve(),
    failure: null,
  };
  let cancelled: boolean;
  try {
    cancelled = await importRows(run);
  } catch (err) {
    throw asDeskError(err, true);
  } finally {
    await run.inFlight; // never rejects: a failure is kept for settle()
    // Left open only when the batches stopped on an error: the batches written in full are kept.
    await commitGroup(run).catch(() => undefined);
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
