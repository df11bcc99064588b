import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchResult } from '../../shared/domain';
import type { Invoke } from './client';
import { errorMessage } from './components/ui';

export const SEARCH_LIMIT = 50;
export const SEARCH_DEBOUNCE_MS = 150;
export const SEARCH_MAX_LENGTH = 200;

export interface EmployeeSearch {
  /** What is in the search box. */
  input: string;
  setInput(value: string): void;
  /** The query the results should be for (trimmed, debounced). */
  wanted: string;
  /** The latest result that matches `wanted`, or the previous one while the next is on its way. */
  result: SearchResult | null;
  /** True while the results shown are not yet for `wanted`. */
  busy: boolean;
  error: string | null;
}

/**
 * Search as you type: debounced, at most one request in flight, and only the newest query counts.
 * While a request is in flight only the latest query is remembered; it is sent when the current one
 * returns, and a reply for anything but the latest query is ignored.
 */
export function useEmployeeSearch(call: Invoke): EmployeeSearch {
  const [input, setInputState] = useState('');
  const [wanted, setWanted] = useState('');
  const [answered, setAnswered] = useState<{ query: string; result: SearchResult | null; error: string | null } | null>(
    null,
  );
  const latest = useRef('');
  const inFlight = useRef(false);
  const queued = useRef<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      window.clearTimeout(timer.current);
    };
  }, []);

  const send = useCallback(
    (query: string) => {
      inFlight.current = true;
      call('employees.search', { query, limit: SEARCH_LIMIT })
        .then(
          (result) => {
            if (alive.current && query === latest.current) setAnswered({ query, result, error: null });
          },
          (err: unknown) => {
            if (alive.current && query === latest.current) setAnswered({ query, result: null, error: errorMessage(err) });
          },
        )
        .finally(() => {
          inFlight.current = false;
          const next = queued.current;
          queued.current = null;
          if (alive.current && next !== null && next === latest.current && next !== query) send(next);
        });
    },
    [call],
  );

  const request = useCallback(
    (query: string) => {
      if (query === latest.current) return;
      latest.current = query;
      setWanted(query);
      if (query === '') {
        queued.current = null;
        setAnswered(null);
        return;
      }
      if (inFlight.current) queued.current = query;
      else send(query);
    },
    [send],
  );

  const setInput = useCallback(
    (value: string) => {
      const v = value.slice(0, SEARCH_MAX_LENGTH);
      setInputState(v);
      window.clearTimeout(timer.current);
      const query = v.trim();
      if (query === '') request('');
      else timer.current = window.setTimeout(() => request(query), SEARCH_DEBOUNCE_MS);
    },
    [request],
  );

  const current = answered && answered.query === wanted ? answered : null;
  return {
    input,
    setInput,
    wanted,
    result: current?.result ?? answered?.result ?? null,
    busy: wanted !== '' && current === null,
    error: current?.error ?? null,
  };
}
