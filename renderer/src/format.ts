/** Display helpers: plain British English, dates and times in UK time (Europe/London) via Intl (en-GB). */
import type {
  CodePurpose,
  DeskRole,
  EmailKind,
  EmployeeStatus,
  FactorFilter,
  FactorState,
  FactorType,
  MailStatus,
  MfaState,
  SortDirection,
  SortKey,
} from '../../shared/domain';

/** Every time the desk shows is UK time, whatever the machine's own time zone. */
export const TIME_ZONE = 'Europe/London';
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });
const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: TIME_ZONE });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: TIME_ZONE });
const dateOnlyFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const dayKeyFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: TIME_ZONE });
const numberFormat = new Intl.NumberFormat('en-GB');

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO timestamp as a UK date and time, e.g. "3 Mar 2024, 10:15". */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}

/** An ISO date ("2024-03-12") or timestamp as a date, e.g. "12 Mar 2024". A bare date does not shift with the time zone. */
export function formatDate(iso: string): string {
  if (DATE_ONLY.test(iso)) {
    const d = new Date(iso + 'T00:00:00Z');
    return Number.isNaN(d.getTime()) ? iso : dateOnlyFormat.format(d);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

/** The YYYY-MM-DD of an instant in UK time (today's date, as the desk sees it). */
export function ukDay(at: Date | number): string {
  return dayKeyFormat.format(at);
}

/**
 * How long ago, for people: "just now", "12 min ago", "3 h 5 min ago", "yesterday at 14:05",
 * then the date and time. `now` is the main process's time (see useServerNow).
 */
export function formatRelative(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  if (seconds < 0) return formatDateTime(iso);
  if (seconds < 45) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 6) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const today = ukDay(now);
  const day = ukDay(at);
  if (day === today) return `today at ${timeFormat.format(at)}`;
  if (day === ukDay(now.getTime() - 24 * 3600_000)) return `yesterday at ${timeFormat.format(at)}`;
  return formatDateTime(iso);
}

/** A duration in minutes as people say it: "12 min", "2 h 5 min", "3 days". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  if (h < 48) return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
  return plural(Math.floor(h / 24), 'day', 'days');
}

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

export const ROLE_LABELS: Record<DeskRole, string> = {
  agent: 'Agent',
  manager: 'Manager',
  supervisor: 'Supervisor',
  admin: 'Admin',
};

export const STATUS_LABELS: Record<EmployeeStatus, string> = { active: 'Active', leaver: 'Leaver' };

export const MFA_LABELS: Record<MfaState, string> = {
  not_registered: 'Not registered',
  pending: 'Pending',
  enabled: 'Enabled',
};

export const EMAIL_KIND_LABELS: Record<EmailKind, string> = { work: 'Work', personal: 'Personal' };

export const FACTOR_TYPE_LABELS: Record<FactorType, string> = {
  authenticator_app: 'Authenticator app',
  email: 'Email',
};

export const FACTOR_STATE_LABELS: Record<FactorState, string> = {
  pending: 'Pending',
  active: 'Active',
  removed: 'Removed',
};

export const FACTOR_FILTER_LABELS: Record<FactorFilter, string> = {
  authenticator_app: 'Authenticator app',
  email: 'Email',
  both: 'Both',
};

export const CODE_PURPOSE_LABELS: Record<CodePurpose, string> = {
  registration: 'Registration',
  reset: 'Reset',
  identity_check: 'Identity check',
  sign_in: 'Sign-in',
};

export const MAIL_STATUS_LABELS: Record<MailStatus, string> = { queued: 'Queued', sent: 'Sent', failed: 'Failed' };

const MAIL_TEMPLATE_LABELS: Record<string, string> = {
  change_confirmation: 'Change confirmation',
  one_time_code: 'One-time code',
  registration_code: 'Registration code',
  identity_check_code: 'Identity check code',
  sign_in_code: 'Sign-in code',
  record_change: 'Record change confirmation',
};

/** A mail template's name in plain words ("change_confirmation" → "Change confirmation"). */
export function mailTemplateLabel(template: string): string {
  return MAIL_TEMPLATE_LABELS[template] ?? sentenceCase(template);
}

export { auditActionLabel, auditFilterLabel } from '../../shared/audit-actions';

/** "factorType" / "factor_type" → "Factor type". */
export function sentenceCase(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An audit detail value in plain words. */
export function detailValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    if (value in FACTOR_TYPE_LABELS) return FACTOR_TYPE_LABELS[value as FactorType];
    return value;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value.map(listItem).join('; ');
  }
  return JSON.stringify(value);
}

/** One item of a listed audit detail: an email on record, another employee's record, or plain text. */
function listItem(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    if (typeof o['address'] === 'string' && typeof o['kind'] === 'string') {
      const kind = EMAIL_KIND_LABELS[o['kind'] as EmailKind] ?? String(o['kind']);
      return `${kind} ${o['address']}${o['usedForCodes'] === true ? ' (codes)' : ''}`;
    }
    if (typeof o['address'] === 'string' && typeof o['employeeNumber'] === 'string') {
      return `${o['address']} — employee ${o['employeeNumber']}${typeof o['name'] === 'string' ? ` (${o['name']})` : ''}`;
    }
  }
  return detailValue(item);
}

/** The options of the "Sort by" list, in plain words. */
export const SORT_OPTIONS: ReadonlyArray<{ by: SortKey; dir: SortDirection; label: string }> = [
  { by: 'relevance', dir: 'asc', label: 'Relevance (best match first)' },
  { by: 'name', dir: 'asc', label: 'Name, A to Z' },
  { by: 'name', dir: 'desc', label: 'Name, Z to A' },
  { by: 'employeeNumber', dir: 'asc', label: 'Employee number, lowest first' },
  { by: 'employeeNumber', dir: 'desc', label: 'Employee number, highest first' },
  { by: 'organisation', dir: 'asc', label: 'Organisation, A to Z' },
  { by: 'organisation', dir: 'desc', label: 'Organisation, Z to A' },
  { by: 'status', dir: 'asc', label: 'Status, active first' },
  { by: 'status', dir: 'desc', label: 'Status, leavers first' },
  // The database orders the MFA state by its stored name: enabled, not_registered, pending.
  { by: 'mfa', dir: 'asc', label: 'MFA, enabled first' },
  { by: 'mfa', dir: 'desc', label: 'MFA, pending first' },
];

/** The `secret` query parameter of an otpauth:// URI, or null. */
export function secretFromOtpauthUri(uri: string): string | null {
  const q = uri.indexOf('?');
  if (q < 0) return null;
  return new URLSearchParams(uri.slice(q + 1)).get('secret');
}

/** A base32 key in groups of four, easier to type into an app ("ABCD EFGH …"). */
export function groupKey(key: string): string {
  return key.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
