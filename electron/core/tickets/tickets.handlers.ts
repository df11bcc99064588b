import type { ticketsChannels } from '../../../shared/channels/tickets';
import { recordAudit } from '../audit/audit.service';
import { actorOf, type CoreDeps, type HandlersOf, type Session } from '../handler';
import { changeSetting, getSetting } from '../settings/settings.service';
import { ticketReport, ticketReportCsv } from './report.service';
import type { TicketActor } from '../ticket-store/ticket-rows';
import { findChangeReference, openFromChangeReference } from './change-reference.service';
import { listTickets } from './inbox.service';
import { listManagerTasks } from './manager-tasks.service';
import { createTicket, reopenTicket, resolveTicket, updateTicket, waitOnManager } from './ticket-changes.service';
import { getTicket } from './ticket-detail.service';

/** The signed-in desk user working a ticket. */
function ticketActor(session: Session): TicketActor {
  return { actor: actorOf(session), role: session.role };
}

export function ticketsHandlers(deps: CoreDeps): HandlersOf<typeof ticketsChannels> {
  const { db, clock } = deps;
  const tickets = { db, clock };
  const reader = deps.reader ?? db;
  return {
    'tickets.list': async (input, ctx) => listTickets(tickets, ticketActor(ctx.session), input),
    'tickets.create': async (input, ctx) => createTicket(tickets, ticketActor(ctx.session), input),
    'tickets.get': async (input) => getTicket(tickets, { ticketId: input.ticketId }),
    'tickets.update': async (input, ctx) => updateTicket(tickets, ticketActor(ctx.session), input),
    'tickets.waitOnManager': async (input, ctx) => waitOnManager(tickets, ticketActor(ctx.session), input),
    'tickets.resolve': async (input, ctx) => resolveTicket(tickets, ticketActor(ctx.session), input),
    'tickets.reopen': async (input, ctx) => reopenTicket(tickets, ticketActor(ctx.session), input),
    'tickets.findChange': async (input) => findChangeReference(db, input.text),
    'tickets.openFromChange': async (input, ctx) => openFromChangeReference(tickets, ticketActor(ctx.session), input),
    'tasks.list': async (input) => listManagerTasks(db, input.status),
    'tickets.report': async (input) => ticketReport(reader, input),
    'tickets.reportCsv': async (input, ctx) => {
      const report = await ticketReport(reader, input);
      await recordAudit(db, clock, { actor: actorOf(ctx.session), action: 'tickets.report_exported', details: { from: input.from, to: input.to, opened: report.opened } });
      return { csv: ticketReportCsv(report), fileName: `tickets-${input.from}-to-${input.to}.csv` };
    },
    'replies.get': async () => getSetting(db, 'tickets.cannedReplies'),
    'replies.update': async (input, ctx) => changeSetting({ db, clock }, actorOf(ctx.session), { key: 'tickets.cannedReplies', value: input.replies, inputPath: 'replies' }),
  };
}
