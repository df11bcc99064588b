/** What the signed-in shell offers every screen: the new-ticket dialog, the shared search, Ctrl+K. */
import { createContext, useContext } from 'react';
import type { EmployeeSearch } from '../useEmployeeSearch';

export interface Shell {
  /** Open the New ticket dialog (with a change reference from a confirmation mail: "wasn't me"). */
  openNewTicket: (change?: string) => void;
  /** The employee look-up: kept while the agent moves between screens, so coming back finds it as left. */
  search: EmployeeSearch;
  /** Every organisation, for the look-up's filter (null while loading). */
  organisations: string[] | null;
  /** Goes up each time Ctrl+K asks for the search box. */
  focusSearchRequest: number;
  /** The employee opened last from the look-up (focus returns to their row). */
  lastOpened: number | null;
  setLastOpened: (id: number | null) => void;
  /** The New ticket shortcut as it works where the app runs: Ctrl+N (⌘N) in the app, Alt+N in a browser. */
  newTicketShortcut: { label: string; aria: string };
}

const ShellContext = createContext<Shell | null>(null);
export const ShellProvider = ShellContext.Provider;

export function useShell(): Shell {
  const value = useContext(ShellContext);
  if (!value) throw new Error('useShell() outside the signed-in shell');
  return value;
}
