/** The results: a markdown table for people and a JSON file next to it for tools. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetInfo } from './dataset';
import type { P1Result, P2Result, WalkResult } from './search';
import type { P3Result } from './contract';
import type { BrowserResult } from './browser';
import { int, ms, percentile, ratio, type Summary } from './stats';

export type Status = 'PASS' | 'MISS' | 'SKIP' | 'ERROR' | 'INFO';

export interface GoalRow {
  id: string;
  what: string;
  /** The number the goal is checked against (null when not measured). */
  value: number | null;
  unit: 'ms' | 'x';
  display: string;
  goal: string;
  status: Status;
}

export interface Section<T> {
  result?: T;
  error?: string;
  skipped?: string;
}

export interface RunResults {
  dataset: DatasetInfo;
  options: Record<string, unknown>;
  startedAt: string;
  seconds: number;
  queries: { substring: number; exact: number; unselective: string };
  p1: Section<P1Result>;
  p2: Section<P2Result>;
  p3: Section<P3Result>;
  p6: Section<WalkResult[]>;
  browser: Section<BrowserResult>;
}

function check(value: number, goal: number, dir: '<=' | '>='): Status {
  if (!Number.isFinite(value)) return 'ERROR';
  return (dir === '<=' ? value <= goal : value >= goal) ? 'PASS' : 'MISS';
}

function notMeasured<T>(s: Section<T>): { display: string; status: Status } {
  if (s.skipped) return { display: `not measured: ${s.skipped}`, status: 'SKIP' };
  return { display: `error: ${(s.error ?? 'not run').split('\n')[0]!.slice(0, 160)}`, status: 'ERROR' };
}

export function goalRows(r: RunResults): GoalRow[] {
  const rows: GoalRow[] = [];
  const add = (row: GoalRow) => rows.push(row);
  const missing = <T>(s: Section<T>, id: string, what: string, unit: GoalRow['unit'], goal: string) => {
    const n = notMeasured(s);
    add({ id, what, value: null, unit, display: n.display, goal, status: n.status });
  };

  const p1 = r.p1.result;
  if (p1) {
    add({ id: 'P1', what: `Substring search, p95 of ${p1.timings.length} queries (EmployeeSearch.page, relevance, 50 rows)`, value: p1.overall.p95, unit: 'ms', display: `${ms(p1.overall.p95)} (p50 ${ms(p1.overall.p50)})`, goal: '≤ 20 ms', status: check(p1.overall.p95, 20, '<=') });
    add({ id: 'P1', what: `Substring search vs naive LIKE scan, ratio of medians over ${p1.scans.length} queries`, value: p1.ratio, unit: 'x', display: `${ratio(p1.ratio)} (scan ${ms(p1.scanMedianMs)}, search ${ms(p1.indexedMedianOnSampleMs)}; ${ratio(p1.plannedRatio)} against the naive query as the planner runs it, ${ms(p1.plannedMedianMs)})`, goal: '≥ 100×', status: check(p1.ratio, 100, '>=') });
  } else {
    missing(r.p1, 'P1', 'Substring search, p95', 'ms', '≤ 20 ms');
    missing(r.p1, 'P1', 'Substring search vs naive LIKE scan', 'x', '≥ 100×');
  }

  const p2 = r.p2.result;
  if (p2) {
    add({ id: 'P2', what: `Exact employee number / email, p95 of ${p2.timings.length} keys`, value: p2.overall.p95, unit: 'ms', display: `${ms(p2.overall.p95)} (p50 ${ms(p2.overall.p50)})`, goal: '—', status: 'INFO' });
    add({ id: 'P2', what: `Exact key vs naive LIKE scan, ratio of medians over ${p2.scans.length} keys`, value: p2.ratio, unit: 'x', display: `${ratio(p2.ratio)} (scan ${ms(p2.scanMedianMs)}, search ${ms(p2.indexedMedianOnSampleMs)}; a bare round trip ${ms(p2.roundTripMs)} in the same passes, so the look-up is ${(p2.indexedMedianOnSampleMs / p2.roundTripMs).toFixed(2)} round trips and at most ${ratio(p2.ceilingRatio)} is possible here)`, goal: '≥ 1000×', status: check(p2.ratio, 1000, '>=') });
  } else {
    missing(r.p2, 'P2', 'Exact key vs naive LIKE scan', 'x', '≥ 1000×');
  }

  const p3 = r.p3.result;
  if (p3) {
    add({ id: 'P3', what: 'Search through the contract (HTTP, signed in) ÷ EmployeeSearch.page, medians', value: p3.ratio, unit: 'x', display: `${ratio(p3.ratio)} (${ms(p3.contract.p50)} vs ${ms(p3.raw.p50)})`, goal: '≤ 3×', status: check(p3.ratio, 3, '<=') });
    add({ id: 'P3', what: `Contract overhead for a 50-row page, median over ${p3.fullPages} queries`, value: p3.overheadMs, unit: 'ms', display: `${ms(p3.overheadMs)} (p95 ${ms(p3.overheadP95Ms)})`, goal: '≤ 1.5 ms', status: check(p3.overheadMs, 1.5, '<=') });
  } else {
    missing(r.p3, 'P3', 'Search through the contract ÷ EmployeeSearch.page', 'x', '≤ 3×');
    missing(r.p3, 'P3', 'Contract overhead for a 50-row page', 'ms', '≤ 1.5 ms');
  }

  const b = r.browser.result;
  if (b) {
    add({ id: 'P4', what: `Keystroke → rows painted in Chromium, p95 of ${b.p4.samples.length} keystrokes (${b.p4.method})`, value: b.p4.summary.p95, unit: 'ms', display: `${ms(b.p4.summary.p95)} (p50 ${ms(b.p4.summary.p50)})`, goal: '≤ 50 ms', status: check(b.p4.summary.p95, 50, '<=') });
    const n = b.p5.narrow;
    if (b.p5.broad.length === 0) add({ id: 'P5', what: 'First render with ~all matches ÷ with ~100 matches', value: null, unit: 'x', display: 'error: no sample for an all-matching search', goal: '≤ 1.5×', status: 'ERROR' });
    for (const x of b.p5.broad) {
      const q = x.q === '' ? 'the empty box' : `"${x.q}"`;
      add({ id: 'P5', what: `First render with ${int(x.matches)} matches (${q}) ÷ with ${int(n.matches)} ("${n.q}"), medians of ${b.p5.repetitions}`, value: x.ratio, unit: 'x', display: `${ratio(x.ratio)} (${ms(x.ms)} vs ${ms(n.ms)})`, goal: '≤ 1.5×', status: check(x.ratio, 1.5, '<=') });
    }
  } else {
    missing(r.browser, 'P4', 'Keystroke → rows painted in Chromium, p95', 'ms', '≤ 50 ms');
    missing(r.browser, 'P5', 'First render with ~all matches ÷ with ~100 matches', 'x', '≤ 1.5×');
  }

  const p6 = r.p6.result;
  if (p6) {
    for (const w of p6) {
      const parts = [`first ${ms(w.firstMs)}`, `page ${w.deepPage} ${ms(w.deepMs)}`];
      if (w.lastMs !== null) parts.push(`last page ${ms(w.lastMs)}`);
      const what = w.lastMs !== null ? `Last page (and page ${w.deepPage}) ÷ first page, ${w.label}` : `Page ${w.deepPage} ÷ page 1, ${w.label}`;
      add({ id: 'P6', what, value: w.ratio, unit: 'x', display: `${ratio(w.ratio)} (${parts.join(', ')})`, goal: '≤ 2×', status: check(w.ratio, 2, '<=') });
    }
  } else {
    missing(r.p6, 'P6', 'Last page ÷ first page', 'x', '≤ 2×');
  }
  return rows;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function summaryLine(s: Summary): string {
  return `p50 ${ms(s.p50)} · p95 ${ms(s.p95)} · max ${ms(s.max)}`;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export function renderMarkdown(r: RunResults, rows: GoalRow[]): string {
  const d = r.dataset;
  const m = machine();
  const out: string[] = [];
  out.push(`# Search benchmark — ${d.kind}, ${int(d.employees)} employees`, '');
  out.push(`Run ${r.startedAt} (${Math.round(r.seconds)} s) with \`npm run bench\`. Goals from the performance issue; a MISS is a measurement, not a failure.`, '');
  out.push('| # | What | Measured | Goal | Result |', '|---|---|---|---|---|');
  for (const g of rows) out.push(`| ${g.id} | ${cell(g.what)} | ${cell(g.display)} | ${g.goal} | ${g.status} |`);
  out.push('');
  out.push('## Setup', '');
  out.push(`- Database: ${d.engineVersion}, ${d.location}${d.sizeBytes ? ` (${(d.sizeBytes / 2 ** 20).toFixed(0)} MiB)` : ''}`);
  out.push(`- Data: ${int(d.employees)} demo employees (\`seedDemoData\`, seed ${d.seed ?? 'unknown'}), ${d.origin === 'seeded' ? `seeded in this run in ${Math.round(d.seedSeconds ?? 0)} s` : 'reused from an earlier run'}`);
  out.push(`- Statistics: ${d.analyze.note}`);
  out.push(`- Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; load average at the end ${m.loadAverage.join(' / ')}`);
  out.push(`- Queries: ${r.queries.substring} substring queries and ${r.queries.exact} exact keys drawn deterministically from the seeded employees; the unselective substring is "${r.queries.unselective}" (the trigram in most sampled surnames)`);
  out.push('- Times are wall-clock in the benchmark process (performance.now); pNN is nearest-rank. Other work on the machine shows up in them: see the load average.', '');

  const p1 = r.p1.result;
  if (p1) {
    out.push('## P1 — substring search', '');
    out.push(`EmployeeSearch.page, relevance, limit 50, after a warm-up; each query ${p1.passes}× in whole passes over the list, its median counted: ${summaryLine(p1.overall)}. The first pass alone (each query the first time it ran): ${summaryLine(p1.firstPass)}.`, '');
    out.push('| Kind | Queries | p50 | p95 | max |', '|---|---|---|---|---|');
    for (const [k, s] of Object.entries(p1.byKind)) out.push(`| ${k} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
    out.push('', `Slowest: ${[...p1.timings].sort((a, b) => b.ms - a.ms).slice(0, 5).map((t) => `"${t.q}" ${ms(t.ms)}`).join(', ')}.`, '');
    out.push(`Naive scan for ${p1.scans.length} of the queries (every word as \`LIKE '%word%'\` over search_doc — first and last name, employee number, username, every email — first 50 by name; \`|| ''\` keeps every index out, so it is one full scan and a top-50 sort on both databases — the calibration in PERFORMANCE-NOTES.md):`, '');
    out.push('```sql', p1.scanSql, '```', '');
    out.push('The goal is checked against that scan. For comparison the same query with a plain `ORDER BY sort_name` was timed too, left to the planner (which may walk the sort_name index row by row instead of scanning and sorting):', '');
    out.push('```sql', p1.plannedSql, '```', '');
    out.push('| Query | Kind | Scan | As planned | Search | Ratio (scan) | Ratio (as planned) |', '|---|---|---|---|---|---|---|');
    for (const s of p1.scans) {
      out.push(`| ${cell(s.q)} | ${s.kind} | ${ms(s.scanMs)} | ${ms(s.plannedMs ?? Number.NaN)} | ${ms(s.indexedMs)} | ${ratio(s.scanMs / s.indexedMs)} | ${ratio((s.plannedMs ?? Number.NaN) / s.indexedMs)} |`);
    }
    out.push('', `Medians: scan ${ms(p1.scanMedianMs)}, as planned ${ms(p1.plannedMedianMs)}, search ${ms(p1.indexedMedianOnSampleMs)}.`);
    out.push('');
  }
  const p2 = r.p2.result;
  if (p2) {
    out.push('## P2 — exact employee number / email', '');
    out.push(`EmployeeSearch.page (relevance, limit 50) with the full value, each key ${p2.passes}×, median: ${summaryLine(p2.overall)}. First pass alone: ${summaryLine(p2.firstPass)}.`, '');
    out.push('| Kind | Keys | p50 | p95 | max |', '|---|---|---|---|---|');
    for (const [k, s] of Object.entries(p2.byKind)) out.push(`| ${k} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
    out.push('', 'Naive scan: `LIKE \'%value%\'` on the one column, which no index can serve (at most 50 rows, no ordering):', '');
    for (const [k, sql] of Object.entries(p2.scanSql)) out.push(`${k}:`, '', '```sql', sql, '```', '');
    out.push('| Key | Kind | Scan | Search | Ratio |', '|---|---|---|---|---|');
    for (const s of p2.scans) out.push(`| ${cell(s.q)} | ${s.kind} | ${ms(s.scanMs)} | ${ms(s.indexedMs)} | ${ratio(s.scanMs / s.indexedMs)} |`);
    out.push(
      '',
      `The floor: a bare round trip to the database (\`SELECT $1\`, prepared, through the same pool and driver), timed right after each look-up, in the same passes: median ${ms(p2.roundTripMs)}. No look-up can take less, so ${ratio(p2.ceilingRatio)} (scan ÷ round trip) is the highest ratio this machine allows.`,
      '',
    );
  }
  const p3 = r.p3.result;
  if (p3) {
    out.push('## P3 — through the contract', '');
    out.push(`POST /api/invoke/employees.search with \`{ query, limit: 50 }\` as a signed-in agent (${p3.transport}) against EmployeeSearch.page directly, each query ${p3.repetitions}× both ways, interleaved; per-query medians.`, '');
    out.push('| | p50 | p95 | max |', '|---|---|---|---|');
    out.push(`| EmployeeSearch.page | ${ms(p3.raw.p50)} | ${ms(p3.raw.p95)} | ${ms(p3.raw.max)} |`);
    out.push(`| Contract over HTTP | ${ms(p3.contract.p50)} | ${ms(p3.contract.p95)} | ${ms(p3.contract.max)} |`);
    out.push('', `Overhead (contract − direct, per query, over ${p3.fullPages} ${p3.overheadBasis}): median ${ms(p3.overheadMs)}, p95 ${ms(p3.overheadP95Ms)}.`, '');
  }
  const b = r.browser.result;
  out.push('## P4, P5 — the renderer in Chromium', '');
  if (b) {
    out.push(`${b.setup}`, '');
    out.push(`P4: ${b.p4.samples.length} keystrokes (the last character of a query, typed into "Search employees" after the rest was entered and its results shown). Measured: ${b.p4.method}.`, '');
    out.push(`- ${b.p4.method}: ${summaryLine(b.p4.summary)}`);
    if (b.p4.sentToFrame) out.push(`- query sent → the first frame after desk:rows-painted (the mark is set when the rows are in the DOM, before the browser paints): ${summaryLine(b.p4.sentToFrame)}`);
    if (b.p4.keystrokeToPainted) out.push(`- keystroke (keydown) → rows painted, the whole path including any input debounce: ${summaryLine(b.p4.keystrokeToPainted)}`);
    if (b.p4.timeouts) out.push(`- ${b.p4.timeouts} keystroke(s) showed no new rows within 10 s and are left out`);
    out.push('', `P5: the first page of results for a new search put into the box whole (the box cleared, then "${b.p5.narrow.q}", then "nhs", in turn, ${b.p5.repetitions}× each), same measure as P4:`, '');
    out.push('| Search | Matches | Median | p95 | Samples | employees.count alone |', '|---|---|---|---|---|---|');
    for (const x of [...b.p5.broad, b.p5.narrow]) {
      out.push(`| ${x.q === '' ? '(empty box: every employee by name)' : `"${cell(x.q)}"`} | ${int(x.matches)} | ${ms(x.ms)} | ${ms(percentile(x.samples, 95))} | ${x.samples.length} | ${ms(x.countMs)} |`);
    }
    out.push('', 'The last column is EmployeeSearch.count for the same query, timed in the benchmark process: the renderer asks for the count alongside the first page, and on sqlite both go through the one connection.');
    out.push('');
    for (const n of b.notes) out.push(`- ${n}`);
    out.push('');
  } else {
    out.push(notMeasured(r.browser).display, '');
  }
  const p6 = r.p6.result;
  if (p6) {
    out.push('## P6 — deep keyset pages', '');
    out.push('Pages of 50 walked through nextCursor; then the first page, the deepest page walked and (by name) the last page — the first page of the descending order — timed alternately, medians.', '');
    out.push('| Walk | Sort | Pages walked | Per page while walking | First | Deepest | Last | Ratio |', '|---|---|---|---|---|---|---|---|');
    for (const w of p6) {
      out.push(
        `| ${cell(w.label)} | ${w.sort} | ${w.pagesWalked}${w.reachedEnd ? ' (the end)' : ''} | ${summaryLine(w.walk)} | ${ms(w.firstMs)} | ${ms(w.deepMs)} (page ${w.deepPage}) | ${w.lastMs !== null ? ms(w.lastMs) : '—'} | ${ratio(w.ratio)} |`,
      );
    }
    out.push('');
  }
  const errors = (['p1', 'p2', 'p3', 'p6', 'browser'] as const).filter((k) => r[k].error);
  if (errors.length) {
    out.push('## Errors', '');
    for (const k of errors) out.push(`- ${k}: ${cell(r[k].error!)}`);
    out.push('');
  }
  return out.join('\n');
}

export function writeResults(outDir: string, r: RunResults): { markdown: string; json: string; rows: GoalRow[] } {
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `search-${r.dataset.kind}-${r.dataset.employees}`);
  const rows = goalRows(r);
  fs.writeFileSync(`${base}.md`, renderMarkdown(r, rows) + '\n');
  fs.writeFileSync(
    `${base}.json`,
    JSON.stringify({ benchmark: 'search', format: 1, machine: machine(), ...r, goals: rows }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n',
  );
  return { markdown: `${base}.md`, json: `${base}.json`, rows };
}
