/**
 * An audit event's details in words, for the employee page's audit trail and the Audit events table:
 * each key a label (sentence case unless it has a better name), each value as people say it —
 * labels instead of stored names, UK dates and times, yes/no, "from X to Y" for a change. Internal ids
 * (ticketId, factorId, emailId, codeId…) mean nothing to a person and are left out.
 */
import { TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS, type VerificationMethod } from '../../shared/domain';
import {
  CODE_PURPOSE_LABELS,
  EMAIL_KIND_LABELS,
  FACTOR_STATE_LABELS,
  FACTOR_TYPE_LABELS,
  ROLE_LABELS,
  auditFilterLabel,
  detailValue,
  formatDate,
  formatDateTime,
  sentenceCase,
} from './format';

export interface DetailLine {
  label: string;
  value: string;
}

/** Keys that read better than their sentence-cased name. */
const KEY_LABELS: Record<string, string> = {
  headSeq: 'Chain head',
  ticketRef: 'Ticket',
  requestRef: 'Request reference',
  reference: 'Reference',
  via: 'Through',
  attemptsLeft: 'Attempts left',
  failedAttempts: 'Wrong codes',
  codeLocked: 'Code locked',
  employeeLocked: 'Employee locked',
  registrationCodeTo: 'Registration code sent to',
  versionBefore: 'Record version before',
  versionAfter: 'Record version after',
  wasEnrolled: 'Had an authenticator app',
  wasLockedUntil: 'Was locked until',
  temporaryPassword: 'Temporary password',
  previousResolution: 'Previous resolution',
  reopenedCount: 'Times reopened',
  confirmations: 'Confirmation mails',
  mfaEnabled: 'MFA enabled',
  usedForCodes: 'Used for codes',
};

const METHOD_LABELS: Record<VerificationMethod, string> = {
  email_code: 'Identity-check code by email',
  authenticator_app: 'Authenticator app',
  supervisor_override: 'Supervisor override',
};

/**
 * Keys whose value is a stored name, with the labels for it (the first map that knows the value
 * wins; a stored name none knows is sentence-cased). Values under any other key are free text
 * (a username, a reason, a note) and are shown as written.
 */
const VALUE_LABELS: Record<string, ReadonlyArray<Record<string, string>>> = {
  factorType: [FACTOR_TYPE_LABELS],
  removedState: [FACTOR_STATE_LABELS],
  purpose: [CODE_PURPOSE_LABELS],
  method: [METHOD_LABELS],
  category: [TICKET_CATEGORY_LABELS],
  status: [TICKET_STATUS_LABELS],
  role: [ROLE_LABELS],
  from: [TICKET_STATUS_LABELS, ROLE_LABELS],
  to: [TICKET_STATUS_LABELS, ROLE_LABELS],
  kind: [EMAIL_KIND_LABELS],
  source: [{ hr_import: 'HR import' }],
  reason: [{ idle: 'Idle' }],
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const SNAKE = /^[a-z]+(_[a-z]+)+$/;

function has(map: Record<string, string>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** Keys that name an internal row. */
function isInternalId(key: string): boolean {
  return key === 'id' || /Ids?$/.test(key);
}

/** One value in words, knowing the key it sits under. */
function valueText(key: string, value: unknown): string {
  if (typeof value === 'string') {
    const maps = VALUE_LABELS[key];
    if (maps) {
      for (const map of maps) if (has(map, value)) return map[value]!;
      if (SNAKE.test(value)) return sentenceCase(value);
    }
    if (key === 'action') return auditFilterLabel(value);
    if (key === 'format') return value.toUpperCase();
    if (ISO_TIME.test(value)) return formatDateTime(value);
    if (ISO_DATE.test(value)) return formatDate(value);
  }
  if (typeof value === 'number' && key === 'headSeq') return `event #${value}`;
  return detailValue(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isChange(value: unknown): value is { from: unknown; to: unknown } {
  return isPlainObject(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;
}

function label(key: string): string {
  return KEY_LABELS[key] ?? sentenceCase(key);
}

/** A change in words: "from X to Y"; a changed internal id only says that it was set, cleared or changed. */
function changeText(key: string, change: { from: unknown; to: unknown }): string {
  if (isInternalId(key)) return change.from == null ? 'set' : change.to == null ? 'cleared' : 'changed';
  return `from ${valueText(key, change.from)} to ${valueText(key, change.to)}`;
}

/** The name of a key that holds an internal id, without the id ("assigneeId" → "Assignee"). */
function idLabel(key: string): string {
  return label(key.replace(/Ids?$/, ''));
}

/**
 * The details as label/value lines, in the order they were recorded; a nested record ("changes",
 * "filter") is spelt out one line per entry, and internal ids are left out (a changed one is named).
 */
export function detailLines(details: Record<string, unknown>): DetailLine[] {
  const lines: DetailLine[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (isInternalId(key)) continue;
    if (isChange(value)) {
      lines.push({ label: label(key), value: changeText(key, value) });
    } else if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) lines.push({ label: label(key), value: 'none' });
      for (const [sub, v] of entries) {
        if (isInternalId(sub) && !isChange(v)) continue;
        const subLabel = isInternalId(sub) ? idLabel(sub) : label(sub);
        const name = key === 'changes' ? subLabel : `${label(key)}, ${subLabel.toLowerCase()}`;
        lines.push({ label: name, value: isChange(v) ? changeText(sub, v) : valueText(sub, v) });
      }
    } else {
      lines.push({ label: label(key), value: valueText(key, value) });
    }
  }
  return lines;
}

/** All the details as one string's length (to decide whether they fold). */
export function detailLength(lines: readonly DetailLine[]): number {
  return lines.reduce((n, l) => n + l.label.length + l.value.length + 4, 0);
}
