/**
 * A first load's batch crosses from the reader thread as NewRows (new-employee.ts): what the plan
 * needs of each row and the rows' inserts (sqlite: JSON joined; PostgreSQL: COPY lines). When the batch must be planned in full after
 * all, the whole rows are read back from the inserts: they must be the rows that went in.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { jsonArrayBytes } from '../../electron/core/employees/employee-rows';
import { encodeNew, NewRowsBuilder, rowsOf, type NewRows } from '../../electron/core/hr/new-employee';
import { transferables, type ReaderOut } from '../../electron/core/hr/reader-protocol';
import type { HrRow } from '../../electron/core/hr/row-checks';
import { hrRowHash } from '../../electron/core/hr/row-hash';

function row(line: number, over: Partial<HrRow>): HrRow {
  const r: HrRow = {
    line,
    employeeNumber: String(10000000 + line),
    firstName: 'Zoë',
    lastName: 'O\'Brien "Quote"',
    username: `user${line}`,
    organisation: 'Org\\Unit',
    department: 'Dept\tWest',
    jobTitle: '',
    status: 'active',
    leavingDate: null,
    internetAccessApproved: false,
    emails: [],
    hash: '',
    ...over,
  };
  r.hash = hrRowHash(r);
  return r;
}

const ROWS = [
  row(2, { emails: [{ kind: 'work', address: 'Zoe.OBrien@Example.test', lc: 'zoe.obrien@example.test' }], internetAccessApproved: true }),
  row(3, { status: 'leaver', leavingDate: '2026-11-30', jobTitle: 'Title with \\N and 山田 🙂' }),
  row(5, {
    firstName: 'Line\nbreak',
    department: 'Dept\r\nEast \\t',
    emails: [
      { kind: 'work', address: 'a@example.test', lc: 'a@example.test' },
      { kind: 'personal', address: 'B@Example.test', lc: 'b@example.test' },
    ],
  }),
];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A reader message as the main thread receives it, over a real message port, handed over as the reader thread sends it. */
function acrossThreads(m: ReaderOut): ReaderOut {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(m, transferables(m));
    return receiveMessageOnPort(port2)!.message as ReaderOut;
  } finally {
    port1.close();
  }
}

function batchOf(newRows: NewRows): ReaderOut {
  return { type: 'batch', bytes: 1, batch: { rows: [], newRows, rejected: [], records: newRows.keys.length, fromLine: 2, toLine: 5 } };
}

describe('NewRows', () => {
  it('hands on each row\'s keys and its insert, row for row, and starts again empty (sqlite: JSON joined)', () => {
    const b = new NewRowsBuilder('json');
    for (const r of ROWS) b.add(r);
    expect(b.size).toBe(3);
    const n = b.take();
    expect(b.size).toBe(0);
    if (n.format !== 'json') throw new Error('expected JSON');
    expect(n.keys).toEqual(ROWS.map((r) => ({ employeeNumber: r.employeeNumber, username: r.username, line: r.line, addresses: r.emails.length })));
    expect(n.joined.count).toBe(3);
    const values = JSON.parse(text(n.joined.rows)) as unknown[][];
    expect(values.map((v) => [v[0], v[3], v[13]])).toEqual(ROWS.map((r) => [r.employeeNumber, r.username, `1:${r.hash}`]));
    expect(JSON.parse(text(n.joined.emails))).toEqual(ROWS.map((r) => r.emails.map((m) => [m.kind, m.address, m.lc])));
    const empty = b.take();
    expect(empty.format === 'json' && { count: empty.joined.count, rows: text(empty.joined.rows), emails: text(empty.joined.emails) }).toEqual({ count: 0, rows: '[]', emails: '[]' });
  });

  it('hands on PostgreSQL\'s inserts as COPY lines, row for row', () => {
    const b = new NewRowsBuilder('copy');
    for (const r of ROWS) b.add(r);
    const n = b.take();
    if (n.format !== 'copy') throw new Error('expected COPY');
    expect(n.keys.map((k) => k.employeeNumber)).toEqual(ROWS.map((r) => r.employeeNumber));
    expect(n.inserts.map((e) => e.row)).toEqual(ROWS.map((r) => encodeNew(r, 'copy')).map((e) => e.row));
    expect(n.inserts.map((e) => e.emails.length)).toEqual([1, 0, 2]);
    expect(b.size).toBe(0);
  });

  it.each(['json', 'copy'] as const)('gives the whole rows back from the inserts (%s), fingerprints included', (format) => {
    const b = new NewRowsBuilder(format);
    for (const r of ROWS) b.add(r);
    const back = rowsOf(b.take());
    expect(back).toEqual(ROWS);
    expect(back.map((r) => hrRowHash(r))).toEqual(ROWS.map((r) => r.hash));
  });

  it('crosses to the main thread with its JSON handed over, not copied (sqlite), and reads back the same rows', () => {
    const b = new NewRowsBuilder('json');
    for (const r of ROWS) b.add(r);
    const sent = b.take();
    if (sent.format !== 'json') throw new Error('expected JSON');
    const bytes = [sent.joined.rows.byteLength, sent.joined.emails.byteLength];
    const got = acrossThreads(batchOf(sent));
    // Handed over: the sender's arrays are left empty (detached), the receiver's hold the bytes.
    expect([sent.joined.rows.byteLength, sent.joined.emails.byteLength]).toEqual([0, 0]);
    if (got.type !== 'batch' || !got.batch.newRows) throw new Error('expected a batch');
    const n = got.batch.newRows;
    if (n.format !== 'json') throw new Error('expected JSON');
    expect([n.joined.rows.byteLength, n.joined.emails.byteLength]).toEqual(bytes);
    expect(rowsOf(n)).toEqual(ROWS);
  });

  it('copies every other message as it is (COPY lines, the end)', () => {
    const b = new NewRowsBuilder('copy');
    for (const r of ROWS) b.add(r);
    const copy = batchOf(b.take());
    expect(transferables(copy)).toEqual([]);
    expect(transferables({ type: 'done' })).toEqual([]);
    const got = acrossThreads(copy);
    if (got.type !== 'batch' || !got.batch.newRows) throw new Error('expected a batch');
    expect(rowsOf(got.batch.newRows)).toEqual(ROWS);
  });

  it('writes JSON texts as one UTF-8 array byte for byte as encoding their join would, when names outgrow the room first made', () => {
    const cases: string[][] = [
      [],
      ['[]'],
      ROWS.map((r) => JSON.stringify(r)),
      // Three bytes a character (山) and four (🙂, a surrogate pair) from the start: the room grows, a pair is never split.
      ['"' + '山'.repeat(5000) + '"', '"' + '🙂'.repeat(3000) + '"', '"plain"'],
      Array.from({ length: 2000 }, (_, i) => JSON.stringify([`E${i}`, i % 7 ? 'Jane' : 'Zoë 山田 🙂', 'x'.repeat(i % 50)])),
    ];
    for (const items of cases) {
      const bytes = jsonArrayBytes(items);
      expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(`[${items.join(',')}]`, 'utf8'))).toBe(true);
      expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(items.map((t) => JSON.parse(t) as unknown));
    }
  });
});
