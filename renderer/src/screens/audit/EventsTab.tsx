/**
 * The audit events a supervisor asks for: a filter (days, who, action or family by name, employee,
 * ticket, result), the export of what it shows beside it, and the events sorted in the main process
 * (by time, actor, action or result) a keyset page at a time, with their count.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Box, Button, Group, Loader, Paper, Select, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { SortingState, Updater } from '@tanstack/react-table';
import { IconAlertTriangle, IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react';
import type { AuditReportFilter, AuditSortKey, SortDirection } from '../../../../shared/domain';
import { formatNumber, plural } from '../../format';
import { errorText } from '../../lib/feedback';
import { fieldErrorsOf, focusFirstInvalid } from '../../lib/forms';
import { channelKey, useChannel } from '../../lib/query';
import { useCall } from '../../lib/session';
import { Empty } from '../../components/ui';
import { useServerSortedTable } from '../../lib/useServerSortedTable';
import { COL_CLASS, SORTABLE, SORT_WORDS, columns, getRowId } from './event-columns';
import { ACTION_OPTIONS, EMPTY, FIELDS, RESULT_OPTIONS, filterPath, toFilter, type FilterValues } from './events-filter';
import { ExportPanel } from './ExportPanel';
import type { AuditExportState } from './useAuditExport';
import { UkDateInput } from './UkDateInput';
import classes from './Audit.module.css';

const PAGE = 50;

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
  const table = useServerSortedTable({ columns, data: rows, getRowId, sorting, onSortingChange });

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
