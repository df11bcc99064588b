/**
 * The rows behind a ticket that other services write in their own transactions: opening one (with
 * its audit row), holding one, and finding the ticket an action on an employee is done on.
 */
import { insertedId, type InsertedId } from '../db/values';
import { isRowId } from '../../../shared/schemas';
import type { Knex } from 'knex';
import type { TicketCategory, DeskRole } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';

/** Who acts on a ticket. */
export interface TicketActor {
  actor: Actor;
  role: DeskRole;
}


export function checkId(id: number, what: string): void {
  if (!isRowId(id)) throw new DeskError('NOT_FOUND', `No ${what} with id ${id}`);
}

/** The ticket row, held for the rest of the transaction (FOR UPDATE on PostgreSQL; sqlite's writer holds the database). */
export async function lockTicket(trx: Knex.Transaction, ticketId: number): Promise<Record<string, unknown>> {
  checkId(ticketId, 'ticket');
  const q = trx('tickets').where({ id: ticketId });
  const row = (await (databaseKind(trx) === 'postgres' ? q.forUpdate() : q).first()) as Record<string, unknown> | undefined;
  if (!row) throw new DeskError('NOT_FOUND', `No ticket with id ${ticketId}`);
  return row;
}

export async function insertTicket(
  trx: Knex.Transaction,
  clock: Clock,
  who: TicketActor,
  input: { reference: string; category: TicketCategory; employeeId: number | null; notes?: string; linkedEventId?: number | null },
): Promise<number> {
  const id = await insertTicketIfAbsent(trx, clock, who, input);
  if (id !== null) return id;
  const existing = await trx('tickets').where({ reference: input.reference }).first<{ id: number }>('id');
  throw new DeskError('CONFLICT', `Ticket ${input.reference} exists already: open it from the inbox.`, { ticketId: Number(existing.id) });
}

/**
 * Open a ticket with this reference unless one exists (null then). ON CONFLICT DO NOTHING: when two
 * desks open the same reference at once, the second waits for the first and finds its ticket.
 */
async function insertTicketIfAbsent(
  trx: Knex.Transaction,
  clock: Clock,
  who: TicketActor,
  input: { reference: string; category: TicketCategory; employeeId: number | null; notes?: string; linkedEventId?: number | null },
): Promise<number | null> {
  const now = clock.now().toISOString();
  const [r] = await trx('tickets')
    .insert({
      reference: input.reference,
      category: input.category,
      status: 'open',
      employee_id: input.employeeId,
      assignee_id: who.actor.userId,
      opened_by: who.actor.userId,
      opened_at: now,
      updated_at: now,
      notes: input.notes ?? '',
      linked_event_id: input.linkedEventId ?? null,
    })
    .onConflict('reference')
    .ignore()
    .returning<InsertedId[]>('id');
  if (r === undefined) return null;
  const id = insertedId(r);
  await recordAudit(trx, clock, {
    actor: who.actor,
    action: 'ticket.opened',
    employeeId: input.employeeId,
    ticketRef: input.reference,
    details: { ticketId: id, category: input.category, ...(input.linkedEventId ? { linkedEventId: input.linkedEventId } : {}) },
  });
  return id;
}

/**
 * The ticket an action on an employee is done on, in the action's transaction: the ticket with
 * that reference (linked to the employee if it was not yet), or a new one opened for it. Refused
 * when the ticket is resolved or about another employee.
 */
export async function ticketForAction(trx: Knex.Transaction, clock: Clock, actor: Actor, employeeId: number, reference: string): Promise<number> {
  let found = await trx('tickets').where({ reference }).first<{ id: number } | undefined>('id');
  if (!found) {
    if (actor.userId === null) throw new DeskError('NOT_FOUND', `No ticket ${reference}.`);
    const opened = await insertTicketIfAbsent(trx, clock, { actor, role: 'agent' }, { reference, category: 'other', employeeId });
    if (opened !== null) return opened;
    found = await trx('tickets').where({ reference }).first<{ id: number }>('id');
  }
  const id = Number(found.id);
  const row = await lockTicket(trx, id);
  if (row.status === 'resolved') {
    throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved: reopen it first (the reopening is audited).`, { ticketId: id, resolved: true });
  }
  if (row.employee_id == null) {
    await trx('tickets').where({ id }).update({ employee_id: employeeId, updated_at: clock.now().toISOString() });
    await recordAudit(trx, clock, { actor, action: 'ticket.employee_linked', employeeId, ticketRef: reference, details: { ticketId: id } });
  } else if (Number(row.employee_id) !== employeeId) {
    throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is about another employee: open a ticket of its own for this one.`, { ticketId: id });
  }
  return id;
}


/**
 * A manager saved the employee's record: their open tasks close and each ticket waiting on them
 * goes back to its agent (open). Called in the record change's transaction.
 */
export async function closeManagerTasks(trx: Knex.Transaction, clock: Clock, actor: Actor, employeeId: number, changeRef: string): Promise<number> {
  const tasks = await trx('manager_tasks as m')
    .join('tickets as t', 't.id', 'm.ticket_id')
    .where({ 'm.employee_id': employeeId, 'm.status': 'open' })
    .select<Array<Record<string, unknown>>>('m.id', 'm.ticket_id', 't.reference', 't.status');
  const now = clock.now().toISOString();
  for (const task of tasks) {
    const ticketId = Number(task.ticket_id);
    await trx('manager_tasks').where({ id: Number(task.id) }).update({ status: 'done', closed_at: now, closed_by_name: actor.name });
    await recordAudit(trx, clock, {
      actor,
      action: 'manager_task.done',
      employeeId,
      ticketRef: String(task.reference),
      details: { taskId: Number(task.id), ticketId, reference: changeRef },
    });
    if (task.status === 'waiting_manager') {
      await trx('tickets').where({ id: ticketId }).update({ status: 'open', updated_at: now });
      await recordAudit(trx, clock, {
        actor,
        action: 'ticket.returned',
        employeeId,
        ticketRef: String(task.reference),
        details: { ticketId, taskId: Number(task.id), from: 'waiting_manager', to: 'open' },
      });
    }
  }
  return tasks.length;
}

