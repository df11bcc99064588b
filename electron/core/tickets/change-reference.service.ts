/**
 * "Wasn't me": the reference code a change's confirmation mail quotes leads to the audited change,
 * and a ticket can be opened on it.
 */
import type { Knex } from 'knex';
import type { ChangeReferenceMatch, TicketDetail } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { AUDIT_ENTRY_COLUMNS, toAuditEntry } from '../employee-page/employee-page.service';
import { insertTicket, type TicketActor } from '../ticket-store/ticket-rows';
import { getTicket } from './ticket-detail.service';
import { assertTicketRole, checkReference, employeeRef, type TicketDeps } from './ticket-view';

/**
 * Pick a change reference (CHG-<factor>-XXXXXX or REC-<employee>-XXXXXX) out of what an agent
 * typed or pasted (spaces, lower case, a sentence around it).
 */
export function parseChangeReference(text: string): string | null {
  const m = /\b(CHG|REC)-(\d{1,10})-([0-9A-F]{6})\b/i.exec(text);
  return m ? `${m[1]!.toUpperCase()}-${m[2]}-${m[3]!.toUpperCase()}` : null;
}

/**
 * The audit event a change's reference code points at: the confirmation mails carry it (indexed),
 * they name the employee, and the employee's trail holds the one event with that reference.
 */
export async function findChangeReference(db: Knex, text: string): Promise<ChangeReferenceMatch> {
  const reference = parseChangeReference(text);
  if (!reference) throw new DeskError('VALIDATION', 'A change reference looks like CHG-123-0A1B2C or REC-123-0A1B2C.');
  const mail = await db('mail_outbox').where({ reference }).whereNotNull('employee_id').first<{ employee_id: number } | undefined>('employee_id');
  const notFound = () => new DeskError('NOT_FOUND', `No change with reference ${reference} was found.`);
  if (!mail) throw notFound();
  const employeeId = Number(mail.employee_id);
  const rows = await db('audit_events')
    .where({ employee_id: employeeId })
    .where('details', 'like', `%"reference":"${reference}"%`)
    .orderBy('id', 'asc')
    .select<Array<Record<string, unknown>>>(...AUDIT_ENTRY_COLUMNS);
  const event = rows.map(toAuditEntry).find((e) => e.details.reference === reference && !e.action.startsWith('ticket.') && !e.action.startsWith('manager_task.'));
  if (!event) throw notFound();
  const [employee, ticket] = await Promise.all([
    db('employees').where({ id: employeeId }).first('employee_number', 'first_name', 'last_name') as Promise<Record<string, unknown> | undefined>,
    db('tickets').where({ linked_event_id: event.id }).whereNot('status', 'resolved').orderBy('id', 'desc').first('id') as Promise<{ id: number } | undefined>,
  ]);
  if (!employee) throw notFound();
  return {
    reference,
    employee: employeeRef(employeeId, employee),
    event,
    ticketId: ticket ? Number(ticket.id) : null,
  };
}

/**
 * Open (or return the open) ticket of category "change not made by me" on the exact event a
 * change's reference points at, linked to its employee.
 */
export async function openFromChangeReference(
  deps: TicketDeps,
  who: TicketActor,
  input: { changeReference: string; reference: string; notes?: string },
): Promise<TicketDetail> {
  assertTicketRole(who);
  const reference = checkReference(input.reference);
  const match = await findChangeReference(deps.db, input.changeReference);
  if (match.ticketId !== null) return getTicket(deps, { ticketId: match.ticketId });
  const id = await deps.db.transaction(async (trx) =>
    insertTicket(trx, deps.clock, who, {
      reference,
      category: 'change_not_made_by_me',
      employeeId: match.employee.id,
      linkedEventId: match.event.id,
      notes: input.notes ?? `The employee says the change ${match.reference} (${match.event.action}, ${match.event.occurredAt}) was not made by them.`,
    }),
  );
  return getTicket(deps, { ticketId: id });
}
