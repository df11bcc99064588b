import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { CsvFormatError, CsvParser, csvField, csvLine, parseCsv, readCsvChunks, type CsvRecord } from '../../electron/core/hr/csv';

const rows = (records: CsvRecord[]) => records.map((r) => r.fields);
const lines = (records: CsvRecord[]) => records.map((r) => r.line);

/** Feed the text to one parser in the given pieces. */
function parsePieces(pieces: string[]): CsvRecord[] {
  const p = new CsvParser();
  const out: CsvRecord[] = [];
  for (const piece of pieces) p.push(piece, out);
  p.end(out);
  return out;
}

/** The pieces as bytes, handed over one at a time as a stream would. */
function bytesOf(...pieces: Array<Uint8Array | string>): AsyncIterable<Uint8Array> {
  return Readable.from(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
}

async function readAll(input: AsyncIterable<Uint8Array | string>): Promise<{ records: CsvRecord[]; bytes: number }> {
  const records: CsvRecord[] = [];
  let bytes = 0;
  for await (const chunk of readCsvChunks(input)) {
    records.push(...chunk.records);
    bytes = chunk.bytesRead;
  }
  return { records, bytes };
}

const MESSY =
  'id,name,note\r\n' +
  '1,"Smith, Jane","said ""hi"""\r\n' +
  '\r\n' +
  '2,Bob,"two\r\nlines"\r\n' +
  '3,"Ann\nMarie",\n' +
  '\n' +
  '\n' +
  '4,"",plain "quote" inside\r' +
  '5,Zoë,last';

describe('CsvParser', () => {
  it('reads plain rows with LF, CRLF or CR line ends, with or without a final line break', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      for (const end of [eol, '']) {
        const r = parseCsv(`a,b,c${eol}1,2,3${eol}x,,z${end}`);
        expect(rows(r)).toEqual([
          ['a', 'b', 'c'],
          ['1', '2', '3'],
          ['x', '', 'z'],
        ]);
        expect(lines(r)).toEqual([1, 2, 3]);
      }
    }
  });

  it('reads quoted fields: commas, doubled quotes, line breaks; skips blank lines; numbers physical lines', () => {
    const r = parseCsv(MESSY);
    expect(rows(r)).toEqual([
      ['id', 'name', 'note'],
      ['1', 'Smith, Jane', 'said "hi"'],
      ['2', 'Bob', 'two\r\nlines'],
      ['3', 'Ann\nMarie', ''],
      ['4', '', 'plain "quote" inside'],
      ['5', 'Zoë', 'last'],
    ]);
    // Line 3 is blank, record 2 spans lines 4–5, record 3 spans 6–7, lines 8 and 9 are blank.
    expect(lines(r)).toEqual([1, 2, 4, 6, 10, 11]);
    expect(r.every((x) => x.error === undefined)).toBe(true);
  });

  it('gives the same records whatever pieces the text arrives in (every split point, one character at a time)', () => {
    const whole = parseCsv(MESSY);
    for (let i = 0; i <= MESSY.length; i++) expect(parsePieces([MESSY.slice(0, i), MESSY.slice(i)])).toEqual(whole);
    expect(parsePieces([...MESSY])).toEqual(whole);
    // A doubled quote and a CRLF split across pieces.
    expect(rows(parsePieces(['a,"x"', '"y"\r', '\nb,c']))).toEqual([
      ['a', 'x"y'],
      ['b', 'c'],
    ]);
  });

  it('drops a UTF-8 byte order mark, keeps empty fields and a trailing comma', () => {
    expect(rows(parseCsv('\uFEFFa,b\n,\n1,\n'))).toEqual([
      ['a', 'b'],
      ['', ''],
      ['1', ''],
    ]);
  });

  it('marks a record with text after a closing quote as malformed and carries on', () => {
    const r = parseCsv('a,b\n"x"y,2\n3,4\n');
    expect(r[1]!.error).toMatch(/after a closing quote on line 2/);
    expect(r[1]!.fields).toEqual(['xy', '2']);
    expect(r[2]).toEqual({ fields: ['3', '4'], line: 3 });
  });

  it('refuses a quote left open at the end of the file, naming the line it opened on', () => {
    let err: unknown;
    try {
      parseCsv('a,b\n1,2\n3,"open\n4,5\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvFormatError);
    expect((err as CsvFormatError).message).toMatch(/quoted field that starts on line 3/);
    expect((err as CsvFormatError).line).toBe(3);
  });

  it('bounds memory: a quoted field that runs on is refused, an overlong plain field or too many fields reject the record', () => {
    expect(() => parseCsv(`a\n"${'x'.repeat(200)}"\n`, { maxFieldChars: 100 })).toThrow(/runs on for more than 100 characters/);
    const long = parseCsv(`a\n${'x'.repeat(200)}\nok\n`, { maxFieldChars: 100 });
    expect(long[1]!.error).toMatch(/longer than 100 characters/);
    expect(long[1]!.fields[0]!.length).toBeLessThanOrEqual(100);
    expect(long[2]).toEqual({ fields: ['ok'], line: 3 });
    const wide = parseCsv(`a\n${Array(10).fill('x').join(',')}\n`, { maxFields: 5 });
    expect(wide[1]!.error).toMatch(/more than 5 fields/);
    expect(wide[1]!.fields).toHaveLength(5);
  });
});

describe('readCsvChunks', () => {
  it('decodes UTF-8 split anywhere (a character across chunks), drops the BOM and counts bytes', async () => {
    const bytes = Buffer.from('\uFEFFname,town\r\nZoë,Łódź\r\n', 'utf8');
    for (let i = 0; i <= bytes.length; i++) {
      const { records, bytes: n } = await readAll(bytesOf(bytes.subarray(0, i), bytes.subarray(i)));
      expect(rows(records)).toEqual([
        ['name', 'town'],
        ['Zoë', 'Łódź'],
      ]);
      expect(n).toBe(bytes.length);
    }
  });

  it('refuses binary data, text that is not UTF-8, and UTF-16', async () => {
    await expect(readAll(bytesOf('a,b\n1,2\n', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])))).rejects.toThrow(/binary data \(a NUL byte at byte 12, near line 3\)/);
    await expect(readAll(bytesOf(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x74, 0xe9, 0x0a])))).rejects.toThrow(/not UTF-8 text \(near line 2\)/);
    await expect(readAll(bytesOf(Buffer.from('\uFEFFa,b\n', 'utf16le')))).rejects.toThrow(/UTF-16/);
    // A UTF-8 sequence cut short by the end of the file.
    await expect(readAll(bytesOf(Buffer.from([0x61, 0x0a, 0xc3])))).rejects.toThrow(/not UTF-8/);
  });

  it('refuses an unclosed quote at the end of a stream', async () => {
    await expect(readAll(bytesOf('a,b\n1,"x\n', '2,3\n'))).rejects.toBeInstanceOf(CsvFormatError);
  });

  it('reads a large input in constant pieces', async () => {
    const n = 50_000;
    function* big() {
      yield 'n,v\n';
      for (let i = 0; i < n; i += 1000) {
        let s = '';
        for (let j = i; j < i + 1000; j++) s += `${j},"v ${j}, quoted"\n`;
        yield s;
      }
    }
    let count = 0;
    let last: CsvRecord | undefined;
    for await (const chunk of readCsvChunks(Readable.from(big()))) {
      count += chunk.records.length;
      last = chunk.records.at(-1) ?? last;
    }
    expect(count).toBe(n + 1);
    expect(last).toEqual({ fields: [String(n - 1), `v ${n - 1}, quoted`], line: n + 1 });
  });
});

describe('csvField', () => {
  it('quotes what needs quoting and keeps a spreadsheet from reading text as a formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvLine(['a', 1, 'b,c'])).toBe('a,1,"b,c"\r\n');
    // What csvLine writes reads back the same.
    expect(parseCsv(csvLine(['x', 'y "z"', 'p\r\nq']))[0]!.fields).toEqual(['x', 'y "z"', 'p\r\nq']);
  });
});
