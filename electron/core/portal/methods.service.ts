/**
 * The employee sets up and removes their own methods through the portal, under the same rules as
 * `desk selfservice` and the desk (leavers and employees without approved internet access cannot
 * register; a method is removed only when both are set up; MFA is never turned off). Acts as
 * `portal:<integration>`; every change mails every address on record, as the desk's own do.
 */
import QRCode from 'qrcode';
import { DeskError } from '../../../shared/errors';
import { maskEmail } from '../../../shared/masking';
import type { PortalAppEnrolment, PortalEmailCodeSent, PortalMethod, PortalMethodRemoved, PortalRegistered } from '../../../shared/portal-api';
import type { Actor } from '../audit/audit.service';
import { lockEmployee, type MfaDeps } from '../mfa/common';
import { liveFactors } from '../mfa/factors.service';
import { removeActiveFactor } from '../mfa/removal';
import { confirmAppRegistration, confirmEmailRegistration, requestEmailCode, startAppRegistration } from '../mfa/selfservice.service';
import { employeeIdByUsername } from './api.service';

const TYPE = { app: 'authenticator_app', email: 'email' } as const;
const NAME = { app: 'authenticator app', email: 'email method' } as const;

/** DELETE /v1/employees/{username}/mfa/{method}. */
export async function removeOwnMethod(deps: MfaDeps, actor: Actor, input: { username: string; method: PortalMethod }): Promise<PortalMethodRemoved> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  return deps.db.transaction(async (trx) => {
    const employee = await lockEmployee(trx, employeeId);
    const factors = await liveFactors(trx, employee.id);
    const factor = factors.find((f) => f.type === TYPE[input.method] && f.state === 'active');
    if (!factor) throw new DeskError('RULE_VIOLATION', `No ${NAME[input.method]} is set up, so there is nothing to remove.`, { method: input.method });
    const removed = await removeActiveFactor(trx, deps, { actor, ticketRef: null, via: 'portal' }, employee, factors, factor);
    return { removed: TYPE[input.method], reference: removed.reference, confirmations: removed.confirmations, mfaEnabled: true };
  });
}

/** POST /v1/employees/{username}/mfa/app: a new key as an otpauth URI and its QR code (PNG). */
export async function startOwnApp(deps: MfaDeps, actor: Actor, input: { username: string; code?: string | undefined }): Promise<PortalAppEnrolment> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  const started = await startAppRegistration(deps, { employeeId, code: input.code ?? null }, { actor, via: 'portal' });
  const qrCode = await QRCode.toDataURL(started.otpauthUri, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
  return { otpauthUri: started.otpauthUri, qrCode, issuer: started.issuer, account: started.account };
}

/** POST …/mfa/app/activate and …/mfa/email/activate. */
export async function activateOwnMethod(deps: MfaDeps, actor: Actor, input: { username: string; method: PortalMethod; code: string }): Promise<PortalRegistered> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  const by = { actor, via: 'portal' };
  const done =
    input.method === 'app'
      ? await confirmAppRegistration(deps, { employeeId, code: input.code }, by)
      : await confirmEmailRegistration(deps, { employeeId, code: input.code }, by);
  return { registered: done.factorType, reference: done.reference, mfaEnabledAt: done.mfaEnabledAt, confirmations: done.confirmations };
}

/** POST …/mfa/email: a registration code to an address on record. */
export async function startOwnEmail(deps: MfaDeps, actor: Actor, input: { username: string; emailId: number }): Promise<PortalEmailCodeSent> {
  const employeeId = await employeeIdByUsername(deps.db, input.username);
  const sent = await requestEmailCode(deps, { employeeId, emailId: input.emailId }, { actor, via: 'portal' });
  const lifetimeMinutes = Math.round((Date.parse(sent.expiresAt) - deps.clock.now().getTime()) / 60_000);
  return { address: maskEmail(sent.recipient), expiresAt: sent.expiresAt, lifetimeMinutes };
}
