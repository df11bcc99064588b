/**
 * The supervisors' dashboard on both databases: actions per day, codes issued vs redeemed vs expired,
 * re-registrations by reason, mail failures, actions per actor, each against an oracle computed from
 * the rows written; every day of the period present; roles and bad periods refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../electron/core/audit/audit.service';
import { ManualClock } from '../../electron/core/clock';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import type { DeskRole } from '../../shared/domain';
import { insertEmployee } from '../../electron/core/employees/employee-writer';
import { callAs, type Caller } from '../support/call-as';
import { insertId } from '../support/mfa-fixtures';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const DAY = 24 * 60 * 60_000;
const T0 = Date.parse('2026-05-01T00:00:00.000Z');

describe.each(TARGETS)('audit dashboard on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;
  let employee: number;
  const calls: Partial<Record<DeskRole, Caller>> = {};
  const written = { events: [] as Array<{ day: string; actor: string }>, codes: [] as Array<{ day: string; state: 'redeemed' | 'expired' | 'open' }>, fails: [] as string[] };

  beforeAll(async () => {
    clock = new ManualClock(new Date(T0 - 5 * DAY));
    core = await openTestCore(target, { clock });
    employee = await insertEmployee(core.db, {
      employeeNumber: '55500001',
      firstName: 'Dash',
      lastName: 'Board',
      username: 'dboard',
      organisation: 'Trust',
      department: 'Dept',
      emails: [],
      createdAt: clock.now().toISOString(),
    });
    // Ten days of activity, some days empty; the period asked for is days 2–8.
    for (let d = 0; d < 10; d++) {
      if (d === 4) continue; // a quiet day
      for (let k = 0; k < (d % 3) + 1; k++) {
        clock.set(new Date(T0 + d * DAY + k * 3600_000 + 60_000));
        const actor = ['ann.agent', 'bob.agent', 'system'][(d + k) % 3]!;
        const reReg = (d + k) % 4 === 0;
        await recordAudit(core.db, clock, {
          actor: { userId: null, name: actor },
          action: reReg ? 'factor.reregistration_started' : 'caller.verified',
          employeeId: employee,
          ticketRef: 'chat-1',
          details: reReg ? { factorType: d % 2 ? 'email' : 'authenticator_app', removedState: k ? 'locked' : 'active' } : {},
        });
        const day = new Date(clock.now()).toISOString().slice(0, 10);
        written.events.push({ day, actor });
        // A code issued with each event: redeemed, expired unused, or still open at "now".
        const state = (['redeemed', 'expired', 'open'] as const)[(d * 7 + k) % 3]!;
        const issued = clock.now().getTime();
        await insertId(core.db, 'one_time_codes', {
          employee_id: employee,
          purpose: 'identity_check',
          code_hash: 'x',
          recipient: 'dash@example.org',
          issued_at: new Date(issued).toISOString(),
          expires_at: new Date(state === 'open' ? T0 + 30 * DAY : issued + 20 * 60_000).toISOString(),
          consumed_at: state === 'redeemed' ? new Date(issued + 60_000).toISOString() : null,
        });
        written.codes.push({ day, state });
        if (k === 0 && d % 2 === 0) {
          await insertId(core.db, 'mail_outbox', {
            employee_id: employee,
            template: 'identity_check_code',
            recipient: 'dash@example.org',
            subject: 'x',
            body_text: 'x',
            status: 'failed',
            next_attempt_at: clock.now().toISOString(),
            message_id: `<m${d}@test>`,
            created_at: clock.now().toISOString(),
          });
          written.fails.push(day);
        }
      }
    }
    clock.set(new Date(T0 + 20 * DAY));
    for (const role of ['agent', 'manager', 'supervisor'] as const) {
      const userId = await createDeskUser({ db: core.db, clock }, { userId: null, name: 'test' }, { username: `${role}.dash`, displayName: role, role, password: 'a-long-test-password' });
      const session = core.sessions.create({ userId, username: `${role}.dash`, displayName: role, role, idleMinutes: 480 });
      const slot = { get: () => session.token, set: () => {} };
      calls[role] = callAs(core, slot);
    }
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('counts what happened in the period, day by day and actor by actor, with every day present', async () => {
    const from = '2026-05-03';
    const to = '2026-05-09';
    const dash = await calls.supervisor!.ok('audit.dashboard', { from, to });
    const inRange = (day: string) => day >= from && day <= to;
    const allDays = Array.from({ length: 7 }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10));
    expect(dash.actionsPerDay.map((d) => d.day)).toEqual(allDays);
    expect(dash.actionsPerDay).toEqual(allDays.map((day) => ({ day, count: written.events.filter((e) => e.day === day).length })));
    expect(dash.actionsPerDay.find((d) => d.day === '2026-05-05')!.count).toBe(0); // the quiet day
    expect(dash.codesPerDay).toEqual(
      allDays.map((day) => {
        const c = written.codes.filter((x) => x.day === day);
        const n = (s: string) => c.filter((x) => x.state === s).length;
        return { day, issued: c.length, redeemed: n('redeemed'), expired: n('expired'), open: n('open') };
      }),
    );
    expect(dash.mailFailuresPerDay).toEqual(allDays.map((day) => ({ day, count: written.fails.filter((x) => x === day).length })));
    const byReason = new Map<string, number>();
    // Re-registrations by factor and state, from the audit table's own rows (days worked out here).
    const rows = await core.db('audit_events').where({ action: 'factor.reregistration_started' }).select('occurred_at', 'details');
    for (const row of rows) {
      const day = new Date(row.occurred_at).toISOString().slice(0, 10);
      if (!inRange(day)) continue;
      const d = JSON.parse(row.details);
      byReason.set(`${d.factorType}/${d.removedState}`, (byReason.get(`${d.factorType}/${d.removedState}`) ?? 0) + 1);
    }
    expect(Object.fromEntries(dash.reRegistrations.map((x) => [`${x.factorType}/${x.removedState}`, x.count]))).toEqual(Object.fromEntries(byReason));
    expect(byReason.size).toBeGreaterThan(1);
    const actors = new Map<string, number>();
    for (const e of written.events) if (inRange(e.day)) actors.set(e.actor, (actors.get(e.actor) ?? 0) + 1);
    expect(dash.actionsPerActor).toEqual([...actors].map(([actor, count]) => ({ actor, count })).sort((a, b) => b.count - a.count || (a.actor < b.actor ? -1 : 1)));
    expect(dash.totals).toEqual({
      events: written.events.filter((e) => inRange(e.day)).length,
      codesIssued: written.codes.filter((c) => inRange(c.day)).length,
      mailFailures: written.fails.filter(inRange).length,
      // No sign-in was checked through the portal here (test/integration/portal.test.ts counts them).
      signIns: 0,
    });
    expect(dash.signInsPerDay.map((d) => d.day)).toEqual(dash.actionsPerDay.map((d) => d.day));
    expect(dash.signInsPerDay.every((d) => d.accepted + d.wrong + d.locked + d.expired === 0)).toBe(true);
  });

  it('refuses agents and managers, and periods that make no sense', async () => {
    for (const role of ['agent', 'manager'] as const) expect(await calls[role]!.call('audit.dashboard', { from: '2026-05-01', to: '2026-05-02' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    for (const bad of [{ from: '2026-05-09', to: '2026-05-01' }, { from: '2025-01-01', to: '2026-05-01' }, { from: '2026-02-30', to: '2026-03-01' }, { from: '2026-05-01' }, {}]) {
      expect(await calls.supervisor!.raw('audit.dashboard', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });
});
