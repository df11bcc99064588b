/**
 * What every signed-in screen can reach without passing it down: the session-aware `call` (which
 * ends the session when the main process says it is gone), who is signed in, and the app status.
 */
import { createContext, useContext } from 'react';
import type { AppStatus, DeskRole, SessionInfo } from '../../../shared/domain';
import type { Invoke } from '../client';

export interface DeskSession {
  call: Invoke;
  session: SessionInfo;
  status: AppStatus;
  /** Ask the main process for the app status again (after demo data or an HR import). */
  refreshStatus: () => Promise<void>;
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
