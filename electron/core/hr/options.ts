import type { HrImportCountsView, HrImportJobView } from '../../../shared/domain';
import type { Actor } from '../audit/audit.service';
import type { DatabaseKind } from '../db/connection';
import type { CsvLimits } from './csv';

/**
 * Rows per batch (one transaction each), by database. sqlite writes every page a transaction
 * touches to its WAL, and an employee row touches a page in each of 14 b-trees: bigger batches
 * write about half as much per row, while a batch still holds the write lock for well under a
 * second or two. On PostgreSQL a first load hardly cares, but the nightly feed does: a batch of
 * unchanged rows is a few look-ups with the keys as one array, and fewer, bigger batches make
 * fewer round trips and audit rows (200,000 rows: 11.9 s in batches of 5,000 against 12.6 s in
 * batches of 1,000, measured side by side).
 */
export const HR_IMPORT_BATCH: Record<DatabaseKind, number> = { sqlite: 5000, postgres: 5000 };

/**
 * On sqlite, batches are committed in groups: each batch is all-or-nothing within its group (a
 * savepoint, with its audit row), and the group commits after this many batches or once it has
 * held the write lock this long, whichever comes first. Every commit writes each page the batches
 * changed to the write-ahead log and later back into the file; an extract's employee numbers and
 * usernames land all over their unique indexes, so each batch changes most of their pages, and
 * committing one batch at a time wrote those pages again for every batch (2,000,000 rows: 80 s of
 * commits in batches of one, 19 s in groups of eight, measured side by side). Sixteen batches of
 * 5,000 take about as long as the three seconds on a 2-core machine: a 2,000,000-row first load
 * then wrote 5.4 GB while its batches ran against 7.9 GB in groups of eight, and its batches took
 * 67.7 s against 73.4 s (groups of 32 held for up to 6 s gained nothing more: 65–70 s). Other
 * writers of the same file wait for the group, so it is kept well under the busy timeout.
 */
export const SQLITE_GROUP = { batches: 16, ms: 3000 } as const;

/** What an import did (or a dry run would do), as the app shows it. */
export type HrImportCounts = HrImportCountsView;

/** The import's progress as the app shows it (see HrImportJobView for its phases). */
export type HrImportProgress = NonNullable<HrImportJobView['progress']>;

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

export function zeroCounts(): HrImportCounts {
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
