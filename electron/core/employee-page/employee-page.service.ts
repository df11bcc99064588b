import type { Knex } from 'knex';
import { isRowId } from '../../../shared/schemas';
import { DeskError } from '../../../shared/errors';
import {
  CODE_PURPOSES,
  type AuditEntry,
  type AuditPage,
  type CallerVerificationView,
  type CodeLockView,
  type CodePurpose,
  type EmployeeDetail,
  type EmployeePageData,
  type MailLogEntry,
  type MailStatus,
  type OneTimeCodeView,
  type PendingRegistrationView,
  type SignInCheckView,
} from '../../../shared/domain';
import { eligibility } from '../../../shared/eligibility';
import type { Clock } from '../clock';
import { toIso, toText } from '../db/values';
import { getEmployee } from '../employees/employees.service';
import { toVerificationView } from '../mfa/on-ticket';
import { CODE_MAX_ATTEMPTS, EMPLOYEE_MAX_CODE_FAILURES, SIGNIN_CHECKS_SHOWN, VERIFICATIONS_SHOWN } from '../../../shared/mfa-rules';

/** Wrong tries allowed per one-time code before it locks (the rules live in electron/core/mfa). */
export { CODE_MAX_ATTEMPTS };
export const MAIL_LOG_LIMIT = 50;
export const AUDIT_PAGE_SIZE = 25;

function parseDetails(raw: unknown): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(toText(raw) || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The audit columns a trail shows. */
export const AUDIT_ENTRY_COLUMNS = ['id', 'occurred_at', 'actor_name', 'ticket_ref', 'action', 'result', 'details'] as const;

/** An audit row as the desk shows it. */
export function toAuditEntry(r: Record<string, unknown>): AuditEntry {
  return {
    id: Number(r.id),
    occurredAt: toIso(r.occurred_at)!,
    actor: String(r.actor_name),
    ticketRef: (r.ticket_ref as string | null) ?? null,
    action: String(r.action),
    result: r.result === 'refused' ? 'refused' : 'ok',
    details: parseDetails(r.details),
  };
}

const AUDIT_CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(\d{1,10})$/;

/**
 * The employee's audit trail, newest first by time (then id), a keyset page at a time; the cursor
 * is the time and id of the last event shown. Served by the (employee_id, occurred_at) index.
 */
export async function employeeAudit(db: Knex, employeeId: number, cursor: string | null, limit = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  const qb = db('audit_events')
    .where('employee_id', employeeId)
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (cursor !== null) {
    const m = AUDIT_CURSOR_RE.exec(cursor);
    const id = m ? Number(m[2]) : NaN;
    if (!m || !isRowId(id) || Number.isNaN(Date.parse(m[1]!))) {
      throw new DeskError('VALIDATION', 'The audit page cursor is not valid.');
    }
    qb.whereRaw('(occurred_at, id) < (?, ?)', [m[1]!, id]);
  }
  const rows: Array<Record<string, unknown>> = await qb.select(...AUDIT_ENTRY_COLUMNS);
  const shown = rows.slice(0, limit);
  const entries: AuditEntry[] = shown.map(toAuditEntry);
  const last = entries[entries.length - 1];
  return { rows: entries, nextCursor: rows.length > limit && last ? `${last.occurredAt}~${last.id}` : null };
}

const CODE_COLUMNS = ['id', 'purpose', 'recipient', 'issued_at', 'expires_at', 'consumed_at', 'superseded_at', 'locked_at', 'attempts'] as const;

function toCodeView(r: Record<string, unknown>): OneTimeCodeView {
  return {
    id: Number(r.id),
    purpose: String(r.purpose) as CodePurpose,
    recipient: String(r.recipient),
    issuedAt: toIso(r.issued_at)!,
    expiresAt: toIso(r.expires_at)!,
    consumedAt: toIso(r.consumed_at),
    supersededAt: toIso(r.superseded_at),
    lockedAt: toIso(r.locked_at),
    attempts: Number(r.attempts),
    maxAttempts: CODE_MAX_ATTEMPTS,
  };
}

const NEWEST_FIRST = [
  { column: 'issued_at', order: 'desc' },
  { column: 'id', order: 'desc' },
] as const;

async function latestCodes(db: Knex, employeeId: number): Promise<OneTimeCodeView[]> {
  // The newest code of each purpose: one index seek per purpose.
  const rows = await Promise.all(
    CODE_PURPOSES.map(
      (purpose) =>
        db('one_time_codes')
          .where({ employee_id: employeeId, purpose })
          .orderBy([...NEWEST_FIRST])
          .first(...CODE_COLUMNS) as Promise<Record<string, unknown> | undefined>,
    ),
  );
  return rows
    .filter((r): r is Record<string, unknown> => r !== undefined)
    .sort((a, b) => Date.parse(toIso(b.issued_at)!) - Date.parse(toIso(a.issued_at)!) || Number(b.id) - Number(a.id))
    .map(toCodeView);
}

/** Pending factors, newest first, each with the newest registration code sent for it. */
async function pendingRegistrations(db: Knex, employee: EmployeeDetail): Promise<PendingRegistrationView[]> {
  const pending = employee.factors.filter((f) => f.state === 'pending');
  return Promise.all(
    pending.map(async (f) => {
      const code = await db('one_time_codes')
        .where({ employee_id: employee.id, purpose: 'registration', factor_id: f.id })
        .orderBy([...NEWEST_FIRST])
        .first<Record<string, unknown> | undefined>(...CODE_COLUMNS);
      const created = await db('factors').where({ id: f.id }).first<{ created_at: unknown } | undefined>('created_at');
      return {
        factorId: f.id,
        type: f.type,
        emailAddress: f.emailAddress,
        startedAt: toIso(created?.created_at)!,
        code: code ? toCodeView(code) : null,
      };
    }),
  );
}

/** Caller verifications on the employee's recent tickets, newest first. */
async function verifications(db: Knex, employeeId: number): Promise<CallerVerificationView[]> {
  const rows: Array<Record<string, unknown>> = await db('caller_verifications')
    .where({ employee_id: employeeId })
    .orderBy([
      { column: 'verified_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(VERIFICATIONS_SHOWN)
    .select('id', 'ticket_ref', 'method', 'verified_at', 'verified_by_name', 'reason');
  return rows.map(toVerificationView);
}

async function codeLock(db: Knex, employeeId: number): Promise<CodeLockView> {
  const r = await db('employees').where({ id: employeeId }).first<| { code_failures: unknown; codes_locked_at: unknown }
    | undefined>('code_failures', 'codes_locked_at');
  return { failures: Number(r?.code_failures ?? 0), maxFailures: EMPLOYEE_MAX_CODE_FAILURES, lockedAt: toIso(r?.codes_locked_at) };
}

async function mailLog(db: Knex, employeeId: number): Promise<{ mails: MailLogEntry[]; more: boolean }> {
  const rows: Array<Record<string, unknown>> = await db('mail_outbox')
    .where('employee_id', employeeId)
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(MAIL_LOG_LIMIT + 1)
    .select('id', 'created_at', 'sent_at', 'recipient', 'template', 'subject', 'status', 'attempts', 'last_error', 'smtp_response');
  return {
    more: rows.length > MAIL_LOG_LIMIT,
    mails: rows.slice(0, MAIL_LOG_LIMIT).map((r) => ({
      id: Number(r.id),
      createdAt: toIso(r.created_at)!,
      sentAt: toIso(r.sent_at),
      recipient: String(r.recipient),
      template: String(r.template),
      subject: String(r.subject),
      status: String(r.status) as MailStatus,
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      smtpResponse: (r.smtp_response as string | null) ?? null,
    })),
  };
}

/** The portal's latest sign-in checks of the employee, newest first. */
async function signInChecks(db: Knex, employeeId: number): Promise<{ checks: SignInCheckView[]; more: boolean }> {
  const rows: Array<Record<string, unknown>> = await db('signin_verifications')
    .where('employee_id', employeeId)
    .orderBy([{ column: 'checked_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(SIGNIN_CHECKS_SHOWN + 1)
    .select('id', 'checked_at', 'method', 'result', 'integration');
  return {
    more: rows.length > SIGNIN_CHECKS_SHOWN,
    checks: rows.slice(0, SIGNIN_CHECKS_SHOWN).map((r) => ({
      id: Number(r.id),
      checkedAt: toIso(r.checked_at)!,
      method: r.method as SignInCheckView['method'],
      result: r.result as SignInCheckView['result'],
      integration: String(r.integration),
    })),
  };
}

/** The whole employee page in one call: the sections are read in parallel. */
export async function employeePage(db: Knex, clock: Clock, employeeId: number): Promise<EmployeePageData> {
  const employee = await getEmployee(db, employeeId);
  const [codes, mail, audit, checks, lock, registrations, signIns] = await Promise.all([
    latestCodes(db, employeeId),
    mailLog(db, employeeId),
    employeeAudit(db, employeeId, null),
    verifications(db, employeeId),
    codeLock(db, employeeId),
    pendingRegistrations(db, employee),
    signInChecks(db, employeeId),
  ]);
  return {
    employee,
    eligibility: eligibility({
      status: employee.status,
      leavingDate: employee.leavingDate,
      internetAccessApproved: employee.internetAccessApproved,
      emailCount: employee.emails.length,
      mfaEnabledAt: employee.mfaEnabledAt,
    }),
    codes,
    mails: mail.mails,
    mailsMore: mail.more,
    audit,
    verifications: checks,
    codeLock: lock,
    registrations,
    signIns: signIns.checks,
    signInsMore: signIns.more,
    serverTime: clock.now().toISOString(),
  };
}
