/**
 * What every ticket service shares: the deps, the role check, the reference check, and the ticket
 * row read with its employee and desk users, turned into the summary the inbox and the detail show.
 */
import type { Knex } from 'knex';
import { ticketRefSchema } from '../../../shared/schemas';
import { can, rolesWith } from '../../../shared/policy';
import type { TicketCategory, TicketStatus, TicketSummary } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import { toIso, toText } from '../db/values';
import type { TicketActor } from '../ticket-store/ticket-rows';

export type Db = Knex | Knex.Transaction;

export interface TicketDeps {
  db: Knex;
  clock: Clock;
}

export const TICKET_COLUMNS = [
  't.id',
  't.reference',
  't.category',
  't.status',
  't.employee_id',
  't.assignee_id',
  't.opened_at',
  't.resolved_at',
  't.resolution_note',
  't.notes',
  't.reopened_count',
  't.linked_event_id',
  'e.employee_number',
  'e.first_name',
  'e.last_name',
  'a.display_name as assignee_name',
  'o.username as opened_by_name',
] as const;

export function ticketQuery(db: Db) {
  return db('tickets as t')
    .leftJoin('employees as e', 'e.id', 't.employee_id')
    .leftJoin('desk_users as a', 'a.id', 't.assignee_id')
    .leftJoin('desk_users as o', 'o.id', 't.opened_by');
}

/** The employee a ticket, task or change is about, from a row with employee_number, first_name and last_name. */
export function employeeRef(id: number, r: Record<string, unknown>): { id: number; employeeNumber: string; name: string } {
  return { id, employeeNumber: String(r.employee_number), name: `${String(r.first_name)} ${String(r.last_name)}` };
}

export function toSummary(r: Record<string, unknown>, now: Date, slaMinutes: number): TicketSummary {
  const openedAt = toIso(r.opened_at)!;
  const resolvedAt = toIso(r.resolved_at);
  const status = r.status as TicketStatus;
  const end = status === 'resolved' && resolvedAt ? Date.parse(resolvedAt) : now.getTime();
  const ageMs = Math.max(0, end - Date.parse(openedAt));
  const ageMinutes = Math.floor(ageMs / 60_000);
  // Amber from three quarters of the SLA, on the exact age (22 min 30 s of 30 min, not 22 min).
  const sla: TicketSummary['sla'] =
    status === 'resolved' ? 'ok' : ageMs >= slaMinutes * 60_000 ? 'breached' : ageMs >= slaMinutes * 0.75 * 60_000 ? 'warn' : 'ok';
  return {
    id: Number(r.id),
    reference: String(r.reference),
    category: r.category as TicketCategory,
    status,
    employee: r.employee_id == null ? null : employeeRef(Number(r.employee_id), r),
    assignee: r.assignee_id == null ? null : { id: Number(r.assignee_id), name: String(r.assignee_name) },
    openedAt,
    openedBy: toText(r.opened_by_name),
    resolvedAt,
    ageMinutes,
    sla,
    reopenedCount: Number(r.reopened_count ?? 0),
  };
}

export function assertTicketRole(who: TicketActor): void {
  if (!can(who.role, 'callers.help')) throw new DeskError('FORBIDDEN', `Tickets are run by: ${rolesWith('callers.help').join(', ')}.`);
}

export function checkReference(reference: string): string {
  const parsed = ticketRefSchema.safeParse(reference);
  if (!parsed.success) throw new DeskError('VALIDATION', parsed.error.issues[0]?.message ?? 'Enter the ticket reference.');
  return parsed.data;
}
