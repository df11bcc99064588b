/**
 * The signed-in header, one line: the product, the places this role works in (secondary ones fold
 * into "More" on narrow windows), New ticket, the shortcuts and the user menu.
 */
import { memo, type ReactNode } from 'react';
import { Avatar, Button, Group, Kbd, Menu, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconChevronDown, IconKeyboard, IconLogout, IconPlus, IconShieldLock } from '@tabler/icons-react';
import { Link, useLocation } from 'wouter';
import type { DeskRole, SessionInfo } from '../../../shared/domain';
import { can } from '../../../shared/policy';
import { ROLE_LABELS } from '../format';
import { HEADER_HEIGHT } from '../theme';
import { routes } from './routes';
import type { Shell } from './shell-context';

interface Place {
  to: string;
  label: string;
  /** Also current on addresses under these prefixes. */
  match: string[];
  /** Folded into "More" on narrow windows. */
  secondary?: boolean;
}

function placesFor(role: DeskRole): { main: Place[]; admin: Place[] } {
  const main: Place[] = [];
  // An admin's header is the fullest: their visits to the queue and the audit fold first.
  const crowded = role === 'admin';
  if (can(role, 'callers.help')) main.push({ to: routes.tickets, label: 'Tickets', match: ['/tickets'] });
  if (can(role, 'records.correct')) main.push({ to: routes.tasks, label: 'Manager tasks', match: ['/tasks'], secondary: crowded });
  main.push({ to: routes.search, label: 'Search', match: ['/search', '/employees'] });
  if (can(role, 'reports.read')) main.push({ to: routes.audit, label: 'Audit', match: ['/audit'], secondary: crowded });
  const admin: Place[] =
    can(role, 'desk.administer')
      ? [
          { to: routes.deskUsers, label: 'Desk users', match: ['/admin/users'], secondary: true },
          { to: routes.hrImport, label: 'HR import', match: ['/admin/import'], secondary: true },
          { to: routes.settings, label: 'Settings', match: ['/admin/settings'], secondary: true },
        ]
      : [];
  return { main, admin };
}

function isCurrent(place: Place, location: string): boolean {
  return place.match.some((m) => location === m || location.startsWith(m + '/'));
}

export const Header = memo(function Header(props: {
  productName: string;
  session: SessionInfo;
  onNewTicket: (() => void) | null;
  shortcut: Shell['newTicketShortcut'];
  onShortcuts: () => void;
  onSignOut: () => void;
  signingOut: boolean;
}) {
  const { productName, session, onNewTicket, shortcut, onShortcuts, onSignOut, signingOut } = props;
  const [location] = useLocation();
  const { main, admin } = placesFor(session.role);
  // Below 1200 px the secondary places fold into one "More" menu, so the header stays one line.
  const wide = useMediaQuery('(min-width: 1200px)', true, { getInitialValueInEffect: false });
  const shown = wide ? main : main.filter((p) => !p.secondary);
  const folded = wide ? [] : main.filter((p) => p.secondary);
  const menuPlaces = [...folded, ...admin];
  const menuCurrent = menuPlaces.some((p) => isCurrent(p, location));
  const initials = session.displayName
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join('');

  return (
    <header className="app-header" style={{ height: HEADER_HEIGHT }}>
      <Link href="/" className="app-header__brand" aria-label={`${productName}: your start page`}>
        <IconShieldLock size={20} aria-hidden="true" />
        <span>{productName}</span>
      </Link>
      <nav aria-label="Main" className="app-header__nav">
        {shown.map((p) => (
          <NavLink key={p.to} place={p} current={isCurrent(p, location)} />
        ))}
        {menuPlaces.length > 0 ? (
          <Menu position="bottom-start" offset={6} withinPortal shadow="md">
            <Menu.Target>
              <UnstyledButton className="nav-link" data-active={menuCurrent || undefined} aria-current={menuCurrent ? 'page' : undefined}>
                {folded.length > 0 ? 'More' : 'Admin'}
                <IconChevronDown size={14} aria-hidden="true" />
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              {folded.length > 0 && admin.length > 0 ? <Menu.Label>Places</Menu.Label> : null}
              {folded.map((p) => (
                <Menu.Item key={p.to} component={Link} href={p.to} aria-current={isCurrent(p, location) ? 'page' : undefined}>
                  {p.label}
                </Menu.Item>
              ))}
              {admin.length > 0 && folded.length > 0 ? <Menu.Label>Admin</Menu.Label> : null}
              {admin.map((p) => (
                <Menu.Item key={p.to} component={Link} href={p.to} aria-current={isCurrent(p, location) ? 'page' : undefined}>
                  {p.label}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        ) : null}
      </nav>
      <Group gap="xs" wrap="nowrap" className="app-header__tools">
        {onNewTicket ? (
          <Button
            size="xs"
            color="blue"
            variant="white"
            leftSection={<IconPlus size={14} aria-hidden="true" />}
            onClick={onNewTicket}
            aria-keyshortcuts={shortcut.aria}
            rightSection={<Kbd size="xs">{shortcut.label}</Kbd>}
          >
            New ticket
          </Button>
        ) : null}
        <UnstyledButton className="header-icon" onClick={onShortcuts} aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)">
          <IconKeyboard size={20} aria-hidden="true" />
        </UnstyledButton>
        <Menu position="bottom-end" offset={6} withinPortal shadow="md" width={240}>
          <Menu.Target>
            <UnstyledButton className="user-button" aria-label={`Account: ${session.displayName}, ${ROLE_LABELS[session.role]}`}>
              <Avatar size={26} radius="xl" color="blue" variant="filled" aria-hidden="true">
                {initials}
              </Avatar>
              <span className="user-button__text" aria-hidden="true">
                <span className="user-button__name">{session.displayName}</span>
                <span className="user-button__role">{ROLE_LABELS[session.role]}</span>
              </span>
              <IconChevronDown size={14} aria-hidden="true" />
            </UnstyledButton>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>
              Signed in as {session.displayName} ({session.username}), {ROLE_LABELS[session.role].toLowerCase()}
            </Menu.Label>
            <Menu.Item leftSection={<IconKeyboard size={16} aria-hidden="true" />} onClick={onShortcuts}>
              Keyboard shortcuts
            </Menu.Item>
            <Menu.Divider />
            <Menu.Item leftSection={<IconLogout size={16} aria-hidden="true" />} onClick={onSignOut} disabled={signingOut}>
              Sign out
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
    </header>
  );
});

function NavLink({ place, current }: { place: Place; current: boolean }): ReactNode {
  return (
    <Link href={place.to} className="nav-link" data-active={current || undefined} aria-current={current ? 'page' : undefined}>
      {place.label}
    </Link>
  );
}
