/** What was typed, as the look-up reads it: normalised, split into words, compared in code point order. */

/** The keys a prefix can match: the two name orders, the username, the employee number, an address. */
export type PrefixSource = 'sort_name' | 'given_sort' | 'username' | 'employee_number' | 'email';
export const PREFIX_SOURCES: readonly PrefixSource[] = ['sort_name', 'given_sort', 'username', 'employee_number', 'email'];

/** An 8-digit employee number or an email address: worth answering from tier 0 alone. */
export const KEY_SHAPED = /^(\d{8}|[^\s@]+@[^\s@]+\.[^\s@]+)$/;

/**
 * Which prefix sources can hold q at all: names have letters and may have spaces, usernames and
 * emails have no spaces, employee numbers are digits. Skipping the others saves their queries.
 */
export function sourcesFor(q: string): PrefixSource[] {
  const hasSpace = q.includes(' ');
  const digits = /^\d+$/.test(q);
  return PREFIX_SOURCES.filter((s) => {
    if (s === 'employee_number') return digits;
    if (s === 'username' || s === 'email') return !hasSpace;
    return !digits && !q.includes('@'); // names
  });
}

/** Normalise what was typed: control characters are spaces, case is ignored, spaces collapse. */
export function normaliseQuery(raw: string): string {
  return raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().toLowerCase().replace(/\s+/g, ' ');
}

export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => '\\' + ch);
}

export function ftsPhrase(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

/** Upper bound of a prefix range: every string that starts with p sorts below it (code point order). */
export function prefixEnd(p: string): string {
  return p + '\u{10FFFF}';
}

export interface Parsed {
  q: string;
  long: string[];
  short: string[];
}

export function parse(query: string): Parsed {
  const q = normaliseQuery(query);
  const words = q.split(' ').filter(Boolean);
  // Length in characters (code points): the trigram index works on characters, not UTF-16 units.
  const chars = (w: string) => [...w].length;
  return { q, long: words.filter((w) => chars(w) >= 3), short: words.filter((w) => chars(w) < 3) };
}

/**
 * Code point order, as both databases compare these columns (sqlite BINARY on UTF-8, PostgreSQL
 * "C"); JavaScript's < compares UTF-16 units, which puts characters beyond U+FFFF before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // the low surrogate is part of the same character
  }
  return a.length - b.length;
}

export function compareKeyId(a: [string, number], b: [string, number]): number {
  return compareCodePoints(a[0], b[0]) || a[1] - b[1];
}
