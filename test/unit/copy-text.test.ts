import { describe, expect, it } from 'vitest';
import { copyFields, copyText, fromCopyFields } from '../../electron/core/db/copy-text';

describe('COPY text format values', () => {
  it('writes a missing value as \\N and booleans as t/f', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText(true)).toBe('t');
    expect(copyText(false)).toBe('f');
    expect(copyText(42)).toBe('42');
    expect(copyText('')).toBe('');
  });

  it('escapes the backslash, tab, line feed and carriage return, and nothing else', () => {
    expect(copyText('a\\b')).toBe('a\\\\b');
    expect(copyText('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText('O\'Brien "x", y; z|')).toBe('O\'Brien "x", y; z|');
    expect(copyText('Zoë 山田 🙂')).toBe('Zoë 山田 🙂');
  });

  it('never leaves a raw separator in a value', () => {
    for (const s of ['\t', '\n', '\r', '\\', 'x\t\n\r\\y', '\\\\t']) {
      expect(copyText(s)).not.toMatch(/[\t\n\r]/);
      // Every backslash left starts one of the four escapes.
      expect(copyText(s).replace(/\\[\\tnr]/g, '')).not.toContain('\\');
    }
  });
});

describe('COPY text format, other values', () => {
  it('writes a date as ISO text and refuses an object rather than writing [object Object]', () => {
    expect(copyText(new Date('2026-12-05T08:00:00Z'))).toBe('2026-12-05T08:00:00.000Z');
    expect(() => copyText({ a: 1 })).toThrow(TypeError);
  });
});

describe('COPY text format, a line', () => {
  it('joins the values with tabs, each escaped, so a value with a tab stays one field', () => {
    expect(copyFields(['a', null, true, 7, 'b\tc'])).toBe('a\t\\N\tt\t7\tb\\tc');
    expect(copyFields(['x\ty', 'z']).split('\t')).toHaveLength(2);
    expect(copyFields([])).toBe('');
  });

  it('reads a line back as it was written, the literal text \\N and empty text included', () => {
    const values = ['a\\b', 'a\tb\nc\rd', '\\N', '', null, 'Zoë 山田 🙂', '\\\\t', 'x\\'];
    expect(fromCopyFields(copyFields(values))).toEqual(values);
    expect(fromCopyFields(copyFields([true, false, 42]))).toEqual(['t', 'f', '42']);
  });
});
