import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AppStatus, SessionInfo, EmployeeSummary } from '../../../shared/domain';
import { on, type Invoke } from '../client';
import { ErrorAlert, errorMessage, useDocumentTitle } from '../components/ui';
import { formatNumber, plural } from '../format';
import { SEARCH_MAX_LENGTH, type EmployeeSearch } from '../useEmployeeSearch';
import { ResultsTable, type ResultsTableHandle } from './ResultsTable';

interface Props {
  call: Invoke;
  session: SessionInfo;
  status: AppStatus;
  search: EmployeeSearch;
  /** The employee opened last: focus returns to their row when coming back. */
  focusEmployeeId: number | null;
  onOpen: (employee: EmployeeSummary) => void;
  onStatusChanged: () => Promise<void>;
}

/** The main screen: search employees as you type and open one. */
export function LookupScreen({ call, session, status, search, focusEmployeeId, onOpen, onStatusChanged }: Props) {
  useDocumentTitle('Find an employee');
  const inputRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<ResultsTableHandle>(null);
  const hintId = useId();
  const [loadedMessage, setLoadedMessage] = useState<string | null>(null);
  const empty = status.employeeCount === 0;

  // On arrival, focus the row of the employee just viewed (if still listed), else the search box.
  useEffect(() => {
    if (focusEmployeeId !== null && tableRef.current?.focusEmployee(focusEmployeeId)) return;
    inputRef.current?.focus();
    // Only on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function onSearchKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      if (tableRef.current?.focusActive()) e.preventDefault();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const first = search.result?.rows[0];
      if (first && search.result?.rows.length === 1 && !search.busy) onOpen(first);
    }
  }

  const rows = search.result?.rows ?? [];
  const showTable = search.wanted !== '' && rows.length > 0;

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
          <p className="panel">No employees yet — an admin can load demo data or import the HR extract.</p>
        )
      ) : null}
      {!empty ? (
        <>
          {loadedMessage ? (
            <p role="status" className="notice">
              {loadedMessage}
            </p>
          ) : null}
          <div className="search" role="search">
            <label htmlFor="employee-search" className="search__label">
              Search employees
            </label>
            <p id={hintId} className="field__hint">
              A name, employee number, username or email address. Results appear as you type; press the down arrow to
              move to them.
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
              value={search.input}
              onChange={(e) => search.setInput(e.currentTarget.value)}
              onKeyDown={onSearchKeyDown}
            />
          </div>
          <SearchSummary search={search} />
          <ErrorAlert message={search.error} />
          <div id="search-results">
            {showTable ? (
              <ResultsTable
                ref={tableRef}
                rows={rows}
                busy={search.busy}
                onOpen={onOpen}
                onLeaveTop={() => inputRef.current?.focus()}
              />
            ) : null}
          </div>
        </>
      ) : null}
    </>
  );
}

function SearchSummary({ search }: { search: EmployeeSearch }) {
  let text = '';
  if (search.wanted === '') text = '';
  else if (search.busy) text = 'Searching…';
  else if (search.error) text = 'The search did not work.';
  else if (search.result) {
    const n = search.result.rows.length;
    if (n === 0) text = `No employees match “${search.wanted}”`;
    else if (search.result.more) text = `${formatNumber(n)}+ matches`;
    else text = plural(n, 'match', 'matches');
  }
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
