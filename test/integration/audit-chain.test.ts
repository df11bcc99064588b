/**
 * The audit trail proves itself: every kind of tampering — an edit with the sqlite3 command line,
 * a deletion, a reorder, an insertion, cutting events off the end — is found by the chain walk
 * (with signed checkpoints for what the chain alone cannot show), with the sequence number where
 * the trail breaks. Tampering goes around MFA Desk, as an attacker with the database file would.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAudit, type Actor } from '../../electron/core/audit/audit.service';
import { appendEvents, eventHash, GENESIS_HASH } from '../../electron/core/audit/chain';
import { eventHashV1 } from '../../electron/core/db/migrations/0015_audit_chain';
import { CHECKPOINT_FILE, checkpointIfDue, verifyAuditChain, writeCheckpoint } from '../../electron/core/audit/integrity';
import { ManualClock } from '../../electron/core/clock';
import { sqliteFile } from '../../electron/core/db/connection';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';
import { openDeskCore } from '../../electron/core/app';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { silentLogger } from '../../electron/core/log/logger';
import { deskEnv, runDesk } from '../support/cli';
import type { AuditVerifyReport, DeskRole } from '../../shared/domain';
import type { AuditAction } from '../../shared/audit-actions';

const AGENT: Actor = { userId: null, name: 'agent.chain' };

describe.each(TARGETS)('audit chain on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;
  const pg = target.name === 'postgres';

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
    core = await openTestCore(target, { clock });
  });
  afterEach(async () => {
    await core.dispose();
  });

  async function events(n: number): Promise<void> {
    for (let i = 1; i <= n; i++) {
      clock.advance(1000);
      await recordAudit(core.db, clock, { actor: AGENT, action: 'test.event' as AuditAction, employeeId: null, ticketRef: `chat-${i}`, details: { i } });
    }
  }
  const verify = () => verifyAuditChain(core.db, core.vault, { dataDir: core.config.dataDir });
  const seqOf = async (seq: number) => (await core.db('audit_events').where({ seq }).first()) as Record<string, unknown> & { id: number; hash: string };

  /** Run SQL with the append-only triggers out of the way: what someone going around the desk does. */
  async function tamper(statements: string[]): Promise<void> {
    if (pg) {
      await core.db.transaction(async (trx) => {
        await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await trx.raw('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
        for (const s of statements) await trx.raw(s);
        await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER USER');
        await trx.raw('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
      });
      return;
    }
    // The sqlite3 command line on the live database file, triggers dropped for the edit.
    const script = ['DROP TRIGGER IF EXISTS audit_events_no_update;', 'DROP TRIGGER IF EXISTS audit_events_no_delete;', 'DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;', ...statements.map((s) => s + ';')].join('\n');
    execFileSync('sqlite3', ['-bail', sqliteFile(core.config.dataDir)], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  it('chains every event to the one before, in the transaction that writes it, and verifies clean', async () => {
    await events(5);
    const rows = await core.db('audit_events').orderBy('seq').select();
    let prev = GENESIS_HASH;
    for (const [i, r] of rows.entries()) {
      expect(Number(r.seq)).toBe(i + 1);
      expect(r.prev_hash).toBe(prev);
      expect(r.hash).toBe(eventHash(i + 1, r, prev));
      prev = r.hash;
    }
    // A transaction that fails leaves no event and no gap.
    await expect(
      core.db.transaction(async (trx) => {
        await recordAudit(trx, clock, { actor: AGENT, action: 'test.rolled_back' as AuditAction });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await events(1);
    const report = await verify();
    expect(report).toMatchObject({ ok: true, events: 6, headSeq: 6, firstBreak: null, breaks: [] });
    expect(report.headHash).toBe((await seqOf(6)).hash);
    expect(await core.db('audit_events').where({ action: 'test.rolled_back' as AuditAction })).toEqual([]);
  });

  it('keeps one unbroken chain when many transactions append at once', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        core.db.transaction(async (trx) => {
          await recordAudit(trx, clock, { actor: AGENT, action: 'test.parallel' as AuditAction, details: { i } });
          await appendEvents(trx, [
            { occurred_at: clock.now().toISOString(), actor_user_id: null, actor_name: 'x', employee_id: null, ticket_ref: null, action: 'test.parallel.second', result: 'ok', details: '{}' },
          ]);
        }),
      ),
    );
    expect(await verify()).toMatchObject({ ok: true, events: 24, headSeq: 24 });
  });

  it('migration 0015 keeps its own frozen copy of the chain format, which hashes as the chain does', async () => {
    await events(3);
    for (const r of await core.db('audit_events').orderBy('seq').select()) {
      expect(eventHashV1(Number(r.seq), r, r.prev_hash)).toBe(eventHash(Number(r.seq), r, r.prev_hash));
    }
  });

  it('refuses UPDATE and DELETE through the database itself', async () => {
    await events(2);
    await expect(core.db('audit_events').where({ seq: 1 }).update({ details: '{}' })).rejects.toThrow(/append-only/);
    await expect(core.db('audit_events').where({ seq: 2 }).delete()).rejects.toThrow(/append-only/);
    expect((await verify()).ok).toBe(true);
  });

  it('finds an edited event', async () => {
    await events(6);
    await tamper([`UPDATE audit_events SET details = '{"i":99}' WHERE seq = 4`]);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'edited', seq: 4 });
  });

  it('finds a deleted event', async () => {
    await events(6);
    await tamper(['DELETE FROM audit_events WHERE seq = 3']);
    expect((await verify()).firstBreak).toMatchObject({ kind: 'deleted', seq: 3 });
  });

  it('finds two events swapped', async () => {
    await events(6);
    await tamper(['UPDATE audit_events SET seq = -2 WHERE seq = 2', 'UPDATE audit_events SET seq = 2 WHERE seq = 5', 'UPDATE audit_events SET seq = 5 WHERE seq = -2']);
    const report = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'reordered', seq: 2 });
    expect(report.breaks.map((b) => b.seq)).toContain(5);
  });

  it('finds an event slipped in: outside the chain, or chained but not linked', async () => {
    await events(4);
    // An event without chain fields is refused even with the append-only triggers out of the way
    // (sqlite: the chained-insert trigger; PostgreSQL: NOT NULL).
    await expect(
      tamper([`INSERT INTO audit_events (occurred_at, actor_name, action, result, details) VALUES ('2026-03-02T09:00:02.500Z', 'intruder', 'test.forged', 'ok', '{}')`]),
    ).rejects.toThrow();
    expect(await core.db('audit_events').where({ action: 'test.forged' as AuditAction })).toEqual([]);
    // One with plausible chain fields: a valid hash of its own, slotted in as seq 5 after event 4 but linked to event 3.
    const three = await seqOf(3);
    const forged = { occurred_at: '2026-03-02T09:00:03.500Z', actor_user_id: null, actor_name: 'intruder', employee_id: null, ticket_ref: null, action: 'test.forged' as AuditAction, result: 'ok', details: '{}' };
    const hash = eventHash(5, forged, three.hash);
    await tamper([
      `INSERT INTO audit_events (occurred_at, actor_name, action, result, details, seq, prev_hash, hash, mac) VALUES ('${forged.occurred_at}', 'intruder', 'test.forged', 'ok', '{}', 5, '${three.hash}', '${hash}', '${'a'.repeat(64)}')`,
    ]);
    expect((await verify()).firstBreak).toMatchObject({ kind: 'inserted', seq: 5 });
  });

  it('finds events cut off the end, and a chain rewritten after a checkpoint, through the signed checkpoint', async () => {
    await events(8);
    const cp = await writeCheckpoint({ db: core.db, clock, vault: core.vault, dataDir: core.config.dataDir }, { userId: null, name: 'test' }, { reason: 'manual' });
    expect(cp).toMatchObject({ headSeq: 8, eventCount: 8, reason: 'manual' });
    expect(fs.readFileSync(path.join(core.config.dataDir, CHECKPOINT_FILE), 'utf8').trim().split('\n')).toHaveLength(1);
    await events(2);
    expect(await verify()).toMatchObject({ ok: true, events: 10, checkpointsChecked: 2 }); // the table and the file
    // The last four events go, and with them the database's checkpoint: the chain that is left is
    // internally sound, but the checkpoint file still knows it reached 8.
    await tamper(['DELETE FROM audit_events WHERE seq > 6', 'DELETE FROM audit_checkpoints']);
    const report = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'truncated', seq: 7 });
    expect(report.firstBreak!.detail).toMatch(/file/);
  });

  it('finds a chain rewritten from an event on (every hash recomputed) at that event, by its signature, and where it meets a checkpoint, and a forged checkpoint', async () => {
    await events(5);
    await writeCheckpoint({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { reason: 'export' });
    // Rewrite event 2 and re-hash everything after it, as someone who knows the format would.
    const rows = await core.db('audit_events').orderBy('seq').select();
    rows[1].details = '{"i":"rewritten"}';
    let prev = GENESIS_HASH;
    const updates: string[] = [];
    for (const r of rows) {
      const h = eventHash(Number(r.seq), r, prev);
      updates.push(`UPDATE audit_events SET details = '${r.details}', prev_hash = '${prev}', hash = '${h}' WHERE seq = ${Number(r.seq)}`);
      prev = h;
    }
    await tamper(updates);
    let report = await verify();
    // Each rehashed event fails its own signature: one break for the run, from the first.
    expect(report.breaks.map((b) => b.kind)).toEqual(['forged', 'rewritten']);
    expect(report.firstBreak).toMatchObject({ kind: 'forged', seq: 2 });
    expect(report.firstBreak!.detail).toMatch(/events 2–5 are not signed with this desk's key/);
    expect(report.breaks[1]).toMatchObject({ kind: 'rewritten', seq: 5 });
    // A checkpoint made up to match (without the key) is refused as forged.
    await tamper([
      `INSERT INTO audit_checkpoints (created_at, head_seq, head_hash, event_count, reason, created_by, mac) VALUES ('2026-03-02T10:00:00.000Z', 5, '${prev}', 5, 'manual', 'intruder', '${'a'.repeat(64)}')`,
    ]);
    report = await verify();
    expect(report.breaks.map((b) => b.kind).sort()).toEqual(['forged', 'forged_checkpoint', 'rewritten']);
  });

  it('pins new events with a checkpoint within five minutes, and signs daily when nothing else was signed', async () => {
    await events(1);
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toMatchObject({ reason: 'periodic', headSeq: 1 });
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toBeNull(); // nothing new
    clock.advance(3 * 60_000);
    await events(1);
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toBeNull(); // the last one is too recent
    clock.advance(2 * 60_000);
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toMatchObject({ reason: 'periodic', headSeq: 2 });
    clock.advance(23 * 3600_000);
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toBeNull();
    clock.advance(3600_000);
    expect(await checkpointIfDue({ db: core.db, clock, vault: core.vault })).toMatchObject({ reason: 'daily', headSeq: 2 });
    expect(await core.db('audit_checkpoints').count({ n: '*' }).first()).toMatchObject({ n: pg ? '3' : 3 });
    expect(await verify()).toMatchObject({ ok: true, checkpointsChecked: 3 });
  });
});


describe.each(TARGETS)('audit integrity through the contract on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
    core = await openTestCore(target, { clock });
  });
  afterEach(async () => {
    await core.dispose();
  });

  async function as(role: DeskRole) {
    const userId = await createDeskUser({ db: core.db, clock }, { userId: null, name: 'test' }, { username: `${role}.audit`, displayName: role, role, password: 'a-long-test-password' });
    const session = core.sessions.create({ userId, username: `${role}.audit`, displayName: role, role, idleMinutes: 15 });
    const slot = { get: () => session.token, set: () => {} };
    return (channel: string, payload: unknown = {}) => core.router.invoke(channel, payload, { slot, emit: () => {} });
  }

  it('lets supervisors and admins verify and sign, records who verified, and refuses agents and managers', async () => {
    for (const role of ['agent', 'manager'] as const) {
      const call = await as(role);
      for (const channel of ['audit.verify', 'audit.checkpoint']) expect(await call(channel)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    const supervisor = await as('supervisor');
    const admin = await as('admin');
    const verified = (await supervisor('audit.verify')) as { ok: true; value: AuditVerifyReport };
    expect(verified.ok).toBe(true);
    expect(verified.value).toMatchObject({ ok: true, firstBreak: null });
    const last = await core.db('audit_events').orderBy('seq', 'desc').first();
    expect(last).toMatchObject({ action: 'audit.verified', actor_name: 'supervisor.audit' });
    expect(JSON.parse(last.details)).toEqual({ intact: true, events: verified.value.events, headSeq: verified.value.headSeq, firstBreak: null });

    const signed = (await admin('audit.checkpoint')) as { ok: true; value: { headSeq: number; reason: string; createdBy: string } };
    expect(signed.value).toMatchObject({ headSeq: Number(last.seq), reason: 'manual', createdBy: 'admin.audit' });
    expect(fs.existsSync(path.join(core.config.dataDir, CHECKPOINT_FILE))).toBe(true);
    const again = (await supervisor('audit.verify')) as { ok: true; value: AuditVerifyReport };
    expect(again.value).toMatchObject({ ok: true, checkpointsChecked: 2, latestCheckpoint: { reason: 'manual', createdBy: 'admin.audit' } });
    // Bad input changes nothing.
    expect(await supervisor('audit.verify', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('a desk signs the head when it closes after new events, and at open when nothing was signed for a day', async () => {
    await recordAudit(core.db, clock, { actor: AGENT, action: 'test.event' as AuditAction });
    const config = core.config;
    await core.close();
    const reopen = () => openDeskCore({ config, clock, logger: silentLogger, auditCheckpoints: true });
    let again = await reopen();
    expect(await again.db('audit_checkpoints').select('reason', 'head_seq')).toMatchObject([{ reason: 'shutdown', head_seq: 1 }]);
    await again.close(); // no new events: nothing to sign
    clock.advance(60_000);
    again = await reopen();
    expect(await again.db('audit_checkpoints').count({ n: '*' }).first()).toMatchObject({ n: target.name === 'postgres' ? '1' : 1 });
    await again.close();
    clock.advance(24 * 3600_000);
    again = await reopen();
    expect(await again.db('audit_checkpoints').orderBy('id').select('reason', 'head_seq')).toMatchObject([
      { reason: 'shutdown', head_seq: 1 },
      { reason: 'daily', head_seq: 1 },
    ]);
    await again.close();
    // dispose() closes the original core again: harmless, and it drops the schema and data dir.
  });
});

describe.each(TARGETS)('desk audit on $name', (target: Target) => {
  it('`desk audit checkpoint` signs the head; `desk audit verify` says intact (exit 0), then where it breaks (exit 3)', async () => {
    const core = await openTestCore(target);
    try {
      const clock = core.clock as ManualClock;
      for (let i = 0; i < 5; i++) await recordAudit(core.db, clock, { actor: AGENT, action: 'test.event' as AuditAction, details: { i } });
      const env = deskEnv(core.scratch, core.config.dataDir);
      const cp = await runDesk(env, ['audit', 'checkpoint']);
      expect(cp.code).toBe(0);
      expect(cp.stdout).toMatch(/^Checkpoint signed: 5 events, head #5 [0-9a-f]{64}/);
      let run = await runDesk(env, ['audit', 'verify']);
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toMatch(/Audit chain: 5 events/);
      expect(run.stdout).toMatch(/Checkpoints: 2 checked; latest .* \(manual\) at #5/);
      expect(run.stdout).toMatch(/OK: the audit trail is intact/);
      // Someone deletes event 2 behind the desk's back.
      if (target.name === 'postgres') {
        await core.db.transaction(async (trx) => {
          await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
          await trx('audit_events').where({ seq: 2 }).delete();
          await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER USER');
        });
      } else {
        execFileSync('sqlite3', [sqliteFile(core.config.dataDir)], { input: 'DROP TRIGGER audit_events_no_delete;\nDELETE FROM audit_events WHERE seq = 2;\n' });
      }
      run = await runDesk(env, ['audit', 'verify']);
      expect(run.code).toBe(3);
      expect(run.stdout).toMatch(/BROKEN at #2: deleted — event 2 is missing/);
      const json = await runDesk(env, ['audit', 'verify', '--json']);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, events: 4, firstBreak: { kind: 'deleted', seq: 2 } });
      expect((await runDesk(env, ['audit', 'frobnicate'])).code).toBe(2);
    } finally {
      await core.dispose();
    }
  }, 60_000);
});
