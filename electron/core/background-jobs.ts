import fs from 'node:fs';
import path from 'node:path';
import { DeskError } from '../../shared/errors';

/**
 * What the app's background jobs (HR imports, audit exports) share: a table of jobs that belong to
 * the desk user who started them, cancelled through an AbortController and waited for when the
 * core closes; and the clean-up of files such jobs leave in the data directory.
 */
export interface BackgroundJob {
  id: string;
  owner: number;
  state: string;
  controller: AbortController;
  done: Promise<void>;
}

export class JobTable<J extends BackgroundJob> {
  private readonly jobs = new Map<string, J>();

  /** `notFound`: what to say when a job is not known (or not the caller's). */
  constructor(private readonly notFound: string) {}

  add(job: J): void {
    this.jobs.set(job.id, job);
  }

  delete(id: string): void {
    this.jobs.delete(id);
  }

  all(): J[] {
    return [...this.jobs.values()];
  }

  /** The caller's job; someone else's is as unknown as a missing one. */
  get(owner: number, id: string): J {
    const j = this.jobs.get(id);
    if (!j || j.owner !== owner) throw new DeskError('NOT_FOUND', this.notFound);
    return j;
  }

  /** Ask a running job to stop (it stops at its next check). */
  cancel(owner: number, id: string): J {
    const j = this.get(owner, id);
    if (j.state === 'running') j.controller.abort();
    return j;
  }

  /** Stop every running job (the core is closing) and wait for all of them. */
  async close(): Promise<void> {
    for (const j of this.jobs.values()) if (j.state === 'running') j.controller.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done.catch(() => undefined)));
  }
}

/**
 * Delete the files in `dir` (those `accept` takes) last written more than `olderThanMs` ago, by the
 * file system's own clock: a file's age is real time, whatever clock the desk runs on. Returns how
 * many went. A missing folder, or a file gone meanwhile, is not an error.
 */
export function removeOldFiles(dir: string, olderThanMs: number, accept: (name: string) => boolean = () => true): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!accept(name)) continue;
    const file = path.join(dir, name);
    try {
      const stat = fs.statSync(file);
      if (stat.isFile() && Date.now() - stat.mtimeMs > olderThanMs) {
        fs.rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile, or not ours to read: leave it
    }
  }
  return removed;
}
