/**
 * The HR import's reader thread (read-worker.ts) and its main-thread side (reader.ts), as a
 * re-import uses them: each batch comes as its rows' keys, the thread holding the whole rows until
 * the plan asks for those it needs, once per batch. Run on the real thread (from source, through
 * tsx) over a real file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesOf, checkExtract, type PendingBatch } from '../../electron/core/hr/extract-passes';
import { ExtractReader } from '../../electron/core/hr/reader';
import type { ReaderOut } from '../../electron/core/hr/reader-protocol';
import { keyOf, type HrRow } from '../../electron/core/hr/row-checks';
import { writeHrCsv } from '../support/hr-csv';

const ROWS = 23;
const BATCH = 5;
const WINDOW = 2;
let work: string;
let file: string;
/** The batches' whole rows as the file gives them, read here without the thread. */
let expected: HrRow[][];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-hr-reader-'));
  file = path.join(work, 'extract.csv');
  await writeHrCsv(file, ROWS, { seed: 7 });
  const checked = (await checkExtract(file, undefined, () => undefined, () => false))!;
  expected = [];
  for await (const { batch } of batchesOf(file, checked.header, BATCH, undefined)) expected.push(batch.rows);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function nextOf<T extends ReaderOut['type']>(reader: ExtractReader, type: T): Promise<Extract<ReaderOut, { type: T }>> {
  for (;;) {
    const m = await reader.next();
    if (m.type === type) return m as Extract<ReaderOut, { type: T }>;
    if (m.type === 'failed' || m.type === 'done') throw new Error(`expected '${type}', got ${JSON.stringify(m)}`);
  }
}

function heldOf(b: PendingBatch): { seq: number; keys: ReturnType<typeof keyOf>[] } {
  expect(b.rows).toEqual([]);
  expect(b.held).toBeDefined();
  return b.held!;
}

describe('the HR reader thread on a re-import', () => {
  it('hands on keys, and the whole rows asked for, in the order asked, once per batch; also after the end', async () => {
    expect(expected.map((rows) => rows.length)).toEqual([5, 5, 5, 5, 3]);
    const reader = new ExtractReader({ file, batchSize: BATCH, csvLimits: undefined, window: WINDOW });
    try {
      await nextOf(reader, 'checked');
      reader.go(false, null);
      // As the import does: a batch taken, credit given, then the one before it planned.
      const batches: PendingBatch[] = [];
      const ask = async (i: number) => {
        const held = heldOf(batches[i]!);
        expect(held.keys).toEqual(expected[i]!.map(keyOf));
        const indices = i % 2 === 0 ? [held.keys.length - 1, 0] : [];
        expect(await reader.rowsOf(held.seq, indices)).toEqual(indices.map((j) => expected[i]![j]));
        // Let go once asked for: a second ask is refused, not answered with stale rows.
        await expect(reader.rowsOf(held.seq, [0])).rejects.toThrow(`no longer holds batch ${held.seq}`);
      };
      for (let i = 0; i < expected.length; i++) {
        batches.push((await nextOf(reader, 'batch')).batch);
        reader.credit();
        if (i > 0) await ask(i - 1);
      }
      await nextOf(reader, 'done');
      await ask(expected.length - 1);
      const last = heldOf(batches.at(-1)!);
      expect(last.seq).toBe(batches.length);
    } finally {
      await reader.close();
    }
  });

  it('refuses a row the batch does not have, and anything once closed', async () => {
    const reader = new ExtractReader({ file, batchSize: BATCH, csvLimits: undefined, window: WINDOW });
    let seq: number;
    try {
      await nextOf(reader, 'checked');
      reader.go(false, null);
      seq = heldOf((await nextOf(reader, 'batch')).batch).seq;
      await expect(reader.rowsOf(seq, [BATCH])).rejects.toThrow(`Batch ${seq} has no row ${BATCH}`);
      const next = heldOf((await nextOf(reader, 'batch')).batch).seq;
      const asked = reader.rowsOf(next, [0]);
      await expect(reader.rowsOf(next, [1])).rejects.toThrow('asked for already');
      expect((await asked).map(keyOf)).toEqual([keyOf(expected[1]![0]!)]);
    } finally {
      await reader.close();
    }
    await expect(reader.rowsOf(seq + 2, [0])).rejects.toThrow('has stopped');
  });

  it('fails an ask still unanswered when the reader is closed', async () => {
    const reader = new ExtractReader({ file, batchSize: BATCH, csvLimits: undefined, window: WINDOW });
    let outcome: Promise<unknown>;
    try {
      await nextOf(reader, 'checked');
      reader.go(false, null);
      // Its outcome taken at once: close() refuses it before anything else could await it.
      outcome = reader.rowsOf(heldOf((await nextOf(reader, 'batch')).batch).seq, [0]).then(
        (rows) => rows,
        (err: unknown) => err,
      );
    } finally {
      await reader.close();
    }
    const refused = await outcome;
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('The HR import reader was closed.');
  });

  it('fails rather than hold more batches than the plan can have taken and not asked for', async () => {
    const reader = new ExtractReader({ file, batchSize: BATCH, csvLimits: undefined, window: WINDOW });
    try {
      await nextOf(reader, 'checked');
      reader.go(false, null);
      const seen: number[] = [];
      let failed: Extract<ReaderOut, { type: 'failed' }> | null = null;
      while (!failed) {
        const m = await reader.next();
        if (m.type === 'batch') {
          seen.push(heldOf(m.batch).seq);
          reader.credit(); // taken, never asked for
        } else if (m.type === 'failed') failed = m;
        else if (m.type === 'done') throw new Error('the reader held every batch');
      }
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(failed.error.message).toBe('The HR import reader holds 4 batches nobody asked for.');
      // After 'failed' the batches handed on before it are still answered (the import plans them).
      expect(await reader.rowsOf(1, [2])).toEqual([expected[0]![2]]);
    } finally {
      await reader.close();
    }
  });

  it('hands a first load its rows as before, none held', async () => {
    const reader = new ExtractReader({ file, batchSize: BATCH, csvLimits: undefined, window: WINDOW });
    try {
      await nextOf(reader, 'checked');
      reader.go(true, null);
      const m = await nextOf(reader, 'batch');
      expect(m.batch.held).toBeUndefined();
      expect(m.batch.rows).toEqual(expected[0]);
    } finally {
      await reader.close();
    }
  });
});
