/** One ticket as the agent works it: its trail, tasks, caller verification, checklist and replies. */
import type { AuditEntry, TicketDetail } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { repliesFor } from '../../../shared/canned-replies';
import { toText } from '../db/values';
import { AUDIT_ENTRY_COLUMNS, employeePage, toAuditEntry } from '../employee-page/employee-page.service';
import { currentVerification } from '../mfa/on-ticket';
import { getSetting } from '../settings/settings.service';
import { checkId } from '../ticket-store/ticket-rows';
import { guidanceFor, replyValues } from './guidance';
import { taskQuery, toTaskView } from './manager-tasks.service';
import { TICKET_COLUMNS, ticketQuery, toSummary, type TicketDeps } from './ticket-view';

/** Actions shown on a ticket (its audit trail), oldest first. */
const TICKET_ACTIONS_SHOWN = 200;

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
