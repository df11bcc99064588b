/**
 * The employee look-up's data, on TanStack Query: the first page and the pages after it are one
 * infinite query keyed by what is searched for (query, filters, sort); the count is a query of its
 * own, asked for once the first page is in. While a new search runs the previous rows stay
 * (placeholderData: keepPreviousData), marked as not yet the answer.
 *
 * Rules the benchmark and the e2e specs rely on:
 *  - at most one `employees.search` request is in flight: each query function waits for the one
 *    in flight (a gate), then skips itself if it has been superseded meanwhile (its query lost its
 *    observer and was cancelled, or the search moved on), so only the latest search is sent;
 *  - a request is never aborted half-way (the main process would go on with it anyway): a
 *    superseded answer is simply not shown;
 *  - `desk:query-sent` is marked when a first page is sent; the screen marks `desk:rows-painted`
 *    when its rows are in the DOM (see LookupScreen).
 */
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { keepPreviousData, useInfiniteQuery, useQuery, type InfiniteData } from '@tanstack/react-query';
import type { EmployeeSummary, SearchCount, SearchFilters, SearchPage, SortDirection, SortKey } from '../../shared/domain';
import type { Invoke } from './client';
import { errorText } from './lib/feedback';

export const SEARCH_PAGE_SIZE = 50;
// No waiting between keystrokes: each keystroke supersedes the last, at most one request is in
// flight and only the latest query is sent when it returns, so there is nothing to debounce.
export const SEARCH_DEBOUNCE_MS = 0;
export const SEARCH_MAX_LENGTH = 200;

export interface SearchSort {
  by: SortKey;
  dir: SortDirection;
}

/** What one search is for: the query (trimmed), the filters and the sort actually sent. */
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
  /** Which first-page answer these rows start with (appending a page keeps it; a new answer changes it). */
  answer: number;
}

export interface EmployeeSearch {
  /** What is in the search box. */
  input: string;
  setInput: (value: string) => void;
  filters: SearchFilters;
  setFilters: (filters: SearchFilters) => void;
  /** The sort chosen by the user; `effectiveSort` is what is sent (relevance needs a query). */
  sort: SearchSort;
  effectiveSort: SearchSort;
  setSort: (sort: SearchSort) => void;
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
  loadMore: () => void;
  /** The number of matches for `wanted` (query and filters), or null while it is being counted. */
  count: SearchCount | null;
  /** The latest error of this search (first page, next page or count), or null. */
  error: string | null;
}

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

/** One request at a time: each caller waits for the one before it to settle. */
class Gate {
  private tail: Promise<void> = Promise.resolve();
  busy = 0;
  async enter(): Promise<() => void> {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const before = this.tail;
    this.tail = before.then(() => done);
    this.busy += 1;
    await before;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy -= 1;
      release();
    };
  }
}

/** Thrown by a query function that was superseded while it waited its turn (never shown). */
class Superseded extends Error {
  constructor() {
    super('A newer search replaced this one.');
  }
}

type Page = SearchPage & { answer: number; params: SearchParams };
type SearchKey = readonly ['employees.search', SearchParams];
type CountKey = readonly ['employees.count', { query: string; filters: SearchFilters }];

let answers = 0;

/**
 * Search as you type, at NHS scale. Filters and sort apply at once; all of them are sent to the
 * main process (nothing is filtered or sorted here). Results come one keyset page at a time:
 * `loadMore` passes the last page's cursor back for the next one.
 *
 * `enabled` is false while there are no employees (nothing is asked for then).
 */
export function useEmployeeSearch(call: Invoke, enabled: boolean): EmployeeSearch {
  const [input, setInputState] = useState('');
  const [query, setQuery] = useState('');
  const [filters, setFiltersState] = useState<SearchFilters>({});
  const [sort, setSort] = useState<SearchSort>({ by: 'relevance', dir: 'asc' });

  const searchGate = useRef(new Gate()).current;
  const countGate = useRef(new Gate()).current;
  const latestKey = useRef<string>('');
  const latestCountKey = useRef<string>('');

  const effectiveSort = useMemo(() => effectiveSortFor(query, sort), [query, sort]);
  const wanted = useMemo<SearchParams>(() => ({ query, filters: cleanFilters(filters), sort: effectiveSort }), [query, filters, effectiveSort]);
  const wantedKey = useMemo(() => JSON.stringify(wanted), [wanted]);
  const countInput = useMemo(() => ({ query: wanted.query, filters: wanted.filters }), [wanted]);
  const countKey = useMemo(() => JSON.stringify(countInput), [countInput]);
  // The newest search and count, for the queries waiting at a gate to see that they are old. Set
  // on commit, before the query library's own effects start a fetch.
  useLayoutEffect(() => {
    latestKey.current = wantedKey;
    latestCountKey.current = countKey;
  }, [wantedKey, countKey]);

  const searchQuery = useInfiniteQuery<Page, Error, InfiniteData<Page, string | null>, SearchKey, string | null>({
    queryKey: ['employees.search', wanted] as const,
    enabled,
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    // Each search is asked for afresh: nothing is kept once the look-up moved on from it, and a
    // shown search is not fetched again behind the agent's back.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnReconnect: false,
    structuralSharing: false,
    queryFn: async ({ queryKey, pageParam, signal }) => {
      const params = queryKey[1];
      const key = JSON.stringify(params);
      const leave = await searchGate.enter();
      try {
        if (signal.aborted || (pageParam === null && key !== latestKey.current)) throw new Superseded();
        if (pageParam === null) mark('desk:query-sent', { query: params.query, key });
        const page = await call('employees.search', {
          query: params.query,
          filters: params.filters,
          sort: params.sort,
          limit: SEARCH_PAGE_SIZE,
          cursor: pageParam,
        });
        return { ...page, params, answer: pageParam === null ? ++answers : 0 };
      } finally {
        leave();
      }
    },
  });

  const data = searchQuery.data;
  const firstPageIn = enabled && data !== undefined && !searchQuery.isPlaceholderData;

  const countQuery = useQuery<SearchCount, Error, SearchCount, CountKey>({
    queryKey: ['employees.count', countInput] as const,
    // The rows come first, without a count competing with them for the main process.
    enabled: firstPageIn,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnReconnect: false,
    queryFn: async ({ queryKey, signal }) => {
      const input = queryKey[1];
      const leave = await countGate.enter();
      try {
        if (signal.aborted || JSON.stringify(input) !== latestCountKey.current) throw new Superseded();
        return await call('employees.count', input);
      } finally {
        leave();
      }
    },
  });

  const firstError = !data && searchQuery.status === 'error' && !(searchQuery.error instanceof Superseded) ? searchQuery.error : null;
  const moreError = data && searchQuery.isFetchNextPageError ? searchQuery.error : null;
  const results = useMemo<LoadedResults | null>(() => {
    if (firstError) {
      return { key: wantedKey, params: wanted, rows: [], nextCursor: null, error: errorText(firstError), answer: -1 };
    }
    if (!data || data.pages.length === 0) return null;
    const first = data.pages[0]!;
    const last = data.pages[data.pages.length - 1]!;
    const rows = data.pages.length === 1 ? first.rows : data.pages.flatMap((p) => p.rows);
    // Each page carries the search it answers (a placeholder is the previous search's data).
    return {
      key: JSON.stringify(first.params),
      params: first.params,
      rows,
      nextCursor: last.nextCursor,
      error: moreError ? errorText(moreError) : null,
      answer: first.answer,
    };
    // An error answers the search it was for: `wanted` is read only with a new error.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, firstError, moreError]);

  const current = results !== null && results.key === wantedKey ? results : null;
  const busy = enabled && current === null;
  const count = countQuery.data && !countQuery.isPlaceholderData && firstPageIn ? countQuery.data : null;
  const countError = firstPageIn && countQuery.status === 'error' && !(countQuery.error instanceof Superseded) ? errorText(countQuery.error) : null;

  // Stable (the results table is memoised): it reads the latest state when called.
  const latest = useRef({ firstPageIn, searchQuery });
  useLayoutEffect(() => {
    latest.current = { firstPageIn, searchQuery };
  });
  const loadMore = useCallback(() => {
    const { firstPageIn: ready, searchQuery: q } = latest.current;
    if (!ready || !q.hasNextPage || q.isFetching || searchGate.busy > 0) return;
    void q.fetchNextPage({ cancelRefetch: false });
  }, [searchGate]);

  const setInput = useCallback((value: string) => {
    const v = value.slice(0, SEARCH_MAX_LENGTH);
    setInputState(v);
    setQuery(v.trim());
  }, []);

  const setFilters = useCallback((f: SearchFilters) => setFiltersState(cleanFilters(f)), []);

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
    busy,
    loadingMore: searchQuery.isFetchingNextPage && current !== null,
    loadMore,
    count,
    error: current?.error ?? countError,
  };
}
