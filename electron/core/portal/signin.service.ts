/**
 * Sign-in verification for the portal: the employee has given their username and password to the
 * portal, which now asks the desk whether the second factor is right.
 *  - authenticator app: a code from the app, checked as everywhere else (each step accepted once,
 *    five wrong codes lock the method, "last used" set).
 *  - email: the portal first asks for a challenge, which mails a sign-in code (valid
 *    otp.lifetimeMinutes, the same hourly limit and locks as every emailed code) to the address the
 *    email method was registered with; the code is then checked like any emailed code.
 * Every check is kept for the desk's employee page (signin_verifications) in the same transaction
 * as its audit row.
 */
import crypto from 'node:crypto';
import type { FactorType } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { maskEmail } from '../../../shared/masking';
import { CODE_MAX_ATTEMPTS, FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';
import type { SignInChallenged, SignInResult, SignInVerdict } from '../../../shared/portal-api';
import { recordAudit, type Actor } from '../audit/audit.service';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { issueCode, redeemCode } from '../mfa/codes.service';
import { emailsOnRecord, lockEmployee, Refusal, type EmployeeRecord, type MfaDeps, type Trx } from '../mfa/common';
import { checkFactorCode, liveFactors, type FactorRow } from '../mfa/factors.service';
import { employeeIdByUsername } from './api.service';

const UNLOCK = 'Contact Shared Services by webchat to have it unlocked.';

async function keep(
  trx: Trx,
  e: { employeeId: number; factorId: number | null; method: FactorType; result: SignInResult; integration: string; at: string },
): Promise<void> {
  await trx('signin_verifications').insert({
    employee_id: e.employeeId,
    factor_id: e.factorId,
    method: e.method,
    result: e.result,
    integration: e.integration,
    checked_at: e.at,
  });
}

/** The employee's active method of this kind; without one there is no second step to take. */
async function activeMethod(trx: Trx, employee: EmployeeRecord, method: FactorType): Promise<FactorRow> {
  const factor = (await liveFactors(trx, employee.id)).find((f) => f.type === method && f.state === 'active');
  if (factor) return factor;
  const name = method === 'email' ? 'No email method' : 'No authenticator app';
  throw new DeskError('RULE_VIOLATION', `${name} is set up for this employee: they sign in with another method, or set one up first.`, { method });
}

/** POST /v1/employees/{username}/sign-in/challenge: the second step of a sign-in begins. */
export async function challengeSignIn(
  deps: MfaDeps,
  actor: Actor,
  input: { integration: string; username: string; method: FactorType },
): Promise<SignInChallenged> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  return deps.db.transaction(async (trx) => {
    const employee = await lockEmployee(trx, employeeId);
    const factor = await activeMethod(trx, employee, input.method);
    // A locked method is said in the employee's words before anything is sent or audited.
    if (input.method === 'authenticator_app' && factor.failedAttempts >= FACTOR_MAX_ATTEMPTS) {
      throw new DeskError('RULE_VIOLATION', `The authenticator app is locked after ${FACTOR_MAX_ATTEMPTS} wrong codes. ${UNLOCK}`, { method: 'authenticator_app', locked: true });
    }
    if (input.method === 'email' && employee.codesLockedAt) {
      throw new DeskError('RULE_VIOLATION', `Emailed codes are locked for this account after too many wrong codes. ${UNLOCK}`, { method: 'email', locked: true });
    }
    if (input.method === 'authenticator_app') {
      await recordAudit(trx, deps.clock, {
        actor,
        action: 'signin.challenged',
        employeeId: employee.id,
        details: { method: 'authenticator_app', factorId: factor.id },
      });
      return {
        method: 'authenticator_app',
        sent: false,
        address: null,
        expiresAt: null,
        lifetimeMinutes: null,
        message: 'Enter the 6-digit code the authenticator app shows for this account.',
      };
    }
    const emails = await emailsOnRecord(trx, employee.id);
    const recipient = emails.find((e) => e.id === factor.emailId);
    if (!recipient) {
      throw new DeskError(
        'RULE_VIOLATION',
        'The address the email method was set up with is no longer on record. Contact Shared Services by webchat to re-register the email method.',
        { method: 'email' },
      );
    }
    const requestRef = `SI-${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
    const issued = await issueCode(trx, deps, { employee, purpose: 'sign_in', requestRef, recipient, factorId: factor.id });
    await enqueueMail(trx, deps.clock, deps.vault, {
      employeeId: employee.id,
      template: 'sign_in_code',
      to: recipient.address,
      values: { firstName: employee.firstName, code: issued.code, minutes: String(issued.lifetimeMinutes), webchatUrl: WEBCHAT_URL },
    });
    await recordAudit(trx, deps.clock, {
      actor,
      action: 'signin.code_sent',
      employeeId: employee.id,
      details: { method: 'email', factorId: factor.id, emailId: recipient.id, recipient: recipient.address, codeId: issued.id, requestRef },
    });
    const address = maskEmail(recipient.address);
    return {
      method: 'email',
      sent: true,
      address,
      expiresAt: issued.expiresAt,
      lifetimeMinutes: issued.lifetimeMinutes,
      message: `A sign-in code has been sent to ${address}. It is valid for ${issued.lifetimeMinutes} minutes; if it has not arrived, check the spam or junk folders.`,
    };
  });
}

/** POST /v1/employees/{username}/sign-in/verify: is the second factor right? */
export async function verifySignIn(
  deps: MfaDeps,
  actor: Actor,
  input: { integration: string; username: string; method: FactorType; code: string },
): Promise<SignInVerdict> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  return deps.db.transaction(async (trx) => {
    const employee = await lockEmployee(trx, employeeId);
    const factor = await activeMethod(trx, employee, input.method);
    const at = deps.clock.now().toISOString();
    const method = input.method;
    const base = { employeeId: employee.id, factorId: factor.id, method, integration: input.integration, at };

    /** A check that ends the attempt without counting a wrong code: kept and audited. */
    const refused = async (result: 'locked' | 'expired', message: string): Promise<SignInVerdict> => {
      await keep(trx, { ...base, result });
      await recordAudit(trx, deps.clock, {
        actor,
        action: 'signin.refused',
        result: 'refused',
        employeeId: employee.id,
        details: { method, factorId: factor.id, result },
      });
      return { result, method, attemptsLeft: 0, message, checkedAt: at };
    };
    const accepted = async (): Promise<SignInVerdict> => {
      await keep(trx, { ...base, result: 'accepted' });
      await recordAudit(trx, deps.clock, { actor, action: 'signin.verified', employeeId: employee.id, details: { method, factorId: factor.id } });
      return { result: 'accepted', method, attemptsLeft: method === 'email' ? CODE_MAX_ATTEMPTS : FACTOR_MAX_ATTEMPTS, message: 'The code is right.', checkedAt: at };
    };

    if (method === 'authenticator_app') {
      if (factor.failedAttempts >= FACTOR_MAX_ATTEMPTS) {
        return refused('locked', `The authenticator app is locked after ${FACTOR_MAX_ATTEMPTS} wrong codes. ${UNLOCK}`);
      }
      const checked = await checkFactorCode(trx, deps, { employee, factor, code: input.code, actor });
      if (checked instanceof Refusal) {
        // The wrong code is counted and audited (factor.code_rejected) by the check; it is kept here too.
        const details = checked.error.details ?? {};
        const locked = details['locked'] === true;
        await keep(trx, { ...base, result: locked ? 'locked' : 'wrong' });
        return {
          result: locked ? 'locked' : 'wrong',
          method,
          attemptsLeft: Number(details['attemptsLeft'] ?? 0),
          message: locked ? checked.error.message.replace('Shared Services must unlock it.', UNLOCK) : checked.error.message,
          checkedAt: at,
        };
      }
      return accepted();
    }

    // email: the newest sign-in code made for this method.
    if (employee.codesLockedAt) {
      return refused('locked', `Emailed codes are locked for this account after too many wrong codes. ${UNLOCK}`);
    }
    let redeemed;
    try {
      redeemed = await redeemCode(trx, deps, { employee, purpose: 'sign_in', code: input.code, factorId: factor.id, actor });
    } catch (err) {
      // Used, replaced, locked or expired: this code is over; the employee asks for a new one.
      // (No code at all, or a code that is not 6 digits, is the caller's mistake and stays an error.)
      if (err instanceof DeskError && err.details?.['codeId'] != null) return refused('expired', err.message.replace(/Start (the process )?again and request a new code\./, 'Ask for a new code.'));
      throw err;
    }
    if (redeemed instanceof Refusal) {
      // Counted and audited (code.rejected) by the check; kept here too.
      const details = redeemed.error.details ?? {};
      const locked = details['employeeLocked'] === true;
      await keep(trx, { ...base, result: locked ? 'locked' : 'wrong' });
      if (locked) {
        const message = `That code is not right, and emailed codes are now locked for this account after too many wrong codes. ${UNLOCK}`;
        return { result: 'locked', method, attemptsLeft: 0, message, checkedAt: at };
      }
      if (details['codeLocked'] === true) {
        // The fifth wrong try ends this code: the portal offers a new one rather than the code field.
        const message = `That code is not right, and after ${CODE_MAX_ATTEMPTS} wrong tries it no longer works. Ask for a new code.`;
        return { result: 'expired', method, attemptsLeft: 0, message, checkedAt: at };
      }
      return { result: 'wrong', method, attemptsLeft: Number(details['attemptsLeft'] ?? 0), message: redeemed.error.message, checkedAt: at };
    }
    await trx('factors').where({ id: factor.id }).update({ last_used_at: at, updated_at: at });
    return accepted();
  });
}
