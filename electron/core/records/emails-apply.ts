/**
 * Applying a planned change to the emails on record, in the caller's transaction: the rows, the
 * email method, the address for codes and the version; then the confirmation mails, the audit
 * row, and the managers' tasks it closes.
 */
import crypto from 'node:crypto';
import type { EmailsUpdated } from '../../../shared/domain';
import { recordAudit } from '../audit/audit.service';
import { insertedId, type InsertedId } from '../db/values';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { emailRow, refreshSearchDoc, type EmailInsertRow } from '../employees/employee-writer';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { sendRegistrationCode } from '../mfa/agent-actions.service';
import { emailsOnRecord, type EmailOnRecord, type EmployeeRecord, type MfaDeps, type Trx } from '../mfa/common';
import { CHANGE_TEXT, createPendingFactor, removeFactorRow, type FactorRow } from '../mfa/factors.service';
import { closeManagerTasks } from '../ticket-store/ticket-rows';
import { KIND_WORDS, staleError, view, type CheckedEmailsInput, type RecordsContext } from './emails-checks';
import type { EmailsPlan } from './emails-plan';

export const AUDIT_EMAILS_CHANGED = 'employee.emails_changed';

function newRecordReference(employeeId: number): string {
  return `REC-${employeeId}-${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
}

function mailTime(at: Date): string {
  return at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

async function insertEmail(trx: Trx, row: EmailInsertRow): Promise<number> {
  const [r] = await trx('employee_emails').insert(row).returning<InsertedId[]>('id');
  return insertedId(r);
}

interface MethodChange {
  reRegistration: EmailsUpdated['reRegistration'];
  registrationTo: EmailOnRecord | null;
  cancelled: { factor: FactorRow; address: string | null } | null;
}

/**
 * Write: removed rows first (an address may come back in another row), then corrections (in two
 * steps when addresses swap rows, as an address is unique per employee), then new rows.
 */
async function writeRows(trx: Trx, employeeId: number, plan: EmailsPlan, now: string): Promise<void> {
  const { before, keptIds, removed, corrected, added } = plan;
  if (removed.length > 0) await trx('employee_emails').whereIn('id', removed.map((e) => e.id)).delete();
  const remaining = before.filter((e) => keptIds.has(e.id));
  if (corrected.some((c) => remaining.some((e) => e.id !== c.prev!.id && e.address.toLowerCase() === c.lc))) {
    for (const c of corrected) await trx('employee_emails').where({ id: c.prev!.id }).update({ address_lc: `#${c.prev!.id}` });
  }
  for (const c of corrected) {
    await trx('employee_emails')
      .where({ id: c.prev!.id })
      .update({ kind: c.kind, address: c.address, address_lc: c.lc, source: 'manager', updated_at: now });
  }
  for (const a of added) {
    await insertEmail(trx, emailRow({ employeeId, kind: a.kind, address: a.address, source: 'manager', createdAt: now }));
  }
}

/**
 * The email method, through the MFA services: re-registered to the chosen address, or a pending
 * registration whose address went is cancelled (its codes stop working).
 */
async function changeMethod(
  trx: Trx,
  deps: MfaDeps,
  ctx: RecordsContext,
  employee: EmployeeRecord,
  plan: EmailsPlan,
  rowFor: (lc: string) => EmailOnRecord,
  now: string,
): Promise<MethodChange> {
  const { target, moving, pendingEmail } = plan;
  const change: MethodChange = { reRegistration: null, registrationTo: null, cancelled: null };
  if (target && moving) {
    const registrationTo = rowFor(target.lc);
    await removeFactorRow(trx, deps, moving);
    const fresh = await createPendingFactor(trx, deps, { employeeId: employee.id, type: 'email', emailId: registrationTo.id });
    const issued = await sendRegistrationCode(trx, deps, ctx, employee, fresh.id, registrationTo);
    change.registrationTo = registrationTo;
    change.reRegistration = {
      factorId: fresh.id,
      factorType: 'email',
      codeId: issued.id,
      recipient: registrationTo.address,
      expiresAt: issued.expiresAt,
      removedFactorId: moving.id,
    };
  }
  if (pendingEmail && pendingEmail !== moving && plan.affected(pendingEmail)) {
    await removeFactorRow(trx, deps, pendingEmail);
    await trx('one_time_codes')
      .where({ factor_id: pendingEmail.id })
      .whereNull('consumed_at')
      .whereNull('superseded_at')
      .update({ superseded_at: now });
    change.cancelled = { factor: pendingEmail, address: plan.byId.get(pendingEmail.emailId!)?.address ?? null };
  }
  return change;
}

/** What changed, in the words of the confirmation. */
function describeChanges(plan: EmailsPlan, method: MethodChange, codesRow: EmailOnRecord | null): string[] {
  const changes: string[] = [];
  for (const e of plan.removed) changes.push(`The ${KIND_WORDS[e.kind]} address ${e.address} was removed from your record.`);
  for (const c of plan.corrected) {
    const p = c.prev!;
    changes.push(
      p.kind === c.kind
        ? `Your ${KIND_WORDS[c.kind]} address was corrected from ${p.address} to ${c.address}.`
        : `Your ${KIND_WORDS[p.kind]} address ${p.address} was corrected to the ${KIND_WORDS[c.kind]} address ${c.address}.`,
    );
  }
  for (const a of plan.added) changes.push(`The ${KIND_WORDS[a.kind]} address ${a.address} was added to your record.`);
  if (method.registrationTo) changes.push(CHANGE_TEXT.emailReRegistration(method.registrationTo.address));
  else if (plan.codesChanged) {
    changes.push(codesRow ? `One-time codes now go to ${codesRow.address}.` : 'No address on your record is chosen for one-time codes now.');
  }
  if (method.cancelled) {
    changes.push(
      `The email registration waiting for ${method.cancelled.address ?? 'the old address'} was cancelled: set up the email method again on the employee self-service portal.`,
    );
  }
  return changes;
}

export async function applyEmailsChange(
  trx: Trx,
  deps: MfaDeps,
  ctx: RecordsContext,
  employee: EmployeeRecord,
  input: CheckedEmailsInput,
  plan: EmailsPlan,
): Promise<EmailsUpdated> {
  const { before, owners } = plan;
  const version = input.version;
  const now = deps.clock.now().toISOString();
  await writeRows(trx, employee.id, plan, now);
  const onRecord = await emailsOnRecord(trx, employee.id);
  const rowFor = (lc: string) => onRecord.find((e) => e.address.toLowerCase() === lc)!;
  const method = await changeMethod(trx, deps, ctx, employee, plan, rowFor, now);
  const { reRegistration, cancelled } = method;

  // The address for codes: exactly the one chosen, or none.
  const codesRow = plan.codesAfter ? rowFor(plan.codesAfter.lc) : null;
  const unmark = trx('employee_emails').where({ employee_id: employee.id }).where('used_for_codes', true);
  if (codesRow) unmark.whereNot('id', codesRow.id);
  await unmark.update({ used_for_codes: false, updated_at: now });
  if (codesRow) await trx('employee_emails').where({ id: codesRow.id }).where('used_for_codes', false).update({ used_for_codes: true, updated_at: now });

  await refreshSearchDoc(trx, employee.id);
  const bumped = await trx('employees').where({ id: employee.id, version }).update({ version: version + 1, updated_at: now });
  if (bumped !== 1) throw staleError(version, input.version, before);
  if (reRegistration || cancelled) await refreshEmployeeFlags(trx, employee.id);
  const after = await emailsOnRecord(trx, employee.id);
  const changes = describeChanges(plan, method, codesRow);

  // Everyone is told: the addresses on record now and those that were just removed or corrected.
  const reference = newRecordReference(employee.id);
  const recipients = new Map<string, string>();
  for (const e of [...after, ...before]) if (!recipients.has(e.address.toLowerCase())) recipients.set(e.address.toLowerCase(), e.address);
  const values = {
    firstName: employee.firstName,
    when: mailTime(deps.clock.now()),
    changes: changes.map((c) => `  - ${c}`).join('\n'),
    addresses: after.length === 0 ? 'none' : after.map((e) => e.address).join(', '),
    reference,
    webchatUrl: WEBCHAT_URL,
  };
  for (const to of recipients.values()) {
    await enqueueMail(trx, deps.clock, deps.vault, { employeeId: employee.id, template: 'record_change', to, values, reference });
  }

  await recordAudit(trx, deps.clock, {
    actor: ctx.actor,
    action: AUDIT_EMAILS_CHANGED,
    employeeId: employee.id,
    ticketRef: ctx.ticketRef,
    details: {
      before: before.map(view),
      after: after.map(view),
      changes,
      versionBefore: version,
      versionAfter: version + 1,
      reference,
      confirmations: recipients.size,
      ...(owners.length > 0 ? { duplicates: owners } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(reRegistration
        ? {
            removedFactorId: reRegistration.removedFactorId,
            factorId: reRegistration.factorId,
            codeId: reRegistration.codeId,
            registrationCodeTo: reRegistration.recipient,
          }
        : {}),
      ...(cancelled ? { cancelledFactorId: cancelled.factor.id } : {}),
    },
  });

  // A manager saving the record closes the tasks waiting on it; their tickets go back to their agents.
  const tasksClosed = await closeManagerTasks(trx, deps.clock, ctx.actor, employee.id, reference);

  return {
    version: version + 1,
    tasksClosed,
    emails: after.map(view),
    changes,
    reference,
    confirmations: recipients.size,
    duplicates: owners,
    reRegistration,
    cancelledFactorId: cancelled?.factor.id ?? null,
  };
}
