import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { silentLogger } from '../../electron/core/log/logger';
import { scratch, TARGETS, type Scratch, type Target } from '../support/targets';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(ROOT, 'test/support/crash-child.ts');

interface Caller {
  id: number;
  factorType: 'authenticator_app' | 'email';
}

function open(s: Scratch): Promise<DeskCore> {
  return openDeskCore({ config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema }, logger: silentLogger });
}

/** Run the child desk and SIGKILL it right after it reports `done` for the `after`-th caller. */
function runAndKill(s: Scratch, callers: Caller[], after: number): Promise<{ done: number[]; signal: NodeJS.Signals | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DESK_DATA_DIR: s.dataDir,
    DESK_DATABASE_URL: s.databaseUrl ?? '',
    DESK_DATABASE_SCHEMA: s.schema ?? '',
    CRASH_CALLERS: JSON.stringify(callers),
  };
  // Node with tsx as its loader (not the tsx wrapper), so the SIGKILL hits the process doing the work.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done: number[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const m = /^done (\d+)$/.exec(line);
      if (m) {
        done.push(Number(m[1]));
        if (done.length === after) child.kill('SIGKILL');
      }
    }
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ done, signal, stderr })));
}

describe.each(TARGETS)('a desk killed mid-change on $name', (target: Target) => {
  const s = scratch(target);
  let callers: Caller[] = [];
  let before: Map<number, { factorId: number; addresses: string[] }>;
  /** The outbox as seeding left it: only what comes after is the child's. */
  let lastMailBefore = 0;

  beforeAll(async () => {
    const core = await open(s);
    try {
      await seedDemoData(core, { userId: null, name: 'test' }, { employees: 300, seed: 17, deskUsers: false });
      // The desk users the child acts as.
      const at = core.clock.now().toISOString();
      for (const [username, role] of [['crash.supervisor', 'supervisor'], ['crash.manager', 'manager']] as const) {
        await core.db('desk_users').insert({ username, display_name: username, role, password_hash: 'no sign-in', created_at: at, updated_at: at });
      }
      const rows: Array<{ id: number; type: Caller['factorType']; factor_id: number }> = await core
        .db('employees as e')
        .join('factors as f', 'f.employee_id', 'e.id')
        .where({ 'e.status': 'active', 'e.internet_access_approved': true, 'f.state': 'active' })
        .whereExists(core.db('employee_emails as m').whereRaw('m.employee_id = e.id'))
        .select('e.id', 'f.type', 'f.id as factor_id')
        .orderBy(['e.id', 'f.type']);
      const seen = new Set<number>();
      before = new Map();
      for (const r of rows) {
        if (seen.has(Number(r.id))) continue;
        seen.add(Number(r.id));
        callers.push({ id: Number(r.id), factorType: r.type });
        const addresses = (await core.db('employee_emails').where({ employee_id: r.id }).orderBy('id')).map((m: { address: string }) => m.address);
        before.set(Number(r.id), { factorId: Number(r.factor_id), addresses });
      }
      callers = callers.slice(0, 80);
      lastMailBefore = Number(((await core.db('mail_outbox').max({ n: 'id' }).first()) as { n: number | null }).n ?? 0);
    } finally {
      await core.close();
    }
  }, 120_000);
  afterAll(async () => {
    await s.cleanup();
  });

  it('leaves every change whole or not there at all, each with exactly its mails, and the audit chain intact', async () => {
    expect(callers.length).toBeGreaterThan(20);
    // Somewhere in the middle, at a moment this run draws: the kill lands inside whatever comes next.
    const after = 5 + crypto.randomInt(10);
    const run = await runAndKill(s, callers, after);
    expect(run.signal, run.stderr).toBe('SIGKILL');
    expect(run.done.length).toBeGreaterThanOrEqual(after);

    const core = await open(s);
    try {
      expect((await verifyAuditChain(core.db, core.vault, { dataDir: s.dataDir })).ok).toBe(true);
      const events = async (action: string) =>
        new Map(
          (await core.db('audit_events').where({ action }).select('employee_id', 'details')).map((r: { employee_id: number; details: string }) => [
            Number(r.employee_id),
            JSON.parse(r.details) as Record<string, unknown>,
          ]),
        );
      const reRegistered = await events('factor.reregistration_started');
      const recordChanged = await events('employee.emails_changed');
      // Every caller the child reported done is fully there; beyond those, at most the one it was on.
      for (const id of run.done) expect(reRegistered.has(id), `caller ${id}`).toBe(true);
      expect(reRegistered.size).toBeLessThanOrEqual(run.done.length + 1);
      expect(reRegistered.size).toBeLessThan(callers.length);

      const outbox: Array<{ employee_id: number; template: string; recipient: string; reference: string | null }> = await core
        .db('mail_outbox')
        .where('id', '>', lastMailBefore)
        .select('employee_id', 'template', 'recipient', 'reference');
      // No mail twice.
      const keys = outbox.map((m) => `${m.employee_id}|${m.template}|${m.recipient}|${m.reference}`);
      expect(new Set(keys).size).toBe(keys.length);

      for (const c of callers) {
        const was = before.get(c.id)!;
        const factors: Array<{ id: number; type: string; state: string }> = await core.db('factors').where({ employee_id: c.id, type: c.factorType });
        const mails = outbox.filter((m) => Number(m.employee_id) === c.id);
        const started = reRegistered.get(c.id);
        if (started) {
          // The old factor gone, a pending one in its place, its code, and every address told once.
          expect(factors.find((f) => Number(f.id) === was.factorId)?.state, `caller ${c.id}`).toBe('removed');
          expect(factors.filter((f) => f.state === 'pending').map((f) => Number(f.id))).toEqual([started['factorId']]);
          expect(await core.db('one_time_codes').where({ id: started['codeId'] as number }).first()).toBeDefined();
          expect(mails.filter((m) => m.template === 'registration_code')).toHaveLength(1);
          const told = mails.filter((m) => m.reference === started['reference']).map((m) => m.recipient.toLowerCase());
          expect(told.sort()).toEqual(was.addresses.map((a) => a.toLowerCase()).sort());
          expect(told).toHaveLength(started['confirmations'] as number);
        } else {
          // Nothing of it: the factor as it was, no code mail, no confirmation.
          expect(factors.find((f) => Number(f.id) === was.factorId)?.state, `caller ${c.id}`).toBe('active');
          expect(factors.filter((f) => f.state === 'pending')).toEqual([]);
          expect(mails.filter((m) => m.template === 'registration_code' || m.template === 'change_confirmation')).toEqual([]);
        }
        const changed = recordChanged.get(c.id);
        const addresses = (await core.db('employee_emails').where({ employee_id: c.id })).map((m: { address: string }) => m.address);
        const added = `crash.${c.id}@example.org`;
        if (changed) {
          expect(addresses).toContain(added);
          expect(mails.filter((m) => m.reference === changed['reference'])).toHaveLength(changed['confirmations'] as number);
        } else {
          expect(addresses).not.toContain(added);
          expect(mails.filter((m) => m.template === 'record_change')).toEqual([]);
        }
      }
      // Each mail belongs to a change that is there.
      const references = new Set([...reRegistered.values(), ...recordChanged.values()].map((d) => d['reference']));
      for (const m of outbox) if (m.reference) expect(references.has(m.reference), `${m.template} to ${m.recipient}`).toBe(true);
    } finally {
      await core.close();
    }
  }, 120_000);
});
