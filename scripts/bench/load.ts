/**
 * Load on one PostgreSQL database: N simulated agents (default 20) work webchat tickets at once for
 * S seconds (default 60), each as a signed-in desk user through the contract (the router every
 * transport uses): search for the caller, open their page, verify them with an identity-check code
 * (sent, read back from the outbox as the caller would from their inbox, checked), and re-register
 * one of their factors (a new phone). Each ticket is a different employee, so every action should
 * succeed: the goal is 0 errors and no deadlock, with the median and 99th percentile per action.
 *
 * Runs in a throwaway schema (bench_load_<time>) with its own demo employees, dropped at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { insertDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { hashPassword } from '../../electron/core/deskusers/password';
import { silentLogger } from '../../electron/core/log/logger';
import { OUTBOX_BODY_PURPOSE } from '../../electron/core/mail/outbox';
import type { SessionSlot } from '../../electron/core/ipc/router';
import type { WireResult } from '../../shared/errors';
import { dropSchema } from './scratch-db';
import { percentile, median } from './stats';

export const ACTIONS = ['search', 'open', 'send code', 'check code', 're-register'] as const;
export type LoadAction = (typeof ACTIONS)[number];

export interface LoadOptions {
  pgUrl: string;
  agents: number;
  seconds: number;
  employees: number;
  log: (line: string) => void;
}

export interface LoadResult {
  agents: number;
  /** How long the agents worked (the time asked for, or less when the callers ran out). */
  seconds: number;
  employees: number;
  tickets: number;
  actions: Record<LoadAction, { count: number; errors: number; p50Ms: number; p99Ms: number }>;
  errors: Array<{ action: LoadAction; code: string; message: string }>;
  errorCount: number;
  deadlocks: number;
  chainIntact: boolean;
}

interface Caller {
  id: number;
  surname: string;
  emailId: number;
  factorType: 'authenticator_app' | 'email';
}

/** Employees who can take every step: active, internet access approved, an address, an active factor. */
async function callers(core: DeskCore): Promise<Caller[]> {
  const rows = await core
    .db('employees as e')
    .join('factors as f', function () {
      this.on('f.employee_id', 'e.id').andOnVal('f.state', '=', 'active');
    })
    .join('employee_emails as m', 'm.employee_id', 'e.id')
    .where({ 'e.status': 'active', 'e.internet_access_approved': true })
    .select<Array<{ id: number; last_name: string; email_id: number; factor_type: Caller['factorType'] }>>('e.id', 'e.last_name', core.db.raw('min(m.id) as email_id'), core.db.raw('min(f.type) as factor_type'))
    .groupBy('e.id', 'e.last_name')
    .orderBy('e.id');
  return rows.map((r) => ({ id: Number(r.id), surname: r.last_name, emailId: Number(r.email_id), factorType: r.factor_type }));
}

export async function measureLoad(opts: LoadOptions): Promise<LoadResult> {
  const schema = `bench_load_${Date.now()}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-load-'));
  const core = await openDeskCore({ config: { dataDir, databaseUrl: opts.pgUrl, databaseSchema: schema }, logger: silentLogger });
  try {
    opts.log(`load: seeding ${opts.employees} demo employees into schema ${schema}`);
    await seedDemoData(core, { userId: null, name: 'bench' }, { employees: opts.employees, seed: 7, deskUsers: false });
    const queue = await callers(core);
    const hash = await hashPassword('not used to sign in');
    const slots: SessionSlot[] = [];
    for (let a = 0; a < opts.agents; a++) {
      const username = `load.agent${a}`;
      const id = await core.db.transaction((trx) =>
        insertDeskUser(trx, core.clock, { userId: null, name: 'bench' }, { username, displayName: username, role: 'agent', password: 'x' }, hash),
      );
      const session = core.sessions.create({ userId: id, username, displayName: username, role: 'agent', idleMinutes: 480 });
      slots.push({ get: () => session.token, set: () => {} });
    }

    const times: Record<LoadAction, number[]> = Object.fromEntries(ACTIONS.map((a) => [a, []])) as unknown as Record<LoadAction, number[]>;
    const failures: Record<LoadAction, number> = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as unknown as Record<LoadAction, number>;
    const errors: LoadResult['errors'] = [];
    let tickets = 0;
    const started = Date.now();
    const until = started + opts.seconds * 1000;

    /** One call through the contract, timed; a refusal is recorded and ends the ticket. */
    async function call<T>(slot: SessionSlot, action: LoadAction, channel: string, input: unknown): Promise<T | null> {
      const t0 = performance.now();
      const res = (await core.router.invoke(channel, input, { slot, emit: () => {} })) as WireResult<T>;
      times[action].push(performance.now() - t0);
      if (res.ok) return res.value;
      failures[action]++;
      if (errors.length < 50) errors.push({ action, code: res.error.code, message: res.error.message });
      return null;
    }

    /** The code in the newest identity-check mail to the employee, opened as their mailbox would show it. */
    async function codeFor(employeeId: number): Promise<string> {
      const row = await core
        .db<{ id: number; employee_id: number; template: string; body_text: string; sealed: unknown }>('mail_outbox')
        .where({ employee_id: employeeId, template: 'identity_check_code' })
        .orderBy('id', 'desc')
        .first('body_text', 'sealed');
      const text = row ? (row.sealed === true || row.sealed === 1 ? core.vault.open(row.body_text, OUTBOX_BODY_PURPOSE) : row.body_text) : '';
      return /^\s+(\d{6})\s*$/m.exec(text)?.[1] ?? '000000';
    }

    async function agent(a: number): Promise<void> {
      const slot = slots[a]!;
      while (Date.now() < until) {
        const c = queue.shift();
        if (!c) return;
        const ticketRef = `LOAD-${a}-${tickets++}`;
        const target = { employeeId: c.id, ticketRef };
        if (!(await call(slot, 'search', 'employees.search', { query: c.surname.slice(0, 4), limit: 50 }))) continue;
        if (!(await call(slot, 'open', 'employees.page', { employeeId: c.id }))) continue;
        if (!(await call(slot, 'send code', 'mfa.sendIdentityCode', { ...target, emailId: c.emailId }))) continue;
        if (!(await call(slot, 'check code', 'mfa.checkIdentityCode', { ...target, code: await codeFor(c.id) }))) continue;
        await call(slot, 're-register', 'mfa.reRegister', { ...target, factorType: c.factorType, emailId: c.emailId });
      }
    }

    opts.log(`load: ${opts.agents} agents for ${opts.seconds} s over ${queue.length} callers`);
    await Promise.all(slots.map((_, a) => agent(a)));
    const seconds = (Date.now() - started) / 1000;
    if (queue.length === 0) opts.log(`load: every caller was served after ${seconds.toFixed(1)} s (more with --load-employees)`);
    const verdict = await verifyAuditChain(core.db, core.vault, { dataDir });
    const actions = Object.fromEntries(
      ACTIONS.map((a) => [a, { count: times[a].length, errors: failures[a], p50Ms: median(times[a]), p99Ms: percentile(times[a], 99) }]),
    ) as LoadResult['actions'];
    const errorCount = ACTIONS.reduce((n, a) => n + failures[a], 0);
    return {
      agents: opts.agents,
      seconds,
      employees: opts.employees,
      tickets,
      actions,
      errors,
      errorCount,
      deadlocks: errors.filter((e) => /deadlock/i.test(e.message)).length,
      chainIntact: verdict.ok,
    };
  } finally {
    await core.close();
    await dropSchema(opts.pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function loadMarkdown(r: LoadResult): string {
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—');
  const lines = [
    `${r.agents} agents for ${r.seconds.toFixed(1)} s on one PostgreSQL database (${r.employees} demo employees), through the contract: ${r.tickets} tickets.`,
    '',
    '| action | calls | errors | p50 | p99 | per second |',
    '|---|---|---|---|---|---|',
    ...ACTIONS.map((a) => `| ${a} | ${r.actions[a].count} | ${r.actions[a].errors} | ${ms(r.actions[a].p50Ms)} | ${ms(r.actions[a].p99Ms)} | ${(r.actions[a].count / r.seconds).toFixed(1)} |`),
    '',
    `Errors: ${r.errorCount} (goal 0); deadlocks: ${r.deadlocks} (goal 0); audit chain afterwards: ${r.chainIntact ? 'intact' : 'BROKEN'}.`,
  ];
  if (r.errors.length) lines.push('', ...r.errors.slice(0, 10).map((e) => `- ${e.action}: ${e.code} — ${e.message}`));
  return lines.join('\n') + '\n';
}
