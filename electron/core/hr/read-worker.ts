/**
 * The HR import's reader thread: it reads, parses, checks and fingerprints the extract
 * (extract-passes.ts) while the main thread plans and writes the batch before. Messages in:
 * 'go' (after the check: start the batches; on a first load marking usernames an earlier line may
 * have had and encoding the rows as new employees' inserts in the database's format),
 * 'credit' (one more batch may be sent), 'stop'.
 * Out: progress of the check, 'checked', each 'batch', 'done', or 'failed' with the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodingFormat } from '../employees/employee-rows';
import { batchesOf, checkExtract } from './extract-passes';
import { serialiseError, transferables, type ReaderIn, type ReaderOut, type ReaderStart } from './reader-protocol';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread');
const start = workerData as ReaderStart;
let stopped = false;
let credits = 0;
let firstLoad = false;
let encodeNew: EncodingFormat | null = null;
let wake: (() => void) | null = null;

port.on('message', (m: ReaderIn) => {
  if (m.type === 'stop') stopped = true;
  else if (m.type === 'credit') credits += 1;
  else {
    credits += start.window;
    firstLoad = m.firstLoad;
    encodeNew = m.encodeNew;
  }
  wake?.();
  wake = null;
});

const send = (m: ReaderOut) => port.postMessage(m, transferables(m));
const waitForWord = () => new Promise<void>((resolve) => (wake = resolve));

async function main(): Promise<void> {
  const checked = await checkExtract(start.file, start.csvLimits, (p) => send({ type: 'checking', ...p }), () => stopped);
  if (!checked) return send({ type: 'done' });
  send({ type: 'checked', ...checked });
  // Before the batches: the main thread writes the import's first audit row (or stops).
  while (credits === 0 && !stopped) await waitForWord();
  for await (const { batch, bytes } of batchesOf(start.file, checked.header, start.batchSize, start.csvLimits, firstLoad ? { encode: encodeNew } : null)) {
    while (credits === 0 && !stopped) await waitForWord();
    if (stopped) break;
    credits--;
    send({ type: 'batch', batch, bytes });
  }
  send({ type: 'done' });
}

main().catch((err: unknown) => send({ type: 'failed', error: serialiseError(err) }));
