/** A desk user's state badges and the menu of what can be done to them. */
import type { ReactNode } from 'react';
import { ActionIcon, Badge, Group, Menu, Tooltip } from '@mantine/core';
import { IconDots, IconKey, IconLockOpen, IconRefresh, IconUserCheck, IconUserCog, IconUserOff } from '@tabler/icons-react';
import type { DeskUserView } from '../../../../shared/domain';
import { formatDateTime, plural } from '../../format';
import type { Pending } from './desk-roles';
import classes from './admin.module.css';

export function StateBadges({ user: u, now }: { user: DeskUserView; now: Date }) {
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

export function UserMenu({
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
