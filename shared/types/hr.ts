/** HR imports as the app shows them. Plain data only. */

/** What an HR import has done so far (or did). */
export interface HrImportCountsView {
  /** Data rows read (blank lines not counted). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Existing employees this import marks as leavers (a subset of updated). */
  leavers: number;
  /** Leavers HR lists as active again (a subset of updated). */
  rejoined: number;
  /** Addresses kept against HR's data (a manager's, or one an active email factor uses); see the report. */
  conflicts: number;
  emailsAdded: number;
  emailsRemoved: number;
  pendingFactorsCancelled: number;
  codesCancelled: number;
}

/** An HR import started from the app, as its screen follows it. */
export interface HrImportJobView {
  jobId: string;
  /** The file's name as chosen. */
  name: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  progress: {
    /**
     * 'checking': reading the whole file once (is it CSV, how many rows); 'importing': the batches;
     * 'indexing': after a load into an empty desk, building the look-up's indexes (rows and
     * totalRows then count indexes).
     */
    phase: 'checking' | 'importing' | 'indexing';
    rows: number;
    totalRows: number | null;
    bytes: number;
    totalBytes: number;
    rowsPerSecond: number;
    etaSeconds: number | null;
    counts: HrImportCountsView;
  } | null;
  result: { counts: HrImportCountsView; totalRows: number; warnings: string[]; reportLines: number; seconds: number } | null;
  /** Why it stopped, when it failed (nothing of that batch was written). */
  error: string | null;
}
