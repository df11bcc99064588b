/**
 * `desk export tickets`: the ticket report over a period to a CSV file, from a real database that
 * holds tickets opened and resolved through the contract; audited; bad periods refused (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';
import { scratch, TARGETS, type Scratch } from '../support/targets';
import { deskEnv, runDesk } from '../support/cli';
import { caller, deskUser, makeEmployee } from '../support/mfa-fixtures';

describe.each(TARGETS)('desk export tickets on $name', (target) => {
  let s: Scratch;
  let core: DeskCore;
  beforeAll(async () => {
    s = scratch(target);
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    core = await openDeskCore({ config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema }, clock, logger: silentLogger });
    const agent = await deskUser(core, 'cli.agent', 'agent');
    const call = caller(core, agent);
    const e = await makeEmployee(core);
    for (const [ref, minutes] of [['chat-a', 10], ['chat-b', 30], ['chat-c', 50]] as const) {
      const t = await call('tickets.create', { reference: ref, category: 'new_or_lost_phone', employeeId: e.id });
      expect(t.ok).toBe(true);
      clock.advance(minutes * 60_000);
      const r = await call('tickets.resolve', { ticketId: (t as { value: { id: number } }).value.id, note: 'Done with the caller.' });
      expect(r.ok).toBe(true);
    }
    expect((await call('tickets.create', { reference: 'chat-d', category: 'turn_mfa_off' })).ok).toBe(true);
    await core.close();
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  it('writes the report as CSV with the counts and the median, and audits it', async () => {
    const out = path.join(s.dataDir, 'tickets.csv');
    const r = await runDesk(deskEnv(s, s.dataDir), ['export', 'tickets', '--out', out, '--from', '2026-03-01', '--to', '2026-03-31']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4 opened, 3 resolved, median 30 minutes');
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv).toContain('category,New or lost phone,3\r\n');
    expect(csv).toContain('category,Wants to turn MFA off,1\r\n');
    expect(csv).toContain('status,Resolved,3\r\n');
    expect(csv).toContain('status,Open,1\r\n');
    expect(csv).toContain('total,median minutes to resolve,30\r\n');
    expect(fs.statSync(out).mode & 0o077).toBe(0);
    const check = await openDeskCore({ config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema }, logger: silentLogger });
    try {
      const row = await check.db('audit_events').where({ action: 'tickets.report_exported' }).first('actor_name');
      expect(row?.actor_name).toBe('cli');
    } finally {
      await check.close();
    }
  });

  it('refuses a missing or reversed period with exit code 2 and writes nothing', async () => {
    const out = path.join(s.dataDir, 'never.csv');
    expect((await runDesk(deskEnv(s, s.dataDir), ['export', 'tickets', '--out', out, '--from', '2026-03-01'])).code).toBe(2);
    expect((await runDesk(deskEnv(s, s.dataDir), ['export', 'tickets', '--out', out, '--from', '2026-03-31', '--to', '2026-03-01'])).code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});
