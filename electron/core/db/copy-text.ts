/**
 * PostgreSQL's COPY text format, as values: pure, with no database at hand, so the HR import's
 * reader thread can encode a first load's rows while the main thread writes (pg-copy.ts streams them).
 */

/** One value in COPY's text format: `\N` for null, t/f for booleans, dates as ISO text, text with its four specials escaped. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') throw new TypeError(`COPY takes text, numbers, booleans and dates, not ${typeof value}`);
  const s = value;
  // The common case (names, numbers, addresses, dates) has none of them: no copy of the string.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Values as one line's fields, tab-separated (no line end). */
export function copyFields(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : '\t') + copyText(values[i]);
  return line;
}

/**
 * A line copyFields wrote, read back: its fields as text, `\N` as null (booleans stay `t`/`f`,
 * the caller knows its columns). Only the four escapes copyText writes are undone.
 */
export function fromCopyFields(line: string): Array<string | null> {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    if (!field.includes('\\')) return field;
    return field.replace(/\\([\\tnr])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
  });
}
