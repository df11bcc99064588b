/**
 * The employee look-up (#/search): search as you type, filter and sort in the main process, and
 * open an employee. The search itself lives in the shell (useShell().search), so coming back finds
 * it as it was left, with the focus on the row of the employee just viewed.
 */
import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Button, Loader, Text, TextInput } from '@mantine/core';
import { IconCheck, IconReceipt, IconSearch } from '@tabler/icons-react';
import { useLocation } from 'wouter';
import type { EmployeeSummary } from '../../../../shared/domain';
import { can } from '../../../../shared/policy';
import { routes } from '../../app/routes';
import { useShell } from '../../app/shell-context';
import { Empty, PageHeader } from '../../components/ui';
import { formatNumber, plural } from '../../format';
import { useDesk } from '../../lib/session';
import { SEARCH_MAX_LENGTH, type EmployeeSearch, type LoadedResults } from '../../useEmployeeSearch';
import { DemoOffer } from './DemoOffer';
import { SearchFilters, SortChoice } from './SearchFilters';
import { ResultsTable, type ResultsTableHandle } from './ResultsTable';
import classes from './search.module.css';

/** A change reference from a confirmation mail (CHG-… for a factor change, REC-… for the record). */
export const CHANGE_REF_RE = /^\s*(CHG|REC)-\d{1,10}-[0-9A-F]{6}\s*$/i;

const SEARCH_ICON = <IconSearch size={18} aria-hidden="true" />;

/** The answer whose rows were last marked as painted (survives leaving the screen and coming back). */
let lastPainted: LoadedResults | null = null;

export function LookupScreen() {
  const { session, status, refreshStatus } = useDesk();
  const shell = useShell();
  const search = shell.search;
  const [, navigate] = useLocation();
  const inputRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<ResultsTableHandle>(null);
  const [loadedMessage, setLoadedMessage] = useState<string | null>(null);
  const empty = !status.hasEmployees;

  const focusSearchBox = useCallback(() => {
    inputRef.current?.focus();
    // What is in the box is selected, so typing starts a new search.
    inputRef.current?.select();
  }, []);

  // On arrival, focus the row of the employee just viewed (if still listed), else the search box.
  const focusOnArrival = useEffectEvent(() => {
    if (shell.lastOpened !== null && tableRef.current?.focusEmployee(shell.lastOpened)) return;
    focusSearchBox();
  });
  useEffect(() => focusOnArrival(), []);

  // Ctrl+K (or Cmd+K) while already here.
  const firstRequest = useRef(shell.focusSearchRequest);
  useEffect(() => {
    if (shell.focusSearchRequest === firstRequest.current) return;
    focusSearchBox();
  }, [shell.focusSearchRequest, focusSearchBox]);

  // For measuring keystroke → rows painted: the new rows are in the DOM when this runs. A page
  // appended to the same answer is not a new answer.
  const results = search.results;
  useLayoutEffect(() => {
    if (!results || (lastPainted && lastPainted.answer === results.answer && lastPainted.key === results.key)) return;
    lastPainted = results;
    try {
      performance.mark('desk:rows-painted', { detail: { query: results.params.query, rows: results.rows.length } });
    } catch {
      // Marks are for measuring only.
    }
  }, [results]);

  const { setLastOpened } = shell;
  const open = useCallback(
    (employee: EmployeeSummary) => {
      setLastOpened(employee.id);
      navigate(routes.employee(employee.id));
    },
    [navigate, setLastOpened],
  );

  function onSearchKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      if (tableRef.current?.focusActive()) e.preventDefault();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // One match only: Enter opens it.
      const r = search.busy ? null : search.results;
      const first = r?.rows[0];
      if (first && r.rows.length === 1 && r.nextCursor === null) open(first);
    }
  }

  const rows = results?.rows ?? [];
  const total = search.count && !search.count.capped && !search.busy ? search.count.count : null;
  const changeRef = CHANGE_REF_RE.test(search.input) ? search.input.trim().toUpperCase() : null;
  const filtered = Object.keys(search.wanted.filters).length > 0;
  const noMatch = !search.busy && results !== null && results.error === null && rows.length === 0 && changeRef === null;

  return (
    <div className="screen">
      <PageHeader title="Find an employee" focusOnMount={false} />
      {empty ? (
        can(session.role, 'desk.administer') ? (
          <DemoOffer
            onLoaded={async (n) => {
              // Shown (and the box focused) once the status counts employees and the box appears.
              setLoadedMessage(`Loaded ${plural(n, 'demo employee', 'demo employees')}. Search for someone to begin.`);
              await refreshStatus();
            }}
          />
        ) : (
          <Empty title="No employees yet">An admin can load demo data, or import the HR feed.</Empty>
        )
      ) : (
        <>
          {loadedMessage ? (
            <Alert color="green" icon={<IconCheck size={18} aria-hidden="true" />} mb="md" role="status" withCloseButton={false}>
              {loadedMessage}
            </Alert>
          ) : null}
          <div role="search" aria-label="Employees">
            <TextInput
              ref={inputRef}
              // After demo data the box appears, and takes the focus.
              autoFocus={loadedMessage !== null}
              className={classes.searchBox}
              classNames={{ input: classes.searchInput }}
              label="Search employees"
              description="A name, employee number, username or email address. Press ↓ to move to the results; Ctrl+K comes back here from anywhere."
              type="search"
              size="md"
              autoComplete="off"
              spellCheck={false}
              maxLength={SEARCH_MAX_LENGTH}
              leftSection={SEARCH_ICON}
              aria-controls="search-results"
              aria-keyshortcuts="Control+K Meta+K"
              value={search.input}
              onChange={(e) => search.setInput(e.currentTarget.value)}
              onKeyDown={onSearchKeyDown}
            />
            {changeRef ? <ChangeReferenceNotice reference={changeRef} canOpen={can(session.role, 'callers.help')} onOpen={shell.openNewTicket} /> : null}
            <SearchFilters filters={search.filters} organisations={shell.organisations} onChange={search.setFilters} onCleared={focusSearchBox} />
          </div>
          <div className={classes.resultsBar}>
            <SearchSummary search={search} />
            <SortChoice query={search.wanted.query} sort={search.effectiveSort} onChange={search.setSort} />
          </div>
          {search.error && !(results && results.error && rows.length > 0) ? (
            <Alert color="red" title="The search did not work" mb="sm" role="alert">
              {search.error} Try again, or change the search.
            </Alert>
          ) : null}
          <div id="search-results">
            {rows.length > 0 && results ? (
              <ResultsTable
                ref={tableRef}
                rows={rows}
                resultKey={results.key}
                sort={results.params.sort}
                onSort={search.setSort}
                total={total}
                hasMore={results.nextCursor !== null && results.error === null}
                loadingMore={search.loadingMore}
                onLoadMore={search.loadMore}
                busy={search.busy}
                onOpen={open}
                onLeaveTop={focusSearchBox}
              />
            ) : null}
            {noMatch ? (
              <div className={classes.empty}>
                <Empty
                  title="Nobody to show"
                  icon={<IconSearch size={22} aria-hidden="true" />}
                  action={
                    filtered ? (
                      <Button
                        variant="default"
                        size="xs"
                        onClick={() => {
                          search.setFilters({});
                          focusSearchBox();
                        }}
                      >
                        Search without filters
                      </Button>
                    ) : null
                  }
                >
                  {filtered
                    ? 'Try fewer filters, or check the spelling.'
                    : 'Check the spelling, or search by employee number, username or an email address on record.'}
                </Empty>
              </div>
            ) : null}
            {results && results.error && rows.length > 0 && results.nextCursor !== null && !search.busy ? (
              <Alert color="red" mt="sm" role="alert" title="More results could not be loaded">
                <Text size="sm" mb="xs">
                  {results.error}
                </Text>
                <Button size="xs" variant="default" onClick={search.loadMore} loading={search.loadingMore}>
                  Try loading more results again
                </Button>
              </Alert>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

/** The count line: how many match, or that nothing does, or that the search is running. */
function SearchSummary({ search }: { search: EmployeeSearch }) {
  const r = search.results;
  const q = search.wanted.query;
  const filtered = Object.keys(search.wanted.filters).length > 0;
  let text: string;
  let working = false;
  if (search.busy) {
    text = 'Searching…';
    working = true;
  } else if (!r) text = '';
  else if (r.error && r.rows.length === 0) text = 'The search did not work.';
  else if (r.rows.length === 0) {
    text = q ? `No employees match “${q}”${filtered ? ' with these filters' : ''}` : 'No employees match these filters';
  } else if (search.count) {
    text = search.count.capped ? `More than ${formatNumber(search.count.count)} matches` : plural(search.count.count, 'match', 'matches');
  } else if (r.nextCursor === null) text = plural(r.rows.length, 'match', 'matches');
  else {
    text = 'Counting matches…';
    working = true;
  }
  return (
    <p role="status" className={classes.summary}>
      {working ? <Loader size={14} aria-hidden="true" /> : null}
      {text}
    </p>
  );
}

/** A change reference typed into the box: offer the "wasn't me" ticket. */
function ChangeReferenceNotice({ reference, canOpen, onOpen }: { reference: string; canOpen: boolean; onOpen: (ref: string) => void }) {
  return (
    <Alert color="blue" mt="sm" icon={<IconReceipt size={18} aria-hidden="true" />} title={`${reference} is a change reference from a confirmation mail`}>
      <Text size="sm" mb={canOpen ? 'xs' : 0}>
        {canOpen
          ? 'If the employee says they did not make this change, open a ticket about it: it links the change and leads through verifying them and re-registering the factor.'
          : 'Agents open a “change not made by me” ticket from it when the employee did not make the change.'}
      </Text>
      {canOpen ? (
        <Button size="xs" onClick={() => onOpen(reference)}>
          Open a “change not made by me” ticket
        </Button>
      ) : null}
    </Alert>
  );
}
