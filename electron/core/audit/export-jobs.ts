import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { AuditExportFormat, AuditExportJobView, AuditReportFilter } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Actor } from './audit.service';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Vault } from '../secrets/vault';
import { ExportCancelled, exportAudit } from './reports.service';
import { JobTable, removeOldFiles } from '../background-jobs';

/** One part of a finished export, before base64 (the browser host takes bodies up to 1 MB). */
export const EXPORT_CHUNK_BYTES = 512 * 1024;
/** Finished exports (and their files) are forgotten after this long. */
const KEEP_MS = 60 * 60_000;

interface Job {
  id: string;
  owner: number;
  format: AuditExportFormat;
  state: AuditExportJobView['state'];
  rows: number;
  total: number | null;
  file: string;
  /** Where the desk user chose to save it (Electron's save dialog); null: fetched in parts. */
  savedTo: string | null;
  fileName: string;
  size: number;
  headSeq: number | null;
  error: string | null;
  controller: AbortController;
  at: number;
  done: Promise<void>;
}

/**
 * Audit exports from the app: the export runs in the background (a keyset page at a time, so the
 * desk stays responsive), the screen shows its progress and may cancel it. Then either the file is
 * already where the user chose to save it (Electron's native save dialog), or the renderer fetches
 * it in parts over the contract and hands it to the browser as a download. Files wait in
 * <data dir>/exports/ (readable by the user only) and go an hour after the export ended, or at the
 * next start if the desk closed first: they hold audit data.
 */
export class AuditExportJobs {
  private readonly jobs = new JobTable<Job>('That export is not known here (it may have expired).');
  private readonly dir: string;

  constructor(private readonly deps: { db: Knex; reader?: Knex; clock: Clock; vault: Vault; logger: Logger; dataDir: string }) {
    this.dir = path.join(deps.dataDir, 'exports');
    removeOldFiles(this.dir, KEEP_MS);
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  private sweep(): void {
    const now = this.now();
    for (const j of this.jobs.all()) {
      if (j.state !== 'running' && now - j.at > KEEP_MS) {
        if (!j.savedTo) fs.rmSync(j.file, { force: true });
        this.jobs.delete(j.id);
      }
    }
  }

  /**
   * Start exporting what `filter` selects. `saveTo` is a path the user chose in a save dialog; the
   * file is written next to it and renamed when complete.
   */
  start(owner: number, actor: Actor, filter: AuditReportFilter, format: AuditExportFormat, saveTo: string | null): AuditExportJobView {
    this.sweep();
    if (this.jobs.all().some((j) => j.owner === owner && j.state === 'running')) {
      throw new DeskError('CONFLICT', 'An export of yours is already running; wait for it or cancel it first.');
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = crypto.randomBytes(12).toString('base64url');
    const stamp = this.deps.clock.now().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const job: Job = {
      id,
      owner,
      format,
      state: 'running',
      rows: 0,
      total: null,
      file: saveTo ? `${saveTo}.part` : path.join(this.dir, `${id}.${format}`),
      savedTo: saveTo,
      fileName: saveTo ? path.basename(saveTo) : `audit-${stamp}.${format}`,
      size: 0,
      headSeq: null,
      error: null,
      controller: new AbortController(),
      at: this.now(),
      done: Promise.resolve(),
    };
    this.jobs.add(job);
    job.done = this.run(job, actor, filter);
    return this.view(job);
  }

  private async run(job: Job, actor: Actor, filter: AuditReportFilter): Promise<void> {
    const out = fs.createWriteStream(job.file, { mode: 0o600 });
    const closed = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    try {
      const r = await exportAudit(this.deps.db, this.deps.clock, this.deps.vault, filter, job.format, out, {
        actor,
        reader: this.deps.reader,
        dataDir: this.deps.dataDir,
        signal: job.controller.signal,
        onProgress: (rows, total) => {
          job.rows = rows;
          job.total = total;
        },
      });
      await closed;
      if (job.savedTo) fs.renameSync(job.file, job.savedTo);
      job.rows = r.rows;
      job.headSeq = r.headSeq;
      job.size = fs.statSync(job.savedTo ?? job.file).size;
      job.state = 'done';
    } catch (err) {
      out.destroy();
      await closed.catch(() => undefined);
      fs.rmSync(job.file, { force: true });
      if (err instanceof ExportCancelled) job.state = 'cancelled';
      else {
        job.state = 'failed';
        job.error = err instanceof DeskError ? err.message : 'The export stopped with an unexpected error; see the log.';
        if (!(err instanceof DeskError)) this.deps.logger.error('audit export failed', { error: err instanceof Error ? err.message : String(err) });
      }
    } finally {
      job.at = this.now();
    }
  }

  status(owner: number, id: string): AuditExportJobView {
    return this.view(this.jobs.get(owner, id));
  }

  cancel(owner: number, id: string): AuditExportJobView {
    return this.view(this.jobs.cancel(owner, id));
  }

  /** A part of a finished export that is waiting to be fetched, from `offset`. */
  chunk(owner: number, id: string, offset: number): { data: string; offset: number; size: number; done: boolean } {
    const j = this.jobs.get(owner, id);
    if (j.state !== 'done') throw new DeskError('CONFLICT', 'The export is not finished.');
    if (j.savedTo) throw new DeskError('CONFLICT', 'That export was saved where you chose; there is nothing to fetch.');
    if (offset > j.size) throw new DeskError('VALIDATION', `The export has ${j.size} bytes.`);
    const fd = fs.openSync(j.file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(EXPORT_CHUNK_BYTES, j.size - offset));
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      j.at = this.now();
      return { data: buf.subarray(0, n).toString('base64'), offset: offset + n, size: j.size, done: offset + n >= j.size };
    } finally {
      fs.closeSync(fd);
    }
  }

  async close(): Promise<void> {
    await this.jobs.close();
  }

  private view(j: Job): AuditExportJobView {
    return {
      jobId: j.id,
      format: j.format,
      state: j.state,
      rows: j.rows,
      total: j.total,
      fileName: j.fileName,
      size: j.state === 'done' ? j.size : null,
      savedTo: j.state === 'done' ? j.savedTo : null,
      headSeq: j.headSeq,
      error: j.error,
    };
  }
}
