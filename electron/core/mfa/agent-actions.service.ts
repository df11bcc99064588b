/**
 * What an agent does for a caller verified on THIS ticket in the last 60 minutes (see
 * caller-verification.service.ts), each on a ticket whose reference goes into the audit trail:
 * re-register a factor, restart a pending registration, remove a factor (only when both kinds are
 * active) or unlock the codes. There is no action that turns MFA off.
 */
import type { FactorRemoved, FactorType, RegistrationCodeSent, ReRegistrationStarted, UnlockResult } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit } from '../audit/audit.service';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { issueCode, type IssuedCode } from './codes.service';
import {
  assertCanRegister,
  chooseEmail,
  confirmChange,
  emailsOnRecord,
  newReference,
  type EmailOnRecord,
  type EmployeeRecord,
  type MfaDeps,
  type Trx,
} from './common';
import { CHANGE_TEXT, createPendingFactor, liveFactors, removeFactorRow } from './factors.service';
import { onCaller, type AgentContext } from './on-ticket';
import { removeActiveFactor } from './removal';
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

/** Remove an active factor — only when both kinds are active, so MFA always keeps one. */
export async function removeFactor(deps: MfaDeps, ctx: AgentContext, input: { employeeId: number; factorId: number }): Promise<FactorRemoved> {
  return onCaller(deps, ctx, input.employeeId, { verified: true }, async (trx, employee) => {
    const factors = await liveFactors(trx, employee.id);
    const factor = factors.find((f) => f.id === input.factorId);
    if (!factor) throw new DeskError('NOT_FOUND', `No current factor ${input.factorId} for this employee.`);
    const { factorId, reference } = await removeActiveFactor(trx, deps, { actor: ctx.actor, ticketRef: ctx.ticketRef }, employee, factors, factor);
    return { factorId, reference };
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
