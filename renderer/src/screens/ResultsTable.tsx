import { useImperativeHandle, useRef, useState, type KeyboardEvent, type MouseEvent, type Ref } from 'react';
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import type { EmployeeSummary } from '../../../shared/domain';
import { MFA_LABELS, STATUS_LABELS } from '../format';

export interface ResultsTableHandle {
  /** Focus the active row (the first, unless one was chosen). False when there is no row. */
  focusActive(): boolean;
  /** Focus the row of this employee, if listed. */
  focusEmployee(id: number): boolean;
}

// Core features only: the server does the searching, the table lays out the rows.
const features = tableFeatures({});
const column = createColumnHelper<typeof features, EmployeeSummary>();
const columns = column.columns([
  column.accessor((e) => `${e.lastName}, ${e.firstName}`, { id: 'name', header: 'Name' }),
  column.accessor('employeeNumber', { header: 'Employee number' }),
  column.accessor('organisation', { header: 'Organisation' }),
  column.accessor('status', {
    header: 'Status',
    cell: (info) => <span className={`badge badge--${info.getValue()}`}>{STATUS_LABELS[info.getValue()]}</span>,
  }),
  column.accessor('mfaState', {
    header: 'MFA',
    cell: (info) => <span className={`badge badge--mfa-${info.getValue()}`}>{MFA_LABELS[info.getValue()]}</span>,
  }),
]);
const getRowId = (e: EmployeeSummary) => String(e.id);

interface Props {
  rows: EmployeeSummary[];
  busy: boolean;
  onOpen: (employee: EmployeeSummary) => void;
  /** ArrowUp on the first row or Escape: back to the search box. */
  onLeaveTop: () => void;
  ref?: Ref<ResultsTableHandle>;
}

/**
 * Search results as a real table. Each row has a button (its accessible name is the employee's
 * name) in a row header cell; one button at a time is in the tab order (roving tabindex) and the
 * arrow keys move between rows. Enter or a click opens the employee.
 */
export function ResultsTable({ rows, busy, onOpen, onLeaveTop, ref }: Props) {
  const table = useTable({ features, columns, data: rows, getRowId });
  const [active, setActive] = useState(0);
  const buttons = useRef(new Map<number, HTMLButtonElement>());

  // New results: start again from the first row.
  const [shownRows, setShownRows] = useState(rows);
  if (rows !== shownRows) {
    setShownRows(rows);
    setActive(0);
  }

  const modelRows = table.getRowModel().rows;

  function focusIndex(i: number): boolean {
    const row = modelRows[i];
    if (!row) return false;
    setActive(i);
    buttons.current.get(row.original.id)?.focus();
    return true;
  }

  useImperativeHandle(ref, () => ({
    focusActive: () => focusIndex(Math.min(active, modelRows.length - 1)),
    focusEmployee: (id: number) => {
      const i = modelRows.findIndex((r) => r.original.id === id);
      return i >= 0 && focusIndex(i);
    },
  }));

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, i: number) {
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        focusIndex(Math.min(i + 1, modelRows.length - 1));
        break;
      case 'ArrowUp':
        if (i === 0) onLeaveTop();
        else focusIndex(i - 1);
        break;
      case 'Home':
        focusIndex(0);
        break;
      case 'End':
        focusIndex(modelRows.length - 1);
        break;
      case 'PageDown':
        focusIndex(Math.min(i + 10, modelRows.length - 1));
        break;
      case 'PageUp':
        focusIndex(Math.max(i - 10, 0));
        break;
      case 'Escape':
        onLeaveTop();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  function onRowClick(e: MouseEvent<HTMLTableRowElement>, employee: EmployeeSummary) {
    // Clicks on the button are handled by the button itself.
    if ((e.target as Element).closest('button')) return;
    onOpen(employee);
  }

  return (
    <div className="table-wrap">
      <table className="results" aria-busy={busy || undefined}>
        <caption className="visually-hidden">Search results</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {modelRows.map((row, i) => (
            <tr key={row.id} className={i === active ? 'results__row results__row--active' : 'results__row'} onClick={(e) => onRowClick(e, row.original)}>
              {row.getAllCells().map((cell) =>
                cell.column.id === 'name' ? (
                  <th key={cell.id} scope="row">
                    <button
                      type="button"
                      className="row-button"
                      tabIndex={i === active ? 0 : -1}
                      ref={(el) => {
                        if (el) buttons.current.set(row.original.id, el);
                        else buttons.current.delete(row.original.id);
                      }}
                      onFocus={() => setActive(i)}
                      onKeyDown={(e) => onKeyDown(e, i)}
                      onClick={() => onOpen(row.original)}
                    >
                      {String(cell.getValue())}
                    </button>
                  </th>
                ) : (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
