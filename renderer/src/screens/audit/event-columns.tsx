/** The audit events table's columns: when, who, action, result, employee, ticket and the details. */
import { useMemo } from 'react';
import { Spoiler, Tooltip } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import type { AuditReportRow, AuditSortKey } from '../../../../shared/domain';
import { auditActionLabel, formatDateTime, formatNumber, formatRelative } from '../../format';
import { ResultBadge } from '../../components/badges';
import { None } from '../../components/ui';
import { detailLength, detailLines } from '../../audit-details';
import { useDeskNow } from '../../lib/session';
import { sortingFeatures } from '../../lib/useServerSortedTable';
import classes from './Audit.module.css';

export const SORT_WORDS: Record<AuditSortKey, { name: string; asc: string; desc: string }> = {
  time: { name: 'when', asc: 'oldest first', desc: 'newest first' },
  actor: { name: 'who', asc: 'A to Z', desc: 'Z to A' },
  action: { name: 'action', asc: 'A to Z', desc: 'Z to A' },
  result: { name: 'result', asc: 'done first', desc: 'refused first' },
};

function RelativeLabel({ iso, seq }: { iso: string; seq: number }) {
  const now = useDeskNow();
  return (
    <>
      {formatRelative(iso, now)} · event #{formatNumber(seq)}
    </>
  );
}

function When({ iso, seq }: { iso: string; seq: number }) {
  return (
    <Tooltip label={<RelativeLabel iso={iso} seq={seq} />} events={{ hover: true, focus: false, touch: false }} position="top-start">
      <time dateTime={iso} className={classes.when}>
        {formatDateTime(iso)}
      </time>
    </Tooltip>
  );
}

function Details({ row }: { row: AuditReportRow }) {
  const lines = useMemo(() => detailLines(row.details), [row.details]);
  if (lines.length === 0) return <None />;
  const text = (
    <div className={classes.details}>
      {lines.map((l, i) => (
        <span key={i} className={classes.detail}>
          {i > 0 ? (
            <span aria-hidden="true" className={classes.detailSep}>
              {' · '}
            </span>
          ) : null}
          <span className={classes.detailKey}>{l.label}:</span> {l.value}
          {i < lines.length - 1 ? <span className="visually-hidden">;</span> : null}
        </span>
      ))}
    </div>
  );
  if (detailLength(lines) <= 150) return text;
  return (
    <Spoiler
      maxHeight={44}
      showLabel="Show all"
      hideLabel="Show less"
      showAriaLabel={`Show all details of event #${row.seq}`}
      hideAriaLabel={`Show less of event #${row.seq}`}
      classNames={{ control: classes.spoilerControl }}
    >
      {text}
    </Spoiler>
  );
}

// The main process sorts (see useServerSortedTable); rows come a keyset page at a time.
const column = createColumnHelper<typeof sortingFeatures, AuditReportRow>();
export const columns = column.columns([
  column.accessor('occurredAt', { id: 'time', header: 'When', cell: (info) => <When iso={info.getValue()} seq={info.row.original.seq} /> }),
  column.accessor('actor', { id: 'actor', header: 'Who', cell: (info) => <span className={classes.wrap}>{info.getValue()}</span> }),
  column.accessor('action', { id: 'action', header: 'Action', cell: (info) => auditActionLabel(info.getValue()) }),
  column.accessor('result', { id: 'result', header: 'Result', cell: (info) => <ResultBadge result={info.getValue()} /> }),
  column.accessor((r) => r.employeeNumber ?? (r.employeeId !== null ? `#${r.employeeId}` : ''), {
    id: 'employee',
    header: 'Employee',
    enableSorting: false,
    cell: (info) => info.getValue() || <None />,
  }),
  column.accessor((r) => r.ticketRef ?? '', {
    id: 'ticket',
    header: 'Ticket',
    enableSorting: false,
    cell: (info) => (info.getValue() ? <span className={classes.wrap}>{info.getValue()}</span> : <None />),
  }),
  column.display({ id: 'details', header: 'Details', cell: (info) => <Details row={info.row.original} /> }),
]);
export const getRowId = (r: AuditReportRow) => String(r.seq);
export const SORTABLE = new Set<string>(['time', 'actor', 'action', 'result']);
export const COL_CLASS: Record<string, string | undefined> = {
  time: classes.colTime,
  actor: classes.colActor,
  action: classes.colAction,
  result: classes.colResult,
  employee: classes.colEmployee,
  ticket: classes.colTicket,
  details: classes.colDetails,
};
