/**
 * Sign-in verification for the portal: the employee has given their username and password to the
 * portal, which now asks the desk whether the second factor is right. A code from the
 * authenticator app is checked as everywhere else (each step accepted once, five wrong codes lock
 * the method, "last used" set), and every check is kept for the desk's employee page
 * (signin_verifications) in the same transaction as its audit row.
 */
import { DeskError } from '../../../shared/errors';
import { FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';
import type { SignInResult, SignInVerdict } from '../../../shared/portal-api';
import { recordAudit, type Actor } from '../audit/audit.service';
import { lockEmployee, Refusal, type MfaDeps, type Trx } from '../mfa/common';
import { checkFactorCode, liveFactors } from '../mfa/factors.service';
import { employeeIdByUsername } from './api.service';

async function keep(trx: Trx, e: { employeeId: number; factorId: number | null; result: SignInResult; integration: string; at: string }): Promise<void> {
  await trx('signin_verifications').insert({
    employee_id: e.employeeId,
    factor_id: e.factorId,
    method: 'authenticator_app',
    result: e.result,
    integration: e.integration,
    checked_at: e.at,
  });
}

/** POST /v1/employees/{username}/sign-in/verify with a code from the authenticator app. */
export async function verifySignIn(
  deps: MfaDeps,
  actor: Actor,
  input: { integration: string; username: string; method: 'authenticator_app'; code: string },
): Promise<SignInVerdict> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  return deps.db.transaction(async (trx) => {
    const employee = await lockEmployee(trx, employeeId);
    const factor = (await liveFactors(trx, employee.id)).find((f) => f.type === 'authenticator_app' && f.state === 'active');
    if (!factor) {
      throw new DeskError('RULE_VIOLATION', 'No authenticator app is set up for this employee: they sign in with another method, or set one up first.', { method: 'authenticator_app' });
    }
    const at = deps.clock.now().toISOString();
    const base = { employeeId: employee.id, factorId: factor.id, integration: input.integration, at };
    if (factor.failedAttempts >= FACTOR_MAX_ATTEMPTS) {
      await keep(trx, { ...base, result: 'locked' });
      await recordAudit(trx, deps.clock, {
        actor,
        action: 'signin.refused',
        result: 'refused',
        employeeId: employee.id,
        details: { method: 'authenticator_app', factorId: factor.id, result: 'locked' },
      });
      return {
        result: 'locked',
        method: 'authenticator_app',
        attemptsLeft: 0,
        message: `The authenticator app is locked after ${FACTOR_MAX_ATTEMPTS} wrong codes. Contact Shared Services by webchat to have it unlocked.`,
        checkedAt: at,
      };
    }
    const checked = await checkFactorCode(trx, deps, { employee, factor, code: input.code, actor });
    if (checked instanceof Refusal) {
      // The wrong code is counted and audited (factor.code_rejected) by the check; it is kept here too.
      const details = checked.error.details ?? {};
      const locked = details['locked'] === true;
      await keep(trx, { ...base, result: locked ? 'locked' : 'wrong' });
      return {
        result: locked ? 'locked' : 'wrong',
        method: 'authenticator_app',
        attemptsLeft: Number(details['attemptsLeft'] ?? 0),
        message: locked ? checked.error.message.replace('Shared Services must unlock it.', 'Contact Shared Services by webchat to have it unlocked.') : checked.error.message,
        checkedAt: at,
      };
    }
    await keep(trx, { ...base, result: 'accepted' });
    await recordAudit(trx, deps.clock, {
      actor,
      action: 'signin.verified',
      employeeId: employee.id,
      details: { method: 'authenticator_app', factorId: factor.id },
    });
    return { result: 'accepted', method: 'authenticator_app', attemptsLeft: FACTOR_MAX_ATTEMPTS, message: 'The code is right.', checkedAt: at };
  });
}
