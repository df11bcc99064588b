import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { HrImportJobView } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Actor } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { importHrFile, type HrImportProgress } from '../hr/hr-import.service';
import { JobTable, removeOldFiles } from '../background-jobs';

/** An upload may be at most this big (a 2,000,000-row extract is about 300 MB). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/** One chunk, before base64 (the browser host takes request bodies up to 1 MB). */
export const MAX_CHUNK_BYTES = 512 * 1024;
/** Uploads and finished jobs are forgotten (and their files deleted) after this long. */
const KEEP_MS = 60 * 60_000;
/** The report shown in the app: at most this much of it (the whole file stays on disk). */
const REPORT_MAX_BYTES = 1024 * 1024;

interface Upload {
  id: string;
  owner: number;
  name: string;
  size: number;
  received: number;
  file: string;
  at: number;
  used: boolean;
}

interface Job {
  id: string;
  owner: number;
  dryRun: boolean;
  name: string;
  state: HrImportJobView['state'];
  progress: HrImportProgress | null;
  result: HrImportJobView['result'];
  error: string | null;
  reportFile: string;
  controller: AbortController;
  at: number;
  done: Promise<void>;
}

/**
 * The HR import from the app: the file comes over the contract in ordered chunks (so Electron's
 * IPC and the browser host carry it the same way) into a private folder of the data directory,
 * then the import runs in the background while the screen asks how it is going and may cancel it.
 * Only the desk user who uploaded a file can import it, and only they see that job.
 */
export class HrImportJobs {
  private readonly uploads = new Map<string, Upload>();
  private readonly jobs = new JobTable<Job>('That import is not known here.');
  private readonly dir: string;

  constructor(private readonly deps: { db: Knex; clock: Clock; logger: Logger; dataDir: string }) {
    this.dir = path.join(deps.dataDir, 'imports');
    this.removeLeftovers();
  }

  /**
   * Uploads and reports live in this process's memory only: those left in the folder by a desk that
   * closed (or was killed) before its hourly sweep can never be imported or downloaded again, and
   * they hold HR data. Anything older than the sweep's hour goes at start-up.
   */
  private removeLeftovers(): void {
    const removed = removeOldFiles(this.dir, KEEP_MS, (name) => name.endsWith('.csv'));
    if (removed > 0) this.deps.logger.info('removed HR uploads and reports left by an earlier run', { files: removed });
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  private sweep(): void {
    const now = this.now();
    for (const u of this.uploads.values()) {
      if (now - u.at > KEEP_MS && !u.used) {
        fs.rmSync(u.file, { force: true });
        this.uploads.delete(u.id);
      }
    }
    for (const j of this.jobs.all()) {
      if (j.state !== 'running' && now - j.at > KEEP_MS) {
        fs.rmSync(j.reportFile, { force: true });
        this.jobs.delete(j.id);
      }
    }
  }

  begin(owner: number, name: string, size: number): { uploadId: string; chunkBytes: number } {
    this.sweep();
    if (size > MAX_UPLOAD_BYTES) throw new DeskError('VALIDATION', `The file is too big: at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GB.`);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = crypto.randomBytes(16).toString('base64url');
    const file = path.join(this.dir, `${id}.csv`);
    fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
    this.uploads.set(id, { id, owner, name, size, received: 0, file, at: this.now(), used: false });
    return { uploadId: id, chunkBytes: MAX_CHUNK_BYTES };
  }

  private upload(owner: number, id: string): Upload {
    const u = this.uploads.get(id);
    if (!u || u.owner !== owner) throw new DeskError('NOT_FOUND', 'That upload is not known here (it may have expired); choose the file again.');
    return u;
  }

  chunk(owner: number, id: string, offset: number, base64: string): { received: number } {
    const u = this.upload(owner, id);
    if (u.used) throw new DeskError('CONFLICT', 'That file has already been imported; choose it again to import it again.');
    if (offset !== u.received) throw new DeskError('VALIDATION', `The next part of the file starts at byte ${u.received}, not ${offset}.`);
    const data = Buffer.from(base64, 'base64');
    if (data.length === 0 || data.length > MAX_CHUNK_BYTES) throw new DeskError('VALIDATION', `A part of the file must hold 1 to ${MAX_CHUNK_BYTES} bytes.`);
    if (u.received + data.length > u.size) throw new DeskError('VALIDATION', 'The file is longer than announced.');
    fs.appendFileSync(u.file, data);
    u.received += data.length;
    u.at = this.now();
    return { received: u.received };
  }

  start(owner: number, actor: Actor, uploadId: string, dryRun: boolean): HrImportJobView {
    const u = this.upload(owner, uploadId);
    if (u.received !== u.size) throw new DeskError('VALIDATION', `The file is not complete: ${u.received} of ${u.size} bytes arrived.`);
    if (u.used) throw new DeskError('CONFLICT', 'That file has already been imported; choose it again to import it again.');
    if (this.jobs.all().some((j) => j.state === 'running' && !j.dryRun) && !dryRun) {
      throw new DeskError('CONFLICT', 'An import is already running; wait for it or cancel it first.');
    }
    u.used = true;
    const id = crypto.randomBytes(12).toString('base64url');
    const reportFile = path.join(this.dir, `${id}.report.csv`);
    const job: Job = {
      id,
      owner,
      dryRun,
      name: u.name,
      state: 'running',
      progress: null,
      result: null,
      error: null,
      reportFile,
      controller: new AbortController(),
      at: this.now(),
      done: Promise.resolve(),
    };
    this.jobs.add(job);
    job.done = importHrFile(
      { db: this.deps.db, clock: this.deps.clock },
      {
        file: u.file,
        dryRun,
        reportFile,
        actor,
        signal: job.controller.signal,
        onProgress: (p) => {
          job.progress = p;
        },
      },
    ).then(
      (r) => {
        job.state = r.cancelled ? 'cancelled' : 'done';
        job.result = { counts: r.counts, totalRows: r.totalRows, warnings: r.warnings, reportLines: r.reportLines, seconds: r.seconds };
      },
      (err: unknown) => {
        job.state = 'failed';
        job.error = err instanceof DeskError ? err.message : 'The import stopped with an unexpected error; nothing more was written. See the log.';
        if (!(err instanceof DeskError)) this.deps.logger.error('hr import failed', { error: err instanceof Error ? err.message : String(err) });
      },
    ).finally(() => {
      job.at = this.now();
      fs.rmSync(u.file, { force: true });
      this.uploads.delete(u.id);
    });
    return this.view(job);
  }

  status(owner: number, id: string): HrImportJobView {
    return this.view(this.jobs.get(owner, id));
  }

  cancel(owner: number, id: string): HrImportJobView {
    return this.view(this.jobs.cancel(owner, id));
  }

  /** The line-numbered report of rejected rows and conflicts (its first megabyte). */
  report(owner: number, id: string): { csv: string; truncated: boolean } {
    const j = this.jobs.get(owner, id);
    if (j.state === 'running') throw new DeskError('CONFLICT', 'The import is still running.');
    if (!fs.existsSync(j.reportFile)) return { csv: '', truncated: false };
    const size = fs.statSync(j.reportFile).size;
    const fd = fs.openSync(j.reportFile, 'r');
    try {
      const buf = Buffer.alloc(Math.min(size, REPORT_MAX_BYTES));
      fs.readSync(fd, buf, 0, buf.length, 0);
      return { csv: buf.toString('utf8'), truncated: size > REPORT_MAX_BYTES };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Stop every running import (the core is closing) and wait for them. */
  async close(): Promise<void> {
    await this.jobs.close();
  }

  private view(j: Job): HrImportJobView {
    return {
      jobId: j.id,
      name: j.name,
      dryRun: j.dryRun,
      state: j.state,
      progress: j.progress ? { ...j.progress } : null,
      result: j.result,
      error: j.error,
    };
  }
}
