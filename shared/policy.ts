/**
 * Who may do what: each desk role's capabilities. The contract's channel access, the core's own
 * checks and what the renderer shows all read this one table.
 */
import { DESK_ROLES, type DeskRole } from './domain';

export const CAPABILITIES = {
  /** Look employees up and read their page (every desk user). */
  'employees.read': ['agent', 'manager', 'supervisor', 'admin'],
  /** Take a caller's ticket: verify them and change their MFA. Managers correct records; they take no calls. */
  'callers.help': ['agent', 'supervisor', 'admin'],
  /** Vouch for a caller without a code, with a written reason. */
  'callers.override': ['supervisor', 'admin'],
  /** Correct an employee's record (the emails on record) and work the managers' queue. */
  'records.correct': ['manager', 'admin'],
  /** Read, export and check the audit trail and the ticket report. */
  'reports.read': ['supervisor', 'admin'],
  /** Run the desk: desk users, settings, mail, HR imports, demo data. */
  'desk.administer': ['admin'],
} as const satisfies Record<string, readonly DeskRole[]>;

export type Capability = keyof typeof CAPABILITIES;

export function can(role: DeskRole | null | undefined, capability: Capability): boolean {
  return role != null && (CAPABILITIES[capability] as readonly DeskRole[]).includes(role);
}

/** The roles that have a capability, in the order roles are listed everywhere. */
export function rolesWith(capability: Capability): readonly DeskRole[] {
  return DESK_ROLES.filter((r) => can(r, capability));
}
