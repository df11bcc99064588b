/**
 * The inbox: tickets by status (with a count on every tab), yours or everyone's, found by reference
 * or employee number; by default the most urgent first (the ticket nearest to or past its service
 * level at the top). Arrow keys move between tickets, Enter opens one.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Anchor, Button, Group, Loader, NativeSelect, Switch, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { Link, useLocation } from 'wouter';
import { TICKET_CATEGORY_LABELS, type TicketListPage, type TicketStatus } from '../../../../shared/domain';
import { SlaBadge, TicketStatusBadge } from '../../components/badges';
import { Empty, Loading, None, PageHeader, RelativeTime } from '../../components/ui';
import { ColumnHeads } from '../../components/tables';
import { formatMinutes, formatNumber } from '../../format';
import { useDesk } from '../../lib/session';
import { useServerNow } from '../../lib/useServerNow';
import { useShell } from '../../app/shell-context';
import { routes } from '../../app/routes';
import classes from './Tickets.module.css';

type Tab = TicketStatus | 'active' | 'all';
type Sort = 'urgency' | 'newest';
const TABS: ReadonlyArray<{ tab: Tab; label: string; empty: string }> = [
  { tab: 'active', label: 'Not resolved', empty: 'No ticket is waiting to be resolved.' },
  { tab: 'open', label: 'Open', empty: 'No open tickets.' },
  { tab: 'waiting_employee', label: 'Waiting on employee', empty: 'No ticket is waiting on an employee.' },
  { tab: 'waiting_manager', label: 'Waiting on manager', empty: 'No ticket is waiting on a manager.' },
  { tab: 'resolved', label: 'Resolved', empty: 'No resolved tickets yet.' },
  { tab: 'all', label: 'All', empty: 'No tickets yet.' },
];

function tabCount(tab: Tab, counts: TicketListPage['counts']): number {
  if (tab === 'active') return counts.open + counts.waiting_employee + counts.waiting_manager;
  if (tab === 'all') return counts.open + counts.waiting_employee + counts.waiting_manager + counts.resolved;
  return counts[tab];
}

export function TicketInbox() {
  const { call } = useDesk();
  const { openNewTicket } = useShell();
  const [, navigate] = useLocation();
  const [tab, setTab] = useState<Tab>('active');
  const [mine, setMine] = useState(false);
  const [text, setText] = useState('');
  const [query] = useDebouncedValue(text.trim(), 150);
  // Resolved tickets are read newest first; everything else by urgency, unless chosen otherwise.
  const [sortChoice, setSortChoice] = useState<Sort | null>(null);
  const sort: Sort = sortChoice ?? (tab === 'resolved' ? 'newest' : 'urgency');
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  const list = useInfiniteQuery({
    queryKey: ['tickets.list', { status: tab, mine, query, sort }],
    queryFn: ({ pageParam, signal }) => call('tickets.list', { status: tab, mine, query, sort, cursor: pageParam, limit: 50 }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    // Ages move on: refresh the inbox every half minute while it is open.
    refetchInterval: 30_000,
  });
  const first = list.data?.pages[0];
  const rows = list.data?.pages.flatMap((p) => p.rows) ?? [];
  // Until the first page comes there are no rows to date (and no time to count from).
  const now = useServerNow(first?.serverTime ?? '', first !== undefined);
  const stale = list.isPlaceholderData;

  function onRowKey(e: KeyboardEvent<HTMLTableSectionElement>) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...(bodyRef.current?.querySelectorAll<HTMLAnchorElement>('a[data-ticket]') ?? [])];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = links[at + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }

  return (
    <div className="screen">
      <PageHeader
        title="Tickets"
        description={first ? `Service level: ${formatMinutes(first.slaMinutes)} (amber from three quarters of it, red past it).` : undefined}
      />
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false} mb="sm">
        <Tabs.List aria-label="Ticket status">
          {TABS.map((t) => (
            <Tabs.Tab key={t.tab} value={t.tab} rightSection={first ? <span className={classes.tabCount}>{formatNumber(tabCount(t.tab, first.counts))}</span> : null}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Group gap="md" mb="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Find a ticket"
          description="Its reference (or the start of it), or an 8-digit employee number."
          leftSection={<IconSearch size={14} aria-hidden="true" />}
          value={text}
          maxLength={64}
          onChange={(e) => setText(e.currentTarget.value)}
          w={320}
          autoComplete="off"
          spellCheck={false}
        />
        <NativeSelect
          label="Order"
          value={sort}
          onChange={(e) => setSortChoice(e.currentTarget.value as Sort)}
          data={[
            { value: 'urgency', label: 'Most urgent first' },
            { value: 'newest', label: 'Newest first' },
          ]}
          w={190}
        />
        <Switch label="Only tickets assigned to me" checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} mb={8} />
        {list.isFetching ? <Loader size="xs" aria-label="Refreshing" mb={10} /> : null}
      </Group>

      {list.isError ? (
        <Alert color="red" title="The tickets could not be loaded" role="alert">
          {list.error.message}
        </Alert>
      ) : !first ? (
        <Loading>Loading tickets…</Loading>
      ) : rows.length === 0 ? (
        <Empty title={query ? `No ticket matches “${query}”` : TABS.find((t) => t.tab === tab)!.empty} action={<Button variant="default" onClick={() => openNewTicket()}>Open a new ticket</Button>}>
          {query ? 'Check the reference, or look in another tab.' : 'New webchats start with New ticket.'}
        </Empty>
      ) : (
        <div className="table-scroll" aria-busy={stale || undefined} style={{ opacity: stale ? 0.55 : 1 }}>
          <Table className={classes.inboxTable} highlightOnHover stickyHeader aria-label="Tickets" verticalSpacing={7}>
            <colgroup>
              <col style={{ width: '16%' }} />
              <col style={{ width: '21%' }} />
              <col style={{ width: '19%' }} />
              <col style={{ width: '13%' }} />
              <col style={{ width: '11%' }} />
              <col style={{ width: '10%' }} />
              <col style={{ width: '10%' }} />
            </colgroup>
            <ColumnHeads columns={['Reference', 'Category', 'Employee', 'Status', 'Assignee', 'Opened', 'Age']} />
            <Table.Tbody ref={bodyRef} onKeyDown={onRowKey}>
              {rows.map((t) => (
                <Table.Tr
                  key={t.id}
                  className={classes.inboxRow}
                  onClick={(e) => {
                    if (!(e.target as Element).closest('a')) navigate(routes.ticket(t.id));
                  }}
                >
                  <Table.Td>
                    <Anchor component={Link} href={routes.ticket(t.id)} size="sm" className={classes.refLink} data-ticket={t.id} title={t.reference}>
                      {t.reference}
                    </Anchor>
                  </Table.Td>
                  <Table.Td title={TICKET_CATEGORY_LABELS[t.category]}>{TICKET_CATEGORY_LABELS[t.category]}</Table.Td>
                  <Table.Td title={t.employee ? `${t.employee.name} (${t.employee.employeeNumber})` : undefined}>
                    {t.employee ? t.employee.name : <None label="No employee linked" />}
                  </Table.Td>
                  <Table.Td>
                    <TicketStatusBadge status={t.status} />
                  </Table.Td>
                  <Table.Td>{t.assignee?.name ?? <None label="Nobody" />}</Table.Td>
                  <Table.Td>
                    <RelativeTime iso={t.openedAt} now={now} />
                  </Table.Td>
                  <Table.Td>
                    {t.status === 'resolved' ? (
                      <Text size="sm" c="dimmed" data-live-time="">
                        {formatMinutes(t.ageMinutes)}
                      </Text>
                    ) : (
                      <Group gap={4} wrap="nowrap">
                        <Text size="sm" className="num" data-live-time="">
                          {formatMinutes(t.ageMinutes)}
                        </Text>
                        {t.sla === 'ok' ? <span className="visually-hidden">Within SLA</span> : <SlaBadge sla={t.sla} size="xs" />}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {list.hasNextPage ? (
        <Group mt="sm">
          <Button variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Show more tickets
          </Button>
        </Group>
      ) : null}
    </div>
  );
}
