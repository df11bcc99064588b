/**
 * Admins: the desk users, with their state, and what can be done to them (add, change role,
 * disable or enable, reset the password or the authenticator app, lift a lock-out). Every change is
 * made and audited in the main process, which also refuses to disable or demote the last active
 * admin; each one that ends someone's sessions asks first, in a dialog that names the person. A
 * temporary password is shown once, where it was asked for; nothing else secret reaches this screen.
 */
import { useRef, useState } from 'react';
import { Badge, Button, Group, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { DeskUserView } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { can } from '../../../../shared/policy';
import { Empty, Loading, None, PageHeader, RelativeTime, SectionTitle } from '../../components/ui';
import { ColumnHeads, type Column } from '../../components/tables';
import { plural, ROLE_LABELS } from '../../format';
import { notify } from '../../lib/feedback';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { useDesk, useDeskNow } from '../../lib/session';
import { AddDeskUser } from './AddDeskUser';
import { StateBadges, UserMenu } from './DeskUserParts';
import { ROLE_COLORS, type Pending } from './desk-roles';
import { PendingChange } from './PendingChange';
import classes from './admin.module.css';

const COLUMNS: Column[] = [
  'Name',
  'Username',
  'Role',
  'State',
  'Authenticator',
  // A set width: the live "12 min ago" grows and shrinks; the columns stay where they are.
  { key: 'last', label: 'Last sign-in', w: 190 },
  { key: 'actions', label: <span className="visually-hidden">Actions</span> },
];

export function DeskUsersScreen() {
  const { session } = useDesk();
  const selfId = session.userId;
  // Others change too (a first sign-in, a lock-out, another admin): read again each time the screen opens.
  const users = useChannel('desk.users.list', {}, { refetchOnMount: 'always' });
  const queryClient = useQueryClient();
  const now = useDeskNow();
  // The change being confirmed; kept while its dialog closes, a new key for each new question.
  const [pending, setPending] = useState<{ change: Pending; open: boolean; key: number } | null>(null);
  const asked = useRef(0);
  const ask = (change: Pending) => setPending({ change, open: true, key: ++asked.current });
  const closePending = () => {
    const userId = pending?.change.user.id;
    setPending((p) => (p ? { ...p, open: false } : p));
    // Back to the row's menu button, so the keyboard carries on where it was.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-user-actions="${userId}"]`)?.focus());
  };

  const refresh = () => queryClient.invalidateQueries({ queryKey: channelKey('desk.users.list') });

  /** Report a refusal: the last-admin rules are the main process's; on your own row, say it is you. */
  function refused(err: unknown, user: DeskUserView) {
    const self = user.id === selfId;
    if (err instanceof DeskError && err.code === 'RULE_VIOLATION' && self) notify.error(err, 'You cannot do this to your own account');
    else notify.error(err);
  }

  const enable = useChannelMutation('desk.users.setEnabled', {
    onSettled: refresh,
  });
  const unlock = useChannelMutation('desk.users.unlock', { onSettled: refresh });

  const list = users.data ?? null;
  const activeAdmins = list ? list.filter((u) => can(u.role, 'desk.administer') && !u.disabled).length : 0;

  return (
    <div className="screen">
      <PageHeader
        title="Desk users"
        description="Who can sign in to MFA Desk, and with what role. A change to someone's role, password or authenticator ends their sessions at once."
      />
      <Stack gap="lg">
        <section aria-labelledby="desk-users-list">
          <SectionTitle id="desk-users-list" right={users.isFetching && list ? <Loader size="xs" aria-label="Refreshing the list" /> : null}>
            {list ? `${plural(list.length, 'desk user', 'desk users')}` : 'Desk users'}
          </SectionTitle>
          {users.isError && !list ? (
            <Empty title="The desk users could not be read">
              {users.error.message}{' '}
              <Button variant="subtle" size="compact-sm" onClick={() => void users.refetch()}>
                Try again
              </Button>
            </Empty>
          ) : !list ? (
            <Loading size="sm">Loading the desk users…</Loading>
          ) : (
            <Paper p={0} className={`table-scroll ${users.isFetching ? classes.dimmed : ''}`}>
              <Table highlightOnHover horizontalSpacing="xs" className={classes.usersTable} aria-busy={users.isFetching || undefined}>
                <caption className="visually-hidden">Desk users, with their role, state and last sign-in</caption>
                <ColumnHeads columns={COLUMNS} />
                <Table.Tbody>
                  {list.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Th scope="row" className={classes.nameCell}>
                        <Group gap={6} wrap="nowrap">
                          <Text size="sm" fw={600} truncate="end" title={u.displayName} miw={0}>
                            {u.displayName}
                          </Text>
                          {u.id === selfId ? (
                            <Badge size="sm" color="blue" variant="outline" style={{ flexShrink: 0 }}>
                              You
                            </Badge>
                          ) : null}
                        </Group>
                      </Table.Th>
                      <Table.Td className={classes.username}>{u.username}</Table.Td>
                      <Table.Td>
                        <Badge color={ROLE_COLORS[u.role]}>{ROLE_LABELS[u.role]}</Badge>
                      </Table.Td>
                      <Table.Td>
                        <StateBadges user={u} now={now} />
                      </Table.Td>
                      <Table.Td>
                        {u.totpEnrolled ? (
                          <Badge color="green">Set up</Badge>
                        ) : (
                          <Badge color="gray" variant="outline">
                            Not yet
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td className={classes.nowrap}>
                        {u.lastSigninAt ? <RelativeTime iso={u.lastSigninAt} now={now} /> : <None label="Never" />}
                      </Table.Td>
                      <Table.Td className={classes.actionsCell}>
                        <UserMenu
                          user={u}
                          self={u.id === selfId}
                          busy={(enable.isPending && enable.variables?.userId === u.id) || (unlock.isPending && unlock.variables?.userId === u.id)}
                          onAsk={(kind) => ask({ kind, user: u })}
                          onEnable={() =>
                            enable.mutate(
                              { userId: u.id, enabled: true },
                              {
                                onSuccess: (v) => notify.success(`${v.username} can sign in again.`),
                                onError: (err) => refused(err, u),
                              },
                            )
                          }
                          onUnlock={() =>
                            unlock.mutate(
                              { userId: u.id },
                              {
                                onSuccess: (v) => notify.success(`${v.username} is unlocked and can try again.`),
                                onError: (err) => refused(err, u),
                              },
                            )
                          }
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          )}
          {list && activeAdmins === 1 ? (
            <Text size="xs" c="dimmed" mt={6}>
              There is one active admin. The desk keeps at least one: that admin cannot be disabled or given another role
              until someone else is an admin.
            </Text>
          ) : null}
        </section>

        <AddDeskUser onAdded={() => void refresh()} />
      </Stack>

      {pending ? (
        <PendingChange
          key={pending.key}
          pending={pending.change}
          opened={pending.open}
          selfId={selfId}
          onClose={closePending}
          onChanged={() => void refresh()}
          onRefused={refused}
        />
      ) : null}
    </div>
  );
}
