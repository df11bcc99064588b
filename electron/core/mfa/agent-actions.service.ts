/**
 * What an agent does for a caller, each on a ticket whose reference goes into the audit trail:
 * verify the caller (an identity-check code sent to an address on record and read back, or a
 * current authenticator code; a supervisor may override with a written reason), and then — only
 * for a caller verified on THIS ticket in the last 60 minutes — re-register a factor, restart a
 * pending registration, remove a factor (only when both kinds are active) or unlock the codes.
 * There is no action that turns MFA off.
 */
import type { Knex } from 'knex';
import { ticketRefSchema } from '../../../shared/schemas';
import { can, rolesWith } from '../../../shared/policy';
import type {
  CallerVerificationView,
  DeskRole,
  FactorRemoved,
  FactorType,
  IdentityCodeSent,
  RegistrationCodeSent,
  ReRegistrationStarted,
  UnlockResult,
  VerificationMethod,
} from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import { toIso, insertedId, type InsertedId } from '../db/values';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { issueCode, redeemCode, type IssuedCode } from './codes.service';
import {
  assertCanRegister,
  chooseEmail,
  confirmChange,
  emailsOnRecord,
  lockEmployee,
  newReference,
  Refusal,
  transact,
  type EmailOnRecord,
  type EmployeeRecord,
  type MfaDeps,
  type Trx,
} from './common';
import { CHANGE_TEXT, checkFactorCode, createPendingFactor, liveFactors, removeFactorRow } from './factors.service';
import { VERIFICATION_VALID_MINUTES } from '../../../shared/mfa-rules';
import { ticketForAction } from '../ticket-store/ticket-rows';

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
function assertTicketRef(ctx: AgentContext): void {
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

async function recordVerification(
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
async function onTicket<T>(
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
function onCaller<T>(
  deps: MfaDeps,
  ctx: AgentContext,
  employeeId: number,
  opts: { verified: boolean },
  work: (trx: Trx, employee: EmployeeRecord) => Promise<T | Refusal>,
): Promise<T> {
  assertAgent(ctx);
  return onTicket(deps, ctx, employeeId, work, opts.verified);
}

/** (a) Send an identity-check code to an address on record, chosen by id; the caller reads it back. */
export async function sendIdentityCode(deps: MfaDeps, ctx: AgentContext, input: { employeeId: number; emailId: number }): Promise<IdentityCodeSent> {
  return onCaller(deps, ctx, input.employeeId, { verified: false }, async (trx, employee) => {
    const email = chooseEmail(await emailsOnRecord(trx, employee.id), input.emailId);
    const issued = await issueCode(trx, deps, { employee, purpose: 'identity_check', requestRef: ctx.ticketRef, recipient: email });
    await enqueueMail(trx, deps.clock, deps.vault, {
      employeeId: employee.id,
      template: 'identity_check_code',
      to: email.address,
      values: {
        firstName: employee.firstName,
        code: issued.code,
        minutes: String(issued.lifetimeMinutes),
        ticketRef: ctx.ticketRef,
        webchatUrl: WEBCHAT_URL,
      },
    });
    await recordAudit(trx, deps.clock, {
      actor: ctx.actor,
      action: 'caller.identity_code_sent',
      employeeId: employee.id,
      ticketRef: ctx.ticketRef,
      details: { codeId: issued.id, emailId: email.id, recipient: email.address, expiresAt: issued.expiresAt },
    });
    return { codeId: issued.id, recipient: email.address, expiresAt: issued.expiresAt };
  });
}

/** Check the identity-check code the caller read back (the one sent on this ticket). */
export async function checkIdentityCode(deps: MfaDeps, ctx: AgentContext, input: { employeeId: number; code: string }): Promise<CallerVerificationView> {
  return onCaller(deps, ctx, input.employeeId, { verified: false }, async (trx, employee) => {
    const redeemed = await redeemCode(trx, deps, {
      employee,
      purpose: 'identity_check',
      code: input.code,
      requestRef: ctx.ticketRef,
      actor: ctx.actor,
      ticketRef: ctx.ticketRef,
    });
    if (redeemed instanceof Refusal) return redeemed;
    return recordVerification(trx, deps, ctx, employee, 'email_code', { details: { codeId: redeemed.codeId } });
  });
}

/** (b) Check the current code from the caller's authenticator app. */
export async function checkAuthenticatorCode(
  deps: MfaDeps,
  ctx: AgentContext,
  input: { employeeId: number; code: string },
): Promise<CallerVerificationView> {
  return onCaller(deps, ctx, input.employeeId, { verified: false }, async (trx, employee) => {
    const factor = (await liveFactors(trx, employee.id)).find((f) => f.type === 'authenticator_app' && f.state === 'active');
    if (!factor) {
      throw new DeskError('RULE_VIOLATION', 'The employee has no authenticator app set up: send an identity-check code by email instead.');
    }
    const check = await checkFactorCode(trx, deps, { employee, factor, code: input.code, actor: ctx.actor, ticketRef: ctx.ticketRef });
    if (check instanceof Refusal) return check;
    return recordVerification(trx, deps, ctx, employee, 'authenticator_app', { details: { factorId: factor.id } });
  });
}

/** A supervisor (or admin) vouches for the caller, with a written reason. */
export async function overrideVerification(
  deps: MfaDeps,
  ctx: AgentContext,
  input: { employeeId: number; reason: string },
): Promise<CallerVerificationView> {
  if (!can(ctx.role, 'callers.override')) {
    throw new DeskError('FORBIDDEN', `Only a ${rolesWith('callers.override').join(' or ')} can override the caller verification.`);
  }
  assertTicketRef(ctx);
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 10) throw new DeskError('VALIDATION', 'Write the reason for the override (at least 10 characters).');
  return onTicket(deps, ctx, input.employeeId, (trx, employee) => recordVerification(trx, deps, ctx, employee, 'supervisor_override', { reason }));
}

/** Issue a registration code for a pending factor and queue its mail to the chosen address (in trx). */
export async function sendRegistrationCode(
  trx: Trx,
  deps: MfaDeps,
  ctx: AgentContext,
  employee: EmployeeRecord,
  factorId: number,
  email: EmailOnRecord,
): Promise<IssuedCode> {
  const issued = await issueCode(trx, deps, { employee, purpose: 'registration', requestRef: ctx.ticketRef, recipient: email, factorId });
  await enqueueMail(trx, deps.clock, deps.vault, {
    employeeId: employee.id,
    template: 'registration_code',
    to: email.address,
    values: { firstName: employee.firstName, code: issued.code, minutes: String(issued.lifetimeMinutes), webchatUrl: WEBCHAT_URL },
  });
  return issued;
}

/**
 * New or lost phone, or another address: the factor of that type is removed (kept as history; an
 * authenticator's seed is erased, so the old phone's codes stop working at once), a new pending
 * factor takes its place, a registration code goes to the chosen address on record, and every
 * address on record gets a confirmation. MFA stays enabled.
 */
export async function reRegister(
  deps: MfaDeps,
  ctx: AgentContext,
  input: { employeeId: number; factorType: FactorType; emailId?: number | null | undefined },
): Promise<ReRegistrationStarted> {
  return onCaller(deps, ctx, input.employeeId, { verified: true }, async (trx, employee) => {
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    const factors = await liveFactors(trx, employee.id);
    const old =
      factors.find((f) => f.type === input.factorType && f.state === 'active') ?? factors.find((f) => f.type === input.factorType);
    if (!old) {
      throw new DeskError(
        'RULE_VIOLATION',
        input.factorType === 'authenticator_app'
          ? 'The employee has no authenticator app to re-register: they add one themselves on the self-service portal.'
          : 'The employee has no email method to re-register: they add one themselves on the self-service portal.',
      );
    }
    const keep = input.emailId == null && input.factorType === 'email' ? emails.find((e) => e.id === old.emailId) : undefined;
    const email = keep ?? chooseEmail(emails, input.emailId);
    const removedState = old.state;
    await removeFactorRow(trx, deps, old);
    const fresh = await createPendingFactor(trx, deps, {
      employeeId: employee.id,
      type: input.factorType,
      emailId: input.factorType === 'email' ? email.id : null,
    });
    const issued = await sendRegistrationCode(trx, deps, ctx, employee, fresh.id, email);
    await refreshEmployeeFlags(trx, employee.id);
    const reference = newReference(fresh.id);
    const change = input.factorType === 'authenticator_app' ? CHANGE_TEXT.appReRegistration : CHANGE_TEXT.emailReRegistration(email.address);
    const mails = await confirmChange(trx, deps, employee, emails, change, reference);
    await recordAudit(trx, deps.clock, {
      actor: ctx.actor,
      action: 'factor.reregistration_started',
      employeeId: employee.id,
      ticketRef: ctx.ticketRef,
      details: {
        factorType: input.factorType,
        removedFactorId: old.id,
        removedState,
        factorId: fresh.id,
        emailId: email.id,
        recipient: email.address,
        codeId: issued.id,
        reference,
        confirmations: mails.length,
      },
    });
    return {
      factorId: fresh.id,
      factorType: input.factorType,
      removedFactorId: old.id,
      codeId: issued.id,
      recipient: email.address,
      expiresAt: issued.expiresAt,
      reference,
    };
  });
}

/** A registration that expired (or whose code was lost): a fresh registration code for the pending factor. */
export async function restartRegistration(
  deps: MfaDeps,
  ctx: AgentContext,
  input: { employeeId: number; factorId: number },
): Promise<RegistrationCodeSent> {
  return onCaller(deps, ctx, input.employeeId, { verified: true }, async (trx, employee) => {
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    const factor = (await liveFactors(trx, employee.id)).find((f) => f.id === input.factorId);
    if (!factor) throw new DeskError('NOT_FOUND', `No current factor ${input.factorId} for this employee.`);
    if (factor.state !== 'pending') throw new DeskError('RULE_VIOLATION', 'Only a pending registration can be restarted.');
    let email: EmailOnRecord;
    if (factor.type === 'email') {
      const on = emails.find((e) => e.id === factor.emailId);
      if (!on) throw new DeskError('RULE_VIOLATION', 'The address this registration was for is no longer on record: re-register the email method with another address.');
      email = on;
    } else {
      const last = await trx('one_time_codes')
        .where({ factor_id: factor.id, purpose: 'registration' })
        .orderBy([
          { column: 'issued_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .first<{ email_id: number | null } | undefined>('email_id');
      const lastId = last?.email_id == null ? null : Number(last.email_id);
      email = emails.find((e) => e.id === lastId) ?? chooseEmail(emails, null);
      // The app is set up again from the new code: a key handed out before is no longer good.
      if (factor.seedEnc) {
        await trx('factors').where({ id: factor.id }).update({ totp_seed_enc: null, totp_last_step: null, updated_at: deps.clock.now().toISOString() });
      }
    }
    const issued = await sendRegistrationCode(trx, deps, ctx, employee, factor.id, email);
    await recordAudit(trx, deps.clock, {
      actor: ctx.actor,
      action: 'factor.registration_restarted',
      employeeId: employee.id,
      ticketRef: ctx.ticketRef,
      details: { factorId: factor.id, factorType: factor.type, emailId: email.id, recipient: email.address, codeId: issued.id },
    });
    return { factorId: factor.id, factorType: factor.type, codeId: issued.id, recipient: email.address, expiresAt: issued.expiresAt };
  });
}

export const REMOVE_NEEDS_BOTH =
  'You can only remove an authentication method if you have both options set up (authenticator app and email address).';

/** Remove an active factor — only when both kinds are active, so MFA always keeps one. */
export async function removeFactor(deps: MfaDeps, ctx: AgentContext, input: { employeeId: number; factorId: number }): Promise<FactorRemoved> {
  return onCaller(deps, ctx, input.employeeId, { verified: true }, async (trx, employee) => {
    const factors = await liveFactors(trx, employee.id);
    const factor = factors.find((f) => f.id === input.factorId);
    if (!factor) throw new DeskError('NOT_FOUND', `No current factor ${input.factorId} for this employee.`);
    if (factor.state !== 'active') throw new DeskError('RULE_VIOLATION', 'Only an active authentication method can be removed.');
    const both = factors.some((f) => f.type === 'authenticator_app' && f.state === 'active') && factors.some((f) => f.type === 'email' && f.state === 'active');
    if (!both) throw new DeskError('RULE_VIOLATION', REMOVE_NEEDS_BOTH);
    const emails = await emailsOnRecord(trx, employee.id);
    const address = emails.find((e) => e.id === factor.emailId)?.address ?? null;
    await removeFactorRow(trx, deps, factor);
    await refreshEmployeeFlags(trx, employee.id);
    const reference = newReference(factor.id);
    const change = factor.type === 'authenticator_app' ? CHANGE_TEXT.appRemoved : CHANGE_TEXT.emailRemoved(address);
    const mails = await confirmChange(trx, deps, employee, emails, change, reference);
    await recordAudit(trx, deps.clock, {
      actor: ctx.actor,
      action: 'factor.removed',
      employeeId: employee.id,
      ticketRef: ctx.ticketRef,
      details: { factorId: factor.id, factorType: factor.type, emailId: factor.emailId, reference, confirmations: mails.length },
    });
    return { factorId: factor.id, reference };
  });
}

/** Clear the employee's wrong-code count and code lock, and every factor's wrong-code count. */
export async function unlock(deps: MfaDeps, ctx: AgentContext, input: { employeeId: number }): Promise<UnlockResult> {
  return onCaller(deps, ctx, input.employeeId, { verified: true }, async (trx, employee) => {
    const factorIds = (await liveFactors(trx, employee.id)).filter((f) => f.failedAttempts > 0).map((f) => f.id);
    if (employee.codeFailures === 0 && employee.codesLockedAt === null && factorIds.length === 0) {
      throw new DeskError('RULE_VIOLATION', 'Nothing to unlock: no wrong codes are counted for this employee or their authenticator app.');
    }
    const now = deps.clock.now().toISOString();
    await trx('employees').where({ id: employee.id }).update({ code_failures: 0, codes_locked_at: null });
    if (factorIds.length > 0) await trx('factors').whereIn('id', factorIds).update({ failed_attempts: 0, updated_at: now });
    await refreshEmployeeFlags(trx, employee.id);
    const result: UnlockResult = { codeFailures: employee.codeFailures, codesWereLocked: employee.codesLockedAt !== null, factorIds };
    await recordAudit(trx, deps.clock, {
      actor: ctx.actor,
      action: 'mfa.unlocked',
      employeeId: employee.id,
      ticketRef: ctx.ticketRef,
      details: { ...result },
    });
    return result;
  });
}
