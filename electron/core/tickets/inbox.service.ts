/** The ticket inbox: filtered by status, assignee and reference, a keyset page at a time. */
import { isRowId } from '../../../shared/schemas';
import { TICKET_STATUSES, type TicketListPage, type TicketStatus, type TicketSummary } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { getSetting } from '../settings/settings.service';
import type { TicketActor } from '../ticket-store/ticket-rows';
import { TICKET_COLUMNS, ticketQuery, toSummary, type TicketDeps } from './ticket-view';

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

function cursorOf(t: TicketSummary, urgency: boolean): string {
  return urgency ? `u${t.status === 'resolved' ? 1 : 0}~${t.openedAt}~${t.id}` : `${t.openedAt}~${t.id}`;
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
  return {
    rows: shown,
    nextCursor: rows.length > input.limit && last ? cursorOf(last, urgency) : null,
    counts,
    slaMinutes,
    serverTime: now.toISOString(),
  };
}
