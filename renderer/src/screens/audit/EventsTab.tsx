/**
 * The audit events a supervisor asks for: a filter (days, who, action or family by name, employee,
 * ticket, result), the export of what it shows beside it, and the events sorted in the main process
 * (by time, actor, action or result) a keyset page at a time, with their count.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Anchor, Box, Button, Group, Loader, Paper, Progress, Select, Spoiler, Table, Text, TextInput, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type SortingState, type Updater } from '@tanstack/react-table';
import { IconAlertTriangle, IconArrowDown, IconArrowUp, IconArrowsSort, IconDownload } from '@tabler/icons-react';
import { AUDIT_ACTION_FAMILIES } from '../../../../shared/audit-actions';
import { AUDIT_EXPORT_FORMATS, type AuditReportFilter, type AuditReportRow, type AuditSortKey, type SortDirection } from '../../../../shared/domain';
import { auditActionLabel, formatDateTime, formatNumber, formatRelative, plural } from '../../format';
import { errorText } from '../../lib/feedback';
import { fieldErrorsOf, focusFirstInvalid } from '../../lib/forms';
import { channelKey, useChannel } from '../../lib/query';
import { useCall } from '../../lib/session';
import { ActionButton } from '../../components/actions';
import { ResultBadge } from '../../components/badges';
import { Empty, None } from '../../components/ui';
import { detailLength, detailLines } from '../../audit-details';
import type { AuditExportState } from './useAuditExport';
import { UkDateInput } from './UkDateInput';
import classes from './Audit.module.css';

const PAGE = 50;

// ── The filter ────────────────────────────────────────────────────────────────────────────────

interface FilterValues {
  from: string | null;
  to: string | null;
  actor: string;
  action: string | null;
  employeeNumber: string;
  ticketRef: string;
  result: 'any' | 'ok' | 'refused';
}
const EMPTY: FilterValues = { from: null, to: null, actor: '', action: null, employeeNumber: '', ticketRef: '', result: 'any' };
const FIELDS = Object.keys(EMPTY);

function toFilter(v: FilterValues): AuditReportFilter {
  const t = (s: string | null) => s?.trim() || undefined;
  const f: AuditReportFilter = {};
  if (t(v.from)) f.from = t(v.from);
  if (t(v.to)) f.to = t(v.to);
  if (t(v.actor)) f.actor = t(v.actor);
  if (t(v.action)) f.action = t(v.action);
  if (t(v.employeeNumber)) f.employeeNumber = t(v.employeeNumber);
  if (t(v.ticketRef)) f.ticketRef = t(v.ticketRef);
  if (v.result !== 'any') f.result = v.result;
  return f;
}

/** The actions by family, by their names: a family's "(all)" entry asks for the whole family ("factor."). */
const ACTION_OPTIONS = AUDIT_ACTION_FAMILIES.map((f) => ({
  group: f.label,
  items: [{ value: `${f.family}.`, label: `${f.label} (all)` }, ...Object.entries(f.actions).map(([value, label]) => ({ value, label }))],
}));

const RESULT_OPTIONS = [
  { value: 'any', label: 'Any' },
  { value: 'ok', label: 'Done' },
  { value: 'refused', label: 'Refused' },
];

/** A filter's issue path ("filter.employeeNumber") as the form field it names. */
const filterPath = (path: string) => (path.startsWith('filter.') ? path.slice('filter.'.length) : null);

// ── The table ─────────────────────────────────────────────────────────────────────────────────

const SORT_WORDS: Record<AuditSortKey, { name: string; asc: string; desc: string }> = {
  time: { name: 'when', asc: 'oldest first', desc: 'newest first' },
  actor: { name: 'who', asc: 'A to Z', desc: 'Z to A' },
  action: { name: 'action', asc: 'A to Z', desc: 'Z to A' },
  result: { name: 'result', asc: 'done first', desc: 'refused first' },
};

function RelativeLabel({ iso, seq }: { iso: string; seq: number }) {
  return (
    <>
      {formatRelative(iso, new Date())} · event #{formatNumber(seq)}
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

// Sorting lives in the main process (manualSorting, no sorted row model): rows are shown in the
// order they arrive, a keyset page at a time.
const features = tableFeatures({ rowSortingFeature });
const column = createColumnHelper<typeof features, AuditReportRow>();
const columns = column.columns([
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
const getRowId = (r: AuditReportRow) => String(r.seq);
const SORTABLE = new Set<string>(['time', 'actor', 'action', 'result']);
const COL_CLASS: Record<string, string | undefined> = {
  time: classes.colTime,
  actor: classes.colActor,
  action: classes.colAction,
  result: classes.colResult,
  employee: classes.colEmployee,
  ticket: classes.colTicket,
  details: classes.colDetails,
};

// ── The tab ───────────────────────────────────────────────────────────────────────────────────

export function EventsTab({ exporter }: { exporter: AuditExportState }) {
  const call = useCall();
  const [filter, setFilter] = useState<AuditReportFilter>({});
  const [sort, setSort] = useState<{ by: AuditSortKey; dir: SortDirection }>({ by: 'time', dir: 'desc' });
  const formRef = useRef<HTMLFormElement>(null);
  // Below 1200 px the cells' padding gives way to their text.
  const wide = useMediaQuery('(min-width: 1200px)', true, { getInitialValueInEffect: false });
  const form = useForm<FilterValues>({ mode: 'controlled', initialValues: EMPTY });

  const events = useInfiniteQuery({
    queryKey: [...channelKey('audit.report'), { filter, sort }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => call('audit.report', { filter, sort, cursor: pageParam, limit: PAGE }, { signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const total = useChannel('audit.reportCount', { filter });

  const error = events.error ?? total.error ?? null;
  const problems = error ? fieldErrorsOf(error, FIELDS, filterPath) : null;
  const invalid = problems !== null && Object.keys(problems.fields).length > 0;
  const formShown = JSON.stringify(toFilter(form.values)) === JSON.stringify(filter);
  const fieldError = (name: keyof FilterValues) => form.errors[name] ?? (formShown ? problems?.fields[name] : undefined);

  // The main process refused the filter: the first field it names takes the focus.
  useEffect(() => {
    if (invalid) focusFirstInvalid(formRef.current ?? document);
  }, [invalid, events.errorUpdatedAt, total.errorUpdatedAt]);

  const apply = form.onSubmit((values) => {
    const next = toFilter(values);
    if (JSON.stringify(next) === JSON.stringify(filter)) {
      void events.refetch();
      void total.refetch();
    } else setFilter(next);
  });

  const clear = () => {
    form.setValues(EMPTY);
    form.clearErrors();
    setFilter({});
  };

  const rows = useMemo(() => (events.isError ? [] : (events.data?.pages.flatMap((p) => p.rows) ?? [])), [events.isError, events.data]);

  const sorting = useMemo<SortingState>(() => [{ id: sort.by, desc: sort.dir === 'desc' }], [sort]);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const first = (typeof updater === 'function' ? updater(sorting) : updater)[0];
      if (first && SORTABLE.has(first.id)) setSort({ by: first.id as AuditSortKey, dir: first.desc ? 'desc' : 'asc' });
    },
    [sorting],
  );
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange,
  });

  const refreshing = events.isFetching && !events.isFetchingNextPage;
  const dimmed = refreshing && events.isPlaceholderData;
  const exportUnavailable = invalid ? 'Fix the filter first: the export takes what the table shows.' : null;

  return (
    <Box>
      <div className={classes.filterRow}>
        <Paper p="sm" className={classes.filterPanel}>
          <form ref={formRef} aria-label="Filter audit events" onSubmit={apply} noValidate>
            <div className={classes.filterGrid}>
              <UkDateInput
                {...form.getInputProps('from')}
                error={fieldError('from')}
                label="From"
                clearable
                clearButtonProps={{ 'aria-label': 'Clear the first day' }}
              />
              <UkDateInput
                {...form.getInputProps('to')}
                error={fieldError('to')}
                label="To"
                clearable
                clearButtonProps={{ 'aria-label': 'Clear the last day' }}
              />
              <TextInput {...form.getInputProps('actor')} error={fieldError('actor')} label="Who" placeholder="Desk username, or system" autoComplete="off" spellCheck={false} />
              <Select
                {...form.getInputProps('action')}
                error={fieldError('action')}
                label="Action"
                placeholder="Any action"
                data={ACTION_OPTIONS}
                searchable
                clearable
                allowDeselect
                nothingFoundMessage="No action by that name"
                maxDropdownHeight={360}
                comboboxProps={{ width: 340, position: 'bottom-start', withinPortal: true }}
                clearButtonProps={{ 'aria-label': 'Clear the action' }}
              />
              <TextInput
                {...form.getInputProps('employeeNumber')}
                error={fieldError('employeeNumber')}
                label="Employee number"
                placeholder="8 digits"
                inputMode="numeric"
                autoComplete="off"
              />
              <TextInput {...form.getInputProps('ticketRef')} error={fieldError('ticketRef')} label="Ticket" placeholder="Reference" autoComplete="off" spellCheck={false} />
              <Select {...form.getInputProps('result')} error={fieldError('result')} label="Result" data={RESULT_OPTIONS} />
              <Group gap="xs" className={classes.filterButtons} wrap="nowrap">
                <Button type="submit" px="sm" loading={dimmed} loaderProps={{ type: 'dots' }}>
                  Show events
                </Button>
                <Button type="button" variant="default" px="sm" onClick={clear}>
                  Clear
                </Button>
              </Group>
            </div>
          </form>
        </Paper>
        <ExportPanel exporter={exporter} filter={filter} unavailable={exportUnavailable} />
      </div>

      <Group justify="space-between" align="center" mt="md" mb={6} gap="sm" wrap="wrap">
        <Group gap="sm" align="center">
          <CountLine total={total} invalid={invalid} />
          {refreshing ? <Loader size="xs" type="dots" aria-label="Loading events" /> : null}
        </Group>
        <Text size="sm" c="dimmed">
          Sorted by {SORT_WORDS[sort.by].name}, {SORT_WORDS[sort.by][sort.dir]}
        </Text>
      </Group>

      {events.isError && !invalid ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />} title="The events could not be read" mb="sm">
          {errorText(events.error)}{' '}
          <Button variant="subtle" size="compact-sm" onClick={() => void events.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : null}

      <Box className={dimmed ? classes.dimmed : undefined} hidden={events.isError || (events.isSuccess && rows.length === 0)}>
        <Table layout="fixed" aria-label="Audit events" aria-busy={refreshing || undefined} horizontalSpacing={wide ? 10 : 7} highlightOnHover withTableBorder stickyHeader stickyHeaderOffset={52} className={classes.eventsTable}>
          <colgroup>
            {table.getAllLeafColumns().map((c) => (
              <col key={c.id} className={COL_CLASS[c.id]} />
            ))}
          </colgroup>
          <Table.Thead>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => {
                  const id = header.column.id;
                  const sorted = sort.by === id ? sort.dir : null;
                  return (
                    <Table.Th key={header.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                      {SORTABLE.has(id) ? (
                        <UnstyledButton className={classes.sortButton} onClick={() => header.column.toggleSorting(sorted === 'asc')} data-sorted={sorted ?? undefined}>
                          <table.FlexRender header={header} />
                          {sorted === 'asc' ? (
                            <IconArrowUp size={14} aria-hidden="true" />
                          ) : sorted === 'desc' ? (
                            <IconArrowDown size={14} aria-hidden="true" />
                          ) : (
                            <IconArrowsSort size={14} aria-hidden="true" className={classes.sortIdle} />
                          )}
                        </UnstyledButton>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {table.getRowModel().rows.map((row) => (
              <Table.Tr key={row.id}>
                {row.getAllCells().map((cell) => (
                  <Table.Td key={cell.id} className={cell.column.id === 'details' ? classes.detailsCell : undefined}>
                    <table.FlexRender cell={cell} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>

      {events.isError && invalid ? (
        <Text size="sm" c="dimmed" mt="sm">
          The events show once the filter above is right.
        </Text>
      ) : null}
      {events.isPending ? (
        <Group gap="xs" mt="sm">
          <Loader size="sm" type="dots" aria-hidden="true" />
          <Text size="sm">Loading events…</Text>
        </Group>
      ) : null}
      {events.isSuccess && rows.length === 0 && !refreshing ? (
        <Empty
          title="No events match this filter."
          action={
            Object.keys(filter).length > 0 ? (
              <Button variant="default" size="xs" onClick={clear}>
                Clear the filter
              </Button>
            ) : undefined
          }
        >
          {Object.keys(filter).length > 0 ? 'Widen the days, or clear a field of the filter.' : 'Nothing has been recorded yet.'}
        </Empty>
      ) : null}

      {events.hasNextPage && !events.isError ? (
        <Group mt="sm" gap="sm">
          <Button variant="default" onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage} disabled={refreshing && !events.isFetchingNextPage}>
            Show more events
          </Button>
          <Text size="sm" c="dimmed">
            Showing {formatNumber(rows.length)}
            {total.data ? ` of ${formatNumber(total.data.count)}` : ''}
          </Text>
        </Group>
      ) : null}
    </Box>
  );
}

/** "1,234 events": counting, the count, or why there is none. */
function CountLine({ total, invalid }: { total: ReturnType<typeof useChannel<'audit.reportCount'>>; invalid: boolean }) {
  if (total.isError) {
    return (
      <Text role="status" size="sm" fw={600} c="red.8" data-testid="audit-events-count">
        Not counted: {invalid ? 'the filter needs fixing where it is marked in red.' : errorText(total.error)}
      </Text>
    );
  }
  return (
    <Text role="status" size="sm" fw={600} data-testid="audit-events-count">
      {total.isFetching || !total.data ? 'Counting…' : plural(total.data.count, 'event', 'events')}
    </Text>
  );
}

// ── The export ────────────────────────────────────────────────────────────────────────────────

function ExportPanel({ exporter, filter, unavailable }: { exporter: AuditExportState; filter: AuditReportFilter; unavailable: string | null }) {
  const { job, download, preparing, starting, cancelling } = exporter;
  const running = job?.state === 'running';
  const busy = running ? 'An export is running: wait for it, or cancel it.' : starting ? 'An export is starting.' : null;
  const percent = job && job.total ? Math.min(100, Math.round((job.rows / job.total) * 100)) : null;

  return (
    <Paper component="section" aria-labelledby="audit-export" p="sm" className={classes.exportPanel}>
      <Group gap={6} wrap="nowrap">
        <IconDownload size={16} aria-hidden="true" />
        <Title order={2} id="audit-export" fz="sm">
          Export
        </Title>
      </Group>
      <Text size="xs" c="dimmed" mb={8}>
        The events the filter shows, with the signed chain head.
      </Text>
      <Group gap={6} wrap="nowrap">
        {AUDIT_EXPORT_FORMATS.map((format) => (
          <ActionButton
            key={format}
            variant="default"
            size="xs"
            px={12}
            loading={starting === format}
            unavailable={unavailable ?? (starting === format ? null : busy)}
            onClick={() => exporter.start(filter, format)}
          >
            <span className="visually-hidden">Export </span>
            {format.toUpperCase()}
          </ActionButton>
        ))}
      </Group>
      <div role="status" aria-live="polite" className={classes.exportStatus}>
        {job ? (
          job.state === 'running' ? (
            <>
              <Progress value={percent ?? 100} animated={percent === null} size="sm" aria-label="Export progress" mt={8} />
              <Text size="xs" mt={4}>
                {formatNumber(job.rows)}
                {job.total !== null ? ` of ${formatNumber(job.total)}` : ''} events written…
              </Text>
              <Button variant="light" color="red" size="compact-xs" mt={6} onClick={exporter.cancel} loading={cancelling}>
                Cancel the export
              </Button>
            </>
          ) : job.state === 'done' ? (
            job.savedTo ? (
              <Text size="xs" mt={8} className={classes.wrap}>
                Exported {plural(job.rows, 'event', 'events')} to {job.savedTo}.
              </Text>
            ) : download ? (
              <Box mt={8}>
                <Text size="xs">Exported {plural(job.rows, 'event', 'events')}.</Text>
                <Anchor href={download.url} download={download.name} size="sm" fw={600} className={classes.downloadLink}>
                  <IconDownload size={15} aria-hidden="true" className={classes.downloadIcon} />
                  Download {download.name}
                </Anchor>
              </Box>
            ) : preparing ? (
              <Group gap={6} mt={8}>
                <Loader size="xs" type="dots" aria-hidden="true" />
                <Text size="xs">Preparing the download…</Text>
              </Group>
            ) : null
          ) : job.state === 'cancelled' ? (
            <Text size="xs" mt={8}>
              The export was cancelled; nothing was kept.
            </Text>
          ) : (
            <Text size="xs" mt={8} c="red.8">
              The export failed: {job.error ?? 'no reason given'}. Try again, or narrow the filter.
            </Text>
          )
        ) : null}
      </div>
    </Paper>
  );
}
