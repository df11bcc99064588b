import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AppStatus, SessionInfo, EmployeeSummary, SearchFilters } from '../../../shared/domain';
import { EMPLOYEE_STATUSES, FACTOR_FILTERS, MFA_STATES } from '../../../shared/domain';
import { on, type Invoke } from '../client';
import { ErrorAlert, errorMessage, useDocumentTitle } from '../components/legacy-ui';
import { FACTOR_FILTER_LABELS, MFA_LABELS, SORT_OPTIONS, STATUS_LABELS, formatNumber, plural } from '../format';
import { SEARCH_MAX_LENGTH, type EmployeeSearch, type LoadedResults, type SearchSort } from '../useEmployeeSearch';
import { ResultsTable, type ResultsTableHandle } from './ResultsTable';

interface Props {
  call: Invoke;
  session: SessionInfo;
  status: AppStatus;
  search: EmployeeSearch;
  /** Every organisation, for the filter (null while loading). */
  organisations: string[] | null;
  /** The employee opened last: focus returns to their row when coming back. */
  focusEmployeeId: number | null;
  /** Changes each time Ctrl+K asks for the search box. */
  focusSearchRequest: number;
  onOpen: (employee: EmployeeSummary) => void;
  onStatusChanged: () => Promise<void>;
}

/** The results whose rows were last marked as painted (survives leaving and coming back). */
let lastPainted: LoadedResults | null = null;

/** The main screen: search employees as you type, filter and sort them, and open one. */
export function LookupScreen(props: Props) {
  const { call, session, status, search, organisations, focusEmployeeId, focusSearchRequest, onOpen, onStatusChanged } = props;
  useDocumentTitle('Find an employee');
  const inputRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<ResultsTableHandle>(null);
  const hintId = useId();
  const [loadedMessage, setLoadedMessage] = useState<string | null>(null);
  const empty = !status.hasEmployees;

  // On arrival, focus the row of the employee just viewed (if still listed), else the search box.
  useEffect(() => {
    if (focusEmployeeId !== null && tableRef.current?.focusEmployee(focusEmployeeId)) return;
    // What is in the box is selected, so typing starts a new search.
    inputRef.current?.focus();
    inputRef.current?.select();
    // Only on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Ctrl+K (or Cmd+K) while already here.
  const firstRequest = useRef(focusSearchRequest);
  useEffect(() => {
    if (focusSearchRequest === firstRequest.current) return;
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [focusSearchRequest]);

  // For measuring keystroke → rows painted: the new rows are in the DOM when this runs.
  const results = search.results;
  useLayoutEffect(() => {
    if (!results || results === lastPainted) return;
    lastPainted = results;
    try {
      performance.mark('desk:rows-painted', { detail: { query: results.params.query, rows: results.rows.length } });
    } catch {
      // Marks are for measuring only.
    }
  }, [results]);

  function onSearchKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      if (tableRef.current?.focusActive()) e.preventDefault();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const r = search.busy ? null : search.results;
      const first = r?.rows[0];
      if (first && r.rows.length === 1 && r.nextCursor === null) onOpen(first);
    }
  }

  const rows = results?.rows ?? [];
  const showTable = rows.length > 0;
  const total = search.count && !search.count.capped && !search.busy ? search.count.count : null;

  return (
    <>
      <h1>Find an employee</h1>
      {empty ? (
        session.role === 'admin' ? (
          <DemoOffer
            call={call}
            onLoaded={async (n) => {
              await onStatusChanged();
              setLoadedMessage(`Loaded ${plural(n, 'demo employee', 'demo employees')}. Search for someone to begin.`);
              window.setTimeout(() => inputRef.current?.focus(), 0);
            }}
          />
        ) : (
          <p className="panel">No employees yet — an admin can load demo data.</p>
        )
      ) : null}
      {!empty ? (
        <>
          {loadedMessage ? (
            <p role="status" className="notice">
              {loadedMessage}
            </p>
          ) : null}
          <div className="lookup">
            <div className="search" role="search">
              <label htmlFor="employee-search" className="search__label">
                Search employees
              </label>
              <p id={hintId} className="field__hint">
                A name, employee number, username or email address. Results appear as you type; press the down arrow
                to move to them. Press Ctrl+K to come back here from anywhere.
              </p>
              <input
                ref={inputRef}
                id="employee-search"
                className="search__input"
                type="search"
                autoComplete="off"
                spellCheck={false}
                maxLength={SEARCH_MAX_LENGTH}
                aria-describedby={hintId}
                aria-controls="search-results"
                aria-keyshortcuts="Control+K Meta+K"
                value={search.input}
                onChange={(e) => search.setInput(e.currentTarget.value)}
                onKeyDown={onSearchKeyDown}
              />
            </div>
            <Filters
              filters={search.filters}
              organisations={organisations}
              onChange={search.setFilters}
              onCleared={() => inputRef.current?.focus()}
            />
          </div>
          <div className="results-bar">
            <SearchSummary search={search} />
            <SortChoice search={search} />
          </div>
          <ErrorAlert message={search.error} />
          <div id="search-results">
            {showTable ? (
              <ResultsTable
                ref={tableRef}
                rows={rows}
                resultKey={results!.key}
                sort={results!.params.sort}
                onSort={search.setSort}
                total={total}
                hasMore={results!.nextCursor !== null && results!.error === null}
                loadingMore={search.loadingMore}
                onLoadMore={search.loadMore}
                busy={search.busy}
                onOpen={onOpen}
                onLeaveTop={() => inputRef.current?.focus()}
              />
            ) : null}
            {results && results.error && results.rows.length > 0 && results.nextCursor !== null && !search.busy ? (
              <p className="results-retry">
                <button type="button" className="button" onClick={search.loadMore} aria-disabled={search.loadingMore || undefined}>
                  Try loading more results again
                </button>
              </p>
            ) : null}
          </div>
        </>
      ) : null}
    </>
  );
}

function Filters({
  filters,
  organisations,
  onChange,
  onCleared,
}: {
  filters: SearchFilters;
  organisations: string[] | null;
  onChange: (f: SearchFilters) => void;
  onCleared: () => void;
}) {
  const set = (patch: Partial<SearchFilters>) => onChange({ ...filters, ...patch });
  const any = Object.keys(filters).length > 0;
  const orgs = organisations ?? [];
  const orgOptions = filters.organisation && !orgs.includes(filters.organisation) ? [filters.organisation, ...orgs] : orgs;
  return (
    <fieldset className="filters">
      <legend>Filter the results</legend>
      <div className="filters__fields">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={filters.status ?? ''}
            onChange={(e) => set({ status: (e.currentTarget.value || undefined) as SearchFilters['status'] })}
          >
            <option value="">Any status</option>
            {EMPLOYEE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-mfa">MFA state</label>
          <select
            id="filter-mfa"
            value={filters.mfa ?? ''}
            onChange={(e) => set({ mfa: (e.currentTarget.value || undefined) as SearchFilters['mfa'] })}
          >
            <option value="">Any MFA state</option>
            {MFA_STATES.map((s) => (
              <option key={s} value={s}>
                {MFA_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-factor">Factor</label>
          <select
            id="filter-factor"
            value={filters.factor ?? ''}
            onChange={(e) => set({ factor: (e.currentTarget.value || undefined) as SearchFilters['factor'] })}
          >
            <option value="">Any factor</option>
            {FACTOR_FILTERS.map((f) => (
              <option key={f} value={f}>
                {FACTOR_FILTER_LABELS[f]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-organisation">Organisation</label>
          <select
            id="filter-organisation"
            value={filters.organisation ?? ''}
            aria-busy={organisations === null || undefined}
            onChange={(e) => set({ organisation: e.currentTarget.value || undefined })}
          >
            <option value="">Any organisation</option>
            {orgOptions.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="checks">
          <div className="check">
            <input
              id="filter-pending"
              type="checkbox"
              checked={filters.pendingRegistration === true}
              onChange={(e) => set({ pendingRegistration: e.currentTarget.checked || undefined })}
            />
            <label htmlFor="filter-pending">Pending registration</label>
          </div>
          <div className="check">
            <input
              id="filter-locked"
              type="checkbox"
              checked={filters.locked === true}
              onChange={(e) => set({ locked: e.currentTarget.checked || undefined })}
            />
            <label htmlFor="filter-locked">Locked</label>
          </div>
        </div>
        {any ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              onChange({});
              onCleared();
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}

function SortChoice({ search }: { search: EmployeeSearch }) {
  const value = `${search.effectiveSort.by}:${search.effectiveSort.dir}`;
  const options = SORT_OPTIONS.filter((o) => o.by !== 'relevance' || search.wanted.query !== '');
  return (
    <div className="field field--inline">
      <label htmlFor="results-sort">Sort by</label>
      <select
        id="results-sort"
        value={value}
        onChange={(e) => {
          const [by, dir] = e.currentTarget.value.split(':') as [SearchSort['by'], SearchSort['dir']];
          search.setSort({ by, dir });
        }}
      >
        {options.map((o) => (
          <option key={`${o.by}:${o.dir}`} value={`${o.by}:${o.dir}`}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function SearchSummary({ search }: { search: EmployeeSearch }) {
  const r = search.results;
  const q = search.wanted.query;
  const filtered = Object.keys(search.wanted.filters).length > 0;
  let text = '';
  if (search.busy) text = 'Searching…';
  else if (!r) text = '';
  else if (r.error && r.rows.length === 0) text = 'The search did not work.';
  else if (r.rows.length === 0) {
    text = q ? `No employees match “${q}”${filtered ? ' with these filters' : ''}` : 'No employees match these filters';
  } else if (search.count) {
    text = search.count.capped
      ? `More than ${formatNumber(search.count.count)} matches`
      : plural(search.count.count, 'match', 'matches');
  } else if (r.nextCursor === null) text = plural(r.rows.length, 'match', 'matches');
  else text = 'Counting matches…';
  return (
    <p role="status" className="search__summary">
      {text}
    </p>
  );
}

function DemoOffer({ call, onLoaded }: { call: Invoke; onLoaded: (employees: number) => Promise<void> }) {
  const [count, setCount] = useState('1000');
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const headingId = useId();

  useEffect(
    () =>
      on('progress', (p) => {
        if (p.task === 'demo.load') setProgress({ done: p.done, total: p.total });
      }),
    [],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (running) return;
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1 || n > 200_000) {
      setFieldError('Enter a whole number from 1 to 200,000');
      document.getElementById('demo-count')?.focus();
      return;
    }
    setFieldError(null);
    setAlert(null);
    setRunning(true);
    setProgress(null);
    try {
      const result = await call('demo.load', { employees: n });
      await onLoaded(result.employees);
    } catch (err) {
      setAlert(errorMessage(err));
    } finally {
      setRunning(false);
    }
  }

  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Demo data</h2>
      <p>The database has no employees yet. Load demo data?</p>
      <ErrorAlert message={alert} />
      <form className="form form--inline" onSubmit={submit} noValidate>
        <div className={'field' + (fieldError ? ' field--error' : '')}>
          <label htmlFor="demo-count">Number of demo employees</label>
          {fieldError ? (
            <p className="field__error" id="demo-count-error">
              <span className="visually-hidden">Error: </span>
              {fieldError}
            </p>
          ) : null}
          <input
            id="demo-count"
            type="number"
            inputMode="numeric"
            min={1}
            max={200_000}
            step={1}
            required
            value={count}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'demo-count-error' : undefined}
            onChange={(e) => setCount(e.currentTarget.value)}
          />
        </div>
        <button type="submit" className="button button--primary" aria-disabled={running || undefined}>
          Load demo data
        </button>
      </form>
      {running ? (
        <div className="progress">
          <progress
            aria-label="Demo data loading progress"
            max={progress?.total || undefined}
            value={progress ? progress.done : undefined}
          />
          <p role="status">
            {progress
              ? `Loaded ${formatNumber(progress.done)} of ${formatNumber(progress.total)} employees${pct !== null ? ` (${pct}%)` : ''}.`
              : 'Loading demo data…'}
          </p>
        </div>
      ) : null}
    </section>
  );
}
