/**
 * P1 (substring search), P2 (exact keys) and P6 (deep keyset pages), straight on EmployeeSearch,
 * each against what a naive implementation would do on the same data.
 */
import type { Knex } from 'knex';
import type { EmployeeSearch, SearchInput } from '../../electron/core/employees/search.service';
import type { SearchPage } from '../../shared/domain';
import { databaseKind, pgPrepared } from '../../electron/core/db/connection';
import type { BenchQuery, ExactQuery } from './queries';
import { spread } from './queries';
import { likeEscape } from '../../electron/core/employees/search-text';
import { log, median, ms, settle, summarise, timed, type Summary } from './stats';

export const PAGE_LIMIT = 50;

export function relevance(query: string, cursor: string | null = null): SearchInput {
  return { query, filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: PAGE_LIMIT, cursor };
}

export interface QueryTiming {
  kind: string;
  q: string;
  /** Median over the passes. */
  ms: number;
  /** The first pass: the first time this query was ever run. */
  firstMs: number;
  passes: number[];
  rows: number;
}

export interface ScanTiming {
  kind: string;
  q: string;
  scanMs: number;
  indexedMs: number;
  scanRows: number;
  /** P1 only: the same naive query with a plain ORDER BY sort_name, run however the planner likes. */
  plannedMs?: number;
}

/** A set of queries timed through EmployeeSearch.page, and a sample of them as the naive scan. */
interface ScanComparison {
  timings: QueryTiming[];
  overall: Summary;
  /** Over the first pass only (each query the first time it ran). */
  firstPass: Summary;
  passes: number;
  byKind: Record<string, Summary>;
  scans: ScanTiming[];
  scanMedianMs: number;
  indexedMedianOnSampleMs: number;
  ratio: number;
}

export interface P1Result extends ScanComparison {
  scanSql: string;
  /** The naive query as written, ORDER BY sort_name left to the planner (it may walk that index). */
  plannedSql: string;
  plannedMedianMs: number;
  plannedRatio: number;
}

export interface P2Result extends ScanComparison {
  scanSql: Record<string, string>;
  /**
   * The floor: one round trip to the database for a trivial prepared statement (`SELECT $1`), the
   * way the exact look-up reaches it (the pool, the driver), timed interleaved with the look-ups.
   * No look-up can be faster, so scan ÷ this is the highest ratio this machine allows.
   */
  roundTripMs: number;
  ceilingRatio: number;
}

const SUMMARY_COLUMNS = [
  'employees.id',
  'employees.employee_number',
  'employees.first_name',
  'employees.last_name',
  'employees.username',
  'employees.organisation',
  'employees.department',
  'employees.status',
  'employees.mfa_state',
];

/**
 * The naive substring search: every word as `LIKE '%word%'` over search_doc (first and last name,
 * employee number, username and every email), first 50 by name. `|| ''` keeps every index out —
 * PostgreSQL's trigram index for the match and the sort_name b-tree for the order (walking it row
 * by row is the planner's choice after ANALYZE on sqlite, and 3–6× slower still) — so this is the
 * plain scan with a top-50 sort on both databases.
 */
function naiveSubstring(db: Knex, q: string, planned = false): Knex.QueryBuilder {
  const qb = db('employees').select(SUMMARY_COLUMNS).limit(PAGE_LIMIT);
  if (planned) qb.orderBy('employees.sort_name');
  else qb.orderByRaw("(employees.sort_name || '')");
  for (const w of q.trim().toLowerCase().split(/\s+/)) qb.whereRaw("(employees.search_doc || '') LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
  return qb;
}

/** The naive exact look-up: `LIKE '%value%'` on the one column, which no index can help; at most 50 rows. */
function naiveExact(db: Knex, e: ExactQuery): Knex.QueryBuilder {
  const pattern = `%${likeEscape(e.q)}%`;
  if (e.column === 'employees.employee_number') {
    return db('employees').select(SUMMARY_COLUMNS).whereRaw("employees.employee_number LIKE ? ESCAPE '\\'", [pattern]).limit(PAGE_LIMIT);
  }
  return db('employee_emails')
    .join('employees', 'employees.id', 'employee_emails.employee_id')
    .select(SUMMARY_COLUMNS)
    .whereRaw("employee_emails.address_lc LIKE ? ESCAPE '\\'", [pattern])
    .limit(PAGE_LIMIT);
}

function byKind(timings: readonly QueryTiming[]): Record<string, Summary> {
  const groups = new Map<string, number[]>();
  for (const t of timings) groups.set(t.kind, [...(groups.get(t.kind) ?? []), t.ms]);
  return Object.fromEntries([...groups].map(([k, v]) => [k, summarise(v)]));
}

/**
 * Each query `passes` times, in whole passes over the list (so no query runs twice in a row); a
 * query's time is its median, which a single disturbance from another process does not move.
 */
async function timeQueries(
  search: EmployeeSearch,
  queries: ReadonlyArray<{ kind: string; q: string }>,
  label: string,
  passes = 1,
  /** Run (and timed by the caller) right after each query, in the same passes. */
  after?: (q: string) => Promise<void>,
): Promise<QueryTiming[]> {
  const times: number[][] = queries.map(() => []);
  const rows: number[] = queries.map(() => 0);
  let lastReport = Date.now();
  for (let p = 0; p < passes; p++) {
    for (const [i, x] of queries.entries()) {
      const r = await timed(() => search.page(relevance(x.q)));
      times[i]!.push(r.ms);
      rows[i] = r.value.rows.length;
      if (after) await after(x.q);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        log(`  ${label}: pass ${p + 1}/${passes}, ${i + 1} / ${queries.length}`);
      }
    }
  }
  return queries.map((x, i) => ({ kind: x.kind, q: x.q, ms: median(times[i]!), firstMs: times[i]![0]!, passes: times[i]!, rows: rows[i]! }));
}

async function timeScans(
  sample: ReadonlyArray<{ kind: string; q: string; indexedMs: number }>,
  build: (i: number) => Knex.QueryBuilder,
  label: string,
  planned?: (i: number) => Knex.QueryBuilder,
): Promise<ScanTiming[]> {
  // One scan first, unmeasured, so the table is in the page cache as it is for the indexed search.
  if (sample.length) await build(0);
  const out: ScanTiming[] = [];
  for (const [i, s] of sample.entries()) {
    const r = await timed(async () => (await build(i)) as unknown[]);
    const p = planned ? await timed(async () => (await planned(i)) as unknown[]) : null;
    out.push({ kind: s.kind, q: s.q, scanMs: r.ms, indexedMs: s.indexedMs, scanRows: r.value.length, ...(p ? { plannedMs: p.ms } : {}) });
    log(`  ${label} ${i + 1}/${sample.length}: ${JSON.stringify(s.q)} ${ms(r.ms)}${p ? ` (as planned ${ms(p.ms)})` : ''}, indexed ${ms(s.indexedMs)}`);
  }
  return out;
}

/** What P1 and P2 work out alike from their timings and the scan sample. */
function scanComparison(timings: QueryTiming[], overall: Summary, passes: number, scans: ScanTiming[]): ScanComparison {
  const scanMedianMs = median(scans.map((s) => s.scanMs));
  const indexedMedianOnSampleMs = median(scans.map((s) => s.indexedMs));
  return {
    timings,
    overall,
    firstPass: summarise(timings.map((t) => t.firstMs)),
    passes,
    byKind: byKind(timings),
    scans,
    scanMedianMs,
    indexedMedianOnSampleMs,
    ratio: scanMedianMs / indexedMedianOnSampleMs,
  };
}

export async function measureP1(db: Knex, search: EmployeeSearch, queries: readonly BenchQuery[], warmup: readonly BenchQuery[], scanSample: number, passes: number): Promise<P1Result> {
  log(`P1: ${queries.length} substring queries through EmployeeSearch.page (relevance, limit ${PAGE_LIMIT}), ${passes} passes, after ${warmup.length} warm-up queries`);
  await timeQueries(search, warmup, 'warm-up');
  await settle();
  const timings = await timeQueries(search, queries, 'P1', passes);
  const overall = summarise(timings.map((t) => t.ms));
  log(`  P1 p50 ${ms(overall.p50)}, p95 ${ms(overall.p95)}, max ${ms(overall.max)}`);
  const idx = spread(queries.length, scanSample);
  log(`P1: the naive LIKE scan for ${idx.length} of them`);
  const sample = idx.map((i) => ({ kind: timings[i]!.kind, q: timings[i]!.q, indexedMs: timings[i]!.ms }));
  const scans = await timeScans(sample, (i) => naiveSubstring(db, sample[i]!.q), 'scan', (i) => naiveSubstring(db, sample[i]!.q, true));
  const comparison = scanComparison(timings, overall, passes, scans);
  const plannedMedianMs = median(scans.map((s) => s.plannedMs!));
  return {
    ...comparison,
    scanSql: naiveSubstring(db, sample[0]?.q ?? 'abc').toQuery(),
    plannedSql: naiveSubstring(db, sample[0]?.q ?? 'abc', true).toQuery(),
    plannedMedianMs,
    plannedRatio: plannedMedianMs / comparison.indexedMedianOnSampleMs,
  };
}

export async function measureP2(db: Knex, search: EmployeeSearch, queries: readonly ExactQuery[], scanSample: number, passes: number): Promise<P2Result> {
  log(`P2: ${queries.length} exact employee numbers and emails through EmployeeSearch.page, ${passes} passes`);
  // The bare round trip right after each look-up, in the same passes: this machine's latency moves
  // from one moment to the next (0.03–0.4 ms seen here), so the floor is taken when the look-ups are.
  const trips: number[] = [];
  const postgres = databaseKind(db) === 'postgres';
  const trip = async (q: string) => {
    const r = await timed(() => (postgres ? pgPrepared(db, 'desk_bench_round_trip', 'SELECT $1::text AS v', [q]) : db.raw('SELECT ? AS v', [q])));
    trips.push(r.ms);
  };
  const timings = await timeQueries(search, queries, 'P2', passes, trip);
  const roundTripMs = median(trips);
  log(`  a bare round trip (SELECT $1, prepared): p50 ${ms(roundTripMs)}`);
  const overall = summarise(timings.map((t) => t.ms));
  log(`  P2 p50 ${ms(overall.p50)}, p95 ${ms(overall.p95)}`);
  // The scan sample: half employee numbers, half emails, spread over the queries of each kind.
  const ofKind = (k: string) => queries.flatMap((q, i) => (q.kind === k ? [i] : []));
  const numbers = ofKind('employee number');
  const emails = ofKind('email');
  const half = Math.ceil(scanSample / 2);
  const chosen = [...spread(numbers.length, half).map((k) => numbers[k]!), ...spread(emails.length, scanSample - half).map((k) => emails[k]!)];
  log(`P2: the naive LIKE scan for ${chosen.length} of them`);
  const sample = chosen.map((i) => ({ kind: timings[i]!.kind, q: timings[i]!.q, indexedMs: timings[i]!.ms, e: queries[i]! }));
  const scans = await timeScans(sample, (i) => naiveExact(db, sample[i]!.e), 'scan');
  const comparison = scanComparison(timings, overall, passes, scans);
  const num = queries.find((q) => q.kind === 'employee number');
  const mail = queries.find((q) => q.kind === 'email');
  return {
    ...comparison,
    roundTripMs,
    ceilingRatio: comparison.scanMedianMs / roundTripMs,
    scanSql: {
      ...(num ? { 'employee number': naiveExact(db, num).toQuery() } : {}),
      ...(mail ? { email: naiveExact(db, mail).toQuery() } : {}),
    },
  };
}

// ── P6: deep keyset pages ─────────────────────────────────────────────────────────────────────────

export interface WalkResult {
  label: string;
  query: string;
  sort: string;
  pagesWalked: number;
  rowsWalked: number;
  reachedEnd: boolean;
  walk: Summary;
  firstMs: number;
  deepMs: number;
  deepPage: number;
  lastMs: number | null;
  ratio: number;
  repetitions: number;
}

async function walk(search: EmployeeSearch, input: SearchInput, pages: number) {
  const cursors: Array<string | null> = [null];
  const times: number[] = [];
  let rows = 0;
  let page: SearchPage | null = null;
  for (let n = 0; n < pages; n++) {
    const cursor = cursors[n]!;
    const r = await timed(() => search.page({ ...input, cursor }));
    page = r.value;
    times.push(r.ms);
    rows += page.rows.length;
    if (!page.nextCursor) break;
    cursors.push(page.nextCursor);
  }
  // cursors[k] opens page k+1; the last one walked is cursors[times.length - 1].
  return { cursors: cursors.slice(0, times.length), times, rows, reachedEnd: !page?.nextCursor };
}

/**
 * Walk `pages` pages of a search, then time its first page, its deepest page walked and (when
 * given) the last page of the whole order, alternately, `reps` times each.
 */
async function measureWalk(
  search: EmployeeSearch,
  label: string,
  input: SearchInput,
  pages: number,
  lastPage: SearchInput | null,
  reps = 15,
): Promise<WalkResult> {
  log(`P6: walking ${pages} pages of ${label}`);
  const w = await walk(search, input, pages);
  const deepCursor = w.cursors[w.cursors.length - 1]!;
  const first: number[] = [];
  const deep: number[] = [];
  const last: number[] = [];
  for (let r = 0; r < reps; r++) {
    first.push((await timed(() => search.page({ ...input, cursor: null }))).ms);
    deep.push((await timed(() => search.page({ ...input, cursor: deepCursor }))).ms);
    if (lastPage) last.push((await timed(() => search.page(lastPage))).ms);
  }
  const firstMs = median(first);
  const deepMs = median(deep);
  const lastMs = lastPage ? median(last) : null;
  const ratio = Math.max(deepMs, lastMs ?? 0) / firstMs;
  log(`  first ${ms(firstMs)}, page ${w.times.length} ${ms(deepMs)}${lastMs !== null ? `, last page ${ms(lastMs)}` : ''} → ${ratio.toFixed(2)}×`);
  return {
    label,
    query: input.query,
    sort: `${input.sort.by} ${input.sort.dir}`,
    pagesWalked: w.times.length,
    rowsWalked: w.rows,
    reachedEnd: w.reachedEnd,
    walk: summarise(w.times),
    firstMs,
    deepMs,
    deepPage: w.times.length,
    lastMs,
    ratio,
    repetitions: reps,
  };
}

export async function measureP6(search: EmployeeSearch, pages: number, unselective: string): Promise<WalkResult[]> {
  const byName = (dir: 'asc' | 'desc'): SearchInput => ({ query: '', filters: {}, sort: { by: 'name', dir }, limit: PAGE_LIMIT, cursor: null });
  return [
    await measureWalk(search, 'every employee by name (empty query)', byName('asc'), pages, byName('desc')),
    await measureWalk(search, `the unselective substring "${unselective}" (relevance)`, relevance(unselective), pages, null),
  ];
}
