/**
 * Admins: the desk users, with their state, and what can be done to them (add, change role,
 * disable or enable, reset the password or the authenticator app, lift a lock-out). Every change is
 * made and audited in the main process, which also refuses to disable or demote the last active
 * admin; each one that ends someone's sessions asks first, in a dialog that names the person. A
 * temporary password is shown once, where it was asked for; nothing else secret reaches this screen.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ActionIcon, Badge, Button, Group, Loader, Menu, NativeSelect, Paper, Radio, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import {
  IconDots,
  IconKey,
  IconLockOpen,
  IconRefresh,
  IconUserCheck,
  IconUserCog,
  IconUserOff,
  IconUserPlus,
} from '@tabler/icons-react';
import { DESK_ROLES, type DeskRole, type DeskUserView, type DeskUserWithTemporaryPassword } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { Empty, None, PageHeader, RelativeTime, SectionTitle } from '../../components/ui';
import { formatDateTime, plural, ROLE_LABELS } from '../../format';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { ConfirmDialog } from './ConfirmDialog';
import { TemporaryPassword } from './TemporaryPassword';
import classes from './admin.module.css';

/** What each role does, for the add form and the role dialog. */
const ROLE_DUTIES: Record<DeskRole, string> = {
  agent: 'Works webchat tickets: looks up employees, verifies callers, re-registers factors.',
  manager: 'Corrects employee records (the emails on record); takes no calls.',
  supervisor: 'Everything an agent does, plus overrides and the audit reports.',
  admin: 'Everything, plus desk users, settings and HR imports.',
};

const ROLE_COLORS: Record<DeskRole, string> = { agent: 'gray', manager: 'gray', supervisor: 'gray', admin: 'blue' };

/** A change that needs a confirmation: each of these ends the desk user's sessions. */
type Pending =
  | { kind: 'disable'; user: DeskUserView }
  | { kind: 'resetPassword'; user: DeskUserView }
  | { kind: 'resetTotp'; user: DeskUserView }
  | { kind: 'role'; user: DeskUserView };

/** The time now, moved on every 30 seconds (for "12 min ago" and lock-outs). */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

export function DeskUsersScreen() {
  const { session } = useDesk();
  const selfId = session.userId;
  // Others change too (a first sign-in, a lock-out, another admin): read again each time the screen opens.
  const users = useChannel('desk.users.list', {}, { refetchOnMount: 'always' });
  const queryClient = useQueryClient();
  const now = useNow();
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
  const activeAdmins = list ? list.filter((u) => u.role === 'admin' && !u.disabled).length : 0;

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
            <Group gap="xs" role="status">
              <Loader size="sm" aria-hidden="true" />
              <Text size="sm">Loading the desk users…</Text>
            </Group>
          ) : (
            <Paper p={0} className={`table-scroll ${users.isFetching ? classes.dimmed : ''}`}>
              <Table highlightOnHover horizontalSpacing="xs" className={classes.usersTable} aria-busy={users.isFetching || undefined}>
                <caption className="visually-hidden">Desk users, with their role, state and last sign-in</caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Username</Table.Th>
                    <Table.Th scope="col">Role</Table.Th>
                    <Table.Th scope="col">State</Table.Th>
                    <Table.Th scope="col">Authenticator</Table.Th>
                    {/* A set width: the live "12 min ago" grows and shrinks; the columns stay where they are. */}
                    <Table.Th scope="col" w={190}>
                      Last sign-in
                    </Table.Th>
                    <Table.Th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
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

        <AddDeskUser onAdded={refresh} />
      </Stack>

      {pending ? (
        <PendingChange
          key={pending.key}
          pending={pending.change}
          opened={pending.open}
          selfId={selfId}
          onClose={closePending}
          onChanged={refresh}
          onRefused={refused}
        />
      ) : null}
    </div>
  );
}

function StateBadges({ user: u, now }: { user: DeskUserView; now: Date }) {
  const badges: ReactNode[] = [];
  badges.push(
    u.disabled ? (
      <Badge key="state" color="gray" variant="filled">
        Disabled
      </Badge>
    ) : (
      <Badge key="state" color="green">
        Active
      </Badge>
    ),
  );
  if (u.lockedUntil) {
    const minutes = Math.max(1, Math.ceil((new Date(u.lockedUntil).getTime() - now.getTime()) / 60_000));
    const exact = formatDateTime(u.lockedUntil);
    badges.push(
      <Tooltip key="locked" label={`Locked out until ${exact} after too many failed sign-ins`} events={{ hover: true, focus: false, touch: false }}>
        <Badge color="red" variant="filled">
          Locked, {minutes} min left<span className="visually-hidden"> (until {exact})</span>
        </Badge>
      </Tooltip>,
    );
  } else if (u.failedSignins > 0) {
    badges.push(
      <Badge key="failed" color="yellow">
        {plural(u.failedSignins, 'failed sign-in', 'failed sign-ins')}
      </Badge>,
    );
  }
  if (u.mustChangePassword) {
    badges.push(
      <Badge key="temp" color="yellow">
        Temporary password
      </Badge>,
    );
  }
  return (
    <Group gap={4} wrap="nowrap" className={classes.badges}>
      {badges}
    </Group>
  );
}

function UserMenu({
  user: u,
  self,
  busy,
  onAsk,
  onEnable,
  onUnlock,
}: {
  user: DeskUserView;
  self: boolean;
  busy: boolean;
  onAsk: (kind: Pending['kind']) => void;
  onEnable: () => void;
  onUnlock: () => void;
}) {
  const icon = { size: 16, 'aria-hidden': true } as const;
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={230}>
      <Menu.Target>
        <ActionIcon variant="default" size={24} loading={busy} aria-label={`Actions for ${u.username}`} title="Actions" data-user-actions={u.id}>
          <IconDots size={18} aria-hidden="true" />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {u.displayName}
          {self ? ' (you)' : ''}
        </Menu.Label>
        <Menu.Item leftSection={<IconUserCog {...icon} />} onClick={() => onAsk('role')}>
          Change role…
        </Menu.Item>
        <Menu.Item leftSection={<IconKey {...icon} />} onClick={() => onAsk('resetPassword')}>
          Reset password…
        </Menu.Item>
        {u.totpEnrolled ? (
          <Menu.Item leftSection={<IconRefresh {...icon} />} onClick={() => onAsk('resetTotp')}>
            Reset authenticator…
          </Menu.Item>
        ) : null}
        {u.lockedUntil || u.failedSignins > 0 ? (
          <Menu.Item leftSection={<IconLockOpen {...icon} />} onClick={onUnlock}>
            Unlock
          </Menu.Item>
        ) : null}
        <Menu.Divider />
        {u.disabled ? (
          <Menu.Item leftSection={<IconUserCheck {...icon} />} onClick={onEnable}>
            Enable
          </Menu.Item>
        ) : (
          <Menu.Item color="red" leftSection={<IconUserOff {...icon} />} onClick={() => onAsk('disable')}>
            Disable…
          </Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}

/** The dialog of the change asked for: what happens, to whom; the temporary password after a reset. */
function PendingChange({
  pending,
  opened,
  selfId,
  onClose,
  onChanged,
  onRefused,
}: {
  pending: Pending;
  opened: boolean;
  selfId: number;
  onClose: () => void;
  onChanged: () => void;
  onRefused: (err: unknown, user: DeskUserView) => void;
}) {
  const [role, setRole] = useState<DeskRole>(pending.user.role);
  const [temporary, setTemporary] = useState<DeskUserWithTemporaryPassword | null>(null);
  const options = { onSettled: onChanged };
  const setEnabled = useChannelMutation('desk.users.setEnabled', options);
  const setUserRole = useChannelMutation('desk.users.setRole', options);
  // Your own reset ends your session: the list is read again only once the password has been seen.
  const resetPassword = useChannelMutation('desk.users.resetPassword', {
    onSettled: (_v, _e, input) => {
      if (input.userId !== selfId) onChanged();
    },
  });
  const resetTotp = useChannelMutation('desk.users.resetTotp', options);

  const u = pending.user;
  const self = u.id === selfId;
  const who = (
    <strong>
      {u.displayName} ({u.username})
    </strong>
  );
  const selfNote = (what: string) =>
    self ? (
      <p>
        <strong>This is your own account:</strong> {what}
      </p>
    ) : null;
  const noMail = <p>No one gets mail{self ? '.' : '; tell them yourself.'}</p>;

  async function run<T>(work: () => Promise<T>, done: (v: T) => void): Promise<T> {
    try {
      const v = await work();
      done(v);
      return v;
    } catch (err) {
      onRefused(err, u);
      // A rule says no (the last active admin): asking again cannot help, so the dialog closes.
      if (err instanceof DeskError && err.code === 'RULE_VIOLATION') onClose();
      throw err;
    }
  }

  switch (pending.kind) {
    case 'disable':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Disable ${u.username}?`}
          confirmLabel={`Disable ${u.username}`}
          onConfirm={() =>
            run(
              () => setEnabled.mutateAsync({ userId: u.id, enabled: false }),
              (v) => notify.success(`${v.username} is disabled.`),
            )
          }
        >
          <p>{who} cannot sign in until an admin enables them again. Their sessions end now.</p>
          {selfNote('you are signed out at once and cannot sign in again until another admin enables you.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'resetPassword':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Reset the password of ${u.username}?`}
          confirmLabel={`Reset password of ${u.username}`}
          keepOpen
          result={
            temporary ? (
              <TemporaryPassword
                shown={temporary}
                onDone={() => {
                  onClose();
                  if (self) onChanged();
                }}
              />
            ) : undefined
          }
          onConfirm={() =>
            run(
              () => resetPassword.mutateAsync({ userId: u.id }),
              (v) => {
                setTemporary(v);
                notify.success(`${v.user.username} has a temporary password.`);
              },
            )
          }
        >
          <p>
            The current password of {who} stops working. Their sessions end now; they sign in with a temporary password
            shown to you once, and choose their own at that sign-in.
          </p>
          {selfNote('you are signed out at once; sign in again with the temporary password shown here.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'resetTotp':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Reset the authenticator of ${u.username}?`}
          confirmLabel={`Reset authenticator of ${u.username}`}
          onConfirm={() =>
            run(
              () => resetTotp.mutateAsync({ userId: u.id }),
              (v) => notify.success(`${v.username} sets up an authenticator app again at their next sign-in.`),
            )
          }
        >
          <p>
            The desk forgets the authenticator app of {who} (for a lost or new phone). Their sessions end now; they set up
            the app again at their next sign-in, after their password.
          </p>
          {selfNote('you are signed out at once and set up your authenticator app again when you sign in.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'role': {
      const chosen = role;
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Change the role of ${u.username}?`}
          confirmLabel={chosen === u.role ? `Change role of ${u.username}` : `Make ${u.username} ${articled(chosen)}`}
          unavailable={chosen === u.role ? `${u.username} is ${articled(u.role)} already: choose another role` : null}
          onConfirm={() =>
            run(
              () => setUserRole.mutateAsync({ userId: u.id, role: chosen }),
              (v) => notify.success(`${v.username} is now ${articled(v.role)}.`),
            )
          }
        >
          <p>
            {who} is {articled(u.role)} now. Their sessions end when the role changes; they sign in again with the new role.
          </p>
          {selfNote('you are signed out at once and sign in again with the new role.')}
          <Radio.Group label="New role" value={chosen} onChange={(v) => setRole(v as DeskRole)} mb="sm">
            <Stack gap={8} mt={6}>
              {DESK_ROLES.map((r) => (
                <Radio key={r} value={r} label={ROLE_LABELS[r]} description={ROLE_DUTIES[r]} />
              ))}
            </Stack>
          </Radio.Group>
        </ConfirmDialog>
      );
    }
  }
}

/** "an admin", "a supervisor". */
function articled(role: DeskRole): string {
  const label = ROLE_LABELS[role].toLowerCase();
  return (/^[aeiou]/.test(label) ? 'an ' : 'a ') + label;
}

function AddDeskUser({ onAdded }: { onAdded: () => void }) {
  const [created, setCreated] = useState<DeskUserWithTemporaryPassword | null>(null);
  const create = useChannelMutation('desk.users.create');
  const busy = useRef(false);
  const form = useForm({
    initialValues: { username: '', displayName: '', role: 'agent' as DeskRole },
    validate: {
      username: (v) => (v.trim() ? null : 'Enter a username, such as nina.agent'),
      displayName: (v) => (v.trim() ? null : 'Enter their full name'),
    },
  });

  const submit = form.onSubmit(
    async (values) => {
      if (busy.current) return;
      busy.current = true;
      try {
        const made = await create.mutateAsync({ username: values.username.trim(), displayName: values.displayName.trim(), role: values.role });
        setCreated(made);
        form.reset();
        notify.success(`${made.user.username} is added as ${articled(made.user.role)}.`);
        onAdded();
      } catch (err) {
        reportFormError(form, err, undefined, 'Could not add the desk user');
      } finally {
        busy.current = false;
      }
    },
    () => undefined,
  );

  return (
    <Paper component="section" aria-labelledby="add-desk-user">
      <SectionTitle id="add-desk-user">
        <Group gap={6} component="span" wrap="nowrap">
          <IconUserPlus size={18} aria-hidden="true" />
          Add a desk user
        </Group>
      </SectionTitle>
      <form onSubmit={submit} noValidate>
        <div className={classes.addGrid}>
          <TextInput
            label="Username"
            description="3–64 letters, digits, dots, dashes or underscores"
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('username')}
          />
          <TextInput label="Full name" description="As colleagues know them" autoComplete="off" {...form.getInputProps('displayName')} />
          <NativeSelect
            label="Role"
            description={ROLE_DUTIES[form.values.role].split(':')[0]}
            data={DESK_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            {...form.getInputProps('role')}
          />
          <div className={classes.addButton}>
            <Button type="submit" loading={form.submitting} leftSection={<IconUserPlus size={16} aria-hidden="true" />}>
              Add desk user
            </Button>
          </div>
        </div>
        <Text size="xs" c="dimmed" mt={8}>
          They get a temporary password, shown here once, which they replace at their first sign-in.
        </Text>
      </form>
      {created ? (
        <div className={classes.afterForm}>
          <TemporaryPassword shown={created} onDone={() => setCreated(null)} />
        </div>
      ) : null}
    </Paper>
  );
}
