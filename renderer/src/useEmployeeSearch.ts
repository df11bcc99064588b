import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EmployeeSummary, SearchCount, SearchFilters, SortDirection, SortKey } from '../../shared/domain';
import type { Invoke } from './client';
import { errorText as errorMessage } from './lib/feedback';

export const SEARCH_PAGE_SIZE = 50;
// No waiting between keystrokes: each keystroke supersedes the last, at most one request is in
// flight and only the latest query is sent when it returns, so there is nothing to debounce.
export const SEARCH_DEBOUNCE_MS = 0;
export const SEARCH_MAX_LENGTH = 200;

export interface SearchSort {
  by: SortKey;
  dir: SortDirection;
}

/** What one search is for: the query (trimmed, debounced), the filters and the sort actually sent. */
export interface SearchParams {
  query: string;
  filters: SearchFilters;
  sort: SearchSort;
}

/** The rows loaded so far for one search (one keyset page after another). */
export interface LoadedResults {
  key: string;
  params: SearchParams;
  rows: EmployeeSummary[];
  nextCursor: string | null;
  error: string | null;
}

export interface EmployeeSearch {
  /** What is in the search box. */
  input: string;
  setInput(value: string): void;
  filters: SearchFilters;
  setFilters(filters: SearchFilters): void;
  /** The sort chosen by the user; `effectiveSort` is what is sent (relevance needs a query). */
  sort: SearchSort;
  effectiveSort: SearchSort;
  setSort(sort: SearchSort): void;
  /** The search the results should be for. */
  wanted: SearchParams;
  wantedKey: string;
  /** The results for `wanted`, or the previous ones while the next are on their way (null at first). */
  results: LoadedResults | null;
  /** True while the results shown are not yet for `wanted`. */
  busy: boolean;
  /** True while the next page of the current results is being fetched. */
  loadingMore: boolean;
  /** Fetch the next page of the current results (ignored while anything is in flight). */
  loadMore(): void;
  /** The number of matches for `wanted` (query and filters), or null while it is being counted. */
  count: SearchCount | null;
  /** The latest error of this search (first page, next page or count), or null. */
  error: string | null;
}

type Job =
  | { kind: 'first'; key: string; params: SearchParams }
  | { kind: 'more'; key: string; params: SearchParams; cursor: string; offset: number };

/** The sort actually sent: relevance means nothing without a query, so it becomes "by name". */
export function effectiveSortFor(query: string, sort: SearchSort): SearchSort {
  return sort.by === 'relevance' && query === '' ? { by: 'name', dir: 'asc' } : sort;
}

/** Only the filters that are set, in a fixed order (so equal searches have equal keys). */
export function cleanFilters(f: SearchFilters): SearchFilters {
  const out: SearchFilters = {};
  if (f.status) out.status = f.status;
  if (f.mfa) out.mfa = f.mfa;
  if (f.factor) out.factor = f.factor;
  if (f.organisation) out.organisation = f.organisation;
  if (f.pendingRegistration === true) out.pendingRegistration = true;
  if (f.locked === true) out.locked = true;
  return out;
}

function mark(name: string, detail: Record<string, unknown>): void {
  try {
    performance.mark(name, { detail });
  } catch {
    // Marks are for measuring only.
  }
}

/**
 * Search as you type, at NHS scale. The query is debounced; filters and sort apply at once; all
 * of them are sent to the main process (nothing is filtered or sorted here). Results come one
 * keyset page at a time: `loadMore` passes the last page's cursor back for the next one.
 *
 * At most one `employees.search` request is in flight: while one is, only the latest wanted search
 * is remembered and sent when it returns, and any answer for anything but the latest search is
 * ignored. The count (`employees.count`) is asked for when the first page has arrived, with the
 * same rule of its own.
 *
 * `enabled` is false while there are no employees (nothing is asked for then).
 */
export function useEmployeeSearch(call: Invoke, enabled: boolean): EmployeeSearch {
  const [input, setInputState] = useState('');
  const [query, setQuery] = useState('');
  const [filters, setFiltersState] = useState<SearchFilters>({});
  const [sort, setSort] = useState<SearchSort>({ by: 'relevance', dir: 'asc' });
  const [results, setResultsState] = useState<LoadedResults | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [counted, setCounted] = useState<{ key: string; count: SearchCount | null; error: string | null } | null>(null);

  const resultsRef = useRef<LoadedResults | null>(null);
  const latestKey = useRef<string | null>(null);
  const inFlight = useRef<Job | null>(null);
  const queued = useRef<Job | null>(null);
  const latestCountKey = useRef<string | null>(null);
  const countInFlight = useRef<string | null>(null);
  const countQueued = useRef<{ key: string; query: string; filters: SearchFilters } | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);

  const setResults = useCallback((next: LoadedResults) => {
    resultsRef.current = next;
    setResultsState(next);
  }, []);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      window.clearTimeout(timer.current);
    };
  }, []);

  const effectiveSort = useMemo(() => effectiveSortFor(query, sort), [query, sort]);
  const wanted = useMemo<SearchParams>(
    () => ({ query, filters: cleanFilters(filters), sort: effectiveSort }),
    [query, filters, effectiveSort],
  );
  const wantedKey = useMemo(() => JSON.stringify(wanted), [wanted]);
  const countKey = useMemo(() => JSON.stringify({ query: wanted.query, filters: wanted.filters }), [wanted]);

  const run = useCallback(
    (job: Job) => {
      if (inFlight.current) {
        queued.current = job;
        return;
      }
      inFlight.current = job;
      const { params } = job;
      if (job.kind === 'first') mark('desk:query-sent', { query: params.query, key: job.key });
      else setLoadingMore(true);
      call('employees.search', {
        query: params.query,
        filters: params.filters,
        sort: params.sort,
        limit: SEARCH_PAGE_SIZE,
        cursor: job.kind === 'more' ? job.cursor : null,
      })
        .then(
          (page) => {
            if (!alive.current || job.key !== latestKey.current) return;
            if (job.kind === 'first') {
              setResults({ key: job.key, params, rows: page.rows, nextCursor: page.nextCursor, error: null });
            } else {
              const current = resultsRef.current;
              // Only append to the very rows this page follows.
              if (!current || current.key !== job.key || current.rows.length !== job.offset) return;
              setResults({ ...current, rows: current.rows.concat(page.rows), nextCursor: page.nextCursor, error: null });
            }
          },
          (err: unknown) => {
            if (!alive.current || job.key !== latestKey.current) return;
            const message = errorMessage(err);
            if (job.kind === 'first') setResults({ key: job.key, params, rows: [], nextCursor: null, error: message });
            else {
              const current = resultsRef.current;
              if (current && current.key === job.key) setResults({ ...current, error: message });
            }
          },
        )
        .finally(() => {
          inFlight.current = null;
          if (!alive.current) return;
          if (job.kind === 'more') setLoadingMore(false);
          const next = queued.current;
          queued.current = null;
          if (next && next.key === latestKey.current) run(next);
        });
    },
    [call, setResults],
  );

  const runCount = useCallback(
    (key: string, q: string, f: SearchFilters) => {
      if (countInFlight.current !== null) {
        countQueued.current = { key, query: q, filters: f };
        return;
      }
      countInFlight.current = key;
      call('employees.count', { query: q, filters: f })
        .then(
          (count) => {
            if (alive.current && key === latestCountKey.current) setCounted({ key, count, error: null });
          },
          (err: unknown) => {
            if (alive.current && key === latestCountKey.current) setCounted({ key, count: null, error: errorMessage(err) });
          },
        )
        .finally(() => {
          countInFlight.current = null;
          if (!alive.current) return;
          const next = countQueued.current;
          countQueued.current = null;
          if (next && next.key === latestCountKey.current) runCount(next.key, next.query, next.filters);
        });
    },
    [call],
  );

  // A new search: its first page (the count follows it, below).
  useEffect(() => {
    if (!enabled) return;
    latestKey.current = wantedKey;
    const shown = resultsRef.current;
    const alreadyAsked = inFlight.current?.kind === 'first' && inFlight.current.key === wantedKey;
    if (!alreadyAsked && !(shown && shown.key === wantedKey && shown.error === null)) {
      run({ kind: 'first', key: wantedKey, params: wanted });
    } else if (alreadyAsked) {
      queued.current = null;
    }
  }, [enabled, wantedKey, wanted, run]);

  // The count is asked for once the first page of the same search is in: the rows come first,
  // without a count competing with them for the main process and the database.
  const firstPageIn = results !== null && results.key === wantedKey;
  useEffect(() => {
    if (!enabled || !firstPageIn) return;
    if (latestCountKey.current === countKey && (countInFlight.current === countKey || counted?.key === countKey)) return;
    latestCountKey.current = countKey;
    if (countInFlight.current === countKey) {
      countQueued.current = null;
      return;
    }
    runCount(countKey, wanted.query, wanted.filters);
    // `counted` is read only to skip a repeat; it must not re-run this effect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, firstPageIn, countKey, wanted, runCount]);

  const loadMore = useCallback(() => {
    const current = resultsRef.current;
    if (!current || current.key !== latestKey.current || !current.nextCursor) return;
    if (inFlight.current || queued.current) return;
    run({ kind: 'more', key: current.key, params: current.params, cursor: current.nextCursor, offset: current.rows.length });
  }, [run]);

  const setInput = useCallback((value: string) => {
    const v = value.slice(0, SEARCH_MAX_LENGTH);
    setInputState(v);
    window.clearTimeout(timer.current);
    const q = v.trim();
    if (q === '' || SEARCH_DEBOUNCE_MS === 0) setQuery(q);
    else timer.current = window.setTimeout(() => setQuery(q), SEARCH_DEBOUNCE_MS);
  }, []);

  const setFilters = useCallback((f: SearchFilters) => setFiltersState(cleanFilters(f)), []);

  const current = results && results.key === wantedKey ? results : null;
  const count = counted && counted.key === countKey ? counted : null;
  return {
    input,
    setInput,
    filters,
    setFilters,
    sort,
    effectiveSort,
    setSort,
    wanted,
    wantedKey,
    results,
    busy: current === null,
    loadingMore: loadingMore && current !== null,
    loadMore,
    count: count?.count ?? null,
    error: current?.error ?? count?.error ?? null,
  };
}
