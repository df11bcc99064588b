/**
 * An audit event's details in words: each key a label in sentence case, each value as people say it
 * (labels instead of stored names, UK times, yes/no, "from X to Y" for a change).
 */
import { TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS, VERIFICATION_METHODS } from '../../../../shared/domain';
import { CODE_PURPOSE_LABELS, ROLE_LABELS, auditFilterLabel, detailValue, formatDateTime, sentenceCase } from '../../format';

export interface DetailLine {
  label: string;
  value: string;
}

const KEY_LABELS: Record<string, string> = {
  headSeq: 'Chain head',
  requestRef: 'Request reference',
  reference: 'Reference',
  via: 'Through',
  attemptsLeft: 'Attempts left',
  codeLocked: 'Code locked',
  employeeLocked: 'Employee locked',
  wasEnrolled: 'Had an authenticator app',
  wasLockedUntil: 'Was locked until',
  temporaryPassword: 'Temporary password',
  previousResolution: 'Previous resolution',
  reopenedCount: 'Times reopened',
  usedForCodes: 'Used for codes',
};

const METHOD_LABELS: Record<(typeof VERIFICATION_METHODS)[number], string> = {
  email_code: 'Emailed code',
  authenticator_app: 'Authenticator app',
  supervisor_override: 'Supervisor override',
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function has<T extends object>(map: T, key: unknown): key is keyof T {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(map, key);
}

/** One value in words, knowing the key it sits under. */
function valueText(key: string, value: unknown): string {
  if (typeof value === 'string') {
    if (key === 'category' && has(TICKET_CATEGORY_LABELS, value)) return TICKET_CATEGORY_LABELS[value];
    if ((key === 'from' || key === 'to' || key === 'status') && has(TICKET_STATUS_LABELS, value)) return TICKET_STATUS_LABELS[value];
    if ((key === 'from' || key === 'to' || key === 'role') && has(ROLE_LABELS, value)) return ROLE_LABELS[value];
    if (key === 'method' && has(METHOD_LABELS, value)) return METHOD_LABELS[value];
    if (key === 'purpose' && has(CODE_PURPOSE_LABELS, value)) return CODE_PURPOSE_LABELS[value];
    if (key === 'action') return auditFilterLabel(value);
    if (key === 'format') return value.toUpperCase();
    if (ISO_TIME.test(value)) return formatDateTime(value);
  }
  if (typeof value === 'number' && key === 'headSeq') return `event #${value}`;
  return detailValue(value);
}

function isChange(value: unknown): value is { from: unknown; to: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function label(key: string): string {
  return KEY_LABELS[key] ?? sentenceCase(key);
}

/** The details as label/value lines; a nested record ("changes", "filter") is spelt out one line per entry. */
export function detailLines(details: Record<string, unknown>): DetailLine[] {
  const lines: DetailLine[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (isChange(value)) {
      lines.push({ label: label(key), value: `from ${valueText(key, value.from)} to ${valueText(key, value.to)}` });
    } else if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) lines.push({ label: label(key), value: 'none' });
      for (const [sub, v] of entries) {
        const name = key === 'changes' ? label(sub) : `${label(key)}, ${label(sub).toLowerCase()}`;
        lines.push({ label: name, value: isChange(v) ? `from ${valueText(sub, v.from)} to ${valueText(sub, v.to)}` : valueText(sub, v) });
      }
    } else {
      lines.push({ label: label(key), value: valueText(key, value) });
    }
  }
  return lines;
}

/** All the details as one string (to decide whether they fold). */
export function detailLength(lines: readonly DetailLine[]): number {
  return lines.reduce((n, l) => n + l.label.length + l.value.length + 4, 0);
}
