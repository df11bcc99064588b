import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppStatus, EmployeeSummary, SessionInfo } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { invoke, isHostTokenError, on, type Invoke } from '../client';
import { ROLE_LABELS } from '../format';
import { useEmployeeSearch } from '../useEmployeeSearch';
import { useIdleLock } from '../useIdleLock';
import { EmployeePage } from './EmployeePage';
import { LookupScreen } from './LookupScreen';

/** How a signed-in session came to an end. */
export type SessionEnd = 'idle' | 'signedOut' | 'ended';

type View = { kind: 'search' } | { kind: 'employee'; id: number; summary: EmployeeSummary | null };

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
            end(err.details?.['reason'] === 'idle' ? 'idle' : 'ended');
          }
          throw err;
        }
      }) as Invoke,
    [end, onFatal],
  );

  const lockForIdle = useCallback(() => {
    if (ended.current) return;
    void invoke('auth.signOut', { reason: 'idle' })
      .catch(() => undefined)
      .finally(() => end('idle'));
  }, [end]);

  // Activity in the app keeps the server's session alive too (it only sees calls).
  const keepAlive = useCallback(() => {
    call('app.status', {}).then(
      (s) => {
        if (!s.session) end('ended');
      },
      () => undefined,
    );
  }, [call, end]);

  useIdleLock(session.idleMinutes, lockForIdle, keepAlive);

  useEffect(
    () =>
      on('session.ended', (payload) => {
        end(payload.reason === 'idle' ? 'idle' : 'ended');
      }),
    [end],
  );

  async function signOut() {
    if (signingOut) return;
    setSigningOut(true);
    try {
      await invoke('auth.signOut', { reason: 'user' });
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

  const search = useEmployeeSearch(call);

  const open = useCallback((summary: EmployeeSummary) => {
    setLastOpened(summary.id);
    setView({ kind: 'employee', id: summary.id, summary });
  }, []);

  const back = useCallback(() => setView({ kind: 'search' }), []);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <span className="app-header__brand">{productName}</span>
        <div className="app-header__user">
          <span>
            Signed in as <strong>{session.displayName}</strong>{' '}
            <span className="role-badge">{ROLE_LABELS[session.role]}</span>
          </span>
          <button type="button" className="button button--small" onClick={signOut} aria-disabled={signingOut || undefined}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="main">
        {view.kind === 'search' ? (
          <LookupScreen
            call={call}
            session={session}
            status={status}
            search={search}
            focusEmployeeId={lastOpened}
            onOpen={open}
            onStatusChanged={refreshStatus}
          />
        ) : (
          <EmployeePage call={call} employeeId={view.id} summary={view.summary} onBack={back} />
        )}
      </main>
    </>
  );
}
