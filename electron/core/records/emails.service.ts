/**
 * Managers (and admins) correct the emails on an employee's record, on a ticket: the guides send
 * an employee whose addresses are missing or wrong to their manager. One change is the whole list
 * the record should hold, made in one transaction with the employee row locked, as MFA operations
 * lock it. The rules:
 *  - a change made on a stale record version is refused with the addresses on record now;
 *  - at most one work and one personal address (more from the HR feed are kept, never added);
 *  - an address on another employee's record needs a written reason;
 *  - the email method's address goes only if the same change re-registers the method elsewhere;
 *  - every address, old and new, gets a confirmation (never a code), and the change is audited.
 */
import { can } from '../../../shared/policy';
import type { EmailsUpdated } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { emailsOnRecord, lockEmployee, transact, type MfaDeps } from '../mfa/common';
import { ticketForAction } from '../ticket-store/ticket-rows';
import { applyEmailsChange } from './emails-apply';
import { checkedInput, staleError, type RecordsContext, type UpdateEmailsInput } from './emails-checks';
import { planEmailsChange } from './emails-plan';

export { AUDIT_EMAILS_CHANGED } from './emails-apply';
export type { RecordsContext, UpdateEmailsInput } from './emails-checks';

export const RECORDS_FORBIDDEN = 'Only managers and admins can change the emails on record.';

/** Change the emails on an employee's record to the list given. Throws, with nothing written, on any refusal. */
export async function updateEmails(deps: MfaDeps, ctx: RecordsContext, raw: UpdateEmailsInput): Promise<EmailsUpdated> {
  if (!can(ctx.role, 'records.correct')) throw new DeskError('FORBIDDEN', RECORDS_FORBIDDEN);
  const input = checkedInput(ctx, raw);
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const record = await trx('employees').where({ id: employee.id }).first<{ version: unknown }>('version');
    const version = Number(record.version);
    const before = await emailsOnRecord(trx, employee.id);
    if (version !== input.version) throw staleError(version, input.version, before);
    const plan = await planEmailsChange(trx, employee, input, before);
    // The change is done on its ticket (opened now when the reference is new).
    await ticketForAction(trx, deps.clock, ctx.actor, employee.id, ctx.ticketRef);
    return applyEmailsChange(trx, deps, ctx, employee, input, plan);
  });
}
