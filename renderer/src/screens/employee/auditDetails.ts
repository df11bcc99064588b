/**
 * An audit event's details for people: each fact named in words with its value in words. Internal
 * ids (factorId, emailId, codeId…) mean nothing to an agent and are left out; stored enums
 * ("email_code", "authenticator_app") become their labels; times become UK times.
 */
import {
  CODE_PURPOSE_LABELS,
  EMAIL_KIND_LABELS,
  FACTOR_STATE_LABELS,
  FACTOR_TYPE_LABELS,
  MFA_LABELS,
  ROLE_LABELS,
  STATUS_LABELS,
  detailValue,
  formatDateTime,
  sentenceCase,
} from '../../format';
import { TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS } from '../../../../shared/domain';

/** Stored values with a name of their own (the first map that knows a value wins). */
const VALUE_LABELS: ReadonlyArray<Record<string, string>> = [
  FACTOR_TYPE_LABELS,
  CODE_PURPOSE_LABELS,
  EMAIL_KIND_LABELS,
  FACTOR_STATE_LABELS,
  MFA_LABELS,
  STATUS_LABELS,
  ROLE_LABELS,
  TICKET_CATEGORY_LABELS,
  TICKET_STATUS_LABELS,
  {
    email_code: 'Identity-check code by email',
    supervisor_override: 'Supervisor override',
    idle: 'Idle',
  },
];

/** Fact names that read better than their sentence-cased key. */
const KEY_LABELS: Record<string, string> = {
  factorType: 'Factor type',
  ticketRef: 'Ticket',
  requestRef: 'Request',
  attemptsLeft: 'Attempts left',
  failedAttempts: 'Wrong codes',
  registrationCodeTo: 'Registration code sent to',
  versionBefore: 'Record version before',
  versionAfter: 'Record version after',
  reopenedCount: 'Times reopened',
  confirmations: 'Confirmation mails',
  via: 'Through',
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const SNAKE = /^[a-z]+(_[a-z]+)+$/;

/** Keys that name an internal row: not shown. */
function isInternalId(key: string): boolean {
  return key === 'id' || /Id$/.test(key) || /Ids$/.test(key);
}

function valueInWords(value: unknown): string {
  if (typeof value === 'string') {
    for (const map of VALUE_LABELS) {
      const label = map[value];
      if (label) return label;
    }
    if (ISO_TIME.test(value)) return formatDateTime(value);
    if (SNAKE.test(value)) return sentenceCase(value);
    return value;
  }
  return detailValue(value);
}

/** [label, value] for each detail worth showing, in the order they were recorded. */
export function auditDetailEntries(details: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(details)) {
    if (isInternalId(key)) continue;
    out.push([KEY_LABELS[key] ?? sentenceCase(key), valueInWords(value)]);
  }
  return out;
}
