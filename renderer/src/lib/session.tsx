/**
 * What every signed-in screen can reach without passing it down: the session-aware `call` (which
 * ends the session when the main process says it is gone), who is signed in, and the app status.
 */
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { AppStatus, DeskRole, SessionInfo } from '../../../shared/domain';
import type { Invoke } from '../client';

export interface DeskSession {
  call: Invoke;
  session: SessionInfo;
  status: AppStatus;
  /** Ask the main process for the app status again (after demo data or an HR import). */
  refreshStatus: () => Promise<void>;
  /** How far the main process's clock is ahead of this page's (ms), from the last app status. */
  clockOffsetMs: number;
}

/** The offset of the main process's clock from this page's, taken as its status arrives. */
export function clockOffsetOf(status: AppStatus, receivedAt: number = Date.now()): number {
  const server = Date.parse(status.serverTime);
  return Number.isFinite(server) ? server - receivedAt : 0;
}

const SessionContext = createContext<DeskSession | null>(null);
export const SessionProvider = SessionContext.Provider;

export function useDesk(): DeskSession {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useDesk() outside the signed-in app');
  return value;
}

export function useCall(): Invoke {
  return useDesk().call;
}

export function useRole(): DeskRole {
  return useDesk().session.role;
}

/**
 * The main process's time now, moved on every `everyMs`: "12 min ago", lock-outs and ages count
 * from the desk's clock, as the main process does, not from this computer's.
 */
export function useDeskNow(everyMs = 30_000): Date {
  const { clockOffsetMs } = useDesk();
  const [local, setLocal] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setLocal(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return useMemo(() => new Date(local + clockOffsetMs), [local, clockOffsetMs]);
}
