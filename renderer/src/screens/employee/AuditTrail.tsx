/** The employee's audit trail, newest first; older events a keyset page at a time (employees.audit). */
import { useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Button, Group, List, Stack, Table, Text } from '@mantine/core';
import type { AuditEntry, AuditPage } from '../../../../shared/domain';
import { ResultBadge } from '../../components/badges';
import { RelativeTime } from '../../components/ui';
import { ColumnHeads, TableScroll } from '../../components/tables';
import { detailLines } from '../../audit-details';
import { auditActionLabel, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import classes from './employee.module.css';

export function AuditTrail({ employeeId, first, headingId, now }: { employeeId: number; first: AuditPage; headingId: string; now: Date }) {
  const [rows, setRows] = useState<AuditEntry[]>(first.rows);
  const [cursor, setCursor] = useState<string | null>(first.nextCursor);
  const [message, setMessage] = useState('');
  const endRef = useRef<HTMLParagraphElement>(null);
  const noteId = useId();
  const older = useChannelMutation('employees.audit');

  async function showOlder() {
    if (older.isPending || cursor === null) return;
    try {
      const page = await older.mutateAsync({ employeeId, cursor });
      // Put on the page now, so that the note below is there to take the focus.
      flushSync(() => {
        setRows((r) => r.concat(page.rows));
        setCursor(page.nextCursor);
        setMessage(`Loaded ${plural(page.rows.length, 'older event', 'older events')}.` + (page.nextCursor === null ? ' That is the whole audit trail.' : ''));
      });
      // The button goes once everything is shown: keep the reading position on the note instead.
      if (page.nextCursor === null) endRef.current?.focus();
    } catch (err) {
      notify.error(err, 'Older events could not be loaded');
    }
  }

  if (rows.length === 0) return <Text size="sm">No events recorded for this employee.</Text>;
  return (
    <Stack gap={6}>
      <Text size="xs" c="dimmed">
        Newest first.
      </Text>
      <TableScroll labelledBy={headingId}>
        <Table aria-labelledby={headingId} className={`${classes.table} ${classes.auditTable}`}>
          <ColumnHeads columns={['When', 'Who', 'What', 'Details']} />
          <Table.Tbody>
            {rows.map((a) => (
              <AuditRow key={a.id} entry={a} now={now} />
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <Text size="sm" role="status" c="dimmed">
        {older.isPending ? 'Loading older events…' : message}
      </Text>
      {cursor !== null ? (
        <Group>
          <Button variant="default" size="xs" onClick={() => void showOlder()} loading={older.isPending} aria-describedby={noteId}>
            Show older events
          </Button>
          <span id={noteId} className="visually-hidden">
            {plural(rows.length, 'event', 'events')} shown so far
          </span>
        </Group>
      ) : (
        <Text size="sm" c="dimmed" ref={endRef} tabIndex={-1} className={classes.endNote}>
          {plural(rows.length, 'event', 'events')}: the whole audit trail is shown.
        </Text>
      )}
    </Stack>
  );
}

function AuditRow({ entry: a, now }: { entry: AuditEntry; now: Date }) {
  const details = detailLines(a.details);
  return (
    <Table.Tr>
      <Table.Td className={classes.nowrap}>
        <RelativeTime iso={a.occurredAt} now={now} />
      </Table.Td>
      <Table.Td className={classes.whoCell}>
        <span className={classes.wrap}>{a.actor}</span>
        {a.ticketRef ? (
          <Text size="xs" c="dimmed">
            Ticket {a.ticketRef}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={500}>
          {auditActionLabel(a.action)}
        </Text>
        <ResultBadge result={a.result} size="sm" />
      </Table.Td>
      <Table.Td className={classes.details}>
        {details.length === 0 ? (
          <Text size="xs" c="dimmed">
            No details
          </Text>
        ) : (
          <List size="xs" spacing={0} listStyleType="none" className={classes.detailList}>
            {details.map((d, i) => (
              <List.Item key={i}>
                <span className={classes.detailLabel}>{d.label}:</span> {d.value}
              </List.Item>
            ))}
          </List>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
