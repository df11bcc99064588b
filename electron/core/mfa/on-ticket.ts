/**
 * The opening every action on a caller shares: who acts on which ticket, the checks of role and
 * ticket reference, the employee's row held for the transaction, the action linked to its ticket,
 * and the caller's verification on that ticket (read, required, recorded).
 */
import type { Knex } from 'knex';
import { ticketRefSchema } from '../../../shared/schemas';
import { can, rolesWith } from '../../../shared/policy';
import type { CallerVerificationView, DeskRole, VerificationMethod } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { VERIFICATION_VALID_MINUTES } from '../../../shared/mfa-rules';
import { recordAudit, type Actor } from '../audit/audit.service';
import { toIso, insertedId, type InsertedId } from '../db/values';
import { ticketForAction } from '../ticket-store/ticket-rows';
import { lockEmployee, transact, type EmployeeRecord, type MfaDeps, type Refusal, type Trx } from './common';

/** Who acts, in which role, on which ticket. */
export interface AgentContext {
  actor: Actor;
  role: DeskRole;
  ticketRef: string;
}

function assertAgent(ctx: AgentContext): void {
  if (!can(ctx.role, 'callers.help')) throw new DeskError('FORBIDDEN', `This needs one of the roles: ${rolesWith('callers.help').join(', ')}.`);
  assertTicketRef(ctx);
}

/**
 * Every action is done on a ticket, recorded in the audit trail: the reference must be one the
 * contract accepts (as the router already parsed it), whoever calls the service.
 */
export function assertTicketRef(ctx: AgentContext): void {
  const parsed = ticketRefSchema.safeParse(ctx.ticketRef);
  if (!parsed.success || parsed.data !== ctx.ticketRef) {
    throw new DeskError('VALIDATION', 'Enter the ticket reference: 3–64 letters, digits or . _ : / - only.');
  }
}

export function toVerificationView(r: Record<string, unknown>): CallerVerificationView {
  const verifiedAt = toIso(r.verified_at)!;
  return {
    id: Number(r.id),
    ticketRef: String(r.ticket_ref),
    method: r.method as VerificationMethod,
    verifiedAt,
    verifiedBy: String(r.verified_by_name),
    reason: (r.reason as string | null) ?? null,
    validUntil: new Date(Date.parse(verifiedAt) + VERIFICATION_VALID_MINUTES * 60_000).toISOString(),
  };
}

const VERIFICATION_COLUMNS = ['id', 'ticket_ref', 'method', 'verified_at', 'verified_by_name', 'reason'] as const;

/** The newest verification of the caller on this ticket that is still valid, if any. */
export async function currentVerification(
  db: Knex | Trx,
  deps: Pick<MfaDeps, 'clock'>,
  employeeId: number,
  ticketRef: string,
): Promise<CallerVerificationView | null> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - VERIFICATION_VALID_MINUTES * 60_000).toISOString();
  const row = await db('caller_verifications')
    .where({ employee_id: employeeId, ticket_ref: ticketRef })
    .andWhere('verified_at', '>', since)
    .andWhere('verified_at', '<=', now.toISOString())
    .orderBy([
      { column: 'verified_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first<Record<string, unknown> | undefined>(...VERIFICATION_COLUMNS);
  return row ? toVerificationView(row) : null;
}

async function requireVerifiedCaller(trx: Trx, deps: MfaDeps, employee: EmployeeRecord, ticketRef: string): Promise<CallerVerificationView> {
  const v = await currentVerification(trx, deps, employee.id, ticketRef);
  if (!v) {
    throw new DeskError(
      'RULE_VIOLATION',
      `Verify the caller first: there is no caller verification on ticket ${ticketRef} in the last ${VERIFICATION_VALID_MINUTES} minutes. Send an identity-check code, check a code from their authenticator app, or ask a supervisor to override.`,
      { needsVerification: true, ticketRef },
    );
  }
  return v;
}

export async function recordVerification(
  trx: Trx,
  deps: MfaDeps,
  ctx: AgentContext,
  employee: EmployeeRecord,
  method: VerificationMethod,
  extra: { reason?: string; details?: Record<string, unknown> } = {},
): Promise<CallerVerificationView> {
  const row = {
    employee_id: employee.id,
    ticket_ref: ctx.ticketRef,
    method,
    verified_by: ctx.actor.userId,
    verified_by_name: ctx.actor.name,
    reason: extra.reason ?? null,
    verified_at: deps.clock.now().toISOString(),
  };
  const [r] = await trx('caller_verifications').insert(row).returning<InsertedId[]>('id');
  const id = insertedId(r);
  await recordAudit(trx, deps.clock, {
    actor: ctx.actor,
    action: method === 'supervisor_override' ? 'caller.verification_overridden' : 'caller.verified',
    employeeId: employee.id,
    ticketRef: ctx.ticketRef,
    details: { verificationId: id, method, ...(extra.reason ? { reason: extra.reason } : {}), ...extra.details },
  });
  return toVerificationView({ ...row, id });
}

/**
 * The opening of every action on a caller: the employee's row held for the transaction, the
 * action linked to its ticket, and for the sensitive ones a verified caller on that ticket.
 */
export async function onTicket<T>(
  deps: MfaDeps,
  ctx: AgentContext,
  employeeId: number,
  work: (trx: Trx, employee: EmployeeRecord) => Promise<T | Refusal>,
  verified = false,
): Promise<T> {
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, employeeId);
    await ticketForAction(trx, deps.clock, ctx.actor, employee.id, ctx.ticketRef);
    if (verified) await requireVerifiedCaller(trx, deps, employee, ctx.ticketRef);
    return work(trx, employee);
  });
}

/** onTicket for an agent's action (the role and the ticket reference checked first). */
export function onCaller<T>(
  deps: MfaDeps,
  ctx: AgentContext,
  employeeId: number,
  opts: { verified: boolean },
  work: (trx: Trx, employee: EmployeeRecord) => Promise<T | Refusal>,
): Promise<T> {
  assertAgent(ctx);
  return onTicket(deps, ctx, employeeId, work, opts.verified);
}
