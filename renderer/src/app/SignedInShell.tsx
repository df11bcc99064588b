/**
 * Everything behind sign-in: one header line (the product, the places this role works in, New
 * ticket, the shortcuts and the user menu), a route per screen, the idle lock, and the global
 * keys: Ctrl/Cmd+K for the search, Ctrl/Cmd+N (Alt+N in a browser) for a new ticket, ? for the
 * list of shortcuts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import type { AppStatus, SessionInfo } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { can } from '../../../shared/policy';
import { useQuery } from '@tanstack/react-query';
import { invoke, isHostTokenError, transportKind, type Invoke } from '../client';
import { useIdleLock } from '../lib/useIdleLock';
import { clockOffsetOf, SessionProvider, type DeskSession } from '../lib/session';
import { useEmployeeSearch } from '../useEmployeeSearch';
import { ShellProvider, type Shell } from './shell-context';
import { homeFor, routes } from './routes';
import { Header } from './Header';
import { ScreenRoutes } from './ScreenRoutes';
import { ShortcutsDialog } from './ShortcutsDialog';
import { NewTicketDialog } from '../screens/tickets/NewTicketDialog';

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
const NEW_TICKET_SHORTCUT = newTicketShortcut();

/** Is the key press meant for a text field (so a plain-letter shortcut must not take it)? */
function typingInField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.getAttribute('role') === 'combobox';
}

export function SignedInShell({ productName, initialStatus, session, onEnded, onFatal }: Props) {
  const [status, setStatus] = useState(initialStatus);
  const [clockOffsetMs, setClockOffsetMs] = useState(() => clockOffsetOf(initialStatus));
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
      async (channel, input, opts) => {
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
      },
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
        else setClockOffsetMs(clockOffsetOf(s));
      },
      () => undefined,
    );
  }, [call, end]);

  useIdleLock(session.idleMinutes, lockForIdle, keepAlive);

  const signOut = useCallback(() => {
    if (signingOut) return;
    setSigningOut(true);
    // Signed out locally either way.
    void invoke('auth.signOut', {})
      .catch(() => undefined)
      .then(() => end('signedOut'));
  }, [end, signingOut]);

  const refreshStatus = useCallback(async () => {
    try {
      const next = await call('app.status', {});
      if (!next.session) end('ended');
      else {
        setStatus(next);
        setClockOffsetMs(clockOffsetOf(next));
      }
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
  const organisations = useMemo(
    () => organisationsQuery.data ?? (organisationsQuery.isError ? [] : null),
    [organisationsQuery.data, organisationsQuery.isError],
  );

  // The global keys.
  const callsTaken = can(role, 'callers.help');
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

  const desk = useMemo<DeskSession>(
    () => ({ call, session, status, refreshStatus, clockOffsetMs }),
    [call, session, status, refreshStatus, clockOffsetMs],
  );
  const shell = useMemo<Shell>(
    () => ({
      openNewTicket: (change?: string) => setNewTicket(change ? { change } : {}),
      search,
      organisations,
      focusSearchRequest,
      lastOpened,
      setLastOpened,
      newTicketShortcut: NEW_TICKET_SHORTCUT,
    }),
    [search, organisations, focusSearchRequest, lastOpened],
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
          shortcut={NEW_TICKET_SHORTCUT}
          onShortcuts={openShortcuts}
          onSignOut={signOut}
          signingOut={signingOut}
        />
        <main id="main" tabIndex={-1} className="app-main">
          <ScreenRoutes role={role} home={home} />
        </main>
        {callsTaken ? (
          <NewTicketDialog opened={newTicket !== null} change={newTicket?.change} onClose={closeNew} onOpened={opened} />
        ) : null}
        <ShortcutsDialog opened={shortcutsOpen} onClose={closeShortcuts} role={role} newTicket={NEW_TICKET_SHORTCUT.label} />
      </ShellProvider>
    </SessionProvider>
  );
}
