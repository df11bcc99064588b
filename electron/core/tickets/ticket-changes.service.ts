/**
 * The changes to a ticket: open, update, wait on a manager, resolve, reopen. Each is audited in its
 * own transaction with the ticket row held, and refused with a typed error and nothing written
 * when it does not fit: resolving needs a note, a resolved ticket takes no action until it is
 * reopened, a ticket is about one employee.
 */
import type { Knex } from 'knex';
import type { TicketCategory, TicketDetail } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit } from '../audit/audit.service';
import { insertedId, toText, type InsertedId } from '../db/values';
import { checkId, insertTicket, lockTicket, type TicketActor } from '../ticket-store/ticket-rows';
import { openTaskOf } from './manager-tasks.service';
import { getTicket } from './ticket-detail.service';
import { assertTicketRole, checkReference, type Db, type TicketDeps } from './ticket-view';

async function employeeExists(db: Db, employeeId: number): Promise<void> {
  checkId(employeeId, 'employee');
  const row = await db('employees').where({ id: employeeId }).first<{ id: number } | undefined>('id');
  if (!row) throw new DeskError('NOT_FOUND', `No employee with id ${employeeId}`);
}

function employeeIdOf(row: Record<string, unknown>): number | null {
  return row.employee_id == null ? null : Number(row.employee_id);
}

/** Run one change on a ticket with its row held, then read the ticket back as the agent sees it. */
async function changeTicket(
  deps: TicketDeps,
  ticketId: number,
  change: (trx: Knex.Transaction, row: Record<string, unknown>, reference: string) => Promise<void>,
): Promise<TicketDetail> {
  await deps.db.transaction(async (trx) => {
    const row = await lockTicket(trx, ticketId);
    await change(trx, row, String(row.reference));
  });
  return getTicket(deps, { ticketId });
}

function notResolved(row: Record<string, unknown>, reference: string): void {
  if (row.status === 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved: reopen it first.`);
}

/** Open a ticket for a webchat (audited). The desk user who opens it is its assignee. */
export async function createTicket(
  deps: TicketDeps,
  who: TicketActor,
  input: { reference: string; category: TicketCategory; employeeId?: number | null; notes?: string },
): Promise<TicketDetail> {
  assertTicketRole(who);
  if (who.actor.userId === null) throw new DeskError('FORBIDDEN', 'Tickets are opened by desk users.');
  const reference = checkReference(input.reference);
  const id = await deps.db.transaction(async (trx) => {
    if (input.employeeId != null) await employeeExists(trx, input.employeeId);
    return insertTicket(trx, deps.clock, who, { reference, category: input.category, employeeId: input.employeeId ?? null, notes: input.notes ?? '' });
  });
  return getTicket(deps, { ticketId: id });
}

export interface TicketUpdate {
  ticketId: number;
  category?: TicketCategory;
  employeeId?: number;
  status?: 'open' | 'waiting_employee';
  assignToMe?: boolean;
  notes?: string;
}

/** Change a ticket's category, employee, status (open / waiting on the employee), assignee or notes (audited). */
export async function updateTicket(deps: TicketDeps, who: TicketActor, input: TicketUpdate): Promise<TicketDetail> {
  assertTicketRole(who);
  return changeTicket(deps, input.ticketId, async (trx, row, reference) => {
    notResolved(row, reference);
    const patch: Record<string, unknown> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set = (column: string, key: string, value: unknown) => {
      if (value === undefined || row[column] === value || (row[column] != null && value != null && Number(row[column]) === value && typeof value === 'number')) return;
      patch[column] = value;
      changes[key] = { from: row[column] ?? null, to: value };
    };
    if (input.employeeId !== undefined) {
      if (row.employee_id != null && Number(row.employee_id) !== input.employeeId) {
        const acted = await trx('audit_events').where({ ticket_ref: reference, employee_id: Number(row.employee_id) }).whereNot('action', 'like', 'ticket.%').first<{ id: number } | undefined>('id');
        if (acted) throw new DeskError('RULE_VIOLATION', 'Actions were already taken for the linked employee on this ticket: open a new ticket for another employee.');
      }
      await employeeExists(trx, input.employeeId);
      set('employee_id', 'employeeId', input.employeeId);
    }
    set('category', 'category', input.category);
    if (input.status !== undefined) {
      if (row.status === 'waiting_manager' && (await openTaskOf(trx, input.ticketId))) {
        throw new DeskError('RULE_VIOLATION', 'The ticket waits on a manager: it comes back when the manager saves the record.');
      }
      set('status', 'status', input.status);
    }
    if (input.assignToMe) set('assignee_id', 'assigneeId', who.actor.userId);
    if (input.notes !== undefined && input.notes !== row.notes) {
      patch.notes = input.notes;
      changes.notes = { from: `${toText(row.notes).length} characters`, to: `${input.notes.length} characters` };
    }
    if (Object.keys(patch).length === 0) return;
    patch.updated_at = deps.clock.now().toISOString();
    await trx('tickets').where({ id: input.ticketId }).update(patch);
    const employeeId = (patch.employee_id as number | undefined) ?? employeeIdOf(row);
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.updated',
      employeeId,
      ticketRef: reference,
      details: { ticketId: input.ticketId, changes },
    });
  });
}

/**
 * Waiting on a manager: a task goes to the managers' queue ("correct the email on record for …")
 * and the ticket waits until a manager saves the employee's record.
 */
export async function waitOnManager(deps: TicketDeps, who: TicketActor, input: { ticketId: number; description: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  return changeTicket(deps, input.ticketId, async (trx, row, reference) => {
    notResolved(row, reference);
    const employeeId = employeeIdOf(row);
    if (employeeId === null) throw new DeskError('RULE_VIOLATION', 'Link the employee first: the manager corrects their record.');
    if (await openTaskOf(trx, input.ticketId)) throw new DeskError('CONFLICT', 'A manager task for this ticket is open already.');
    const now = deps.clock.now().toISOString();
    const [r] = await trx('manager_tasks')
      .insert({
        ticket_id: input.ticketId,
        employee_id: employeeId,
        description: input.description,
        status: 'open',
        created_at: now,
        created_by: who.actor.userId,
        created_by_name: who.actor.name,
      })
      .returning<InsertedId[]>('id');
    const taskId = insertedId(r);
    await trx('tickets').where({ id: input.ticketId }).update({ status: 'waiting_manager', updated_at: now });
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.waiting_manager',
      employeeId,
      ticketRef: reference,
      details: { ticketId: input.ticketId, taskId, description: input.description, from: row.status },
    });
  });
}

/** Resolve a ticket: a resolution note is needed; an open manager task must be done first (audited). */
export async function resolveTicket(deps: TicketDeps, who: TicketActor, input: { ticketId: number; note: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  const note = input.note.trim();
  if (note.length < 5) throw new DeskError('VALIDATION', 'Write the resolution note (at least 5 characters).');
  return changeTicket(deps, input.ticketId, async (trx, row, reference) => {
    if (row.status === 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved already.`);
    if (await openTaskOf(trx, input.ticketId)) {
      throw new DeskError('RULE_VIOLATION', 'A manager task on this ticket is still open: it closes when the manager saves the record.');
    }
    const now = deps.clock.now().toISOString();
    await trx('tickets').where({ id: input.ticketId }).update({ status: 'resolved', resolved_at: now, resolution_note: note, updated_at: now });
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.resolved',
      employeeId: employeeIdOf(row),
      ticketRef: reference,
      details: { ticketId: input.ticketId, from: row.status, note, category: row.category },
    });
  });
}

/** Reopen a resolved ticket, with the reason (audited; the ticket counts its reopenings). */
export async function reopenTicket(deps: TicketDeps, who: TicketActor, input: { ticketId: number; reason: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  const reason = input.reason.trim();
  if (reason.length < 5) throw new DeskError('VALIDATION', 'Write why the ticket is reopened (at least 5 characters).');
  return changeTicket(deps, input.ticketId, async (trx, row, reference) => {
    if (row.status !== 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is not resolved.`);
    const now = deps.clock.now().toISOString();
    const count = Number(row.reopened_count ?? 0) + 1;
    await trx('tickets').where({ id: input.ticketId }).update({ status: 'open', resolved_at: null, reopened_count: count, updated_at: now });
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.reopened',
      employeeId: employeeIdOf(row),
      ticketRef: reference,
      details: { ticketId: input.ticketId, reason, reopenedCount: count, previousResolution: row.resolution_note ?? null },
    });
  });
}
