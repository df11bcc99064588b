/**
 * Queries drawn deterministically from the seeded data: the same database gives the same queries,
 * run after run, on sqlite and PostgreSQL alike.
 */
import type { Knex } from 'knex';
import { prng } from './stats';

export interface SampledEmployee {
  id: number;
  first: string;
  last: string;
  username: string;
  number: string;
  emails: string[];
}

export type QueryKind = 'surname' | 'first name' | 'email' | 'username' | 'multi-word';

export interface BenchQuery {
  kind: QueryKind;
  q: string;
}

export type ExactKind = 'employee number' | 'email';

export interface ExactQuery {
  kind: ExactKind;
  q: string;
  /** The column a naive implementation would scan for it. */
  column: 'employees.employee_number' | 'employee_emails.address_lc';
}

const QUERY_SEED = 0x5eed_2000;

/** `count` employees picked at random (deterministically) by id. */
export async function sampleEmployees(db: Knex, count: number, seed = QUERY_SEED): Promise<SampledEmployee[]> {
  const range = (await db('employees').min({ lo: 'id' }).max({ hi: 'id' }).first()) as { lo: number | null; hi: number | null };
  const lo = Number(range.lo ?? 0);
  const hi = Number(range.hi ?? 0);
  if (!range.lo) throw new Error('The benchmark database has no employees');
  const rnd = prng(seed);
  const out: SampledEmployee[] = [];
  const seen = new Set<number>();
  for (let attempts = 0; out.length < count && attempts < 20; attempts++) {
    const ids: number[] = [];
    while (ids.length < (count - out.length) * 1.1 + 5) {
      const id = rnd.int(lo, hi);
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
      if (seen.size >= hi - lo + 1) break;
    }
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await db<{ id: number; first_name: string; last_name: string; username: string; employee_number: string }>('employees')
        .whereIn('id', chunk)
        .select('id', 'first_name', 'last_name', 'username', 'employee_number');
      const mails = await db<{ employee_id: number; address_lc: string }>('employee_emails')
        .whereIn('employee_id', chunk)
        .select('employee_id', 'address_lc')
        .orderBy('id');
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      // Keep the drawing order, not the database's.
      for (const id of chunk) {
        const r = byId.get(id);
        if (!r || out.length >= count) continue;
        out.push({
          id,
          first: r.first_name,
          last: r.last_name,
          username: r.username,
          number: r.employee_number,
          emails: mails.filter((m) => Number(m.employee_id) === id).map((m) => m.address_lc),
        });
      }
    }
    if (seen.size >= hi - lo + 1) break;
  }
  return out;
}

type Rnd = ReturnType<typeof prng>;

/** A substring of s (lower case) of length lo–hi, at a random offset; s itself when shorter. */
function fragment(rnd: Rnd, s: string, lo: number, hi: number): string {
  const t = s.toLowerCase();
  if (t.length <= lo) return t;
  const len = rnd.int(lo, Math.min(hi, t.length));
  const at = rnd.int(0, t.length - len);
  return t.slice(at, at + len);
}

function prefix(rnd: Rnd, s: string, lo: number, hi: number): string {
  const t = s.toLowerCase();
  return t.slice(0, Math.min(t.length, rnd.int(lo, hi)));
}

/** Every word of 3+ characters and no leading/trailing space: what the search treats as substring words. */
function usable(q: string): boolean {
  const words = q.trim().split(/\s+/);
  return q.trim() === q && q.length >= 3 && words.every((w) => w.length >= 3);
}

const MIX: Array<[QueryKind, number]> = [
  ['surname', 0.3],
  ['first name', 0.2],
  ['email', 0.2],
  ['username', 0.15],
  ['multi-word', 0.15],
];

function makeQuery(rnd: Rnd, kind: QueryKind, e: SampledEmployee): string {
  switch (kind) {
    case 'surname':
      return fragment(rnd, e.last, 3, 6);
    case 'first name':
      return fragment(rnd, e.first, 3, 5);
    case 'email': {
      const address = rnd.pick(e.emails.length ? e.emails : [e.username]);
      // Half the time what people type first (the start of the address), else a piece of it.
      return rnd.next() < 0.5 ? prefix(rnd, address, 5, 12) : fragment(rnd, address, 4, 9);
    }
    case 'username':
      return fragment(rnd, e.username, 4, 8);
    case 'multi-word': {
      const first = prefix(rnd, e.first, 3, 5);
      const last = prefix(rnd, e.last, 3, 6);
      return rnd.next() < 0.6 ? `${first} ${last}` : `${last} ${first}`;
    }
  }
}

/** `n` substring queries (3+ characters per word) in the mix above, interleaved. */
export function substringQueries(employees: readonly SampledEmployee[], n: number, seed = QUERY_SEED + 1): BenchQuery[] {
  const rnd = prng(seed);
  const kinds: QueryKind[] = [];
  for (const [kind, share] of MIX) for (let i = 0; i < Math.round(share * n); i++) kinds.push(kind);
  while (kinds.length < n) kinds.push('surname');
  kinds.length = n;
  // Fisher–Yates with the deterministic generator.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const out: BenchQuery[] = [];
  let k = 0;
  for (const kind of kinds) {
    let q = '';
    for (let tries = 0; tries < 20 && !usable(q); tries++) q = makeQuery(rnd, kind, employees[k++ % employees.length]!).replace(/\s+/g, ' ');
    if (!usable(q)) q = employees[k++ % employees.length]!.last.toLowerCase().padEnd(3, 'e');
    out.push({ kind, q });
  }
  return out;
}

/** `n` exact keys: alternately a full employee number and a full email address on record. */
export function exactQueries(employees: readonly SampledEmployee[], n: number, seed = QUERY_SEED + 2): ExactQuery[] {
  const rnd = prng(seed);
  const out: ExactQuery[] = [];
  for (let i = 0; out.length < n && i < employees.length * 2; i++) {
    const e = employees[(i * 7 + 3) % employees.length]!;
    if (out.length % 2 === 0) out.push({ kind: 'employee number', q: e.number, column: 'employees.employee_number' });
    else if (e.emails.length) out.push({ kind: 'email', q: rnd.pick(e.emails), column: 'employee_emails.address_lc' });
  }
  return out;
}

/** Indexes of `k` items spread evenly over `n` (for the scan sample). */
export function spread(n: number, k: number): number[] {
  const m = Math.min(n, k);
  return Array.from({ length: m }, (_, i) => Math.floor(((i + 0.5) * n) / m));
}

/** The trigram found in the most surnames of the sample: a very unselective substring. */
export function commonSurnameTrigram(employees: readonly SampledEmployee[]): string {
  const counts = new Map<string, number>();
  for (const e of employees) {
    const s = e.last.toLowerCase();
    const seen = new Set<string>();
    for (let i = 0; i + 3 <= s.length; i++) {
      const t = s.slice(i, i + 3);
      if (/^[a-z]{3}$/.test(t)) seen.add(t);
    }
    for (const t of seen) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let best = 'son';
  let bestN = -1;
  for (const [t, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n > bestN) {
      best = t;
      bestN = n;
    }
  }
  return best;
}
