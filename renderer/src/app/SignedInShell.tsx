/**
 * Everything behind sign-in: one header line (the product, the places this role works in, New
 * ticket, the shortcuts and the user menu), a route per screen, the idle lock, and the global
 * keys: Ctrl/Cmd+K for the search, Ctrl/Cmd+N (Alt+N in a browser) for a new ticket, ? for the
 * list of shortcuts.
 */
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Avatar, Box, Button, Group, Kbd, Loader, Menu, Text, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconChevronDown, IconKeyboard, IconLogout, IconPlus, IconShieldLock } from '@tabler/icons-react';
import { Link, Redirect, Route, Switch, useLocation, useParams } from 'wouter';
import type { AppStatus, DeskRole, SessionInfo } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { useQuery } from '@tanstack/react-query';
import { invoke, isHostTokenError, transportKind, type Invoke } from '../client';
import { ROLE_LABELS } from '../format';
import { useIdleLock } from '../lib/useIdleLock';
import { SessionProvider, takesCalls, type DeskSession } from '../lib/session';
import { useEmployeeSearch } from '../useEmployeeSearch';
import { ShellProvider, type Shell } from './shell-context';
import { homeFor, routes } from './routes';
import { ShortcutsDialog } from './ShortcutsDialog';
import { NewTicketDialog } from '../screens/tickets/NewTicketDialog';
import { HEADER_HEIGHT } from '../theme';

// Each screen loads when it is first opened: the first screen carries only what it needs.
const TicketInbox = lazy(() => import('../screens/tickets/TicketInbox').then((m) => ({ default: m.TicketInbox })));
const TicketPage = lazy(() => import('../screens/tickets/TicketPage').then((m) => ({ default: m.TicketPage })));
const ManagerTasksScreen = lazy(() => import('../screens/tickets/ManagerTasks').then((m) => ({ default: m.ManagerTasksScreen })));
const LookupScreen = lazy(() => import('../screens/search/LookupScreen').then((m) => ({ default: m.LookupScreen })));
const EmployeePage = lazy(() => import('../screens/employee/EmployeePage').then((m) => ({ default: m.EmployeePage })));
const AuditScreen = lazy(() => import('../screens/audit/AuditScreen').then((m) => ({ default: m.AuditScreen })));
const DeskUsersScreen = lazy(() => import('../screens/admin/DeskUsersScreen').then((m) => ({ default: m.DeskUsersScreen })));
const ImportScreen = lazy(() => import('../screens/admin/ImportScreen').then((m) => ({ default: m.ImportScreen })));
const SettingsScreen = lazy(() => import('../screens/admin/SettingsScreen').then((m) => ({ default: m.SettingsScreen })));

/** How a signed-in session came to an end. */
export type SessionEnd = 'idle' | 'signedOut' | 'revoked' | 'ended';

interface Props {
  productName: string;
  initialStatus: AppStatus;
  session: SessionInfo;
  onEnded: (end: SessionEnd, session: SessionInfo) => void;
  onFatal: (err: unknown) => void;
}

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The New ticket shortcut that works where the app runs: a browser keeps Ctrl+N (a new window) for itself. */
function newTicketShortcut(): Shell['newTicketShortcut'] {
  if (transportKind === 'electron') return IS_MAC ? { label: '⌘N', aria: 'Meta+N' } : { label: 'Ctrl+N', aria: 'Control+N' };
  return IS_MAC ? { label: '⌥N', aria: 'Alt+N' } : { label: 'Alt+N', aria: 'Alt+N' };
}

/** Is the key press meant for a text field (so a plain-letter shortcut must not take it)? */
function typingInField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.getAttribute('role') === 'combobox';
}

export function SignedInShell({ productName, initialStatus, session, onEnded, onFatal }: Props) {
  const [status, setStatus] = useState(initialStatus);
  const [signingOut, setSigningOut] = useState(false);
  const [newTicket, setNewTicket] = useState<{ change?: string } | null>(null);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [focusSearchRequest, setFocusSearchRequest] = useState(0);
  const [lastOpened, setLastOpened] = useState<number | null>(null);
  const [, navigate] = useLocation();
  const ended = useRef(false);
  const role = session.role;

  const end = useCallback(
    (how: SessionEnd) => {
      if (ended.current) return;
      ended.current = true;
      onEnded(how, session);
    },
    [onEnded, session],
  );

  // Every call made while signed in goes through here: if the main process says the session is
  // gone (locked when idle, or ended), go back to sign-in.
  const call = useMemo<Invoke>(
    () =>
      (async (channel, input, opts) => {
        try {
          return await invoke(channel, input, opts);
        } catch (err) {
          if (isHostTokenError(err)) onFatal(err);
          else if (err instanceof DeskError && err.code === 'UNAUTHENTICATED') {
            const reason = err.details?.['reason'];
            end(reason === 'idle' ? 'idle' : reason === 'revoked' ? 'revoked' : 'ended');
          }
          throw err;
        }
      }) as Invoke,
    [end, onFatal],
  );

  // Idle (no activity in any tab of this desk): end the session in the main process at once, so a
  // reload cannot step past the lock screen, then show it.
  const lockForIdle = useCallback(() => {
    invoke('auth.signOut', {}).then(
      () => undefined,
      () => undefined,
    );
    end('idle');
  }, [end]);

  // Activity in the app keeps the main process's session alive too (it only sees calls): at most
  // one cheap app.status a minute while the user is active.
  const keepAlive = useCallback(() => {
    if (ended.current) return;
    call('app.status', {}).then(
      (s) => {
        if (!s.session) end('ended');
      },
      () => undefined,
    );
  }, [call, end]);

  useIdleLock(session.idleMinutes, lockForIdle, keepAlive);

  const signOut = useCallback(async () => {
    if (signingOut) return;
    setSigningOut(true);
    try {
      await invoke('auth.signOut', {});
    } catch {
      // Signed out locally either way.
    }
    end('signedOut');
  }, [end, signingOut]);

  const refreshStatus = useCallback(async () => {
    try {
      const next = await call('app.status', {});
      if (!next.session) end('ended');
      else setStatus(next);
    } catch {
      // handled by call()
    }
  }, [call, end]);

  const search = useEmployeeSearch(call, status.hasEmployees);

  // The organisations for the look-up filter, once per sign-in (a failure leaves the list empty).
  const organisationsQuery = useQuery({
    queryKey: ['employees.organisations'],
    queryFn: ({ signal }) => call('employees.organisations', {}, { signal }),
    enabled: status.hasEmployees,
    staleTime: Infinity,
  });
  const organisations = organisationsQuery.data ?? (organisationsQuery.isError ? [] : null);

  // The global keys.
  const callsTaken = takesCalls(role);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const key = e.key.toLowerCase();
      // Ctrl+K (Cmd+K on a Mac): the search, from anywhere.
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (key === 'k' || e.code === 'KeyK')) {
        e.preventDefault();
        setLastOpened(null);
        navigate(routes.search);
        setFocusSearchRequest((n) => n + 1);
        return;
      }
      // Ctrl+N (Cmd+N) in the app's window; Alt+N anywhere (a browser keeps Ctrl+N for a new window).
      const combo = ((e.ctrlKey || e.metaKey) && !e.altKey) || (e.altKey && !e.ctrlKey && !e.metaKey);
      if (callsTaken && combo && !e.shiftKey && (key === 'n' || e.code === 'KeyN')) {
        e.preventDefault();
        setNewTicket({});
        return;
      }
      // ?: the list of shortcuts (not while typing).
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInField(e)) {
        e.preventDefault();
        setShortcutsOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [callsTaken, navigate]);

  const desk = useMemo<DeskSession>(() => ({ call, session, status, refreshStatus }), [call, session, status, refreshStatus]);
  const shortcut = useMemo(newTicketShortcut, []);
  const shell = useMemo<Shell>(
    () => ({
      openNewTicket: (change?: string) => setNewTicket(change ? { change } : {}),
      search,
      organisations,
      focusSearchRequest,
      lastOpened,
      setLastOpened,
      newTicketShortcut: shortcut,
    }),
    [search, organisations, focusSearchRequest, lastOpened, shortcut],
  );

  const home = homeFor(role, status.hasEmployees);
  // The shell re-renders on every keystroke in the look-up (the search lives here so it survives
  // a visit to an employee); the header and dialogs do not need to.
  const openNew = useCallback(() => setNewTicket({}), []);
  const openShortcuts = useCallback(() => setShortcutsOpen(true), []);
  const closeNew = useCallback(() => setNewTicket(null), []);
  const closeShortcuts = useCallback(() => setShortcutsOpen(false), []);
  const opened = useCallback(
    (id: number) => {
      setNewTicket(null);
      navigate(routes.ticket(id));
    },
    [navigate],
  );

  return (
    <SessionProvider value={desk}>
      <ShellProvider value={shell}>
        <Header
          productName={productName}
          session={session}
          onNewTicket={callsTaken ? openNew : null}
          shortcut={shortcut}
          onShortcuts={openShortcuts}
          onSignOut={signOut}
          signingOut={signingOut}
        />
        <main id="main" tabIndex={-1} className="app-main">
          <Suspense fallback={<ScreenLoading />}>
            <Switch>
              <Route path="/">
                <Redirect to={home} replace />
              </Route>
              <Route path={routes.search}>
                <LookupScreen />
              </Route>
              <Route path="/employees/:id/ticket/:ref">{() => <EmployeeRoute />}</Route>
              <Route path="/employees/:id">{() => <EmployeeRoute />}</Route>
              {callsTaken ? (
                <Route path={routes.tickets}>
                  <TicketInbox />
                </Route>
              ) : null}
              {callsTaken ? <Route path="/tickets/:id">{() => <TicketRoute />}</Route> : null}
              {role === 'manager' || role === 'admin' ? (
                <Route path={routes.tasks}>
                  <ManagerTasksScreen />
                </Route>
              ) : null}
              {role === 'supervisor' || role === 'admin' ? <Route path="/audit/:tab?">{(p: { tab?: string }) => <AuditScreen tab={auditTab(p.tab)} />}</Route> : null}
              {role === 'admin' ? (
                <Route path={routes.deskUsers}>
                  <DeskUsersScreen />
                </Route>
              ) : null}
              {role === 'admin' ? (
                <Route path={routes.hrImport}>
                  <ImportScreen />
                </Route>
              ) : null}
              {role === 'admin' ? (
                <Route path={routes.settings}>
                  <SettingsScreen />
                </Route>
              ) : null}
              <Route>
                <NotFound home={home} />
              </Route>
            </Switch>
          </Suspense>
        </main>
        {callsTaken ? (
          <NewTicketDialog opened={newTicket !== null} change={newTicket?.change} onClose={closeNew} onOpened={opened} />
        ) : null}
        <ShortcutsDialog opened={shortcutsOpen} onClose={closeShortcuts} role={role} newTicket={shortcut.label} />
      </ShellProvider>
    </SessionProvider>
  );
}

function auditTab(tab: string | undefined): 'dashboard' | 'events' | 'integrity' {
  return tab === 'events' || tab === 'integrity' ? tab : 'dashboard';
}

function TicketRoute() {
  const { id } = useParams<{ id: string }>();
  const ticketId = Number(id);
  if (!Number.isInteger(ticketId) || ticketId <= 0) return <NotFound home={routes.tickets} />;
  return <TicketPage key={ticketId} ticketId={ticketId} />;
}

function EmployeeRoute() {
  const params = useParams<{ id: string; ref?: string }>();
  const employeeId = Number(params.id);
  if (!Number.isInteger(employeeId) || employeeId <= 0) return <NotFound home={routes.search} />;
  const ticketRef = params.ref ? decodeURIComponent(params.ref) : undefined;
  return <EmployeePage key={`${employeeId}-${ticketRef ?? ''}`} employeeId={employeeId} {...(ticketRef ? { ticketRef } : {})} />;
}

function ScreenLoading() {
  return (
    <Group gap="xs" p="lg" role="status">
      <Loader size="sm" aria-hidden="true" />
      <Text>Loading…</Text>
    </Group>
  );
}

function NotFound({ home }: { home: string }) {
  return (
    <Box p="lg" className="screen">
      <h1 className="page-title">There is nothing at this address</h1>
      <Text mb="md">The page may have moved, or your role does not reach it.</Text>
      <Button component={Link} href={home}>
        Go to your start page
      </Button>
    </Box>
  );
}

// ── The header ──────────────────────────────────────────────────────────────────────────────────

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
  if (takesCalls(role)) main.push({ to: routes.tickets, label: 'Tickets', match: ['/tickets'] });
  if (role === 'manager' || role === 'admin') main.push({ to: routes.tasks, label: 'Manager tasks', match: ['/tasks'], secondary: role === 'admin' });
  main.push({ to: routes.search, label: 'Search', match: ['/search', '/employees'] });
  if (role === 'supervisor' || role === 'admin') main.push({ to: routes.audit, label: 'Audit', match: ['/audit'], secondary: role === 'admin' });
  const admin: Place[] =
    role === 'admin'
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

const Header = memo(function Header(props: {
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
