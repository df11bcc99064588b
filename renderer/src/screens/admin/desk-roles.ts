/** Desk roles in the admins' words: what each does, its badge colour, and "an admin" / "a supervisor". */
import type { DeskRole, DeskUserView } from '../../../../shared/domain';
import { ROLE_LABELS } from '../../format';

/** What each role does, for the add form and the role dialog. */
export const ROLE_DUTIES: Record<DeskRole, string> = {
  agent: 'Works webchat tickets: looks up employees, verifies callers, re-registers factors.',
  manager: 'Corrects employee records (the emails on record); takes no calls.',
  supervisor: 'Everything an agent does, plus overrides and the audit reports.',
  admin: 'Everything, plus desk users, settings and HR imports.',
};

export const ROLE_COLORS: Record<DeskRole, string> = { agent: 'gray', manager: 'gray', supervisor: 'gray', admin: 'blue' };

/** A change that needs a confirmation: each of these ends the desk user's sessions. */
export type Pending =
  | { kind: 'disable'; user: DeskUserView }
  | { kind: 'resetPassword'; user: DeskUserView }
  | { kind: 'resetTotp'; user: DeskUserView }
  | { kind: 'role'; user: DeskUserView };

/** "an admin", "a supervisor". */
export function articled(role: DeskRole): string {
  const label = ROLE_LABELS[role].toLowerCase();
  return (/^[aeiou]/.test(label) ? 'an ' : 'a ') + label;
}
