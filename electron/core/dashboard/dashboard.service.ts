import type { Knex } from 'knex';
import type { AuditDashboard } from '../../../shared/domain';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { dayStart } from '../audit/reports.service';
import { ticketReport } from '../tickets/report.service';

/**
 * The supervisors' dashboard: what the desk did over a period, counted in the database (GROUP BY
 * day or actor) so it costs the same whatever the size of the trail, with every day of the period
 * present (zero when nothing happened) so the charts have no gaps.
 */

const DAY_MS = 24 * 60 * 60_000;
const TOP_ACTORS = 15;

/** The UTC day of a timestamp column, as YYYY-MM-DD, in the database's own dialect. */
function dayOf(db: Knex, column: string): Knex.Raw {
  return databaseKind(db) === 'postgres' ? db.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`) : db.raw(`substr(${column}, 1, 10)`);
}

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00.000Z`); t <= Date.parse(`${to}T00:00:00.000Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const num = (v: unknown) => Number(v ?? 0);

export async function auditDashboard(db: Knex, clock: Clock, period: { from: string; to: string }): Promise<AuditDashboard> {
  const lo = dayStart(period.from);
  const hi = dayStart(period.to, 1);
  const now = clock.now().toISOString();
  const all = days(period.from, period.to);

  const perDay = await db('audit_events')
    .select({ day: dayOf(db, 'occurred_at') })
    .count({ n: '*' })
    .where('occurred_at', '>=', lo)
    .andWhere('occurred_at', '<', hi)
    .groupByRaw<Array<{ day: string; n: unknown }>>('1');
  const eventsByDay = new Map(perDay.map((r) => [r.day, num(r.n)]));

  const codeRows = await db('one_time_codes')
    .select({ day: dayOf(db, 'issued_at') })
    .count({ issued: '*' })
    .select(db.raw('SUM(CASE WHEN consumed_at IS NOT NULL THEN 1 ELSE 0 END) AS redeemed'))
    .select(db.raw('SUM(CASE WHEN consumed_at IS NULL AND expires_at < ? THEN 1 ELSE 0 END) AS expired', [now]))
    .where('issued_at', '>=', lo)
    .andWhere('issued_at', '<', hi)
    .groupByRaw<Array<{ day: string; issued: unknown; redeemed: unknown; expired: unknown }>>('1');
  const codesByDay = new Map(codeRows.map((r) => [r.day, r]));

  const failRows = await db('mail_outbox')
    .select({ day: dayOf(db, 'created_at') })
    .count({ n: '*' })
    .where('status', 'failed')
    .andWhere('created_at', '>=', lo)
    .andWhere('created_at', '<', hi)
    .groupByRaw<Array<{ day: string; n: unknown }>>('1');
  const failsByDay = new Map(failRows.map((r) => [r.day, num(r.n)]));

  const signInRows = await db('signin_verifications')
    .select({ day: dayOf(db, 'checked_at') })
    .count({ checks: '*' })
    .select(db.raw("SUM(CASE WHEN result = 'accepted' THEN 1 ELSE 0 END) AS accepted"))
    .select(db.raw("SUM(CASE WHEN result = 'wrong' THEN 1 ELSE 0 END) AS wrong"))
    .select(db.raw("SUM(CASE WHEN result = 'locked' THEN 1 ELSE 0 END) AS locked"))
    .select(db.raw("SUM(CASE WHEN result = 'expired' THEN 1 ELSE 0 END) AS expired"))
    .where('checked_at', '>=', lo)
    .andWhere('checked_at', '<', hi)
    .groupByRaw<Array<{ day: string; checks: unknown; accepted: unknown; wrong: unknown; locked: unknown; expired: unknown }>>('1');
  const signInsByDay = new Map(signInRows.map((r) => [r.day, r]));

  const reRegs = (await db('audit_events')
    .select('details')
    .where('action', 'factor.reregistration_started')
    .andWhere('occurred_at', '>=', lo)
    .andWhere('occurred_at', '<', hi)) as Array<{ details: string }>;
  const reasons = new Map<string, { factorType: string; removedState: string; count: number }>();
  for (const r of reRegs) {
    let d: { factorType?: unknown; removedState?: unknown } = {};
    try {
      d = JSON.parse(r.details) as typeof d;
    } catch {
      // counted as unknown
    }
    const factorType = typeof d.factorType === 'string' ? d.factorType : 'unknown';
    const removedState = typeof d.removedState === 'string' ? d.removedState : 'unknown';
    const key = `${factorType}\u0000${removedState}`;
    const entry = reasons.get(key) ?? { factorType, removedState, count: 0 };
    entry.count += 1;
    reasons.set(key, entry);
  }

  const actors = (await db('audit_events')
    .select({ actor: 'actor_name' })
    .count({ n: '*' })
    .where('occurred_at', '>=', lo)
    .andWhere('occurred_at', '<', hi)
    .groupBy('actor_name')
    .orderByRaw('2 DESC, 1 ASC')
    .limit(TOP_ACTORS)) as Array<{ actor: string; n: unknown }>;

  const codesPerDay = all.map((day) => {
    const r = codesByDay.get(day);
    const issued = num(r?.issued);
    const redeemed = num(r?.redeemed);
    const expired = num(r?.expired);
    return { day, issued, redeemed, expired, open: issued - redeemed - expired };
  });
  const signInsPerDay = all.map((day) => {
    const r = signInsByDay.get(day);
    return { day, accepted: num(r?.accepted), wrong: num(r?.wrong), locked: num(r?.locked), expired: num(r?.expired) };
  });
  const tickets = await ticketReport(db, period);
  return {
    from: period.from,
    to: period.to,
    tickets,
    actionsPerDay: all.map((day) => ({ day, count: eventsByDay.get(day) ?? 0 })),
    codesPerDay,
    reRegistrations: [...reasons.values()].sort((a, b) => b.count - a.count || a.factorType.localeCompare(b.factorType) || a.removedState.localeCompare(b.removedState)),
    mailFailuresPerDay: all.map((day) => ({ day, count: failsByDay.get(day) ?? 0 })),
    signInsPerDay,
    actionsPerActor: actors.map((a) => ({ actor: a.actor, count: num(a.n) })),
    totals: {
      events: [...eventsByDay.values()].reduce((s, n) => s + n, 0),
      codesIssued: codesPerDay.reduce((s, d) => s + d.issued, 0),
      mailFailures: [...failsByDay.values()].reduce((s, n) => s + n, 0),
      signIns: signInRows.reduce((s, r) => s + num(r.checks), 0),
    },
  };
}
