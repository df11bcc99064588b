/**
 * Every action the audit trail records, by family, with the words people see for it. The main
 * process types `recordAudit`'s action with this list (so nothing is written that has no name
 * here), and the Audit screen's filter offers these names instead of the internal keys.
 */

export const AUDIT_ACTION_FAMILIES = [
  {
    family: 'ticket',
    label: 'Tickets',
    actions: {
      'ticket.opened': 'Ticket opened',
      'ticket.updated': 'Ticket updated',
      'ticket.employee_linked': 'Employee linked to the ticket',
      'ticket.waiting_manager': 'Waiting on a manager',
      'ticket.returned': 'Back from the manager',
      'ticket.resolved': 'Ticket resolved',
      'ticket.reopened': 'Ticket reopened',
    },
  },
  {
    family: 'caller',
    label: 'Caller verification',
    actions: {
      'caller.identity_code_sent': 'Identity-check code sent',
      'caller.verified': 'Caller verified',
      'caller.verification_overridden': 'Verification overridden by a supervisor',
    },
  },
  {
    family: 'code',
    label: 'One-time codes',
    actions: {
      'code.rejected': 'Wrong one-time code entered',
    },
  },
  {
    family: 'factor',
    label: 'Authentication methods',
    actions: {
      'factor.registration_started': 'Registration started',
      'factor.registration_code_sent': 'Registration code sent',
      'factor.registration_restarted': 'Registration restarted',
      'factor.reregistration_started': 'Re-registration started',
      'factor.registered': 'Method registered',
      'factor.removed': 'Method removed',
      'factor.code_rejected': 'Wrong authenticator code entered',
    },
  },
  {
    family: 'mfa',
    label: 'Code locks',
    actions: {
      'mfa.unlocked': 'Codes unlocked',
    },
  },
  {
    family: 'employee',
    label: 'Employee records',
    actions: {
      'employee.emails_changed': 'Emails on record changed',
      'employee.left': 'Marked as a leaver',
    },
  },
  {
    family: 'manager_task',
    label: 'Manager tasks',
    actions: {
      'manager_task.done': 'Manager task done',
    },
  },
  {
    family: 'tickets',
    label: 'Ticket reports',
    actions: {
      'tickets.report_exported': 'Ticket report exported',
    },
  },
  {
    family: 'hr',
    label: 'HR imports',
    actions: {
      'hr.import_started': 'HR import started',
      'hr.import_batch': 'HR import batch written',
      'hr.import_conflict': 'HR import kept an address',
      'hr.import_finished': 'HR import finished',
      'hr.import_cancelled': 'HR import cancelled',
    },
  },
  {
    family: 'desk_user',
    label: 'Desk users and sign-in',
    actions: {
      'desk_user.created': 'Desk user created',
      'desk_user.disabled': 'Desk user disabled',
      'desk_user.enabled': 'Desk user enabled',
      'desk_user.role_changed': 'Role changed',
      'desk_user.password_reset': 'Password reset by an admin',
      'desk_user.password_changed': 'Password changed',
      'desk_user.totp_enrolled': 'Authenticator app set up',
      'desk_user.totp_reset': 'Authenticator app reset',
      'desk_user.unlocked': 'Sign-in lock lifted',
      'desk_user.signin': 'Signed in',
      'desk_user.signout': 'Signed out',
      'desk_user.session_locked': 'Session locked when idle',
    },
  },
  {
    family: 'signin',
    label: 'Sign-in verification',
    actions: {
      'signin.challenged': 'Sign-in started: app code asked for',
      'signin.code_sent': 'Sign-in code sent',
      'signin.verified': 'Sign-in code accepted',
      'signin.refused': 'Sign-in refused: locked or expired',
    },
  },
  {
    family: 'portal_key',
    label: 'Portal integration keys',
    actions: {
      'portal_key.created': 'Portal key created',
      'portal_key.revoked': 'Portal key revoked',
    },
  },
  {
    family: 'portal',
    label: 'Self-service portal',
    actions: {
      'portal.status_read': 'MFA status read by the portal',
    },
  },
  {
    family: 'setting',
    label: 'Settings',
    actions: {
      'setting.changed': 'Setting changed',
    },
  },
  {
    family: 'smtp',
    label: 'Mail settings',
    actions: {
      'smtp.settings_changed': 'Mail settings changed',
    },
  },
  {
    family: 'audit',
    label: 'Audit trail',
    actions: {
      'audit.exported': 'Audit report exported',
      'audit.verified': 'Audit trail verified',
    },
  },
  {
    family: 'demo',
    label: 'Demo data',
    actions: {
      'demo.batch_loaded': 'Demo data loaded',
    },
  },
] as const;

type Families = (typeof AUDIT_ACTION_FAMILIES)[number];
/** An action the audit trail records, e.g. 'factor.removed'. */
export type AuditAction = { [F in Families as F['family']]: keyof F['actions'] }[Families['family']];
export type AuditActionFamily = Families['family'];

export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = Object.fromEntries(
  AUDIT_ACTION_FAMILIES.flatMap((f) => Object.entries(f.actions)),
) as Record<AuditAction, string>;

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(AUDIT_ACTION_LABELS, value);
}

/** The words for an action; one the list does not know (an older desk's) is spelt out from its key. */
export function auditActionLabel(action: string): string {
  if (isAuditAction(action)) return AUDIT_ACTION_LABELS[action];
  const words = action.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The words for a filter value: an action, or a family ending in a dot ("factor." → "Authentication methods (all)"). */
export function auditFilterLabel(value: string): string {
  if (value.endsWith('.')) {
    const family = AUDIT_ACTION_FAMILIES.find((f) => `${f.family}.` === value);
    return family ? `${family.label} (all)` : value;
  }
  return auditActionLabel(value);
}
