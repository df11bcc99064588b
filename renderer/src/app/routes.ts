/**
 * Every screen has its own address (in the #fragment: #/tickets/12), so Back, Forward and reload
 * land where they should. These build the addresses; the shell matches them.
 */
import type { DeskRole } from '../../../shared/domain';
import { can } from '../../../shared/policy';

export const routes = {
  tickets: '/tickets',
  ticket: (id: number) => `/tickets/${id}`,
  search: '/search',
  employee: (id: number) => `/employees/${id}`,
  /** The employee page for a manager's task: the form starts with the task's ticket reference. */
  employeeForTicket: (id: number, ticketRef: string) => `/employees/${id}/ticket/${encodeURIComponent(ticketRef)}`,
  tasks: '/tasks',
  audit: '/audit',
  auditTab: (tab: 'dashboard' | 'events' | 'integrity') => `/audit/${tab}`,
  deskUsers: '/admin/users',
  hrImport: '/admin/import',
  settings: '/admin/settings',
} as const;

/** Where a desk user starts: agents (and those who stand in for them) at the inbox, managers at their queue. */
export function homeFor(role: DeskRole, hasEmployees: boolean): string {
  if (can(role, 'desk.administer') && !hasEmployees) return routes.search; // an empty desk: the demo data offer
  return can(role, 'callers.help') ? routes.tickets : routes.tasks;
}
