import {
  memo,
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type Ref,
} from 'react';
import { Loader, Text } from '@mantine/core';
import { IconArrowsSort, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import { createColumnHelper, type SortingState, type Updater } from '@tanstack/react-table';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { EmployeeSummary, SortKey } from '../../../../shared/domain';
import type { SearchSort } from '../../useEmployeeSearch';
import { sortingFeatures, useServerSortedTable } from '../../lib/useServerSortedTable';
import { ResultRow } from './ResultRow';
import classes from './search.module.css';

export interface ResultsTableHandle {
  /** Focus the active row (the first, unless one was chosen). False when there is no row. */
  focusActive(): boolean;
  /** Focus the row of this employee, if loaded. */
  focusEmployee(id: number): boolean;
}

/** Sortable columns: their ids are the contract's sort keys. */
type ColumnKey = Exclude<SortKey, 'relevance'>;

// The main process sorts (see useServerSortedTable).
const column = createColumnHelper<typeof sortingFeatures, EmployeeSummary>();
const columns = column.columns([
  column.accessor((e) => `${e.lastName}, ${e.firstName}`, { id: 'name', header: 'Name' }),
  column.accessor('employeeNumber', { id: 'employeeNumber', header: 'Employee number' }),
  column.accessor('organisation', { id: 'organisation', header: 'Organisation' }),
  column.accessor('status', { id: 'status', header: 'Status' }),
  column.accessor('mfaState', { id: 'mfa', header: 'MFA' }),
]);
const getRowId = (e: EmployeeSummary) => String(e.id);


// Icons made once: the same element is never rendered again.
const ICON_ASC = <IconSortAscending size={14} aria-hidden="true" className={classes.sortIcon} />;
const ICON_DESC = <IconSortDescending size={14} aria-hidden="true" className={classes.sortIcon} />;
const ICON_UNSORTED = <IconArrowsSort size={14} aria-hidden="true" className={classes.sortIcon} />;

/** The height of one row (px): dense, and fixed, so the list's scroll positions are exact. */
export const ROW_HEIGHT = 36;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 8;
/** Ask for the next page when the last rendered row is this close to the end of what is loaded. */
const LOAD_AHEAD = 20;

/**
 * The list scrolls itself (the virtualizer brings the row into the container's view); the page may
 * need to scroll too when the container is taller than what the window shows.
 */
function revealInWindow(el: Element): void {
  const row = el.closest('tr') ?? el;
  const rect = row.getBoundingClientRect();
  const margin = 8;
  if (rect.bottom > window.innerHeight - margin) window.scrollBy(0, rect.bottom - window.innerHeight + margin);
  else if (rect.top < 52 + margin) window.scrollBy(0, rect.top - 52 - margin);
}

interface Props {
  rows: EmployeeSummary[];
  /** Identifies the search the rows belong to: a new one starts again at the first row. */
  resultKey: string;
  /** The sort the rows are in (relevance: no column is sorted). */
  sort: SearchSort;
  onSort: (sort: SearchSort) => void;
  /** Total for aria-rowcount, when known; otherwise -1 is announced while more can be loaded. */
  total: number | null;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** The rows are the previous search's while the next one runs: dimmed, and not to be taken as the answer. */
  busy: boolean;
  onOpen: (employee: EmployeeSummary) => void;
  /** ArrowUp on the first row or Escape: back to the search box. */
  onLeaveTop: () => void;
  ref?: Ref<ResultsTableHandle>;
}

/**
 * Search results as a table that renders only the rows in view, however many are loaded: the
 * scroll container has a fixed height, rows are positioned by @tanstack/react-virtual, and the
 * next keyset page is asked for as the end comes near. Table semantics are kept with explicit
 * roles, aria-rowcount and aria-rowindex. Column headers are sort buttons (the main process sorts).
 *
 * Each row has a button (named by the employee's name) in a row header cell; one button at a time
 * is in the tab order (roving tabindex) and that row is always rendered; the arrow keys, Home, End,
 * Page Up and Page Down move between rows, scrolling the list so the active row is in view. Enter
 * or a click opens it.
 */
export const ResultsTable = memo(function ResultsTable(props: Props) {
  const { rows, resultKey, sort, onSort, total, hasMore, loadingMore, onLoadMore, busy, onOpen, onLeaveTop, ref } = props;

  const sorting = useMemo<SortingState>(() => (sort.by === 'relevance' ? [] : [{ id: sort.by, desc: sort.dir === 'desc' }]), [sort]);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      if (first) onSort({ by: first.id as ColumnKey, dir: first.desc ? 'desc' : 'asc' });
    },
    [sorting, onSort],
  );
  const table = useServerSortedTable({ columns, data: rows, getRowId, sorting, onSortingChange, sortDescFirst: false });
  const modelRows = table.getRowModel().rows;

  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLTableSectionElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [headHeight, setHeadHeight] = useState(36);
  const buttons = useRef(new Map<number, HTMLButtonElement>());
  const pendingFocus = useRef<number | null>(null);
  const scrollToTop = useRef(false);

  const [active, setActive] = useState(0);
  const [shownKey, setShownKey] = useState(resultKey);
  if (resultKey !== shownKey) {
    // New results: start again from the first row, at the top; if a row had focus, the first row
    // takes it (the focused row may be gone).
    setShownKey(resultKey);
    setActive(0);
    scrollToTop.current = true;
    if (bodyRef.current?.contains(document.activeElement)) pendingFocus.current = 0;
  }
  const activeIndex = Math.min(active, Math.max(0, modelRows.length - 1));

  // The active row is always rendered, so the roving tab stop never disappears while scrolling.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex < range.count && !indexes.includes(activeIndex)) {
        indexes.push(activeIndex);
        indexes.sort((a, b) => a - b);
      }
      return indexes;
    },
    [activeIndex],
  );

  const getItemKey = useCallback((i: number) => modelRows[i]?.id ?? i, [modelRows]);
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLTableRowElement>({
    count: modelRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    getItemKey,
    rangeExtractor,
    // The sticky header sits above the rows inside the scroll container.
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    // Rows can be laid out on the first render, before the container is measured.
    initialRect: { width: 960, height: 420 },
  });
  const items = virtualizer.getVirtualItems();

  // The header's height, measured when it changes (never on every render: reading a layout size
  // after each update would force the browser to lay the page out again on every keystroke).
  useLayoutEffect(() => {
    const head = headRef.current;
    if (!head) return;
    const measure = () => {
      const h = head.offsetHeight;
      if (h) setHeadHeight((old) => (old === h ? old : h));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(head);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    if (!scrollToTop.current) return;
    scrollToTop.current = false;
    // Only when scrolled (scrolling measures the list: not worth it on every new answer at the top).
    if ((virtualizer.scrollOffset ?? 0) > 0) virtualizer.scrollToOffset(0);
  });

  // Focus a row once it is rendered (after moving to it).
  useLayoutEffect(() => {
    const i = pendingFocus.current;
    if (i === null) return;
    const row = modelRows[i];
    const button = row ? buttons.current.get(row.original.id) : undefined;
    if (button) {
      pendingFocus.current = null;
      button.focus({ preventScroll: true });
      revealInWindow(button);
    }
  });

  // Near the end of what is loaded: ask for the next page.
  const lastRendered = items.length > 0 ? items[items.length - 1]!.index : -1;
  useLayoutEffect(() => {
    if (hasMore && !loadingMore && !busy && lastRendered >= modelRows.length - LOAD_AHEAD) onLoadMore();
  }, [hasMore, loadingMore, busy, lastRendered, modelRows.length, onLoadMore]);

  function moveTo(i: number): boolean {
    if (i < 0 || i >= modelRows.length) return false;
    setActive(i);
    pendingFocus.current = i;
    virtualizer.scrollToIndex(i, { align: 'auto' });
    const row = modelRows[i]!;
    const button = buttons.current.get(row.original.id);
    if (button && i === activeIndex) {
      pendingFocus.current = null;
      button.focus({ preventScroll: true });
      revealInWindow(button);
    }
    return true;
  }

  useImperativeHandle(ref, () => ({
    focusActive: () => moveTo(activeIndex),
    focusEmployee: (id: number) => {
      const i = modelRows.findIndex((r) => r.original.id === id);
      return i >= 0 && moveTo(i);
    },
  }));

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, i: number) {
    const last = modelRows.length - 1;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(Math.min(i + 1, last));
        break;
      case 'ArrowUp':
        if (i === 0) onLeaveTop();
        else moveTo(i - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(last);
        break;
      case 'PageDown':
        moveTo(Math.min(i + 10, last));
        break;
      case 'PageUp':
        moveTo(Math.max(i - 10, 0));
        break;
      case 'Escape':
        onLeaveTop();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  // Rows are memoised: hand them handlers that stay the same while reading the latest state.
  const keyHandler = useRef(onKeyDown);
  keyHandler.current = onKeyDown;
  const onRowKeyDown = useCallback((e: KeyboardEvent<HTMLButtonElement>, i: number) => keyHandler.current(e, i), []);

  const rowCount = total !== null ? total + 1 : hasMore ? -1 : modelRows.length + 1;
  const registerButton = useCallback((id: number, el: HTMLButtonElement | null) => {
    if (el) buttons.current.set(id, el);
    else buttons.current.delete(id);
  }, []);

  return (
    <div className={classes.resultsFrame} data-busy={busy || undefined}>
      <div ref={scrollRef} className={classes.resultsScroll} data-testid="results">
        <table
          className={classes.results}
          role="table"
          aria-label="Search results"
          aria-rowcount={rowCount}
          aria-busy={busy || loadingMore || undefined}
        >
          <thead ref={headRef} role="rowgroup" className={classes.head}>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} role="row" aria-rowindex={1} className={classes.grid}>
                {group.headers.map((header) => {
                  const id = header.column.id as ColumnKey;
                  const sorted = sort.by === id ? sort.dir : null;
                  const icon = sorted === 'asc' ? ICON_ASC : sorted === 'desc' ? ICON_DESC : ICON_UNSORTED;
                  return (
                    <th
                      key={header.id}
                      role="columnheader"
                      scope="col"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    >
                      <button
                        type="button"
                        className={classes.sortButton}
                        data-sorted={sorted ?? undefined}
                        // Explicit direction: the first click sorts A to Z, the next one Z to A.
                        onClick={() => header.column.toggleSorting(sorted === 'asc')}
                      >
                        <table.FlexRender header={header} />
                        {icon}
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody ref={bodyRef} role="rowgroup" className={classes.body} style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = modelRows[item.index];
              if (!row) return null;
              const i = item.index;
              return (
                <ResultRow
                  key={row.id}
                  employee={row.original}
                  index={i}
                  active={i === activeIndex}
                  top={item.start - virtualizer.options.scrollMargin}
                  register={registerButton}
                  onOpen={onOpen}
                  onFocusRow={setActive}
                  onKeyDown={onRowKeyDown}
                />
              );
            })}
          </tbody>
        </table>
      </div>
      {loadingMore ? (
        <Text size="sm" c="dimmed" className={classes.more} role="status">
          <Loader size={14} aria-hidden="true" /> Loading more…
        </Text>
      ) : null}
    </div>
  );
});
