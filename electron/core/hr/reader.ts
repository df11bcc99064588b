/**
 * The main thread's side of the HR import's reader thread (read-worker.ts): start it, take its
 * messages in order, hand it credit for more batches, ask for the whole rows of a batch it handed
 * on as keys, stop it. The thread is found next to this module as the build left it
 * (hr-read-worker.js beside the bundle or its chunk, .mjs in the test bundle), or from source
 * (tests, benchmarks) through read-worker-source.mjs, which loads tsx.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { EncodingFormat } from '../employees/employee-rows';
import { revive, type ReaderIn, type ReaderOut, type ReaderStart } from './reader-protocol';
import type { HrRow } from './row-checks';

function workerEntry(): URL {
  // Built: beside the bundle (the test bundle's .mjs) or one folder up from its chunk. From source: tsx.
  for (const candidate of ['./hr-read-worker.mjs', './hr-read-worker.js', '../hr-read-worker.js', './read-worker-source.mjs']) {
    const url = new URL(candidate, import.meta.url);
    if (fs.existsSync(url)) return url;
  }
  throw new Error('The HR import reader (hr-read-worker.js) is missing from this build.');
}

/**
 * The reader thread's young generation, where V8 makes new objects. 64 MiB once sped up a nightly
 * feed into PostgreSQL, when the reader handed every whole row on. Now that a re-import's rows stay
 * in the reader until planned (read-worker.ts), a big young generation only lets more garbage pile
 * up: measured one after the other on 2,000,000 rows (one process each), the nightly feed into
 * PostgreSQL took 20.7–27.2 s with 16 MiB against 27.0–28.3 s with 64, its peak RSS 385–424 MiB
 * against 463–482; on sqlite 23.5 s and 485 MiB against 23.8–25.3 s and 522–539 MiB; a first load
 * on sqlite 76.5 s and 437 MiB against 82.2 s and 498 MiB (200,000 rows: as fast, 380–404 MiB
 * against 423–433).
 */
const READER_YOUNG_GENERATION_MB = 16;

export class ExtractReader {
  private readonly worker: Worker;
  private readonly inbox: ReaderOut[] = [];
  private waiting: ((m: ReaderOut) => void) | null = null;
  private ended = false;
  /** The thread stopped or was stopped: nothing more is answered. */
  private gone = false;
  /** What the thread failed with, first: what a batch still asking for its rows then fails with too. */
  private failure: Error | null = null;
  /** The held batches' rows asked for and not yet answered, by batch. */
  private readonly asked = new Map<number, { resolve: (rows: HrRow[]) => void; reject: (err: Error) => void }>();

  constructor(start: ReaderStart) {
    this.worker = new Worker(workerEntry(), { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: ReaderOut) => this.deliver(m));
    this.worker.on('error', (err) => this.deliver({ type: 'failed', error: { kind: 'other', message: err.message, ...(err.stack ? { stack: err.stack } : {}) } }));
    this.worker.on('exit', (code) => {
      const message = `The HR import reader stopped (exit code ${code}).`;
      this.gone = true;
      this.refuseAsked(this.failure ?? new Error(message));
      // An exit before 'done' or 'failed' (the thread killed, out of memory) fails the read.
      if (!this.ended) this.deliver({ type: 'failed', error: { kind: 'other', message } });
    });
  }

  private deliver(m: ReaderOut): void {
    // Rows are asked for and answered after 'done' or 'failed' too (the thread answers until it is
    // closed): the batches handed on before either are still planned.
    if (m.type === 'rows') return this.answered(m.seq, m.rows, m.error);
    if (this.ended) return;
    if (m.type === 'failed') this.failure ??= revive(m.error);
    if (m.type === 'done' || m.type === 'failed') this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(m);
    } else this.inbox.push(m);
  }

  private answered(seq: number, rows: HrRow[] | null, error: string | undefined): void {
    const a = this.asked.get(seq);
    this.asked.delete(seq);
    if (rows) a?.resolve(rows);
    else a?.reject(new Error(error ?? `The HR import reader did not send batch ${seq}'s rows.`));
  }

  private refuseAsked(err: Error): void {
    for (const a of this.asked.values()) a.reject(err);
    this.asked.clear();
  }

  /**
   * The whole rows at these positions of a batch handed on as keys (PendingBatch.held), in that
   * order. Ask once per batch, also for none: the reader then lets the batch go.
   */
  rowsOf(seq: number, indices: number[]): Promise<HrRow[]> {
    if (this.gone) return Promise.reject(this.failure ?? new Error('The HR import reader has stopped.'));
    if (this.asked.has(seq)) return Promise.reject(new Error(`Batch ${seq}'s rows were asked for already.`));
    return new Promise((resolve, reject) => {
      this.asked.set(seq, { resolve, reject });
      this.say({ type: 'rows', seq, indices });
    });
  }

  /** The next message, in the order the reader sent them. */
  next(): Promise<ReaderOut> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private say(m: ReaderIn): void {
    this.worker.postMessage(m);
  }

  /** After the check: start sending batches (as many as the window allows); see ReaderIn for the flags. */
  go(firstLoad: boolean, encodeNew: EncodingFormat | null): void {
    this.say({ type: 'go', firstLoad, encodeNew });
  }

  /** A batch was taken: one more may come. */
  credit(): void {
    this.say({ type: 'credit' });
  }

  /** Stop the thread (after the end, a cancel or an error). */
  async close(): Promise<void> {
    this.ended = true;
    this.gone = true;
    this.refuseAsked(new Error('The HR import reader was closed.'));
    await this.worker.terminate();
  }
}
