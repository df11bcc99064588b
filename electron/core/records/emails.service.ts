/**
 * Managers (and admins) correct the emails on an employee's record. The guides: "If no email
 * addresses are displayed, or if the email shown is incorrect, you will need to contact your
 * manager. They can update your record on your behalf."
 *
 * One change is the whole list of addresses the record should hold, on the record version the
 * manager saw and on a ticket, in one transaction with the employee row locked (as every MFA
 * operation locks it):
 *  - a stale version is refused (CONFLICT, with the addresses on record now) and nothing is
 *    written; a change increments employees.version;
 *  - every new or corrected address is checked (syntax, ≤ 254 characters, no line breaks or
 *    header tricks) and compared lower-case; at most one work and one personal address (a record
 *    that already holds more from the HR feed may keep them, but never gains another);
 *  - an address that is on another employee's record is refused (CONFLICT naming them) until the
 *    manager confirms with a written reason;
 *  - the address the active email method uses cannot be removed or corrected away unless the same
 *    change re-registers the email method to another address on record (the MFA services do it:
 *    the old factor is removed, a new pending one gets a registration code; MFA stays enabled); a
 *    pending email registration whose address goes is cancelled;
 *  - the search text follows the addresses; the change and its before/after are audited against
 *    the ticket; a confirmation (never a code) goes to every address, including the old address of
 *    a correction or removal.
 */
import { insertedId, type InsertedId } from '../db/values';
import crypto from 'node:crypto';
import type { z } from 'zod';
import { emailAddressProblem, updateEmailsInputSchema } from '../../../shared/channels/records';
import { can } from '../../../shared/policy';
import type { DeskRole, EmailKind, EmailOwner, EmailsUpdated, EmployeeEmail } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import { recordAudit, type Actor } from '../audit/audit.service';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { emailRow, refreshSearchDoc, type EmailInsertRow } from '../employees/employee-writer';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { sendRegistrationCode } from '../mfa/agent-actions.service';
import { assertCanRegister, emailsOnRecord, lockEmployee, transact, type EmailOnRecord, type MfaDeps, type Trx } from '../mfa/common';
import { CHANGE_TEXT, createPendingFactor, liveFactors, removeFactorRow, type FactorRow } from '../mfa/factors.service';
import { closeManagerTasks, ticketForAction } from '../ticket-store/ticket-rows';

/** Who changes the record, in which role, on which ticket. */
export interface RecordsContext {
  actor: Actor;
  role: DeskRole;
  ticketRef: string;
}

export type UpdateEmailsInput = Omit<z.input<typeof updateEmailsInputSchema>, 'ticketRef'>;

export const RECORDS_FORBIDDEN = 'Only managers and admins can change the emails on record.';
export const AUDIT_EMAILS_CHANGED = 'employee.emails_changed';

const KIND_WORDS: Record<EmailKind, string> = { work: 'work', personal: 'personal' };

interface Issue {
  path: string;
  message: string;
}

function invalid(issues: Issue[]): DeskError {
  return new DeskError('VALIDATION', validationSummary(issues), { issues });
}

/** One address of the list the record should hold, matched to the row on record it keeps or corrects. */
interface Planned {
  index: number;
  prev: EmailOnRecord | null;
  kind: EmailKind;
  address: string;
  lc: string;
  usedForCodes: boolean;
}

function view(e: EmailOnRecord): EmployeeEmail {
  return { id: e.id, kind: e.kind, address: e.address, usedForCodes: e.usedForCodes };
}

function listed(emails: readonly EmailOnRecord[]): string {
  return emails.length === 0 ? 'none' : emails.map((e) => `${KIND_WORDS[e.kind]} ${e.address}${e.usedForCodes ? ' (codes)' : ''}`).join(', ');
}

function staleError(current: number, seen: number, emails: EmailOnRecord[]): DeskError {
  return new DeskError(
    'CONFLICT',
    `Someone else changed this record: the emails on record are now ${listed(emails)} (version ${current}; you saw version ${seen}); reload and try again.`,
    { conflict: 'stale', version: current, seenVersion: seen, emails: emails.map(view) },
  );
}

function duplicateError(owners: EmailOwner[]): DeskError {
  const who = owners.map((o) => `${o.address} is also on the record of employee ${o.employeeNumber} (${o.name})`).join('; ');
  return new DeskError(
    'CONFLICT',
    `${who}. Check that the address really is this employee's; to go ahead, confirm with a reason.`,
    { conflict: 'duplicate', needsConfirmation: true, duplicates: owners },
  );
}

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

/** The checks that need nothing from the database: repeated addresses or ids, codes, the reason. */
function checkList(input: z.output<typeof updateEmailsInputSchema>): Issue[] {
  const issues: Issue[] = [];
  const lcs = new Map<string, number>();
  const ids = new Set<number>();
  input.emails.forEach((e, i) => {
    const lc = e.address.toLowerCase();
    if (lcs.has(lc)) issues.push({ path: `emails.${i}.address`, message: `${e.address} is in the list twice` });
    else lcs.set(lc, i);
    if (e.id !== undefined) {
      if (ids.has(e.id)) issues.push({ path: `emails.${i}.id`, message: 'The same address on record is in the list twice' });
      ids.add(e.id);
    }
  });
  if (input.emails.filter((e) => e.usedForCodes).length > 1) {
    issues.push({ path: 'emails', message: 'Choose one address for codes at most' });
  }
  if (input.reEmailFactorTo !== undefined && !lcs.has(input.reEmailFactorTo.toLowerCase())) {
    issues.push({ path: 'reEmailFactorTo', message: 'Re-register the email method to one of the addresses in the list' });
  }
  if (input.confirmDuplicate && !input.reason) {
    issues.push({ path: 'reason', message: 'Write the reason for going ahead (at least 10 characters)' });
  }
  return issues;
}

/**
 * Change the emails on an employee's record to the list given (see the file comment for the
 * rules). Throws, with nothing written, on any refusal.
 */
export async function updateEmails(deps: MfaDeps, ctx: RecordsContext, raw: UpdateEmailsInput): Promise<EmailsUpdated> {
  if (!can(ctx.role, 'records.correct')) throw new DeskError('FORBIDDEN', RECORDS_FORBIDDEN);
  // The router parsed it already; any other caller of the service gets the same checks.
  const parsed = updateEmailsInputSchema.safeParse({ ...raw, ticketRef: ctx.ticketRef }, { error: plainIssueMessage });
  if (!parsed.success) throw invalid(validationIssues(parsed.error));
  const input = parsed.data;
  if (input.ticketRef !== ctx.ticketRef) {
    throw invalid([{ path: 'ticketRef', message: 'Enter the ticket reference: 3–64 letters, digits or . _ : / - only.' }]);
  }
  const listIssues = checkList(input);
  if (listIssues.length > 0) throw invalid(listIssues);

  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const record = await trx('employees').where({ id: employee.id }).first<{ version: unknown }>('version');
    const version = Number(record.version);
    const before = await emailsOnRecord(trx, employee.id);
    if (version !== input.version) throw staleError(version, input.version, before);

    // Match the list to the rows on record; check every address that is new or corrected.
    const byId = new Map(before.map((e) => [e.id, e]));
    const issues: Issue[] = [];
    const planned: Planned[] = input.emails.map((e, index) => {
      let prev: EmailOnRecord | null = null;
      if (e.id !== undefined) {
        prev = byId.get(e.id) ?? null;
        if (!prev) {
          throw new DeskError('NOT_FOUND', `Email address ${e.id} is not on this employee's record.`, {
            emailId: e.id,
            issues: [{ path: `emails.${index}.id`, message: 'This address is not on the record' }],
          });
        }
      }
      if (!prev || prev.address !== e.address) {
        const problem = emailAddressProblem(e.address);
        if (problem) issues.push({ path: `emails.${index}.address`, message: problem });
      }
      return { index, prev, kind: e.kind, address: e.address, lc: e.address.toLowerCase(), usedForCodes: e.usedForCodes };
    });
    // One work and one personal address; a record that already holds more (from HR) keeps them but gains none.
    for (const kind of ['work', 'personal'] as const) {
      const allowed = Math.max(1, before.filter((e) => e.kind === kind).length);
      const ofKind = planned.filter((p) => p.kind === kind);
      if (ofKind.length > allowed) {
        const extra = ofKind.find((p) => !p.prev || p.prev.kind !== kind) ?? ofKind[ofKind.length - 1]!;
        issues.push({
          path: `emails.${extra.index}.kind`,
          message: `An employee has one ${kind} address at most: correct or remove the ${kind} address on record instead of adding another`,
        });
      }
    }
    if (issues.length > 0) throw invalid(issues);

    const keptIds = new Set(planned.filter((p) => p.prev).map((p) => p.prev!.id));
    const removed = before.filter((e) => !keptIds.has(e.id));
    const added = planned.filter((p) => !p.prev);
    const corrected = planned.filter((p) => p.prev && (p.prev.address !== p.address || p.prev.kind !== p.kind));
    const codesBefore = before.find((e) => e.usedForCodes) ?? null;
    const codesAfter = planned.find((p) => p.usedForCodes) ?? null;
    const codesChanged = (codesBefore?.address.toLowerCase() ?? null) !== (codesAfter?.lc ?? null);

    // The email method: its address may go only if it moves to another address in this change.
    const finalLcById = new Map(planned.filter((p) => p.prev).map((p) => [p.prev!.id, p.lc]));
    const affected = (f: FactorRow): boolean => {
      if (f.emailId === null) return false;
      const was = byId.get(f.emailId);
      return !was || finalLcById.get(f.emailId) !== was.address.toLowerCase();
    };
    const factors = await liveFactors(trx, employee.id);
    const activeEmail = factors.find((f) => f.type === 'email' && f.state === 'active') ?? null;
    const pendingEmail = factors.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
    const target = input.reEmailFactorTo !== undefined ? planned.find((p) => p.lc === input.reEmailFactorTo!.toLowerCase())! : null;
    const moving = target ? (activeEmail ?? pendingEmail) : null;
    if (target) {
      if (!moving) {
        throw new DeskError('RULE_VIOLATION', 'The employee has no email method to re-register: they set one up themselves on the self-service portal.');
      }
      if (!affected(moving) && moving.emailId !== null && target.prev?.id === moving.emailId) {
        throw new DeskError('RULE_VIOLATION', `The email method already uses ${target.address}: choose another address to re-register it to.`);
      }
      if (codesAfter?.lc !== target.lc) {
        throw new DeskError('RULE_VIOLATION', `Codes go to the address the email method is re-registered to: choose ${target.address} for codes.`, {
          reEmailFactorTo: target.address,
        });
      }
      assertCanRegister(employee, planned.length);
    } else if (activeEmail && affected(activeEmail)) {
      const address = byId.get(activeEmail.emailId!)!.address;
      throw new DeskError(
        'RULE_VIOLATION',
        `${address} is the address the employee's email method (one-time codes) uses: it can be removed or corrected only when the same change re-registers the email method to another address on record.`,
        { factorId: activeEmail.id, emailId: activeEmail.emailId, address, needsReRegistration: true },
      );
    } else if (activeEmail && activeEmail.emailId !== null && codesChanged) {
      const address = byId.get(activeEmail.emailId)?.address;
      if (address && codesAfter?.lc !== address.toLowerCase()) {
        throw new DeskError(
          'RULE_VIOLATION',
          `Codes go to ${address}, the address the email method is registered with. To send codes to another address, re-register the email method to it in the same change.`,
          { factorId: activeEmail.id, address },
        );
      }
    }
    if (removed.length === 0 && added.length === 0 && corrected.length === 0 && !codesChanged && !target) {
      throw new DeskError('RULE_VIOLATION', 'Nothing to change: the emails on record are already as listed.');
    }

    // An address new to this employee that another employee has too: only with a reason.
    const newLcs = planned.filter((p) => !p.prev || p.prev.address.toLowerCase() !== p.lc).map((p) => p.lc);
    const owners: EmailOwner[] =
      newLcs.length === 0
        ? []
        : (
            await trx('employee_emails')
              .join('employees', 'employees.id', 'employee_emails.employee_id')
              .whereIn('employee_emails.address_lc', newLcs)
              .whereNot('employee_emails.employee_id', employee.id)
              .orderBy('employee_emails.address_lc')
              .orderBy('employees.employee_number')
              .limit(20)
              .select<Array<{ address: string; employee_id: number; employee_number: string; first_name: string; last_name: string }>>(
                'employee_emails.address',
                'employees.id as employee_id',
                'employees.employee_number',
                'employees.first_name',
                'employees.last_name',
              )
          ).map((r) => ({
            address: r.address,
            employeeId: Number(r.employee_id),
            employeeNumber: String(r.employee_number),
            name: `${r.first_name} ${r.last_name}`,
          }));
    if (owners.length > 0 && !input.confirmDuplicate) throw duplicateError(owners);
    // The change is done on its ticket (opened now when the reference is new).
    await ticketForAction(trx, deps.clock, ctx.actor, employee.id, ctx.ticketRef);

    // Write: removed rows first (an address may come back in another row), then corrections (in
    // two steps when addresses swap rows, as an address is unique per employee), then new rows.
    const now = deps.clock.now().toISOString();
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
      await insertEmail(trx, emailRow({ employeeId: employee.id, kind: a.kind, address: a.address, source: 'manager', createdAt: now }));
    }
    const onRecord = await emailsOnRecord(trx, employee.id);
    const rowFor = (lc: string) => onRecord.find((e) => e.address.toLowerCase() === lc)!;

    // The email method, through the MFA services: re-registered to the chosen address, or a pending
    // registration whose address went is cancelled (its codes stop working).
    let reRegistration: EmailsUpdated['reRegistration'] = null;
    let registrationTo: EmailOnRecord | null = null;
    let cancelled: { factor: FactorRow; address: string | null } | null = null;
    if (target && moving) {
      registrationTo = rowFor(target.lc);
      await removeFactorRow(trx, deps, moving);
      const fresh = await createPendingFactor(trx, deps, { employeeId: employee.id, type: 'email', emailId: registrationTo.id });
      const issued = await sendRegistrationCode(trx, deps, ctx, employee, fresh.id, registrationTo);
      reRegistration = {
        factorId: fresh.id,
        factorType: 'email',
        codeId: issued.id,
        recipient: registrationTo.address,
        expiresAt: issued.expiresAt,
        removedFactorId: moving.id,
      };
    }
    if (pendingEmail && pendingEmail !== moving && affected(pendingEmail)) {
      await removeFactorRow(trx, deps, pendingEmail);
      await trx('one_time_codes')
        .where({ factor_id: pendingEmail.id })
        .whereNull('consumed_at')
        .whereNull('superseded_at')
        .update({ superseded_at: now });
      cancelled = { factor: pendingEmail, address: byId.get(pendingEmail.emailId!)?.address ?? null };
    }

    // The address for codes: exactly the one chosen, or none.
    const codesRow = codesAfter ? rowFor(codesAfter.lc) : null;
    const unmark = trx('employee_emails').where({ employee_id: employee.id }).where('used_for_codes', true);
    if (codesRow) unmark.whereNot('id', codesRow.id);
    await unmark.update({ used_for_codes: false, updated_at: now });
    if (codesRow) await trx('employee_emails').where({ id: codesRow.id }).where('used_for_codes', false).update({ used_for_codes: true, updated_at: now });

    await refreshSearchDoc(trx, employee.id);
    const bumped = await trx('employees').where({ id: employee.id, version }).update({ version: version + 1, updated_at: now });
    if (bumped !== 1) throw staleError(version, input.version, before);
    if (reRegistration || cancelled) await refreshEmployeeFlags(trx, employee.id);
    const after = await emailsOnRecord(trx, employee.id);

    // What changed, in the words of the confirmation.
    const changes: string[] = [];
    for (const e of removed) changes.push(`The ${KIND_WORDS[e.kind]} address ${e.address} was removed from your record.`);
    for (const c of corrected) {
      const p = c.prev!;
      changes.push(
        p.kind === c.kind
          ? `Your ${KIND_WORDS[c.kind]} address was corrected from ${p.address} to ${c.address}.`
          : `Your ${KIND_WORDS[p.kind]} address ${p.address} was corrected to the ${KIND_WORDS[c.kind]} address ${c.address}.`,
      );
    }
    for (const a of added) changes.push(`The ${KIND_WORDS[a.kind]} address ${a.address} was added to your record.`);
    if (registrationTo) changes.push(CHANGE_TEXT.emailReRegistration(registrationTo.address));
    else if (codesChanged) {
      changes.push(codesRow ? `One-time codes now go to ${codesRow.address}.` : 'No address on your record is chosen for one-time codes now.');
    }
    if (cancelled) {
      changes.push(
        `The email registration waiting for ${cancelled.address ?? 'the old address'} was cancelled: set up the email method again on the employee self-service portal.`,
      );
    }

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
  });
}
