/** The managers' queue: records to correct for tickets waiting on a manager (oldest first), and the latest done. */
import { useState } from 'react';
import { Alert, Button, Group, Paper, Stack, Tabs, Text } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { Link } from 'wouter';
import { Empty, Loading, LongText, PageHeader, RelativeTime } from '../../components/ui';
import { formatNumber } from '../../format';
import { useChannel } from '../../lib/query';
import { useDeskNow } from '../../lib/session';
import { routes } from '../../app/routes';
import classes from './Tickets.module.css';

export function ManagerTasksScreen() {
  const [status, setStatus] = useState<'open' | 'done'>('open');
  const open = useChannel('tasks.list', { status: 'open' }, { refetchInterval: 30_000 });
  const done = useChannel('tasks.list', { status: 'done' });
  const shown = status === 'open' ? open : done;
  const now = useDeskNow();

  return (
    <div className="screen screen--narrow">
      <PageHeader title="Manager tasks" description="Records to correct for tickets waiting on a manager. Saving the record sends the ticket back to its agent." />
      <Tabs value={status} onChange={(v) => v && setStatus(v as 'open' | 'done')} mb="md">
        <Tabs.List aria-label="Task status">
          <Tabs.Tab value="open" rightSection={open.data ? <span className={classes.tabCount}>{formatNumber(open.data.length)}</span> : null}>
            Open
          </Tabs.Tab>
          <Tabs.Tab value="done" rightSection={done.data ? <span className={classes.tabCount}>{formatNumber(done.data.length)}</span> : null}>
            Done
          </Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {shown.isError ? (
        <Alert color="red" title="The tasks could not be loaded" role="alert">
          {shown.error.message}
        </Alert>
      ) : !shown.data ? (
        <Loading>Loading tasks…</Loading>
      ) : shown.data.length === 0 ? (
        <Empty title={status === 'open' ? 'No task is waiting for a manager.' : 'No task has been done yet.'}>
          {status === 'open' ? 'Agents send a task here when a ticket needs the record corrected.' : null}
        </Empty>
      ) : (
        <Stack gap="sm">
          {shown.data.map((t) => (
            <Paper key={t.id} p="md" withBorder>
              <Stack gap={6}>
                <LongText>{t.description}</LongText>
                <Text size="sm" c="dimmed">
                  Ticket {t.ticketRef}, from {t.createdBy}, <RelativeTime iso={t.createdAt} now={now} />
                  {t.status === 'done' ? (
                    <>
                      ; done by {t.closedBy ?? 'a manager'} {t.closedAt ? <RelativeTime iso={t.closedAt} now={now} /> : null}
                    </>
                  ) : null}
                  .
                </Text>
                {t.status === 'open' ? (
                  <Group>
                    <Button component={Link} href={routes.employeeForTicket(t.employee.id, t.ticketRef)} rightSection={<IconArrowRight size={16} aria-hidden="true" />}>
                      Correct the record of {t.employee.name} ({t.employee.employeeNumber})
                    </Button>
                  </Group>
                ) : null}
              </Stack>
            </Paper>
          ))}
        </Stack>
      )}
    </div>
  );
}
