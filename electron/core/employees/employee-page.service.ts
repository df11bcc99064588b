import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { AuditEntry, AuditPage, CodePurpose, EmployeePageData, MailLogEntry, MailStatus, OneTimeCodeView } from '../../../shared/domain';
import { eligibility } from '../../../shared/eligibility';
import type { Clock } from '../clock';
import { toIso } from '../db/values';
import { getEmployee } from './employees.service';

/** Wrong tries allowed per one-time code before it locks (the guides' rules, enforced in core). */
export const CODE_MAX_ATTEMPTS = 5;
export const MAIL_LOG_LIMIT = 50;
export const AUDIT_PAGE_SIZE = 25;

function parseDetails(raw: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(String(raw ?? '{}'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The employee's audit trail, newest first, a keyset page at a time (cursor: the last id shown). */
export async function employeeAudit(db: Knex, employeeId: number, cursor: string | null, limit = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  let before: number | null = null;
  if (cursor !== null) {
    before = /^\d{1,10}$/.test(cursor) ? Number(cursor) : NaN;
    if (!Number.isSafeInteger(before)) throw new DeskError('VALIDATION', 'The audit page cursor is not valid.');
  }
  const qb = db('audit_events').where('employee_id', employeeId).orderBy('id', 'desc').limit(limit + 1);
  if (before !== null) qb.andWhere('id', '<', before);
  const rows: Array<Record<string, unknown>> = await qb.select('id', 'occurred_at', 'actor_name', 'ticket_ref', 'action', 'result', 'details');
  const shown = rows.slice(0, limit);
  const entries: AuditEntry[] = shown.map((r) => ({
    id: Number(r.id),
    occurredAt: toIso(r.occurred_at)!,
    actor: String(r.actor_name),
    ticketRef: (r.ticket_ref as string | null) ?? null,
    action: String(r.action),
    result: r.result === 'refused' ? 'refused' : 'ok',
    details: parseDetails(r.details),
  }));
  return { rows: entries, nextCursor: rows.length > limit ? String(entries[entries.length - 1]!.id) : null };
}

async function latestCodes(db: Knex, employeeId: number): Promise<OneTimeCodeView[]> {
  // Newest per purpose: a handful of rows per employee, read through the (employee, purpose, issued) index.
  const rows: Array<Record<string, unknown>> = await db('one_time_codes')
    .where('employee_id', employeeId)
    .orderBy([{ column: 'issued_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(50)
    .select('id', 'purpose', 'recipient', 'issued_at', 'expires_at', 'consumed_at', 'superseded_at', 'locked_at', 'attempts');
  const seen = new Set<string>();
  const out: OneTimeCodeView[] = [];
  for (const r of rows) {
    const purpose = String(r.purpose) as CodePurpose;
    if (seen.has(purpose)) continue;
    seen.add(purpose);
    out.push({
      id: Number(r.id),
      purpose,
      recipient: String(r.recipient),
      issuedAt: toIso(r.issued_at)!,
      expiresAt: toIso(r.expires_at)!,
      consumedAt: toIso(r.consumed_at),
      supersededAt: toIso(r.superseded_at),
      lockedAt: toIso(r.locked_at),
      attempts: Number(r.attempts),
      maxAttempts: CODE_MAX_ATTEMPTS,
    });
  }
  return out;
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

/** The whole employee page in one call: the sections are read in parallel. */
export async function employeePage(db: Knex, clock: Clock, employeeId: number): Promise<EmployeePageData> {
  const employee = await getEmployee(db, employeeId);
  const [codes, mail, audit] = await Promise.all([latestCodes(db, employeeId), mailLog(db, employeeId), employeeAudit(db, employeeId, null)]);
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
    serverTime: clock.now().toISOString(),
  };
}
