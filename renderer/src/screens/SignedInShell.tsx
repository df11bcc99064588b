import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppStatus, EmployeeSummary, SessionInfo } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { invoke, isHostTokenError, type Invoke } from '../client';
import { ROLE_LABELS } from '../format';
import { useEmployeeSearch } from '../useEmployeeSearch';
import { useIdleLock } from '../useIdleLock';
import { EmployeePage } from './EmployeePage';
import { SettingsScreen } from './SettingsScreen';
import { DeskUsersScreen } from './DeskUsersScreen';
import { ImportScreen } from './ImportScreen';
import { LookupScreen } from './LookupScreen';
import { ManagerTasksScreen, NewTicketDialog, TicketInbox, TicketView } from './TicketsScreen';

// The Audit screen (with its chart library) loads only when a supervisor or admin opens it.
const AuditScreen = lazy(() => import('./AuditScreen').then((m) => ({ default: m.AuditScreen })));

/** How a signed-in session came to an end. */
export type SessionEnd = 'idle' | 'signedOut' | 'revoked' | 'ended';

type View =
  | { kind: 'search' }
  | { kind: 'employee'; id: number; summary: EmployeeSummary | null; ticketRef?: string }
  | { kind: 'tickets' }
  | { kind: 'ticket'; id: number }
  | { kind: 'tasks' }
  | { kind: 'settings' }
  | { kind: 'import' }
  | { kind: 'audit' }
  | { kind: 'deskUsers' };

interface Props {
  productName: string;
  initialStatus: AppStatus;
  session: SessionInfo;
  onEnded: (end: SessionEnd, session: SessionInfo) => void;
  onFatal: (err: unknown) => void;
}

/** Everything behind sign-in: the header with the user and Sign out, idle lock, and the screens. */
export function SignedInShell({ productName, initialStatus, session, onEnded, onFatal }: Props) {
  const [status, setStatus] = useState(initialStatus);
  const [view, setView] = useState<View>({ kind: 'search' });
  const [lastOpened, setLastOpened] = useState<number | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const ended = useRef(false);

  const end = useCallback(
    (how: SessionEnd) => {
      if (ended.current) return;
      ended.current = true;
      onEnded(how, session);
    },
    [onEnded, session],
  );

  // Every call made while signed in goes through here: if the server says the session is gone
  // (locked when idle, or ended), go back to sign-in.
  const call = useMemo<Invoke>(
    () =>
      (async (channel, input) => {
        try {
          return await invoke(channel, input);
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

  // Activity in the app keeps the server's session alive too (it only sees calls): at most one
  // cheap app.status a minute while the user is active.
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

  async function signOut() {
    if (signingOut) return;
    setSigningOut(true);
    try {
      await invoke('auth.signOut', {});
    } catch {
      // Signed out locally either way.
    }
    end('signedOut');
  }

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

  // The organisations for the look-up filter, once per sign-in.
  const [organisations, setOrganisations] = useState<string[] | null>(null);
  useEffect(() => {
    if (!status.hasEmployees) return;
    let live = true;
    call('employees.organisations', {}).then(
      (list) => live && setOrganisations(list),
      () => live && setOrganisations([]),
    );
    return () => {
      live = false;
    };
  }, [call, status.hasEmployees]);

  const open = useCallback((summary: EmployeeSummary) => {
    setLastOpened(summary.id);
    setView({ kind: 'employee', id: summary.id, summary });
  }, []);

  const back = useCallback(() => setView({ kind: 'search' }), []);

  // Ctrl+K (Cmd+K on a Mac) focuses the search from anywhere in the signed-in app.
  const [focusSearchRequest, setFocusSearchRequest] = useState(0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      if (e.key.toLowerCase() !== 'k' && e.code !== 'KeyK') return;
      e.preventDefault();
      setLastOpened(null);
      setView({ kind: 'search' });
      setFocusSearchRequest((n) => n + 1);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // Ctrl+N (Cmd+N) opens a new ticket from anywhere, for those who take webchats.
  const takesCalls = session.role !== 'manager';
  const [newTicket, setNewTicket] = useState<{ change?: string } | null>(null);
  useEffect(() => {
    if (!takesCalls) return;
    const onKey = (e: KeyboardEvent) => {
      // Alt+N too: a browser window keeps Ctrl+N for itself (a new window); the app's window does not.
      const combo = ((e.ctrlKey || e.metaKey) && !e.altKey) || (e.altKey && !e.ctrlKey && !e.metaKey);
      if (!combo || e.shiftKey) return;
      if (e.key.toLowerCase() !== 'n' && e.code !== 'KeyN') return;
      e.preventDefault();
      setNewTicket({});
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [takesCalls]);
  const openTicket = useCallback((id: number) => {
    setNewTicket(null);
    setView({ kind: 'ticket', id });
  }, []);
  // A change reference typed in the search box ("wasn't me"): offer the ticket on that change.
  const changeRef = /^\s*(CHG|REC)-\d{1,10}-[0-9A-F]{6}\s*$/i.test(search.input) ? search.input.trim().toUpperCase() : null;

  return (
    <>
      <header className="app-header">
        <span className="app-header__brand">{productName}</span>
        <div className="app-header__user">
          <span>
            Signed in as <strong>{session.displayName}</strong>{' '}
            <span className="role-badge">{ROLE_LABELS[session.role]}</span>
          </span>
          {takesCalls ? (
            <button type="button" className="button button--small" onClick={() => setView({ kind: 'tickets' })} aria-current={view.kind === 'tickets' || view.kind === 'ticket' ? 'page' : undefined}>
              Tickets
            </button>
          ) : null}
          {session.role === 'manager' || session.role === 'admin' ? (
            <button type="button" className="button button--small" onClick={() => setView({ kind: 'tasks' })} aria-current={view.kind === 'tasks' ? 'page' : undefined}>
              Manager tasks
            </button>
          ) : null}
          {session.role === 'supervisor' || session.role === 'admin' ? (
            <button type="button" className="button button--small" onClick={() => setView({ kind: 'audit' })} aria-current={view.kind === 'audit' ? 'page' : undefined}>
              Audit
            </button>
          ) : null}
          {session.role === 'admin' ? (
            <>
              <button type="button" className="button button--small" onClick={() => setView({ kind: 'import' })} aria-current={view.kind === 'import' ? 'page' : undefined}>
                HR import
              </button>
              <button type="button" className="button button--small" onClick={() => setView({ kind: 'deskUsers' })} aria-current={view.kind === 'deskUsers' ? 'page' : undefined}>
                Desk users
              </button>
              <button type="button" className="button button--small" onClick={() => setView({ kind: 'settings' })} aria-current={view.kind === 'settings' ? 'page' : undefined}>
                Settings
              </button>
            </>
          ) : null}
          <button type="button" className="button button--small" onClick={signOut} aria-disabled={signingOut || undefined}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="main">
        {newTicket ? <NewTicketDialog call={call} {...(newTicket.change ? { initialChange: newTicket.change } : {})} onClose={() => setNewTicket(null)} onOpened={openTicket} /> : null}
        {view.kind === 'search' && changeRef && takesCalls ? (
          <div className="notice" role="status">
            {changeRef} is a change reference from a confirmation mail.{' '}
            <button type="button" className="button button--small" onClick={() => setNewTicket({ change: changeRef })}>
              Open a “change not made by me” ticket
            </button>
          </div>
        ) : null}
        {view.kind === 'tickets' ? (
          <TicketInbox call={call} onBack={back} onOpen={openTicket} onNew={() => setNewTicket({})} />
        ) : view.kind === 'ticket' ? (
          <TicketView
            key={view.id}
            call={call}
            role={session.role}
            ticketId={view.id}
            onBack={() => setView({ kind: 'tickets' })}
            onOpenEmployee={(id) => setView({ kind: 'employee', id, summary: null })}
          />
        ) : view.kind === 'tasks' ? (
          <ManagerTasksScreen call={call} onBack={back} onOpenEmployee={(id, ticketRef) => setView({ kind: 'employee', id, summary: null, ticketRef })} />
        ) : view.kind === 'search' ? (
          <LookupScreen
            call={call}
            session={session}
            status={status}
            search={search}
            organisations={organisations}
            focusEmployeeId={lastOpened}
            focusSearchRequest={focusSearchRequest}
            onOpen={open}
            onStatusChanged={refreshStatus}
          />
        ) : view.kind === 'settings' ? (
          <SettingsScreen call={call} onBack={back} />
        ) : view.kind === 'deskUsers' ? (
          <DeskUsersScreen call={call} selfId={session.userId} onBack={back} />
        ) : view.kind === 'audit' ? (
          <Suspense fallback={<p role="status">Loading…</p>}>
            <AuditScreen call={call} onBack={back} />
          </Suspense>
        ) : view.kind === 'import' ? (
          <ImportScreen
            call={call}
            onBack={() => {
              back();
              void refreshStatus();
            }}
          />
        ) : (
          <EmployeePage call={call} role={session.role} employeeId={view.id} summary={view.summary} onBack={back} {...(view.ticketRef ? { ticketRef: view.ticketRef } : {})} />
        )}
      </main>
    </>
  );
}
