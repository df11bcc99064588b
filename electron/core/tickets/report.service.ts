/**
 * The ticket report, for the supervisors' dashboard and its export: tickets opened in a period by
 * category and by status, how many were reopened, and the median time from opening to resolution
 * of those resolved in the period — counted and ordered in the database, whatever the volume.
 */
import type { Knex } from 'knex';
import { TICKET_CATEGORIES, TICKET_CATEGORY_LABELS, TICKET_STATUSES, TICKET_STATUS_LABELS, type TicketReport } from '../../../shared/domain';
import { databaseKind } from '../db/connection';
import { dayStart } from '../audit/reports.service';

const num = (v: unknown) => Number(v ?? 0);

/** Seconds from opening to resolution, in the database's dialect. */
function secondsToResolve(db: Knex): string {
  return databaseKind(db) === 'postgres'
    ? 'EXTRACT(EPOCH FROM (resolved_at - opened_at))'
    : '((julianday(resolved_at) - julianday(opened_at)) * 86400.0)';
}

export async function ticketReport(db: Knex, period: { from: string; to: string }): Promise<TicketReport> {
  const lo = dayStart(period.from);
  const hi = dayStart(period.to, 1);
  const opened = () => db('tickets').where('opened_at', '>=', lo).andWhere('opened_at', '<', hi);
  const resolvedIn = () => db('tickets').where('status', 'resolved').andWhere('resolved_at', '>=', lo).andWhere('resolved_at', '<', hi);
  const [cats, stats, reopened, resolvedCount] = await Promise.all([
    opened().select('category').count({ n: '*' }).groupBy('category') as unknown as Promise<Array<{ category: string; n: unknown }>>,
    opened().select('status').count({ n: '*' }).groupBy('status') as unknown as Promise<Array<{ status: string; n: unknown }>>,
    opened().sum({ n: 'reopened_count' }).first() as Promise<{ n: unknown } | undefined>,
    resolvedIn().count({ n: '*' }).first() as Promise<{ n: unknown } | undefined>,
  ]);
  const resolved = num(resolvedCount?.n);
  let median: number | null = null;
  if (resolved > 0) {
    // The middle one (or the middle two) of the durations, ordered by the database.
    const middle = (await resolvedIn()
      .select(db.raw(`${secondsToResolve(db)} AS s`))
      .orderByRaw('1')
      .offset(Math.floor((resolved - 1) / 2))
      .limit(resolved % 2 === 0 ? 2 : 1)) as Array<{ s: unknown }>;
    const secs = middle.map((r) => num(r.s));
    median = Math.round((secs.reduce((a, b) => a + b, 0) / secs.length / 60) * 10) / 10;
  }
  const byCat = new Map(cats.map((c) => [c.category, num(c.n)]));
  const byStat = new Map(stats.map((s) => [s.status, num(s.n)]));
  const byCategory = TICKET_CATEGORIES.map((category) => ({ category, count: byCat.get(category) ?? 0 }));
  return {
    from: period.from,
    to: period.to,
    byCategory,
    byStatus: TICKET_STATUSES.map((status) => ({ status, count: byStat.get(status) ?? 0 })),
    medianMinutesToResolve: median,
    resolved,
    reopened: num(reopened?.n),
    opened: byCategory.reduce((s, c) => s + c.count, 0),
  };
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report as CSV (the dashboard's "Export ticket report"). */
export function ticketReportCsv(r: TicketReport): string {
  const rows: Array<Array<string | number>> = [['section', 'item', 'count']];
  for (const c of r.byCategory) rows.push(['category', TICKET_CATEGORY_LABELS[c.category], c.count]);
  for (const s of r.byStatus) rows.push(['status', TICKET_STATUS_LABELS[s.status], s.count]);
  rows.push(['total', 'opened', r.opened]);
  rows.push(['total', 'resolved in the period', r.resolved]);
  rows.push(['total', 'reopened', r.reopened]);
  rows.push(['total', 'median minutes to resolve', r.medianMinutesToResolve ?? '']);
  rows.push(['period', `${r.from} to ${r.to}`, '']);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
