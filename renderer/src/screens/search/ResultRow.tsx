/** One row of the search results: the employee's name as a button, then number, organisation, status and MFA. */
import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import type { EmployeeSummary } from '../../../../shared/domain';
import { MFA_LABELS, STATUS_LABELS } from '../../format';
import classes from './search.module.css';

/**
 * The rows' badges are plain spans in the look (and colours) of the desk's Mantine badges
 * (components/badges.tsx): a page of results renders a hundred of them on every keystroke's answer,
 * and the look-up must paint its rows within a frame or two.
 */
const MFA_COLORS = { enabled: 'green', pending: 'yellow', not_registered: 'red' } as const;

interface RowProps {
  employee: EmployeeSummary;
  index: number;
  active: boolean;
  top: number;
  register: (id: number, el: HTMLButtonElement | null) => void;
  onOpen: (employee: EmployeeSummary) => void;
  onFocusRow: (i: number) => void;
  onKeyDown: (e: KeyboardEvent<HTMLButtonElement>, i: number) => void;
}

/** One result: only rows whose position or activity changed render again while scrolling. */
export const ResultRow = memo(function ResultRow({ employee: e, index: i, active, top, register, onOpen, onFocusRow, onKeyDown }: RowProps) {
  const name = `${e.lastName}, ${e.firstName}`;
  function onRowClick(ev: MouseEvent<HTMLTableRowElement>) {
    // Clicks on the button are handled by the button itself.
    if ((ev.target as Element).closest('button')) return;
    onOpen(e);
  }
  return (
    <tr
      data-index={i}
      role="row"
      aria-rowindex={i + 2}
      className={`${classes.grid} ${classes.row}`}
      data-active={active || undefined}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onRowClick}
    >
      <th role="rowheader" scope="row">
        <button
          type="button"
          className={classes.rowButton}
          tabIndex={active ? 0 : -1}
          title={name}
          ref={(el) => register(e.id, el)}
          onFocus={() => {
            if (!active) onFocusRow(i);
          }}
          onKeyDown={(ev) => onKeyDown(ev, i)}
          onClick={() => onOpen(e)}
        >
          {name}
        </button>
      </th>
      <td role="cell" className={classes.number}>
        {e.employeeNumber}
      </td>
      <td role="cell" title={e.organisation}>
        <span className={classes.ellipsis}>{e.organisation}</span>
      </td>
      <td role="cell">
        <span className={classes.badge} data-color={e.status === 'active' ? 'green' : 'gray'}>
          {STATUS_LABELS[e.status]}
        </span>
      </td>
      <td role="cell" className={classes.badges}>
        <span className={classes.badge} data-color={MFA_COLORS[e.mfaState]}>
          {MFA_LABELS[e.mfaState]}
        </span>
        {e.locked ? (
          <span className={classes.badge} data-color="red" data-filled="">
            Locked
          </span>
        ) : null}
      </td>
    </tr>
  );
});
