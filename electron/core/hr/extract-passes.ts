/**
 * The two reads of the HR extract, as the reader worker (read-worker.ts) runs them off the main
 * thread: first the check (CSV all through, the header complete, the data rows counted), then the
 * rows in batches, each row checked, normalised and fingerprinted, an employee number seen before
 * rejected. Nothing here touches the database; the main thread only plans and writes.
 */
import fs from 'node:fs';
import { DeskError } from '../../../shared/errors';
import { readCsvChunks, type CsvLimits, type CsvRecord } from './csv';
import { readHeader, type HeaderMap } from './header';
import type { EncodingFormat } from '../employees/employee-rows';
import { NewRowsBuilder, type NewRows } from './new-employee';
import { employeeNumberOf, isBlank, NumberSet, UsernameFilter, validateRow, type HrRow, type RowKey } from './row-checks';

/** The rows read since the last batch was handed on. */
export interface PendingBatch {
  /** The rows read, checked and fingerprinted; empty when they come as `newRows` or are `held`. */
  rows: HrRow[];
  /** A first load's rows: their keys and their inserts in the database's format (new-employee.ts), instead of `rows` (empty then). */
  newRows?: NewRows;
  /**
   * A batch as the reader thread hands it on unless it is a first load's (dry runs too): the rows'
   * keys, `rows` empty; the reader holds the whole rows until the plan asks for those it needs
   * (ReaderIn 'rows').
   */
  held?: { seq: number; keys: RowKey[] };
  /**
   * A first load's: the usernames of its rows an earlier line of the file may have had too (a Bloom
   * filter's "maybe"; every other username of the batch is certainly the first of its kind). Absent otherwise.
   */
  earlierUsernames?: string[];
  /** Rows refused before planning (not CSV, a bad field, a repeated employee number). */
  rejected: Array<{ line: number; number: string; reason: string }>;
  /** Data rows read, blank lines left out. */
  records: number;
  fromLine: number;
  toLine: number;
}

export function emptyBatch(): PendingBatch {
  return { rows: [], rejected: [], records: 0, fromLine: 0, toLine: 0 };
}

export function openExtract(file: string): { stream: fs.ReadStream; size: number } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new DeskError('NOT_FOUND', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!stat.isFile()) throw new DeskError('VALIDATION', `${file} is not a file.`);
  return { stream: fs.createReadStream(file, { highWaterMark: 1 << 20 }), size: stat.size };
}

export interface CheckProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
  seconds: number;
}

export interface Checked {
  header: HeaderMap;
  totalRows: number;
  size: number;
}

/** The first read. Throws CsvFormatError or DeskError (VALIDATION) when the file cannot be imported. */
export async function checkExtract(file: string, limits: Partial<CsvLimits> | undefined, onProgress: (p: CheckProgress) => void, stopped: () => boolean): Promise<Checked | null> {
  let header: HeaderMap | undefined;
  let totalRows = 0;
  const check = openExtract(file);
  const started = Date.now();
  let lastReport = 0;
  try {
    // The header is read; the data rows are only counted (skimmed, not built).
    for await (const chunk of readCsvChunks(check.stream, limits, 1)) {
      for (const record of chunk.records) {
        if (!header) header = readHeader(record);
        else if (!isBlank(record)) totalRows++;
      }
      totalRows += chunk.skimmed;
      if (stopped()) return null;
      const now = Date.now();
      if (now - lastReport >= 250) {
        lastReport = now;
        onProgress({ rows: totalRows, bytes: chunk.bytesRead, totalBytes: check.size, seconds: Math.max(0.001, (now - started) / 1000) });
      }
    }
  } finally {
    check.stream.destroy();
  }
  return { header: header ?? readHeader(undefined), totalRows, size: check.size }; // an empty file is refused
}

/** What a first load does with each row besides checking it. */
interface FirstLoad {
  usernames: UsernameFilter;
  /** The batch's rows as NewRows, encoded for the database's insert; null when not encoding. */
  newRows: NewRowsBuilder | null;
}

/** Add a data row to the pending batch, or to its rejected rows. */
function takeRecord(b: PendingBatch, record: CsvRecord, header: HeaderMap, numbers: NumberSet, first: FirstLoad | null): void {
  if (b.records === 0) b.fromLine = record.line;
  b.toLine = record.line;
  b.records++;
  const row = validateRow(record, header);
  if (typeof row === 'string') {
    b.rejected.push({ line: record.line, number: employeeNumberOf(record, header), reason: row });
  } else if (numbers.addSeen(row.employeeNumber)) {
    b.rejected.push({ line: record.line, number: row.employeeNumber, reason: `employee ${row.employeeNumber} is on an earlier line too: only the first is imported` });
  } else {
    if (first?.newRows) first.newRows.add(row);
    else b.rows.push(row);
    if (first?.usernames.addMaybeSeen(row.username)) (b.earlierUsernames ??= []).push(row.username);
  }
}

/** The batch as it is handed on: a first load's rows as NewRows. */
function handOn(b: PendingBatch, first: FirstLoad | null): PendingBatch {
  if (first?.newRows && first.newRows.size > 0) b.newRows = first.newRows.take();
  return b;
}

/**
 * The second read: every data row, in batches of `batchSize` rows read, with the bytes read so far.
 * On a first load (every row new) the usernames an earlier line may have had are marked and, with
 * `encode`, each row is encoded for its insert in that format (COPY text on PostgreSQL, JSON on
 * sqlite) and handed on as such instead of as a row (PendingBatch.newRows).
 */
export async function* batchesOf(
  file: string,
  header: HeaderMap,
  batchSize: number,
  limits: Partial<CsvLimits> | undefined,
  firstLoad: { encode: EncodingFormat | null } | null = null,
): AsyncGenerator<{ batch: PendingBatch; bytes: number }> {
  const input = openExtract(file);
  const numbers = new NumberSet();
  const first = firstLoad ? { usernames: new UsernameFilter(), newRows: firstLoad.encode ? new NewRowsBuilder(firstLoad.encode) : null } : null;
  let pending = emptyBatch();
  let headerSeen = false;
  try {
    for await (const chunk of readCsvChunks(input.stream, limits)) {
      for (const record of chunk.records) {
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        if (isBlank(record)) continue;
        takeRecord(pending, record, header, numbers, first);
        if (pending.records >= batchSize) {
          yield { batch: handOn(pending, first), bytes: chunk.bytesRead };
          pending = emptyBatch();
        }
      }
    }
    if (pending.records > 0) yield { batch: handOn(pending, first), bytes: input.size };
  } finally {
    input.stream.destroy();
  }
}
