/**
 * The employee changes their own methods through the portal: for now, removing one (only when
 * both are set up; MFA stays enabled). Acts as `portal:<integration>`; the change mails every
 * address on record, as the desk's own changes do.
 */
import { DeskError } from '../../../shared/errors';
import type { PortalMethod, PortalMethodRemoved } from '../../../shared/portal-api';
import type { Actor } from '../audit/audit.service';
import { lockEmployee, type MfaDeps } from '../mfa/common';
import { liveFactors } from '../mfa/factors.service';
import { removeActiveFactor } from '../mfa/removal';
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
