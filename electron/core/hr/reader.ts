/**
 * The main thread's side of the HR import's reader thread (read-worker.ts): start it, take its
 * messages in order, hand it credit for more batches, stop it. The thread is found next to this
 * module as the build left it (hr-read-worker.js beside the bundle or its chunk, .mjs in the test
 * bundle), or from source (tests, benchmarks) through read-worker-source.mjs, which loads tsx.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { EncodingFormat } from '../employees/employee-rows';
import type { ReaderIn, ReaderOut, ReaderStart } from './reader-protocol';

function workerEntry(): URL {
  // Built: beside the bundle (the test bundle's .mjs) or one folder up from its chunk. From source: tsx.
  for (const candidate of ['./hr-read-worker.mjs', './hr-read-worker.js', '../hr-read-worker.js', './read-worker-source.mjs']) {
    const url = new URL(candidate, import.meta.url);
    if (fs.existsSync(url)) return url;
  }
  throw new Error('The HR import reader (hr-read-worker.js) is missing from this build.');
}

/**
 * The reader thread's young generation, where V8 makes new objects: room for the two batches in
 * flight (5,000 rows each, with their fields, addresses and fingerprints) to die there instead of
 * being copied into the old generation and collected by the slower full collections. A nightly feed
 * of 2,000,000 rows into PostgreSQL took 40.8–43.8 s with 64 MiB against 46.0–51.4 s with V8's
 * default; 32 MiB and 128 MiB did no better.
 */
const READER_YOUNG_GENERATION_MB = 64;

export class ExtractReader {
  private readonly worker: Worker;
  private readonly inbox: ReaderOut[] = [];
  private waiting: ((m: ReaderOut) => void) | null = null;
  private ended = false;

  constructor(start: ReaderStart) {
    this.worker = new Worker(workerEntry(), { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: ReaderOut) => this.deliver(m));
    this.worker.on('error', (err) => this.deliver({ type: 'failed', error: { kind: 'other', message: err.message, ...(err.stack ? { stack: err.stack } : {}) } }));
    this.worker.on('exit', (code) => {
      // An exit before 'done' or 'failed' (the thread killed, out of memory) fails the read.
      if (!this.ended) this.deliver({ type: 'failed', error: { kind: 'other', message: `The HR import reader stopped (exit code ${code}).` } });
    });
  }

  private deliver(m: ReaderOut): void {
    if (this.ended) return;
    if (m.type === 'done' || m.type === 'failed') this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(m);
    } else this.inbox.push(m);
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
    await this.worker.terminate();
  }
}
