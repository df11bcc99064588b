/**
 * Removing an authentication method, whoever asks (an agent on a ticket, the employee through the
 * portal): only an active one, and only when both kinds are active, so MFA always keeps one and is
 * never turned off. Every address on record gets a confirmation with the webchat route and a
 * change reference; the removal is audited in the same transaction.
 */
import type { FactorRemoved } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { confirmChange, emailsOnRecord, newReference, type EmployeeRecord, type MfaDeps, type Trx } from './common';
import { CHANGE_TEXT, removeFactorRow, type FactorRow } from './factors.service';

export const REMOVE_NEEDS_BOTH =
  'You can only remove an authentication method if you have both options set up (authenticator app and email address).';

export async function removeActiveFactor(
  trx: Trx,
  deps: MfaDeps,
  who: { actor: Actor; ticketRef: string | null; via?: string },
  employee: EmployeeRecord,
  factors: FactorRow[],
  factor: FactorRow,
): Promise<FactorRemoved & { confirmations: number }> {
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
    actor: who.actor,
    action: 'factor.removed',
    employeeId: employee.id,
    ticketRef: who.ticketRef,
    details: { factorId: factor.id, factorType: factor.type, emailId: factor.emailId, reference, confirmations: mails.length, ...(who.via ? { via: who.via } : {}) },
  });
  return { factorId: factor.id, reference, confirmations: mails.length };
}
