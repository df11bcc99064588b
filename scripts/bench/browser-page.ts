/**
 * What the benchmark installs in and reads from the page: the instrumentation (the look-up's
 * requests, keys, DOM changes and the renderer's own marks, kept on window.__bench), waiting for
 * the page to be quiet, and one sample from a keystroke to the rows painted.
 */
import type { Page } from 'playwright-core';
import { log } from './stats';

const SAMPLE_TIMEOUT_MS = 8000;

// ── In the page ─────────────────────────────────────────────────────────────────────────────────

/** Installed before the renderer loads (plain JS: the node-side tsconfig has no DOM types). */
export const INSTRUMENT = `(() => {
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
export async function settled(page: Page, quietMs = 400): Promise<void> {
  await page.waitForFunction(
    (quiet: number) => {
      const B = (globalThis as unknown as { __bench: BenchState }).__bench;
      return B.pending === 0 && performance.now() - B.activity > quiet;
    },
    quietMs,
    { timeout: 30_000, polling: 50 },
  );
}

export interface Sample {
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
export async function sampleAfter(page: Page, q: string, since: number, marks: boolean): Promise<Sample | null> {
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

export async function nowInPage(page: Page): Promise<number> {
  return page.evaluate<number>('performance.now()');
}
