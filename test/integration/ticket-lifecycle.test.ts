/**
 * A ticket's life through the contract (core.router), on sqlite and PostgreSQL, in the detail
 * ticket-flows.test.ts leaves out: the inbox's tabs, counts, "mine", reference prefix (letter case
 * ignored) and keyset pages; each change's exact audit details; a resolved ticket refusing MFA
 * actions with nothing written; reopening; the SLA's exact boundaries on the injected clock; and
 * the report's median for odd and even counts, its CSV lines and its audit row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKET_CATEGORIES, type TicketCategory, type TicketDetail } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { getSetting } from '../../electron/core/settings/settings.service';
import type { WireError, WireResult } from '../../shared/errors';
import { callAs, type Caller } from '../support/call-as';
import type { InputOf, ResultOf } from '../../shared/contract';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import {
  deskTeam,
  type TeamMember,
  fullSnapshot,
  makeEmployee,
  MIN,
  type DeskUserFixture,
} from '../support/mfa-fixtures';

const START = '2026-03-02T08:00:00.000Z';
type Who = TeamMember;

describe.each(TARGETS)('a ticket\'s life through the contract on $name', (target) => {
  const clock = new ManualClock(START);
  let core: TestCore;
  const users = {} as Record<Who, DeskUserFixture>;
  const as = (who: Who): Caller => callAs(core, users[who]);
  let agent: Caller;
  let manager: Caller;
  let supervisor: Caller;
  let serial = 0;
  const ref = (p = 'chat') => `${p}-${target.name}-${++serial}`;
  const open = (category: TicketCategory, employeeId?: number): Promise<TicketDetail> =>
    agent.ok('tickets.create', { reference: ref(), category, ...(employeeId ? { employeeId } : {}) });
  const get = (t: { id: number }): Promise<TicketDetail> => agent.ok('tickets.get', { ticketId: t.id });

  /** Every table an MFA or ticket action may touch (the fixtures' snapshot plus tickets and tasks). */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    return {
      ...(await fullSnapshot(core.db)),
      tickets: await core.db('tickets').select('*').orderBy('id'),
      manager_tasks: await core.db('manager_tasks').select('*').orderBy('id'),
    };
  }
  async function refused(call: () => Promise<WireResult<unknown>>, code: string, message?: RegExp): Promise<WireError> {
    const before = await snapshot();
    const r = await call();
    expect(r.ok, JSON.stringify(r)).toBe(false);
    if (r.ok) throw new Error('unreachable');
    expect(r.error.code).toBe(code);
    if (message) expect(r.error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
    return r.error;
  }
  async function audits(where: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const rows: Array<Record<string, unknown>> = await core.db('audit_events').where(where).orderBy('id');
    return rows.map((r) => ({ ...r, id: Number(r.id), details: JSON.parse(String(r.details)) }));
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    Object.assign(users, await deskTeam(core));
    [agent, manager, supervisor] = [as('agent'), as('manager'), as('supervisor')];
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('lifecycle: open, duplicate, inbox, update, resolve, a resolved ticket refuses actions, reopen, the trail, the SLA', async () => {
    const e = await makeEmployee(core);
    const reference = ref('life');
    const t: TicketDetail = await agent.ok('tickets.create', { reference, category: 'code_not_received', employeeId: e.id, notes: 'first chat' });
    expect(t).toMatchObject({ reference, category: 'code_not_received', status: 'open', employee: { id: e.id }, assignee: { id: users.agent.id, name: 'agent.one' } });
    expect(t).toMatchObject({ openedBy: 'agent.one', openedAt: clock.now().toISOString(), resolvedAt: null, reopenedCount: 0, notes: 'first chat', sla: 'ok' });
    const opened = await audits({ ticket_ref: reference, action: 'ticket.opened' });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ employee_id: e.id, actor_name: 'agent.one', result: 'ok', details: { ticketId: t.id, category: 'code_not_received' } });
    await refused(() => agent.call('tickets.create', { reference, category: 'other' }), 'CONFLICT');
    await refused(() => manager.call('tickets.create', { reference: ref(), category: 'other' }), 'FORBIDDEN');

    // The inbox: six tickets with one prefix, a second apart, one of them agent2's.
    const prefix = `page-${target.name}-`;
    const made: TicketDetail[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      made.push(await as(i === 5 ? 'agent2' : 'agent').ok('tickets.create', { reference: `${prefix}${i}`, category: 'other' }));
    }
    const newestFirst = made.map((m) => m.id).reverse();
    const pagesOf = async (input: Partial<InputOf<'tickets.list'>>) => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p: ResultOf<'tickets.list'> = await agent.ok('tickets.list', { status: 'all', query: prefix, cursor, limit: 4, ...input });
        pages++;
        seen.push(...p.rows.map((r) => r.id));
        cursor = p.nextCursor;
      } while (cursor && pages < 5);
      return { seen, pages };
    };
    expect(await pagesOf({ sort: 'newest' })).toEqual({ seen: newestFirst, pages: 2 });
    // By default the inbox is in order of urgency: the ticket open longest (nearest its SLA) first.
    expect(await pagesOf({})).toEqual({ seen: made.map((m) => m.id), pages: 2 });
    expect((await agent.ok('tickets.list', { status: 'active', query: `${prefix}3` })).rows.map((r) => r.id)).toEqual([made[3]!.id]);
    // The reference prefix ignores letter case on both databases.
    expect((await agent.ok('tickets.list', { status: 'active', query: `${prefix}3`.toUpperCase() })).rows.map((r) => r.id)).toEqual([made[3]!.id]);
    const theirs = await as('agent2').ok('tickets.list', { status: 'active', mine: true });
    expect(theirs.rows.map((r) => r.id)).toEqual([made[5]!.id]);
    expect(theirs.counts).toEqual({ open: 1, waiting_employee: 0, waiting_manager: 0, resolved: 0 });
    await refused(() => agent.call('tickets.list', { cursor: 'not-a-cursor' }), 'VALIDATION');

    // Update: category, status and notes (audited); the counts follow.
    const before = (await agent.ok('tickets.list', {})).counts;
    const upd: TicketDetail = await agent.ok('tickets.update', { ticketId: t.id, category: 'code_expired', status: 'waiting_employee', notes: 'asked to check spam' });
    expect(upd).toMatchObject({ category: 'code_expired', status: 'waiting_employee', notes: 'asked to check spam' });
    const after = (await agent.ok('tickets.list', {})).counts;
    expect(after).toEqual({ ...before, open: before.open - 1, waiting_employee: before.waiting_employee + 1 });
    const [updated] = await audits({ ticket_ref: reference, action: 'ticket.updated' });
    expect(updated!.details).toEqual({
      ticketId: t.id,
      changes: {
        category: { from: 'code_not_received', to: 'code_expired' },
        status: { from: 'open', to: 'waiting_employee' },
        notes: { from: '10 characters', to: '19 characters' },
      },
    });

    // Resolve: a note is needed; then resolved, out of the active tab.
    await refused(() => agent.call('tickets.resolve', { ticketId: t.id, note: '  ' }), 'VALIDATION');
    await refused(() => agent.call('tickets.resolve', { ticketId: t.id, note: 'ok' }), 'VALIDATION');
    clock.advance(5 * MIN);
    const resolved: TicketDetail = await agent.ok('tickets.resolve', { ticketId: t.id, note: 'Found it in the junk folder.' });
    expect(resolved).toMatchObject({ status: 'resolved', resolutionNote: 'Found it in the junk folder.', resolvedAt: clock.now().toISOString(), sla: 'ok' });
    expect((await agent.ok('tickets.list', { status: 'active', query: reference })).rows).toEqual([]);
    expect((await agent.ok('tickets.list', { status: 'resolved', query: reference })).rows.map((r) => r.id)).toEqual([t.id]);
    expect(await audits({ ticket_ref: reference, action: 'ticket.resolved' })).toHaveLength(1);
    // Urgency puts a resolved ticket after every ticket still being worked, across pages too; the
    // counts cover resolved tickets as well.
    const countsBefore = (await agent.ok('tickets.list', {})).counts;
    await agent.ok('tickets.resolve', { ticketId: made[4]!.id, note: 'Sorted in the chat.' });
    expect(await pagesOf({})).toEqual({ seen: [0, 1, 2, 3, 5, 4].map((i) => made[i]!.id), pages: 2 });
    expect((await agent.ok('tickets.list', {})).counts).toEqual({ ...countsBefore, open: countsBefore.open - 1, resolved: countsBefore.resolved + 1 });
    await refused(() => agent.call('tickets.list', { sort: 'urgency', cursor: `${made[1]!.openedAt}~${made[1]!.id}` }), 'VALIDATION');

    // A resolved ticket takes no MFA action, and nothing at all is written.
    const err = await refused(() => agent.call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: reference, emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /resolved: reopen it first/);
    expect(err.details).toMatchObject({ ticketId: t.id, resolved: true });
    await refused(() => agent.call('tickets.update', { ticketId: t.id, notes: 'late' }), 'RULE_VIOLATION');
    await refused(() => agent.call('tickets.reopen', { ticketId: made[0]!.id, reason: 'It is not resolved' }), 'RULE_VIOLATION');

    const reopened: TicketDetail = await agent.ok('tickets.reopen', { ticketId: t.id, reason: 'The code still did not arrive' });
    expect(reopened).toMatchObject({ status: 'open', reopenedCount: 1, resolvedAt: null });
    const [ro] = await audits({ ticket_ref: reference, action: 'ticket.reopened' });
    expect(ro!.details).toMatchObject({ ticketId: t.id, reason: 'The code still did not arrive', reopenedCount: 1, previousResolution: 'Found it in the junk folder.' });

    // Now the action goes through, and its audit event is on the ticket's trail.
    await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: reference, emailId: e.emails[0]!.id });
    const [sent] = await audits({ ticket_ref: reference, action: 'caller.identity_code_sent' });
    const trail: TicketDetail = await get(t);
    expect(trail.actions.map((a) => a.action)).toEqual(['ticket.opened', 'ticket.updated', 'ticket.resolved', 'ticket.reopened', 'caller.identity_code_sent']);
    expect(trail.actions.find((a) => a.action === 'caller.identity_code_sent')).toMatchObject({ id: sent!.id, ticketRef: reference, actor: 'agent.one' });

    // An action on a reference with no ticket opens one (other, linked); another employee on it is refused.
    const fresh = ref('auto');
    await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: fresh, emailId: e.emails[0]!.id });
    const auto = await core.db('tickets').where({ reference: fresh }).first();
    expect(auto).toMatchObject({ category: 'other', status: 'open', employee_id: e.id, assignee_id: users.agent.id });
    expect(await audits({ ticket_ref: fresh, action: 'ticket.opened' })).toHaveLength(1);
    const other = await makeEmployee(core);
    await refused(() => agent.call('mfa.sendIdentityCode', { employeeId: other.id, ticketRef: fresh, emailId: other.emails[0]!.id }), 'RULE_VIOLATION', /another employee/);

    // The SLA (30 minutes by default) on the injected clock.
    expect(await getSetting(core.db, 'tickets.slaMinutes')).toBe(30);
    const s = await open('other', other.id);
    const sla = async () => (await agent.ok('tickets.list', { status: 'all', query: s.reference })).rows[0];
    // Amber from exactly three quarters (22 min 30 s), red from exactly 30 minutes.
    clock.advance(22 * MIN + 29_999);
    expect(await sla()).toMatchObject({ id: s.id, sla: 'ok', ageMinutes: 22 });
    clock.advance(1);
    expect(await sla()).toMatchObject({ sla: 'warn', ageMinutes: 22 });
    expect((await get(s)).sla).toBe('warn');
    clock.advance(7 * MIN + 29_999);
    expect(await sla()).toMatchObject({ sla: 'warn', ageMinutes: 29 });
    clock.advance(1);
    expect(await sla()).toMatchObject({ sla: 'breached', ageMinutes: 30 });
    expect((await agent.ok('tickets.resolve', { ticketId: s.id, note: 'Answered the question.' })).sla).toBe('ok');
  });

  it('report: counts by category and status, reopenings, the median time to resolve (odd and even), the CSV (audited) and the dashboard', async () => {
    /** Open tickets at the same moment, resolve each after its minutes; returns their ids. */
    async function batch(day: string, plan: Array<{ category: TicketCategory; after?: number }>): Promise<number[]> {
      clock.set(`${day}T09:00:00.000Z`);
      const made: TicketDetail[] = [];
      for (const p of plan) made.push(await agent.ok('tickets.create', { reference: ref(`rep-${day}`), category: p.category }));
      const order = plan.map((p, i) => ({ ...p, i })).filter((p) => p.after !== undefined).sort((a, b) => a.after! - b.after!);
      for (const p of order) {
        clock.set(new Date(Date.parse(`${day}T09:00:00.000Z`) + p.after! * MIN).toISOString());
        await agent.ok('tickets.resolve', { ticketId: made[p.i]!.id, note: 'Resolved for the report.' });
      }
      return made.map((m) => m.id);
    }
    const ids = await batch('2026-06-10', [
      { category: 'code_not_received', after: 10 },
      { category: 'code_not_received', after: 40 },
      { category: 'other', after: 20 },
      { category: 'email_on_record' },
      { category: 'code_expired' },
      { category: 'other', after: 5 },
    ]);
    await agent.ok('tickets.update', { ticketId: ids[4]!, status: 'waiting_employee' });
    await agent.ok('tickets.reopen', { ticketId: ids[5]!, reason: 'It happened again' }); // no longer resolved
    const r1 = await supervisor.ok('tickets.report', { from: '2026-06-10', to: '2026-06-10' });
    const count = <T extends { count: number }>(list: T[], key: keyof T, value: string) => list.find((x) => x[key] === value)!.count;
    expect(r1).toMatchObject({ from: '2026-06-10', to: '2026-06-10', opened: 6, resolved: 3, reopened: 1, medianMinutesToResolve: 20 });
    expect(r1.byCategory.map((c) => c.category)).toEqual([...TICKET_CATEGORIES]);
    expect([count(r1.byCategory, 'category', 'code_not_received'), count(r1.byCategory, 'category', 'other'), count(r1.byCategory, 'category', 'email_on_record')]).toEqual([2, 2, 1]);
    expect(count(r1.byCategory, 'category', 'code_expired')).toBe(1);
    expect(r1.byStatus).toEqual([
      { status: 'open', count: 2 },
      { status: 'waiting_employee', count: 1 },
      { status: 'waiting_manager', count: 0 },
      { status: 'resolved', count: 3 },
    ]);

    await batch('2026-06-11', [
      { category: 'other', after: 50 },
      { category: 'other', after: 10 },
      { category: 'other', after: 31 },
      { category: 'other', after: 20 },
    ]);
    const r2 = await supervisor.ok('tickets.report', { from: '2026-06-11', to: '2026-06-11' });
    expect(r2).toMatchObject({ opened: 4, resolved: 4, reopened: 0, medianMinutesToResolve: 25.5 });
    const both = await supervisor.ok('tickets.report', { from: '2026-06-10', to: '2026-06-11' });
    expect(both).toMatchObject({ opened: 10, resolved: 7, reopened: 1, medianMinutesToResolve: 20 }); // 10 10 20 [20] 31 40 50
    const empty = await supervisor.ok('tickets.report', { from: '2026-07-01', to: '2026-07-01' });
    expect(empty).toMatchObject({ opened: 0, resolved: 0, medianMinutesToResolve: null });

    const exportsBefore = (await audits({ action: 'tickets.report_exported' })).length;
    const csv = await supervisor.ok('tickets.reportCsv', { from: '2026-06-10', to: '2026-06-10' });
    expect(csv.fileName).toMatch(/\.csv$/);
    const lines = csv.csv.split('\r\n');
    expect(lines[0]).toBe('section,item,count');
    expect(lines).toContain('total,opened,6');
    expect(lines).toContain('total,resolved in the period,3');
    expect(lines).toContain('total,reopened,1');
    expect(lines).toContain('total,median minutes to resolve,20');
    expect(lines).toContain('category,Code not received,2');
    const exported = await audits({ action: 'tickets.report_exported' });
    expect(exported).toHaveLength(exportsBefore + 1);
    expect(exported.at(-1)).toMatchObject({ actor_name: 'supervisor.one', details: { from: '2026-06-10', to: '2026-06-10', opened: 6 } });
    await refused(() => agent.call('tickets.report', { from: '2026-06-10', to: '2026-06-10' }), 'FORBIDDEN');
    await refused(() => agent.call('tickets.reportCsv', { from: '2026-06-10', to: '2026-06-10' }), 'FORBIDDEN');
    const dashboard = await supervisor.ok('audit.dashboard', { from: '2026-06-10', to: '2026-06-11' });
    expect(dashboard.tickets).toEqual(both);
  });

});
