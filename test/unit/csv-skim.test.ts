import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { CsvFormatError, CsvParser, readCsvChunks, type CsvLimits, type CsvRecord } from '../../electron/core/hr/csv';
import { createRandom } from '../../electron/core/demo/random';
import { isBlank } from '../../electron/core/hr/row-checks';

/**
 * The import's check skims: after the header it counts the records that are not blank instead of
 * building them. It must count exactly what building them and asking isBlank() would, and stop
 * with exactly the same CsvFormatError, whatever the text and however it is cut into pieces.
 */

type Outcome = { header: CsvRecord | undefined; count: number; error: string | null; errorLine: number | null };

/** Build every record, or build `skimAfter` and skim the rest; the header and the count of data records that are not blank. */
function outcome(pieces: string[], limits: Partial<CsvLimits>, skim: boolean, skimAfter = 1): Outcome {
  const parser = new CsvParser(limits, skim ? skimAfter : Infinity);
  const out: CsvRecord[] = [];
  let skimmed = 0;
  try {
    for (const piece of pieces) {
      parser.push(piece, out);
      skimmed += parser.takeSkimmed();
    }
    parser.end(out);
    skimmed += parser.takeSkimmed();
  } catch (err) {
    if (!(err instanceof CsvFormatError)) throw err;
    return { header: undefined, count: 0, error: err.message, errorLine: err.line };
  }
  const [header, ...rest] = out;
  if (skim) expect(out.length).toBeLessThanOrEqual(skimAfter);
  return { header, count: rest.filter((r) => !isBlank(r)).length + skimmed, error: null, errorLine: null };
}

/** Random CSV made of what HR files and broken files hold: quotes, doubled quotes, line breaks of every kind, blank and all-comma lines, odd spaces. */
function randomCsv(seed: number): string {
  const r = createRandom(seed);
  const breaks = ['\n', '\r\n', '\r'];
  const words = ['E001', 'Jane', 'Zoë 山田', 'a b', 'x"y', '  ', '\u00a0', '\u3000', '', 'text', '🙂', '\t'];
  const field = (): string => {
    switch (r.int(0, 9)) {
      case 0:
        return `"${r.pick(words)},${r.pick(words)}"`;
      case 1:
        return `"${r.pick(words)}${r.pick(breaks)}${r.pick(words)}"`;
      case 2:
        return `"say ""${r.pick(words)}"""`;
      case 3:
        return `"${r.pick(['', ' ', '\u00a0'])}"`;
      case 4:
        return `"${r.pick(words)}"${r.pick(['tail', ' ', ''])}`; // text after a closing quote: a damaged record
      case 5:
        return 'x'.repeat(r.int(0, 40)); // past a small maxFieldChars sometimes
      case 6:
        return `"${'q'.repeat(r.int(10, 40))}${r.pick(['', '""', '\r\n'])}${'z'.repeat(r.int(0, 10))}"`; // a quoted field past it: the file is refused
      default:
        return r.pick(words);
    }
  };
  const lines: string[] = ['employee_number,name,note'];
  for (let i = r.int(0, 30); i > 0; i--) {
    const kind = r.int(0, 9);
    if (kind === 0) lines.push('');
    else if (kind === 1) lines.push(','.repeat(r.int(1, 12))); // blank, or too many fields under a small maxFields
    else if (kind === 2) lines.push(` ,\u00a0, `);
    else lines.push(Array.from({ length: r.int(1, 8) }, field).join(','));
  }
  let text = lines.map((l) => l + r.pick(breaks)).join('');
  if (r.int(0, 9) === 0) text += '"never closed, ' + r.pick(breaks) + 'to the end';
  if (r.int(0, 4) === 0) text = text.replace(/[\r\n]+$/, ''); // no final line break
  return text;
}

/** The text cut at random places into 1–6 pieces (a piece may end inside a quote, or between CR and LF). */
function cut(text: string, seed: number): string[] {
  const r = createRandom(seed);
  const at = Array.from({ length: r.int(0, 5) }, () => r.int(0, text.length)).sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of at) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
}

describe('skimming the HR extract (the check) against building its records', () => {
  it('counts the same records and stops with the same error on 3,000 random files, cut anywhere', () => {
    const errors = { open: 0, long: 0 };
    let counted = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomCsv(seed);
      const limits = seed % 2 ? { maxFieldChars: 30, maxFields: 6 } : {};
      const built = outcome([text], limits, false);
      // Skimming from the first data row on, as the check does, or after a few built rows.
      const skimAfter = seed % 5 === 0 ? 1 + (seed % 4) : 1;
      expect(outcome(cut(text, seed), limits, true, skimAfter), `seed ${seed}: ${JSON.stringify(text)}`).toEqual(built);
      if (built.error?.includes('a quote is not closed')) errors.open++;
      if (built.error?.includes('runs on for more than')) errors.long++;
      counted += built.count;
    }
    // The files did exercise both ends: both errors, and many records counted.
    expect(errors.open).toBeGreaterThan(50);
    expect(errors.long).toBeGreaterThan(100);
    expect(counted).toBeGreaterThan(10_000);
  });

  it('counts a record with an error, a blank one not, and a line of commas only once it has too many fields', () => {
    const text = 'a,b\r\n,,\r\n \u3000 ,\u00a0\r\n"x"y,1\r\n' + ','.repeat(5) + '\r\n"",""\r\nlast';
    expect(outcome([text], { maxFields: 5 }, true)).toMatchObject({ count: 3, error: null });
    expect(outcome([text], { maxFields: 5 }, false)).toMatchObject({ count: 3, error: null });
  });

  it('stops at a quoted field left open, or one that runs past the limit, on the line it starts', () => {
    const open = outcome(['h\r\n1,x\r\n2,"open,\r\nstill\r\n'], {}, true);
    expect(open).toMatchObject({ errorLine: 3 });
    expect(open.error).toMatch(/starts on line 3: a quote is not closed/);
    const long = outcome(['h\n1,"' + 'y'.repeat(40), 'more"\n'], { maxFieldChars: 32 }, true);
    expect(long.error).toMatch(/starts on line 2 runs on for more than 32 characters/);
  });

  it('readCsvChunks hands over the header as a record and the rest as a count, with the bytes read', async () => {
    const lines = ['employee_number,name', ...Array.from({ length: 5000 }, (_, i) => `E${i},"Name, ${i}"`), '', ',,'];
    const text = lines.join('\n') + '\n';
    const half = Math.floor(text.length / 2);
    const chunks = [];
    for await (const chunk of readCsvChunks(Readable.from([Buffer.from(text.slice(0, half)), Buffer.from(text.slice(half))]), undefined, 1)) chunks.push(chunk);
    expect(chunks.flatMap((c) => c.records).map((r) => r.fields)).toEqual([['employee_number', 'name']]);
    expect(chunks.reduce((n, c) => n + c.skimmed, 0)).toBe(5000);
    expect(chunks.at(-1)!.bytesRead).toBe(Buffer.byteLength(text));
  });
});
