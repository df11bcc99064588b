/** The managers' tasks: what a ticket waiting on a manager asks them to correct on a record. */
import type { Knex } from 'knex';
import type { ManagerTaskView } from '../../../shared/domain';
import { toIso } from '../db/values';
import { employeeRef, type Db } from './ticket-view';

export function toTaskView(r: Record<string, unknown>): ManagerTaskView {
  return {
    id: Number(r.id),
    ticketId: Number(r.ticket_id),
    ticketRef: String(r.reference),
    employee: employeeRef(Number(r.employee_id), r),
    description: String(r.description),
    status: r.status === 'done' ? 'done' : 'open',
    createdAt: toIso(r.created_at)!,
    createdBy: String(r.created_by_name),
    closedAt: toIso(r.closed_at),
    closedBy: (r.closed_by_name as string | null) ?? null,
  };
}

export function taskQuery(db: Db) {
  return db('manager_tasks as m')
    .join('tickets as t', 't.id', 'm.ticket_id')
    .join('employees as e', 'e.id', 'm.employee_id')
    .select(
      'm.id',
      'm.ticket_id',
      't.reference',
      'm.employee_id',
      'e.employee_number',
      'e.first_name',
      'e.last_name',
      'm.description',
      'm.status',
      'm.created_at',
      'm.created_by_name',
      'm.closed_at',
      'm.closed_by_name',
    );
}

/** The open manager task of a ticket, if any (a ticket has one open at most). */
export async function openTaskOf(db: Db, ticketId: number): Promise<{ id: number } | undefined> {
  return db('manager_tasks').where({ ticket_id: ticketId, status: 'open' }).first<{ id: number } | undefined>('id');
}

/** The managers' queue: open tasks oldest first, then the last 50 done. */
export async function listManagerTasks(db: Knex, status: 'open' | 'done'): Promise<ManagerTaskView[]> {
  const rows = (await taskQuery(db)
    .where('m.status', status)
    .orderBy([
      { column: 'm.created_at', order: status === 'open' ? 'asc' : 'desc' },
      { column: 'm.id', order: status === 'open' ? 'asc' : 'desc' },
    ])
    .limit(status === 'open' ? 500 : 50)) as Array<Record<string, unknown>>;
  return rows.map(toTaskView);
}
