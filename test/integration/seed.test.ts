import type { Knex } from 'knex';
import type { FactorState, FactorType } from '../../shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { toBool, toIso } from '../../electron/core/db/values';
import { seedDemoData, type SeedOptions } from '../../electron/core/demo/seed.service';
import { FACTOR_SEED_PURPOSE } from '../../electron/core/mfa/factors.service';
import { insertEmployee } from '../../electron/core/employees/employee-writer';
import { insertDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { verifyPassword } from '../../electron/core/deskusers/password';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const EMPLOYEES = 2000;
const SEED = 7;
const ACTOR = { userId: null, name: 'seed-test' };
const TODAY = '2026-01-05';

function options(o: Partial<SeedOptions> = {}): SeedOptions {
  return { employees: EMPLOYEES, seed: SEED, deskUsers: false, ...o };
}

/** Rows with driver differences (Date vs text, boolean vs 0/1) taken out. */
async function dump(db: Knex) {
  const employees = (await db('employees').orderBy('id')).map((e: Record<string, unknown>) => ({
    ...e,
    id: Number(e.id),
    employee_number: String(e.employee_number),
    first_name: String(e.first_name),
    last_name: String(e.last_name),
    username: String(e.username),
    status: String(e.status),
    leaving_date: (e.leaving_date as string | null) ?? null,
    internet_access_approved: toBool(e.internet_access_approved),
    has_app: toBool(e.has_app),
    has_email: toBool(e.has_email),
    pending_registration: toBool(e.pending_registration),
    locked: toBool(e.locked),
    mfa_enabled_at: toIso(e.mfa_enabled_at),
    created_at: toIso(e.created_at),
    updated_at: toIso(e.updated_at),
  }));
  const emails = (await db('employee_emails').orderBy('id')).map((m: Record<string, unknown>) => ({
    id: Number(m.id),
    employee_id: Number(m.employee_id),
    kind: m.kind,
    address: m.address,
    used_for_codes: toBool(m.used_for_codes),
  }));
  const factors = (await db('factors').orderBy('id')).map((f: Record<string, unknown>) => ({
    id: Number(f.id),
    employee_id: Number(f.employee_id),
    type: f.type as FactorType,
    state: f.state as FactorState,
    email_id: f.email_id == null ? null : Number(f.email_id),
    sealed: f.totp_seed_enc != null,
    registered_at: toIso(f.registered_at),
    last_used_at: toIso(f.last_used_at),
    created_at: toIso(f.created_at),
  }));
  return { employees, emails, factors };
}
type Dump = Awaited<ReturnType<typeof dump>>;

const dumps = new Map<string, Dump>();

describe.each(TARGETS)('demo seed on $name', (target: Target) => {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  let core: TestCore;
  let data: Dump;
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    const result = await seedDemoData({ db: core.db, clock, vault: core.vault }, ACTOR, options({ onProgress: (d, t) => progress.push([d, t]) }));
    expect(result).toEqual({ employees: EMPLOYEES, firstEmployeeId: 1, deskUsers: [] });
    data = await dump(core.db);
    dumps.set(target.name, data);
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('reports progress up to the total', () => {
    expect(progress).toEqual([
      [1000, 2000],
      [2000, 2000],
    ]);
  });

  it('is deterministic: the same seed gives the same people in another database; another seed does not', async () => {
    const other = await openTestCore(target, { clock: new ManualClock('2026-01-05T09:00:00Z') });
    try {
      await seedDemoData({ db: other.db, clock, vault: other.vault }, ACTOR, options());
      expect(await dump(other.db)).toEqual(data);
    } finally {
      await other.dispose();
    }
    const different = await openTestCore(target, { clock: new ManualClock('2026-01-05T09:00:00Z') });
    try {
      await seedDemoData({ db: different.db, clock, vault: different.vault }, ACTOR, options({ employees: 50, seed: SEED + 1 }));
      const d = await dump(different.db);
      const names = (x: Dump) => x.employees.slice(0, 50).map((e) => `${e.employee_number} ${e.first_name} ${e.last_name}`);
      expect(names(d)).not.toEqual(names(data));
    } finally {
      await different.dispose();
    }
  });

  it('gives every employee a unique 8-digit number and a unique lower-case username', () => {
    const numbers = data.employees.map((e) => String(e.employee_number));
    expect(numbers.every((n) => /^[1-9]\d{7}$/.test(n))).toBe(true);
    expect(new Set(numbers).size).toBe(EMPLOYEES);
    const usernames = data.employees.map((e) => String(e.username));
    expect(usernames.every((u) => u === u.toLowerCase() && /^[a-z][a-z0-9]+$/.test(u))).toBe(true);
    expect(new Set(usernames).size).toBe(EMPLOYEES);
  });

  it('has about 5% leavers, about 3% without internet access, and 1–3 emails each', () => {
    const share = (f: (e: Dump['employees'][number]) => boolean) => data.employees.filter(f).length / EMPLOYEES;
    const leavers = share((e) => e.status === 'leaver');
    expect(leavers).toBeGreaterThanOrEqual(0.02);
    expect(leavers).toBeLessThanOrEqual(0.09);
    const offline = share((e) => !e.internet_access_approved);
    expect(offline).toBeGreaterThanOrEqual(0.005);
    expect(offline).toBeLessThanOrEqual(0.07);

    const perEmployee = new Map<number, typeof data.emails>();
    for (const m of data.emails) perEmployee.set(m.employee_id, [...(perEmployee.get(m.employee_id) ?? []), m]);
    expect(perEmployee.size).toBe(EMPLOYEES);
    const counts = [...perEmployee.values()].map((l) => l.length);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(3);
    expect(new Set(data.emails.map((m) => m.kind))).toEqual(new Set(['work', 'personal']));
    for (const m of data.emails) expect(m.address).toMatch(/^[^\s@]+@[a-z0-9.-]+\.[a-z]{2,}$/i);
  });

  it('gives leavers a leaving date in the past, and nobody else one', () => {
    for (const e of data.employees) {
      if (e.status === 'leaver') {
        expect(e.leaving_date).toMatch(/^\d{4}-\d\d-\d\d$/);
        expect(String(e.leaving_date) < TODAY).toBe(true);
      } else {
        expect(e.status).toBe('active');
        expect(e.leaving_date).toBeNull();
      }
    }
  });

  it('keeps leavers consistent with the rules: left after joining, no MFA registered, started or used after leaving', () => {
    const problems: string[] = [];
    const leavers = new Map(data.employees.filter((e) => e.status === 'leaver').map((e) => [e.id, e]));
    for (const e of leavers.values()) {
      if (String(e.leaving_date) < String(e.created_at).slice(0, 10)) problems.push(`${e.employee_number} left ${e.leaving_date} before joining ${e.created_at}`);
    }
    for (const f of data.factors) {
      const e = leavers.get(f.employee_id);
      if (!e) continue;
      const left = String(e.leaving_date);
      if (String(f.created_at).slice(0, 10) > left) problems.push(`${e.employee_number}: ${f.type} ${f.state} started ${f.created_at} after leaving ${left}`);
      if (f.last_used_at && f.last_used_at.slice(0, 10) > left) problems.push(`${e.employee_number}: ${f.type} used ${f.last_used_at} after leaving ${left}`);
    }
    expect(problems.length, `${problems.length} problems, e.g.\n${problems.slice(0, 8).join('\n')}`).toBe(0);
  });

  it('has a mix of MFA situations consistent with the records', () => {
    const byEmployee = new Map<number, typeof data.factors>();
    for (const f of data.factors) byEmployee.set(f.employee_id, [...(byEmployee.get(f.employee_id) ?? []), f]);
    const kinds = new Map<string, number>();
    for (const e of data.employees) {
      const fs = byEmployee.get(e.id) ?? [];
      const active = fs.filter((f) => f.state === 'active');
      const kind = fs.some((f) => f.state === 'pending')
        ? 'pending'
        : active.map((f) => f.type).sort().join('+') || 'none';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      // Registration needs internet access approved.
      if (!e.internet_access_approved) expect(fs).toEqual([]);
      // MFA is enabled from the first active factor's registration.
      const first = active.map((f) => f.registered_at!).sort()[0] ?? null;
      expect(e.mfa_enabled_at).toBe(first);
      for (const f of fs) {
        expect(f.registered_at === null).toBe(f.state === 'pending');
        expect(f.sealed).toBe(f.type === 'authenticator_app');
        if (f.type === 'email') {
          const email = data.emails.find((m) => m.id === f.email_id);
          expect(email?.employee_id).toBe(e.id);
          if (f.state === 'active') expect(email?.used_for_codes).toBe(true);
        } else {
          expect(f.email_id).toBeNull();
        }
      }
    }
    expect(new Set(kinds.keys())).toEqual(new Set(['none', 'authenticator_app', 'email', 'authenticator_app+email', 'pending']));
    for (const [kind, n] of kinds) expect(n, kind).toBeGreaterThanOrEqual(20);
    expect(kinds.get('none')!).toBeGreaterThan(kinds.get('pending')!);
  });

  it('stores authenticator seeds sealed, each opening to its own base32 secret', async () => {
    const rows: Array<{ totp_seed_enc: string }> = await core.db('factors').where({ type: 'authenticator_app' }).select('totp_seed_enc');
    expect(rows.length).toBeGreaterThan(100);
    const secrets = rows.map((r) => {
      expect(r.totp_seed_enc).toMatch(/^v1\./);
      return core.vault.open(r.totp_seed_enc, FACTOR_SEED_PURPOSE);
    });
    for (const s of secrets) expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const [i, s] of secrets.slice(0, 20).entries()) expect(rows[i]!.totp_seed_enc).not.toContain(s);
    expect(() => core.vault.open(rows[0]!.totp_seed_enc, 'desk_user.totp')).toThrow();
  });

  it('writes one demo.batch_loaded audit row per 1,000 and one per factor event', async () => {
    const batches: Array<{ actor_name: string; actor_user_id: unknown; details: string }> = await core.db('audit_events')
      .where({ action: 'demo.batch_loaded' })
      .orderBy('id');
    expect(batches.map((b) => [b.actor_name, b.actor_user_id, JSON.parse(b.details)])).toEqual([
      ['seed-test', null, { seed: SEED, fromEmployeeId: 1, count: 1000 }],
      ['seed-test', null, { seed: SEED, fromEmployeeId: 1001, count: 1000 }],
    ]);
    const count = async (action: string) => Number((await core.db('audit_events').where({ action }).count({ n: '*' }).first())!.n);
    expect(await count('factor.registered')).toBe(data.factors.filter((f) => f.state === 'active').length);
    expect(await count('factor.registration_started')).toBe(data.factors.filter((f) => f.state === 'pending').length);
    const orphan = await core.db('audit_events').where('action', 'like', 'factor.%').whereNull('employee_id').first();
    expect(orphan).toBeUndefined();
  });

  it('creates the demo desk users once, and a second run adds employees after the first', async () => {
    const first = await seedDemoData({ db: core.db, clock, vault: core.vault }, ACTOR, options({ employees: 10, deskUsers: true }));
    expect(first.firstEmployeeId).toBe(EMPLOYEES + 1);
    expect(first.deskUsers.map((u) => [u.username, u.role])).toEqual([
      ['agent.demo', 'agent'],
      ['manager.demo', 'manager'],
      ['supervisor.demo', 'supervisor'],
    ]);
    const agent = first.deskUsers[0]!;
    expect(agent.password).toMatch(/^.{12,}$/);
    const agentRow = await core.db('desk_users').where({ username: 'agent.demo' }).first();
    expect(await verifyPassword(agent.password!, agentRow.password_hash)).toBe(true);
    expect(await core.db('audit_events').where({ action: 'desk_user.created' })).toHaveLength(3);

    const second = await seedDemoData({ db: core.db, clock, vault: core.vault }, ACTOR, options({ employees: 10, deskUsers: true }));
    expect(second.deskUsers).toEqual([
      { username: 'agent.demo', role: 'agent', password: null },
      { username: 'manager.demo', role: 'manager', password: null },
      { username: 'supervisor.demo', role: 'supervisor', password: null },
    ]);
    expect(await core.db('desk_users').select('username').orderBy('username')).toEqual([
      { username: 'agent.demo' },
      { username: 'manager.demo' },
      { username: 'supervisor.demo' },
    ]);
    const all: Array<{ employee_number: string; username: string }> = await core.db('employees').select('employee_number', 'username');
    expect(all).toHaveLength(EMPLOYEES + 20);
    expect(new Set(all.map((e) => e.employee_number)).size).toBe(EMPLOYEES + 20);
    expect(new Set(all.map((e) => e.username)).size).toBe(EMPLOYEES + 20);

    // Ids keep counting after the seeded ones (PostgreSQL sequences were moved on).
    const id = await insertEmployee(core.db, {
      employeeNumber: '09999999',
      firstName: 'New',
      lastName: 'Starter',
      username: 'nstarter',
      organisation: 'Trust',
      department: 'Dept',
      emails: [],
      createdAt: clock.now().toISOString(),
    });
    expect(id).toBe(EMPLOYEES + 21);
  });

  it('loads any seed: generated usernames never clash (seed 2894 makes "cooke"+"h" meet "cook"+"eh")', async () => {
    const other = await openTestCore(target, { clock: new ManualClock('2026-01-05T09:00:00Z') });
    try {
      await seedDemoData({ db: other.db, clock, vault: other.vault }, ACTOR, options({ employees: 600, seed: 2894 })).catch((err: Error) => {
        throw new Error(`seed 2894 failed: …${err.message.slice(-90)}`);
      });
      const n = Number((await other.db('employees').count({ n: '*' }).first())!.n);
      expect(n).toBe(600);
    } finally {
      await other.dispose();
    }
  });
});

describe.each(TARGETS)('demo.load through the router on $name', (target: Target) => {
  const clock = new ManualClock('2026-01-05T09:00:00Z');

  /** A fresh core with an admin desk user signed in (no password needed for a session made here). */
  async function adminCore() {
    const core = await openTestCore(target, { clock });
    const userId = await core.db.transaction((trx) =>
      insertDeskUser(trx, clock, ACTOR, { username: 'admin.demo', displayName: 'Admin', role: 'admin', password: 'unused' }, 'scrypt$unused'),
    );
    const session = core.sessions.create({ userId, username: 'admin.demo', displayName: 'Admin', role: 'admin', idleMinutes: 15 });
    const events: Array<[string, unknown]> = [];
    const transport = { slot: { get: () => session.token, set: () => {} }, emit: (e: string, p: unknown) => events.push([e, p]) };
    const load = (input: unknown) => core.router.invoke('demo.load', input, transport);
    return { core, userId, events, load };
  }

  it('loads an empty database, reporting progress and auditing the admin who asked', async () => {
    const { core, userId, events, load } = await adminCore();
    try {
      expect(await load({ employees: 1200, seed: 11 })).toEqual({ ok: true, value: { employees: 1200, deskUsers: [] } });
      expect(events).toEqual([
        ['progress', { task: 'demo.load', done: 1000, total: 1200 }],
        ['progress', { task: 'demo.load', done: 1200, total: 1200 }],
      ]);
      const batches = await core.db('audit_events').where({ action: 'demo.batch_loaded' }).orderBy('id');
      expect(batches.map((b: { actor_user_id: unknown; actor_name: string }) => [Number(b.actor_user_id), b.actor_name])).toEqual([
        [userId, 'admin.demo'],
        [userId, 'admin.demo'],
      ]);
      expect(await load({})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(Number((await core.db('employees').count({ n: '*' }).first())!.n)).toBe(1200);
    } finally {
      await core.dispose();
    }
  });

  it('answers CONFLICT, not INTERNAL, to a second load that arrives while the first runs', async () => {
    const { core, load } = await adminCore();
    try {
      const [a, b] = await Promise.all([load({ employees: 1200, seed: 12 }), load({ employees: 1200, seed: 12 })]);
      const codes = [a, b].map((r) => (r.ok ? 'ok' : r.error.code)).sort();
      expect(codes).toEqual(['CONFLICT', 'ok']);
      expect(Number((await core.db('employees').count({ n: '*' }).first())!.n)).toBe(1200);
    } finally {
      await core.dispose();
    }
  });
});

describe('sqlite and PostgreSQL', () => {
  it.runIf(TARGETS.length === 2)('hold the same demo data for the same seed', () => {
    expect(dumps.get('sqlite')?.employees).toHaveLength(EMPLOYEES);
    expect(dumps.get('postgres')).toEqual(dumps.get('sqlite'));
  });
});
