/**
 * The HR import's reader thread: it reads, parses, checks and fingerprints the extract
 * (extract-passes.ts) while the main thread plans and writes the batch before. Messages in:
 * 'go' (after the check: start the batches; on a first load marking usernames an earlier line may
 * have had and encoding the rows as new employees' inserts in the database's format),
 * 'credit' (one more batch may be sent), 'stop', 'rows' (a held batch's whole rows).
 * Out: progress of the check, 'checked', each 'batch', 'done', or 'failed' with the error; 'rows'.
 *
 * Every batch but a first load's goes as its rows' keys (RowKey) and the reader holds the whole
 * rows: most rows of a nightly feed are unchanged, known by their fingerprint, and the main thread
 * asks only for those it must compare in full. Handing on every whole row made the main thread rebuild 4–5 MiB of
 * objects per batch of 5,000 (its heap at 150–180 MiB through a feed, 50–70 MiB in a first load).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodingFormat } from '../employees/employee-rows';
import { batchesOf, checkExtract, type PendingBatch } from './extract-passes';
import { serialiseError, transferables, type ReaderIn, type ReaderOut, type ReaderStart } from './reader-protocol';
import { keyOf, type HrRow } from './row-checks';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread');
const start = workerData as ReaderStart;
let stopped = false;
let credits = 0;
let firstLoad = false;
let encodeNew: EncodingFormat | null = null;
let wake: (() => void) | null = null;
/** The whole rows of the batches handed on as keys, until the main thread asks for them. */
const held = new Map<number, HrRow[]>();
let lastSeq = 0;

/** Answer 'rows': the rows asked for, and the batch let go. */
function answerRows(seq: number, indices: number[]): void {
  const rows = held.get(seq);
  held.delete(seq);
  if (!rows) return send({ type: 'rows', seq, rows: null, error: `The HR import reader no longer holds batch ${seq}.` });
  const picked: HrRow[] = [];
  for (const i of indices) {
    const r = rows[i];
    if (!r) return send({ type: 'rows', seq, rows: null, error: `Batch ${seq} has no row ${i}.` });
    picked.push(r);
  }
  send({ type: 'rows', seq, rows: picked });
}

/**
 * A batch (not a first load's) as keys, its whole rows held. The main thread asks once for every batch it
 * is handed (the plan asks even when no row changed, for none), before it gives the credit for the
 * batch after next: at most the batch being planned, the one it has in hand and the window's are
 * held. More than that is a fault, refused rather than kept.
 */
function hold(b: PendingBatch): PendingBatch {
  if (b.rows.length === 0) return b;
  if (held.size >= start.window + 2) throw new Error(`The HR import reader holds ${held.size} batches nobody asked for.`);
  const seq = ++lastSeq;
  held.set(seq, b.rows);
  return { ...b, rows: [], held: { seq, keys: b.rows.map(keyOf) } };
}

port.on('message', (m: ReaderIn) => {
  if (m.type === 'rows') return answerRows(m.seq, m.indices);
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
    send({ type: 'batch', batch: firstLoad ? batch : hold(batch), bytes });
  }
  send({ type: 'done' });
}

main().catch((err: unknown) => send({ type: 'failed', error: serialiseError(err) }));
