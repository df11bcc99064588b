/**
 * Verifying the caller on a ticket: an identity-check code sent to an address on record and read
 * back, or a current code from their authenticator app; a supervisor may vouch instead, with a
 * written reason. A verification holds for that ticket for VERIFICATION_VALID_MINUTES.
 */
import { can, rolesWith } from '../../../shared/policy';
import type { CallerVerificationView, IdentityCodeSent } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit } from '../audit/audit.service';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { issueCode, redeemCode } from './codes.service';
import { chooseEmail, emailsOnRecord, Refusal, type MfaDeps } from './common';
import { checkFactorCode, liveFactors } from './factors.service';
import { assertTicketRef, onCaller, onTicket, recordVerification, type AgentContext } from './on-ticket';

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
