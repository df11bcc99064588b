/**
 * P4 and P5 in Debian's Chromium (Playwright, never a downloaded browser): the built renderer on
 * the browser host (`node bin/desk.js serve`, its own process, same sqlite database), signed in
 * through the UI as the benchmark's desk user, typing into "Search employees".
 *
 * The renderer is expected to mark `desk:query-sent` and `desk:rows-painted` (performance.mark).
 * Where it does not (yet), the page is instrumented instead: "query sent" is the renderer's fetch of
 * employees.search, "rows painted" the first frame after the DOM change that follows its response
 * (MutationObserver, then requestAnimationFrame and a task, i.e. after that frame was produced).
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { DeskCore } from '../../electron/core/app';
import type { EmployeeSearch } from '../../electron/core/employees/search.service';
import { stopChild } from '../../test/support/child-process';
import { credentials, ensureBuild, signIn, startServe } from './browser-host';
import { INSTRUMENT, nowInPage, sampleAfter, settled } from './browser-page';
import type { BenchQuery, SampledEmployee } from './queries';
import { int, log, median, ms, summarise, timed, type Summary } from './stats';

export const CHROMIUM = '/usr/bin/chromium';

export interface KeystrokeSample {
  q: string;
  sentToPainted: number;
  sentToFrame: number | null;
  keyToPainted: number | null;
}

export interface P5Query {
  label: string;
  q: string;
  matches: number;
  ms: number;
  samples: number[];
  /** EmployeeSearch.count for the same query in the benchmark process (median of 3): the renderer asks for it alongside the first page. */
  countMs: number;
}

export interface BrowserResult {
  setup: string;
  notes: string[];
  p4: {
    method: string;
    marks: boolean;
    samples: KeystrokeSample[];
    summary: Summary;
    keystrokeToPainted: Summary | null;
    /** Query sent → the first frame after the rows-painted mark (marks only). */
    sentToFrame: Summary | null;
    timeouts: number;
  };
  p5: {
    narrow: P5Query;
    /** Each all-matching search, with its ratio to the narrow one (medians). */
    broad: Array<P5Query & { ratio: number }>;
    repetitions: number;
  };
}

export interface BrowserArgs {
  core: DeskCore;
  search: EmployeeSearch;
  dataDir: string;
  build: boolean;
  keystrokes: number;
  queries: readonly BenchQuery[];
  employees: readonly SampledEmployee[];
}

// ── Choosing the P5 queries ─────────────────────────────────────────────────────────────────────

async function ftsCount(core: DeskCore, term: string): Promise<number> {
  const rows = await core.db.raw<Array<{ n: number }>>('SELECT count(*) AS n FROM employee_fts WHERE employee_fts MATCH ?', [`"${term.replace(/"/g, '""')}"`]);
  return Number(rows[0]?.n ?? 0);
}

async function narrowQuery(search: EmployeeSearch, employees: readonly SampledEmployee[]): Promise<{ q: string; n: number }> {
  const candidates = new Set<string>();
  for (const e of employees.slice(0, 12)) {
    const letters = e.username.replace(/\d+$/, '');
    candidates.add(`${e.first} ${e.last}`.toLowerCase());
    candidates.add(e.last.toLowerCase());
    candidates.add(e.username.slice(0, letters.length + 1));
    candidates.add(e.username.slice(0, letters.length + 2));
  }
  let best = { q: '', n: 0, d: Infinity };
  for (const q of candidates) {
    if (q.length < 3 || q.split(' ').some((w) => w.length < 3)) continue;
    const { count } = await search.count(q, {});
    const d = Math.abs(Math.log(Math.max(1, count) / 100));
    if (d < best.d) best = { q, n: count, d };
  }
  return best;
}

// ── The measurement ─────────────────────────────────────────────────────────────────────────────

export async function measureBrowser(a: BrowserArgs): Promise<BrowserResult> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium); run with --skip-browser`);
  const buildNote = ensureBuild(a.build);
  const { creds, save } = await credentials(a.core, a.dataDir);

  log('P5: choosing the queries (everyone, ~everyone, ~100 matches)');
  const everyone = Number(((await a.core.db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
  const nhs = await ftsCount(a.core, 'nhs');
  const narrow = await narrowQuery(a.search, a.employees);
  log(`  "" matches ${int(everyone)}, "nhs" matches ${int(nhs)}, "${narrow.q}" matches ${int(narrow.n)}`);
  const countMs = async (q: string) => {
    const t: number[] = [];
    for (let i = 0; i < 3; i++) t.push((await timed(() => a.search.count(q, {}))).ms);
    return median(t);
  };
  const counts = { all: await countMs(''), narrow: await countMs(narrow.q), nhs: await countMs('nhs') };

  log('starting the browser host (node bin/desk.js serve) and Chromium');
  const serve = await startServe(a.dataDir);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London', viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: INSTRUMENT });
    const page = await context.newPage();
    await page.goto(serve.url);
    await signIn(page, creds, save);
    const box = page.getByLabel('Search employees');
    await box.waitFor({ timeout: 30_000 });
    log(`  signed in as ${creds.username}; warming up`);

    // Warm up: a few searches, and find out whether the renderer marks its own timings.
    for (const x of a.queries.slice(-5)) {
      await box.fill(x.q);
      await settled(page);
    }
    const marks = await page.evaluate<boolean>(
      "performance.getEntriesByName('desk:query-sent').length > 0 && performance.getEntriesByName('desk:rows-painted').length > 0",
    );
    const method = marks
      ? "query sent → rows painted, from the renderer's desk:query-sent / desk:rows-painted marks"
      : 'query sent → rows painted, from page instrumentation (fetch of employees.search → the first frame after the DOM change)';
    log(`  P4 method: ${method}`);

    log(`P4: ${a.keystrokes} keystrokes`);
    const samples: KeystrokeSample[] = [];
    let timeouts = 0;
    const usable = a.queries.filter((x) => x.q.length >= 4);
    const chosen = Array.from({ length: a.keystrokes }, (_, i) => usable[i % usable.length]!);
    for (const [i, x] of chosen.entries()) {
      await box.fill(x.q.slice(0, -1));
      await settled(page);
      const since = await nowInPage(page);
      await page.keyboard.type(x.q.slice(-1));
      const s = await sampleAfter(page, x.q.trim(), since, marks);
      if (s) samples.push({ q: x.q, ...s });
      else timeouts++;
      if ((i + 1) % 10 === 0) log(`  P4: ${i + 1} / ${chosen.length}`);
    }
    await settled(page);
    const summary = summarise(samples.map((s) => s.sentToPainted));
    const keyTimes = samples.flatMap((s) => (s.keyToPainted === null ? [] : [s.keyToPainted]));
    const frameTimes = samples.flatMap((s) => (s.sentToFrame === null ? [] : [s.sentToFrame]));
    log(`  P4 p50 ${ms(summary.p50)}, p95 ${ms(summary.p95)}${timeouts ? `, ${timeouts} timed out` : ''}`);

    const reps = 10;
    const p5: Array<Omit<P5Query, 'ms'>> = [
      { label: 'every employee (the box cleared)', q: '', matches: everyone, samples: [], countMs: counts.all },
      { label: `${narrow.q}`, q: narrow.q, matches: narrow.n, samples: [], countMs: counts.narrow },
      { label: 'nhs (every work email)', q: 'nhs', matches: nhs, samples: [], countMs: counts.nhs },
    ];
    log(`P5: first render of ${p5.map((x) => JSON.stringify(x.q)).join(', ')} in turn, ${reps}× each`);
    for (let r = 0; r < reps; r++) {
      for (const x of p5) {
        const since = await nowInPage(page);
        await box.fill(x.q);
        const s = await sampleAfter(page, x.q, since, marks);
        if (s) x.samples.push(s.sentToPainted);
        await settled(page);
      }
    }
    const [allP5, narrowP5, nhsP5] = p5.map((x) => ({ ...x, ms: median(x.samples) })) as [P5Query, P5Query, P5Query];
    const broad = [allP5, nhsP5].filter((x) => x.samples.length > 0).map((x) => ({ ...x, ratio: x.ms / narrowP5.ms }));
    log(`  P5 ${broad.map((x) => `"${x.q}" ${ms(x.ms)}`).join(', ')} vs "${narrowP5.q}" ${ms(narrowP5.ms)}`);

    const notes: string[] = [];
    if (!marks) {
      notes.push(
        'The renderer does not mark desk:query-sent / desk:rows-painted, so the page was instrumented: "query sent" is its fetch of employees.search, "rows painted" the first task after the next animation frame that follows the DOM change made with the response.',
      );
    }
    notes.push('P4 and P5 are measured from the query being sent; the keystroke → rows painted line above covers the whole path from the key (any input debounce included).');
    if (allP5.samples.length === 0) notes.push('Clearing the box sent no search (the renderer shows nothing for an empty box), so P5 uses "nhs" only.');
    return {
      setup: `Chromium (${CHROMIUM}, headless, ${browser.version()}) driven by Playwright, 1280×800; the browser host \`node bin/desk.js serve\` in its own process on this sqlite database, from ${buildNote}; signed in through the UI as agent ${creds.username}.`,
      notes,
      p4: { method, marks, samples, summary, keystrokeToPainted: keyTimes.length ? summarise(keyTimes) : null, sentToFrame: frameTimes.length ? summarise(frameTimes) : null, timeouts },
      p5: { narrow: narrowP5, broad, repetitions: reps },
    };
  } catch (err) {
    const log = serve.stderr().trim();
    if (log) (err as Error).message += `\n(desk serve stderr: ${log.slice(-500)})`;
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await stopChild(serve.child);
  }
}
