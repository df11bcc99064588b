/**
 * Webchat tickets: every agent action on an employee happens inside one. A ticket is the webchat
 * platform's chat id (its reference), a category from the guides, the employee it is about, a
 * status (open, waiting on the employee, waiting on a manager, resolved), an assignee and notes;
 * what was done on it is its audit trail (every event carries the reference). The caller's
 * verification belongs to the ticket (caller_verifications are keyed by its reference).
 *
 * Every change here is audited in its own transaction, and refused with a typed error and nothing
 * written when it does not fit: resolving needs a note, a resolved ticket takes no action until it
 * is reopened (audited), a ticket is about one employee.
 */
import type { Knex } from 'knex';
import { isRowId, ticketRefSchema } from '../../../shared/schemas';
import { can, rolesWith } from '../../../shared/policy';
import {
  TICKET_STATUSES,
  type AuditEntry,
  type ChangeReferenceMatch,
  type ManagerTaskView,
  type TicketCategory,
  type TicketDetail,
  type TicketListPage,
  type TicketStatus,
  type TicketSummary,
} from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit } from '../audit/audit.service';
import type { Clock } from '../clock';
import { toIso, insertedId, type InsertedId, toText } from '../db/values';
import { AUDIT_ENTRY_COLUMNS, employeePage, toAuditEntry } from '../employee-page/employee-page.service';
import { currentVerification } from '../mfa/agent-actions.service';
import { getSetting } from '../settings/settings.service';
import { guidanceFor, replyValues } from './guidance';
import { repliesFor } from '../../../shared/canned-replies';
import { checkId, insertTicket, lockTicket, type TicketActor } from '../ticket-store/ticket-rows';

export { closeManagerTasks, ticketForAction, type TicketActor } from '../ticket-store/ticket-rows';

type Db = Knex | Knex.Transaction;

export interface TicketDeps {
  db: Knex;
  clock: Clock;
}

/** Actions shown on a ticket (its audit trail), oldest first. */
export const TICKET_ACTIONS_SHOWN = 200;

const TICKET_COLUMNS = [
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

function ticketQuery(db: Db) {
  return db('tickets as t')
    .leftJoin('employees as e', 'e.id', 't.employee_id')
    .leftJoin('desk_users as a', 'a.id', 't.assignee_id')
    .leftJoin('desk_users as o', 'o.id', 't.opened_by');
}

function toSummary(r: Record<string, unknown>, now: Date, slaMinutes: number): TicketSummary {
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
    employee:
      r.employee_id == null
        ? null
        : { id: Number(r.employee_id), employeeNumber: String(r.employee_number), name: `${String(r.first_name)} ${String(r.last_name)}` },
    assignee: r.assignee_id == null ? null : { id: Number(r.assignee_id), name: String(r.assignee_name) },
    openedAt,
    openedBy: toText(r.opened_by_name),
    resolvedAt,
    ageMinutes,
    sla,
    reopenedCount: Number(r.reopened_count ?? 0),
  };
}

function assertTicketRole(who: TicketActor): void {
  if (!can(who.role, 'callers.help')) throw new DeskError('FORBIDDEN', `Tickets are run by: ${rolesWith('callers.help').join(', ')}.`);
}

function checkReference(reference: string): string {
  const parsed = ticketRefSchema.safeParse(reference);
  if (!parsed.success) throw new DeskError('VALIDATION', parsed.error.issues[0]?.message ?? 'Enter the ticket reference.');
  return parsed.data;
}

async function employeeExists(db: Db, employeeId: number): Promise<void> {
  checkId(employeeId, 'employee');
  const row = await db('employees').where({ id: employeeId }).first<{ id: number } | undefined>('id');
  if (!row) throw new DeskError('NOT_FOUND', `No employee with id ${employeeId}`);
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

export interface TicketListInput {
  /** A status, 'active' (every status but resolved) or 'all'. */
  status: TicketStatus | 'active' | 'all';
  mine: boolean;
  /** A reference, or the start of one. */
  query: string;
  /**
   * urgency: the tickets not resolved first, the one open longest (nearest to or past its service
   * level) at the top, then the resolved ones; newest: the latest opened first.
   */
  sort: 'urgency' | 'newest';
  cursor: string | null;
  limit: number;
}

const NEWEST_CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(\d{1,10})$/;
const URGENCY_CURSOR_RE = /^u([01])~(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(\d{1,10})$/;
/** 0 for a ticket still being worked, 1 for a resolved one: urgency order puts the resolved last. */
const RESOLVED_RANK = "CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END";

function badCursor(): DeskError {
  return new DeskError('VALIDATION', 'The ticket page cursor is not valid.', { issues: [{ path: 'cursor', message: 'Start the list again from the first page' }] });
}

/** The inbox, a keyset page at a time (most urgent or newest first), with the count per status. */
export async function listTickets(deps: TicketDeps, who: TicketActor, input: TicketListInput): Promise<TicketListPage> {
  const userId = who.actor.userId;
  const now = deps.clock.now();
  const slaMinutes = await getSetting(deps.db, 'tickets.slaMinutes');
  const urgency = input.sort === 'urgency';
  const q = ticketQuery(deps.db).limit(input.limit + 1);
  if (urgency) q.orderByRaw(`${RESOLVED_RANK} asc, t.opened_at asc, t.id asc`);
  else {
    q.orderBy([
      { column: 't.opened_at', order: 'desc' },
      { column: 't.id', order: 'desc' },
    ]);
  }
  if (input.status === 'active') q.whereNot('t.status', 'resolved');
  else if (input.status !== 'all') q.where('t.status', input.status);
  if (input.mine) q.where('t.assignee_id', userId);
  const query = input.query.trim();
  if (query) {
    // Letter case is ignored on both databases (sqlite's LIKE ignores it, PostgreSQL's does not).
    const like = query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    q.where((w) => {
      w.whereRaw("LOWER(t.reference) LIKE ? ESCAPE '\\'", [`${like}%`]);
      if (/^\d{8}$/.test(query)) w.orWhere('e.employee_number', query);
    });
  }
  if (input.cursor !== null) {
    if (urgency) {
      const m = URGENCY_CURSOR_RE.exec(input.cursor);
      const id = m ? Number(m[3]) : NaN;
      if (!m || !isRowId(id)) throw badCursor();
      q.whereRaw(`(${RESOLVED_RANK}, t.opened_at, t.id) > (?, ?, ?)`, [Number(m[1]), m[2]!, id]);
    } else {
      const m = NEWEST_CURSOR_RE.exec(input.cursor);
      const id = m ? Number(m[2]) : NaN;
      if (!m || !isRowId(id)) throw badCursor();
      q.whereRaw('(t.opened_at, t.id) < (?, ?)', [m[1]!, id]);
    }
  }
  const [rows, counted] = await Promise.all([
    q.select(...TICKET_COLUMNS) as Promise<Array<Record<string, unknown>>>,
    (() => {
      const c = deps.db('tickets').groupBy('status').select('status').count({ n: '*' });
      if (input.mine) c.where('assignee_id', userId);
      return c as unknown as Promise<Array<{ status: string; n: number | string }>>;
    })(),
  ]);
  const counts = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  for (const c of counted) counts[c.status as TicketStatus] = Number(c.n);
  const shown = rows.slice(0, input.limit).map((r) => toSummary(r, now, slaMinutes));
  const last = shown[shown.length - 1];
  const cursorOf = (t: TicketSummary) => (urgency ? `u${t.status === 'resolved' ? 1 : 0}~${t.openedAt}~${t.id}` : `${t.openedAt}~${t.id}`);
  return {
    rows: shown,
    nextCursor: rows.length > input.limit && last ? cursorOf(last) : null,
    counts,
    slaMinutes,
    serverTime: now.toISOString(),
  };
}

function toTaskView(r: Record<string, unknown>): ManagerTaskView {
  return {
    id: Number(r.id),
    ticketId: Number(r.ticket_id),
    ticketRef: String(r.reference),
    employee: { id: Number(r.employee_id), employeeNumber: String(r.employee_number), name: `${String(r.first_name)} ${String(r.last_name)}` },
    description: String(r.description),
    status: r.status === 'done' ? 'done' : 'open',
    createdAt: toIso(r.created_at)!,
    createdBy: String(r.created_by_name),
    closedAt: toIso(r.closed_at),
    closedBy: (r.closed_by_name as string | null) ?? null,
  };
}

function taskQuery(db: Db) {
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

/** A ticket with its trail, tasks, caller verification, checklist and canned replies. */
export async function getTicket(deps: TicketDeps, { ticketId }: { ticketId: number }): Promise<TicketDetail> {
  checkId(ticketId, 'ticket');
  const now = deps.clock.now();
  const [row, slaMinutes, templates, appAccount, lifetime] = await Promise.all([
    ticketQuery(deps.db).where('t.id', ticketId).first(...TICKET_COLUMNS) as Promise<Record<string, unknown> | undefined>,
    getSetting(deps.db, 'tickets.slaMinutes'),
    getSetting(deps.db, 'tickets.cannedReplies'),
    getSetting(deps.db, 'employee.totp.issuer'),
    getSetting(deps.db, 'otp.lifetimeMinutes'),
  ]);
  if (!row) throw new DeskError('NOT_FOUND', `No ticket with id ${ticketId}`);
  const summary = toSummary(row, now, slaMinutes);
  const linkedId = row.linked_event_id == null ? null : Number(row.linked_event_id);
  const [actions, linked, tasks, page, verification] = await Promise.all([
    deps
      .db('audit_events')
      .where('ticket_ref', summary.reference)
      .orderBy('id', 'asc')
      .limit(TICKET_ACTIONS_SHOWN)
      .select(...AUDIT_ENTRY_COLUMNS) as Promise<Array<Record<string, unknown>>>,
    linkedId === null
      ? Promise.resolve(undefined)
      : (deps.db('audit_events').where('id', linkedId).first(...AUDIT_ENTRY_COLUMNS) as Promise<Record<string, unknown> | undefined>),
    taskQuery(deps.db).where('m.ticket_id', ticketId).orderBy('m.id', 'asc') as Promise<Array<Record<string, unknown>>>,
    summary.employee ? employeePage(deps.db, deps.clock, summary.employee.id) : Promise.resolve(null),
    summary.employee ? currentVerification(deps.db, deps, summary.employee.id, summary.reference) : Promise.resolve(null),
  ]);
  const linkedEvent: AuditEntry | null = linked ? toAuditEntry(linked) : null;
  const taskViews = tasks.map(toTaskView);
  const facts = page ? { page, verification, linkedEvent, appAccount, lifetimeMinutes: lifetime, now, tasks: taskViews } : null;
  return {
    ...summary,
    notes: toText(row.notes),
    resolutionNote: (row.resolution_note as string | null) ?? null,
    linkedEvent,
    verification,
    actions: actions.map(toAuditEntry),
    tasks: taskViews,
    guidance: facts ? guidanceFor(summary, facts) : null,
    replies: repliesFor(templates, summary.category, replyValues(summary, facts, appAccount, lifetime)),
    page,
    serverTime: now.toISOString(),
  };
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
  await deps.db.transaction(async (trx) => {
    const row = await lockTicket(trx, input.ticketId);
    const reference = String(row.reference);
    if (row.status === 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved: reopen it first.`);
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
      if (row.status === 'waiting_manager') {
        const open = await trx('manager_tasks').where({ ticket_id: input.ticketId, status: 'open' }).first<{ id: number } | undefined>('id');
        if (open) throw new DeskError('RULE_VIOLATION', 'The ticket waits on a manager: it comes back when the manager saves the record.');
      }
      set('status', 'status', input.status);
    }
    if (input.assignToMe) set('assignee_id', 'assigneeId', who.actor.userId);
    if (input.notes !== undefined) {
      if (input.notes !== row.notes) {
        patch.notes = input.notes;
        changes.notes = { from: `${toText(row.notes).length} characters`, to: `${input.notes.length} characters` };
      }
    }
    if (Object.keys(patch).length === 0) return;
    patch.updated_at = deps.clock.now().toISOString();
    await trx('tickets').where({ id: input.ticketId }).update(patch);
    const employeeId = (patch.employee_id as number | undefined) ?? (row.employee_id == null ? null : Number(row.employee_id));
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.updated',
      employeeId,
      ticketRef: reference,
      details: { ticketId: input.ticketId, changes },
    });
  });
  return getTicket(deps, { ticketId: input.ticketId });
}

/**
 * Waiting on a manager: a task goes to the managers' queue ("correct the email on record for …")
 * and the ticket waits until a manager saves the employee's record.
 */
export async function waitOnManager(deps: TicketDeps, who: TicketActor, input: { ticketId: number; description: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  await deps.db.transaction(async (trx) => {
    const row = await lockTicket(trx, input.ticketId);
    const reference = String(row.reference);
    if (row.status === 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved: reopen it first.`);
    if (row.employee_id == null) throw new DeskError('RULE_VIOLATION', 'Link the employee first: the manager corrects their record.');
    const employeeId = Number(row.employee_id);
    const open = await trx('manager_tasks').where({ ticket_id: input.ticketId, status: 'open' }).first<{ id: number } | undefined>('id');
    if (open) throw new DeskError('CONFLICT', 'A manager task for this ticket is open already.');
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
  return getTicket(deps, { ticketId: input.ticketId });
}

/** Resolve a ticket: a resolution note is needed; an open manager task must be done first (audited). */
export async function resolveTicket(deps: TicketDeps, who: TicketActor, input: { ticketId: number; note: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  const note = input.note.trim();
  if (note.length < 5) throw new DeskError('VALIDATION', 'Write the resolution note (at least 5 characters).');
  await deps.db.transaction(async (trx) => {
    const row = await lockTicket(trx, input.ticketId);
    const reference = String(row.reference);
    if (row.status === 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is resolved already.`);
    const open = await trx('manager_tasks').where({ ticket_id: input.ticketId, status: 'open' }).first<{ id: number } | undefined>('id');
    if (open) throw new DeskError('RULE_VIOLATION', 'A manager task on this ticket is still open: it closes when the manager saves the record.');
    const now = deps.clock.now().toISOString();
    await trx('tickets').where({ id: input.ticketId }).update({ status: 'resolved', resolved_at: now, resolution_note: note, updated_at: now });
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.resolved',
      employeeId: row.employee_id == null ? null : Number(row.employee_id),
      ticketRef: reference,
      details: { ticketId: input.ticketId, from: row.status, note, category: row.category },
    });
  });
  return getTicket(deps, { ticketId: input.ticketId });
}

/** Reopen a resolved ticket, with the reason (audited; the ticket counts its reopenings). */
export async function reopenTicket(deps: TicketDeps, who: TicketActor, input: { ticketId: number; reason: string }): Promise<TicketDetail> {
  assertTicketRole(who);
  const reason = input.reason.trim();
  if (reason.length < 5) throw new DeskError('VALIDATION', 'Write why the ticket is reopened (at least 5 characters).');
  await deps.db.transaction(async (trx) => {
    const row = await lockTicket(trx, input.ticketId);
    const reference = String(row.reference);
    if (row.status !== 'resolved') throw new DeskError('RULE_VIOLATION', `Ticket ${reference} is not resolved.`);
    const now = deps.clock.now().toISOString();
    const count = Number(row.reopened_count ?? 0) + 1;
    await trx('tickets').where({ id: input.ticketId }).update({ status: 'open', resolved_at: null, reopened_count: count, updated_at: now });
    await recordAudit(trx, deps.clock, {
      actor: who.actor,
      action: 'ticket.reopened',
      employeeId: row.employee_id == null ? null : Number(row.employee_id),
      ticketRef: reference,
      details: { ticketId: input.ticketId, reason, reopenedCount: count, previousResolution: row.resolution_note ?? null },
    });
  });
  return getTicket(deps, { ticketId: input.ticketId });
}

/** The reference codes quoted in change confirmations: CHG-<factor>-XXXXXX and REC-<employee>-XXXXXX. */
export const CHANGE_REFERENCE_RE = /^(CHG|REC)-\d{1,10}-[0-9A-F]{6}$/;

/** Pick a change reference out of what an agent typed or pasted (spaces, lower case, a sentence around it). */
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
    employee: { id: employeeId, employeeNumber: String(employee.employee_number), name: `${String(employee.first_name)} ${String(employee.last_name)}` },
    event,
    ticketId: ticket ? Number(ticket.id) : null,
  };
}

/**
 * "Wasn't me": open (or return the open) ticket of category "change not made by me" on the exact
 * event a change's reference points at, linked to its employee.
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
