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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateSync } from 'otplib';
import type { DeskCore } from '../../electron/core/app';
import { createDeskUser, findDeskUser } from '../../electron/core/deskusers/deskusers.service';
import type { EmployeeSearch } from '../../electron/core/employees/search.service';
import { stopChild, withoutDeskSettings } from '../../test/support/child-process';
import { REPO_ROOT } from './options';
import type { BenchQuery, SampledEmployee } from './queries';
import { int, log, median, ms, summarise, timed, type Summary } from './stats';

export const CHROMIUM = '/usr/bin/chromium';
const BIN = path.join(REPO_ROOT, 'bin', 'desk.js');
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;
const CREDENTIALS = 'bench-browser-user.json';
const SAMPLE_TIMEOUT_MS = 8000;

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

// ── Build ───────────────────────────────────────────────────────────────────────────────────────

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuild(build: boolean): string {
  const outputs = [path.join(REPO_ROOT, 'out', 'main', 'cli.js'), path.join(REPO_ROOT, 'out', 'renderer', 'index.html')];
  const missing = outputs.some((f) => !fs.existsSync(f));
  const builtAt = missing ? 0 : Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
  const sources = Math.max(...['renderer', 'shared', 'electron', 'resources'].map((d) => newestMtime(path.join(REPO_ROOT, d))));
  if (!missing && (sources <= builtAt || !build)) {
    return sources <= builtAt ? 'the build in out/ (up to date)' : 'the existing build in out/ (--no-build; the sources are newer)';
  }
  if (!build) throw new Error('The app is not built (out/ is missing) and --no-build was given. Run `npx electron-vite build`.');
  log('building the app (electron-vite build) for the browser part…');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed (exit ${r.status})`);
  return 'a fresh build (electron-vite build in this run)';
}

// ── The desk user ───────────────────────────────────────────────────────────────────────────────

interface Credentials {
  username: string;
  password: string;
  secret?: string;
  lastStep?: number;
}

async function credentials(core: DeskCore, dataDir: string): Promise<{ creds: Credentials; save: () => void }> {
  const file = path.join(dataDir, CREDENTIALS);
  let creds: Credentials | null;
  try {
    creds = JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  } catch {
    creds = null;
  }
  if (!creds) creds = { username: `bench.browser.${crypto.randomBytes(3).toString('hex')}`, password: crypto.randomBytes(18).toString('base64url') };
  const c = creds;
  const save = () => fs.writeFileSync(file, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  if (!(await findDeskUser(core.db, c.username))) {
    await createDeskUser({ db: core.db, clock: core.clock }, { userId: null, name: 'bench' }, { username: c.username, displayName: 'Benchmark Browser Agent', role: 'agent', password: c.password });
    delete c.secret;
    delete c.lastStep;
  }
  save();
  return { creds: c, save };
}

// ── The browser host ────────────────────────────────────────────────────────────────────────────

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--no-open'], {
    cwd: REPO_ROOT,
    env: withoutDeskSettings(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the host running if the benchmark itself is stopped (Ctrl+C, a closed pipe).
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`desk serve printed no address within 60 s.\n${out}\n${err}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = URL_LINE.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`desk serve exited (${code}) before printing its address.\n${out}\n${err}`));
    });
  });
  return { child, url, stderr: () => err };
}

// ── In the page ─────────────────────────────────────────────────────────────────────────────────

/** Installed before the renderer loads (plain JS: the node-side tsconfig has no DOM types). */
const INSTRUMENT = `(() => {
  // tsx compiles the page-side predicates with esbuild's keepNames, which calls __name().
  if (!window.__name) window.__name = (f) => f;
  const B = (window.__bench = { sent: [], resp: [], painted: [], frames: [], keys: [], pending: 0, activity: 0 });
  const now = () => performance.now();
  const realFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || String(input);
    if (!String(url).includes('/api/invoke/employees.search')) return realFetch(input, init);
    let q = null;
    try { q = JSON.parse((init && init.body) || '{}').query; } catch (e) {}
    const t = now();
    B.sent.push({ q, t });
    B.pending++;
    B.activity = t;
    return realFetch(input, init).then(
      (r) => { B.pending--; B.activity = now(); B.resp.push({ q, t: B.activity, seen: false }); return r; },
      (e) => { B.pending--; B.activity = now(); throw e; },
    );
  };
  document.addEventListener('keydown', () => { B.keys.push(now()); B.activity = now(); }, true);
  // The renderer's own marks: note when the frame after desk:rows-painted has been produced.
  const realMark = performance.mark.bind(performance);
  performance.mark = function (name, options) {
    const entry = realMark(name, options);
    if (name === 'desk:rows-painted') {
      const q = options && options.detail ? options.detail.query : null;
      const at = entry ? entry.startTime : now();
      requestAnimationFrame(() => setTimeout(() => { const t = now(); B.frames.push({ q, mark: at, t }); B.activity = t; }, 0));
    }
    return entry;
  };
  const observer = new MutationObserver(() => {
    const r = B.resp[B.resp.length - 1];
    if (!r || r.seen) return;
    r.seen = true;
    const mutation = now();
    requestAnimationFrame(() => {
      const frame = now();
      setTimeout(() => { const t = now(); B.painted.push({ q: r.q, mutation, frame, t }); B.activity = t; }, 0);
    });
  });
  const watch = () => observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();`;

// The predicates below run in the page. They are functions, not strings: the app's Content
// Security Policy forbids eval, which string predicates need. The node-side tsconfig has no DOM
// types, so they read the instrumentation through this description of it.

/** What INSTRUMENT keeps on window.__bench. */
interface BenchState {
  sent: Array<{ q: string | null; t: number }>;
  painted: Array<{ q: string | null; mutation: number; frame: number; t: number }>;
  frames: Array<{ q: string | null; mark: number; t: number }>;
  keys: number[];
  pending: number;
  activity: number;
}

/** Quiet: nothing in flight and nothing happened (keys, requests, paints) for `quietMs`. */
async function settled(page: Page, quietMs = 400): Promise<void> {
  await page.waitForFunction(
    (quiet: number) => {
      const B = (globalThis as unknown as { __bench: BenchState }).__bench;
      return B.pending === 0 && performance.now() - B.activity > quiet;
    },
    quietMs,
    { timeout: 30_000, polling: 50 },
  );
}

interface Sample {
  /** Query sent → rows painted: the renderer's marks, else the instrumentation. */
  sentToPainted: number;
  /** Query sent → the frame after the rows were put in the DOM (marks only; null otherwise). */
  sentToFrame: number | null;
  /** Keystroke → rows painted, the input debounce included. */
  keyToPainted: number | null;
}

/**
 * After a keystroke at `since` that makes the query `q`: the time from the query being sent to its
 * rows being painted, from the renderer's marks when it has them, else from the instrumentation.
 */
async function sampleAfter(page: Page, q: string, since: number, marks: boolean): Promise<Sample | null> {
  try {
    const handle = await page.waitForFunction(
      (arg: { q: string; since: number; marks: boolean }): Sample | null => {
        const B = (globalThis as unknown as { __bench: BenchState }).__bench;
        const key = B.keys.find((t) => t >= arg.since);
        if (arg.marks) {
          // Marks carry their query in detail; one without detail is taken as is.
          const forQuery = (m: object) => {
            const detail = (m as { detail?: { query?: string } | null }).detail;
            return !detail || detail.query === undefined || detail.query === arg.q;
          };
          const sent = performance.getEntriesByName('desk:query-sent').find((m) => m.startTime >= arg.since && forQuery(m));
          if (!sent) return null;
          const painted = performance.getEntriesByName('desk:rows-painted').find((m) => m.startTime >= sent.startTime && forQuery(m));
          if (!painted) return null;
          const frame = B.frames.find((f) => f.mark === painted.startTime);
          if (!frame) return null;
          return {
            sentToPainted: painted.startTime - sent.startTime,
            sentToFrame: frame.t - sent.startTime,
            keyToPainted: key === undefined ? null : painted.startTime - key,
          };
        }
        const sent = B.sent.find((x) => x.t >= arg.since && x.q === arg.q);
        if (!sent) return null;
        const painted = B.painted.find((p) => p.q === arg.q && p.mutation >= sent.t);
        if (!painted) return null;
        return { sentToPainted: painted.t - sent.t, sentToFrame: null, keyToPainted: key === undefined ? null : painted.t - key };
      },
      { q, since, marks },
      { timeout: SAMPLE_TIMEOUT_MS, polling: 20 },
    );
    return (await handle.jsonValue());
  } catch (err) {
    if (process.env.DESK_BENCH_DEBUG) {
      const state = await page.evaluate<string>(
        'JSON.stringify({ marks: performance.getEntriesByType("mark").slice(-6).map((m) => [m.name, m.startTime, m.detail]), bench: { ...window.__bench, keys: window.__bench.keys.slice(-3), sent: window.__bench.sent.slice(-3), resp: window.__bench.resp.slice(-3), painted: window.__bench.painted.slice(-3), frames: window.__bench.frames.slice(-3) } })',
      );
      log(`  no sample for ${JSON.stringify(q)} since ${since.toFixed(1)}: ${(err as Error).message.split('\n')[0]} ${state}`);
    }
    return null;
  }
}

async function nowInPage(page: Page): Promise<number> {
  return page.evaluate<number>('performance.now()');
}

async function signIn(page: Page, creds: Credentials, save: () => void): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Username').fill(creds.username);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const codeField = page.getByLabel('Authenticator code');
  await codeField.waitFor({ timeout: 30_000 });
  const enrol = page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' });
  if (await enrol.isVisible()) {
    const toggle = page.getByRole('button', { name: "Can't scan? Enter this key" });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const key = page.locator('code.secret-key');
    await key.waitFor();
    creds.secret = ((await key.textContent()) ?? '').replace(/\s+/g, '');
    delete creds.lastStep;
    save();
  }
  if (!creds.secret) throw new Error(`The benchmark user ${creds.username} is enrolled but its key is not in ${CREDENTIALS}; remove that file to make a new user.`);
  // A code is accepted once: never reuse the step of an earlier run.
  let step = Math.floor(Date.now() / 30_000);
  if (creds.lastStep !== undefined && creds.lastStep >= step) {
    if (creds.lastStep === step) step = step + 1; // one step of drift is allowed
    else {
      log('  waiting for a fresh authenticator step…');
      while (Math.floor(Date.now() / 30_000) < creds.lastStep) await new Promise((r) => setTimeout(r, 1000));
      step = creds.lastStep + 1;
    }
  }
  creds.lastStep = step;
  save();
  await codeField.fill(generateSync({ secret: creds.secret, epoch: step * 30 }));
  await codeField.press('Enter');
  await page.getByRole('banner').getByRole('button', { name: /^Account: / }).waitFor({ timeout: 30_000 });
  // Agents start at the ticket inbox: the look-up is a key away (Ctrl+K), as for a person.
  await page.keyboard.press('Control+k');
  await page.getByRole('searchbox', { name: 'Search employees' }).waitFor({ timeout: 30_000 });
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
