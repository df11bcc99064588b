/** What the HR import's main thread and its reader thread (read-worker.ts) say to each other. */
import { DeskError, type ErrorCode } from '../../../shared/errors';
import { joinedBuffers, type EncodingFormat } from '../employees/employee-rows';
import { CsvFormatError, type CsvLimits } from './csv';
import type { CheckProgress, Checked, PendingBatch } from './extract-passes';
import type { HrRow } from './row-checks';

export interface ReaderStart {
  file: string;
  batchSize: number;
  csvLimits: Partial<CsvLimits> | undefined;
  /** Batches the reader may have sent ahead of the writer. */
  window: number;
}

/**
 * 'go' after the check: start the batches. On a first load (every row will be new) the usernames an
 * earlier line may have had are marked, and with `encodeNew` each row is encoded as a new
 * employee's insert in that format (the database's: COPY text for PostgreSQL, JSON for sqlite,
 * joined for the batch) and sent with its keys instead of the row (PendingBatch.newRows).
 */
export type ReaderIn =
  | { type: 'go'; firstLoad: boolean; encodeNew: EncodingFormat | null }
  | { type: 'credit' }
  | { type: 'stop' }
  /** The whole rows at these positions of a held batch (PendingBatch.held); the reader then lets the batch go. */
  | { type: 'rows'; seq: number; indices: number[] };

export type SerialisedError =
  | { kind: 'desk'; code: ErrorCode; message: string; details?: Record<string, unknown> }
  | { kind: 'csv'; message: string; line: number | null }
  | { kind: 'other'; message: string; stack?: string };

export type ReaderOut =
  | ({ type: 'checking' } & CheckProgress)
  | ({ type: 'checked' } & Checked)
  | { type: 'batch'; batch: PendingBatch; bytes: number }
  | { type: 'done' }
  | { type: 'failed'; error: SerialisedError }
  /** The answer to 'rows': the rows asked for, in the order asked, or why not. */
  | { type: 'rows'; seq: number; rows: HrRow[] | null; error?: string };

/** What a message hands over rather than copies: a first load's sqlite batch's joined inserts. */
export function transferables(m: ReaderOut): ArrayBuffer[] {
  const n = m.type === 'batch' ? m.batch.newRows : undefined;
  return n?.format === 'json' ? joinedBuffers(n.joined) : [];
}

export function serialiseError(err: unknown): SerialisedError {
  if (err instanceof DeskError) return { kind: 'desk', code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  if (err instanceof CsvFormatError) return { kind: 'csv', message: err.message, line: err.line };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'other', message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

export function revive(e: SerialisedError): Error {
  if (e.kind === 'desk') return new DeskError(e.code, e.message, e.details);
  if (e.kind === 'csv') return new CsvFormatError(e.message, e.line);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
