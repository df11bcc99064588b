/** Display helpers: plain British English, dates in the local time zone via Intl (en-GB). */
import type { DeskRole, EmailKind, EmployeeStatus, FactorState, FactorType, MfaState } from '../../shared/domain';

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
const dateOnlyFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const numberFormat = new Intl.NumberFormat('en-GB');

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO timestamp as a local date and time, e.g. "3 Mar 2024, 10:15". */
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
