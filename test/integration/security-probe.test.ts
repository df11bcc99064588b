/**
 * What an outside security probe found (issue 18), each as it was found:
 * - a real desk username and an unknown one got different answers to a burst of wrong passwords,
 *   took different work once locked, and an unknown name's lock-out did not survive a restart;
 * - an event appended after the last checkpoint, the tail cut off after it, or an event rewritten
 *   and everything after it rehashed, all made with the sqlite3 shell or a raw PostgreSQL
 *   connection, left `desk audit verify` saying "intact";
 * - INSERT OR REPLACE went past sqlite's append-only triggers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../electron/core/audit/audit.service';
import { chainEvents, eventHash, GENESIS_HASH, type AuditContent } from '../../electron/core/audit/chain';
import { CHECKPOINT_FILE, verifyAuditChain } from '../../electron/core/audit/integrity';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import { sqliteFile } from '../../electron/core/db/connection';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { nameKey } from '../../electron/core/deskusers/signin-failures';
import { checkpointIfDue } from '../../electron/core/audit/integrity';
import { silentLogger } from '../../electron/core/log/logger';
import type { AuditAction } from '../../shared/audit-actions';
import { deskEnv, runDesk } from '../support/cli';
import { openScratchDatabase, openTestCore, scratch, TARGETS, type Target, type TestCore } from '../support/targets';

const AGENT: Actor = { userId: null, name: 'agent.probe' };
const PASSWORD = 'correct horse battery staple';

describe.each(TARGETS)('one answer for every username on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;
  let reopened: DeskCore | undefined;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
    core = await openTestCore(target, { clock });
    // A production-cost hash: the real name's password check costs what the dummy check does.
    await createDeskUser({ db: core.db, clock }, SYSTEM_ACTOR, { username: 'real.agent', displayName: 'Real Agent', role: 'agent', password: PASSWORD });
  });
  afterEach(async () => {
    await reopened?.close();
    reopened = undefined;
    await core.dispose();
  });

  const signIn = (c: DeskCore, input: { username: string; password: string }) =>
    c.router.invoke('auth.signIn', input, { slot: { get: () => undefined, set: () => {} }, emit: () => {} }) as Promise<
      { ok: true } | { ok: false; error: { code: string; message: string; details?: unknown } }
    >;
  const answer = (r: Awaited<ReturnType<typeof signIn>>) => (r.ok ? 'signed in' : `${r.error.code}: ${r.error.message}`);
  const refusedAudits = async (c: DeskCore) => (await c.db('audit_events').where({ action: 'desk_user.signin', result: 'refused' }).select('details')).map((r) => JSON.parse(r.details as string));

  it('twenty wrong passwords at once: the same answers, the same counts, the same audit for a real and an unknown name', async () => {
    const burst = async (username: string) => (await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(core, { username, password: `wrong password ${i}` })))).map(answer).sort();
    const real = await burst('real.agent');
    const realAudits = await refusedAudits(core);
    const unknown = await burst('no.such.agent');
    const unknownAudits = (await refusedAudits(core)).slice(realAudits.length);

    expect(real.filter((a) => a.endsWith('Wrong username or password'))).toHaveLength(5);
    expect(unknown).toEqual(real);
    const sorted = (a: unknown[]) => a.map((d) => JSON.stringify(d)).sort();
    expect(sorted(unknownAudits)).toEqual(sorted(realAudits));
    // Five checks ran (the other fifteen were refused before their password was looked at); one locked the name.
    expect(realAudits).toHaveLength(5);
    expect(realAudits.filter((d) => d.locked)).toHaveLength(1);
    // Both are locked now, and say so the same way, with the same end.
    clock.advance(1000);
    expect(answer(await signIn(core, { username: 'no.such.agent', password: PASSWORD }))).toBe(answer(await signIn(core, { username: 'real.agent', password: PASSWORD })));
    expect(answer(await signIn(core, { username: 'real.agent', password: PASSWORD }))).toMatch(/Too many failed sign-ins. Try again after 09:15/);
  }, 60_000);

  it('one wrong password at a time, and after the desk restarts: the same answers for a real and an unknown name', async () => {
    const answers = async (c: DeskCore, username: string, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(answer(await signIn(c, { username, password: `wrong password ${i}` })));
      return out;
    };
    const real = await answers(core, 'real.agent', 6);
    expect(real.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED: Wrong username or password'));
    expect(real[5]).toMatch(/Too many failed sign-ins/);
    expect(await answers(core, 'No.Such.Agent', 6)).toEqual(real);

    // The lock-outs are in the database: a restarted desk (or another desk on the same database) keeps both.
    const config = core.config;
    await core.close();
    reopened = await openDeskCore({ config, clock, logger: silentLogger });
    const after = await answers(reopened, 'real.agent', 1);
    expect(after[0]).toMatch(/Too many failed sign-ins/);
    expect(await answers(reopened, 'no.such.agent', 1)).toEqual(after);
    // Both locks end together.
    clock.advance(15 * 60_000);
    expect(await answers(reopened, 'no.such.agent', 1)).toEqual(await answers(reopened, 'real.agent', 1));
    // The names are not kept readable.
    const keys = (await reopened.db('signin_failures').select('name_key')).map((r) => r.name_key as string);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('a name tried before it was a desk user does not lock the new account; checks that never finished do not lock a name for ever', async () => {
    for (let i = 0; i < 6; i++) await signIn(core, { username: 'new.agent', password: `wrong ${i}` });
    expect(answer(await signIn(core, { username: 'new.agent', password: PASSWORD }))).toMatch(/Too many failed sign-ins/);
    await createDeskUser({ db: core.db, clock }, SYSTEM_ACTOR, { username: 'new.agent', displayName: 'New Agent', role: 'agent', password: PASSWORD });
    expect(answer(await signIn(core, { username: 'new.agent', password: PASSWORD }))).toBe('signed in');
    // Five reservations whose desk stopped before it counted them: refused for now, let go after 15 minutes.
    const key = nameKey(core.vault, 'real.agent');
    await core.db('signin_failures').insert({ name_key: key, failures: 5, locked_until: null, updated_at: clock.now().toISOString() });
    expect(answer(await signIn(core, { username: 'real.agent', password: PASSWORD }))).toBe('UNAUTHENTICATED: Too many sign-in attempts at once. Wait a moment and try again.');
    clock.advance(15 * 60_000);
    expect(answer(await signIn(core, { username: 'real.agent', password: PASSWORD }))).toBe('signed in');
  }, 60_000);

  it('a locked real name and a locked unknown name run the same statements', async () => {
    for (const name of ['real.agent', 'no.such.agent']) for (let i = 0; i < 5; i++) await signIn(core, { username: name, password: `wrong ${i}` });
    const statements = async (username: string) => {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => seen.push(q.sql);
      core.db.on('query', listen);
      try {
        await signIn(core, { username, password: PASSWORD });
      } finally {
        core.db.removeListener('query', listen);
      }
      return seen;
    };
    const real = await statements('real.agent');
    expect(real.length).toBeGreaterThan(2);
    expect(await statements('no.such.agent')).toEqual(real);
    // And a disabled desk user's name too.
    await core.db('desk_users').where({ username: 'real.agent' }).update({ disabled_at: clock.now().toISOString() });
    expect(await statements('real.agent')).toEqual(real);
  });
});

/** Tampering as an attacker with write access to the database, around MFA Desk. */
async function attack(target: Target, core: TestCore, sql: string[], opts: { dropTriggers?: boolean } = {}): Promise<void> {
  if (target.name === 'postgres') {
    // A connection of its own (one, not the desk's pool), raw SQL.
    const raw = knexFactory({ client: 'pg', connection: core.scratch.databaseUrl, pool: { min: 1, max: 1 }, searchPath: [core.scratch.schema!] });
    try {
      if (opts.dropTriggers) await raw.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
      for (const s of sql) await raw.raw(s);
      if (opts.dropTriggers) await raw.raw('ALTER TABLE audit_events ENABLE TRIGGER USER');
    } finally {
      await raw.destroy();
    }
    return;
  }
  const drop = opts.dropTriggers ? ['DROP TRIGGER IF EXISTS audit_events_no_update;', 'DROP TRIGGER IF EXISTS audit_events_no_delete;'] : [];
  execFileSync('sqlite3', ['-bail', sqliteFile(core.config.dataDir)], { input: [...drop, ...sql.map((s) => `${s};`)].join('\n'), stdio: ['pipe', 'pipe', 'pipe'] });
}

const q = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

describe.each(TARGETS)('events after the last checkpoint on $name', (target: Target) => {
  let core: TestCore;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
    core = await openTestCore(target, { clock });
    for (let i = 1; i <= 6; i++) {
      clock.advance(1000);
      await recordAudit(core.db, clock, { actor: AGENT, action: 'test.event' as AuditAction, ticketRef: `chat-${i}`, details: { i } });
    }
    // The desk closes: the head (event 6) is signed on the way out.
    await core.close();
  });
  afterEach(async () => {
    await core.dispose();
  });

  const verify = async () => {
    const env = deskEnv(core.scratch, core.config.dataDir);
    const run = await runDesk(env, ['audit', 'verify', '--json']);
    return { code: run.code, report: JSON.parse(run.stdout) as { ok: boolean; firstBreak: { kind: string; seq: number; detail: string } | null } };
  };
  const eventAt = async (seq: number) => {
    const c = await openTestCoreOn(core);
    try {
      return (await c.db('audit_events').where({ seq }).first()) as Record<string, unknown> & { hash: string; details: string };
    } finally {
      await c.close();
    }
  };

  it('the shutdown checkpoint is in the database and its file, and the trail verifies', async () => {
    const lines = fs.readFileSync(path.join(core.config.dataDir, CHECKPOINT_FILE), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ reason: 'shutdown', head_seq: 6 }]);
    expect(await verify()).toMatchObject({ code: 0, report: { ok: true } });
  }, 60_000);

  it('a fabricated, correctly chained event appended after the head is found at its own sequence number', async () => {
    const six = await eventAt(6);
    const forged = {
      occurred_at: '2026-03-02T09:00:07.000Z', actor_user_id: null, actor_name: 'ada.admin', employee_id: null, ticket_ref: null,
      action: 'desk_user.role_changed', result: 'ok', details: JSON.stringify({ username: 'eve', from: 'agent', to: 'admin' }),
    };
    const hash = eventHash(7, forged, six.hash);
    await attack(target, core, [
      `INSERT INTO audit_events (occurred_at, actor_user_id, actor_name, employee_id, ticket_ref, action, result, details, seq, prev_hash, hash, mac) VALUES (${[
        forged.occurred_at, null, forged.actor_name, null, null, forged.action, forged.result, forged.details, 7, six.hash, hash, hash,
      ].map(q).join(', ')})`,
    ]);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'forged', seq: 7 });
  }, 60_000);

  it('the tail cut off after the last checkpoint is found where it starts', async () => {
    await attack(target, core, ['DELETE FROM audit_events WHERE seq >= 5'], { dropTriggers: true });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'truncated', seq: 5 });
  }, 60_000);

  it('an event rewritten and everything after it rehashed is found at the rewritten event', async () => {
    // Event 4 is edited; 4, 5 and 6 are rehashed so the chain itself holds again.
    let prev = (await eventAt(3)).hash;
    const sql: string[] = [];
    for (const seq of [4, 5, 6]) {
      const e = await eventAt(seq);
      const details = seq === 4 ? JSON.stringify({ i: 'quietly changed' }) : e.details;
      const hash = eventHash(seq, { ...(e as unknown as AuditContent), details }, prev);
      sql.push(`UPDATE audit_events SET details = ${q(details)}, prev_hash = ${q(prev)}, hash = ${q(hash)} WHERE seq = ${seq}`);
      prev = hash;
    }
    await attack(target, core, sql, { dropTriggers: true });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'forged', seq: 4 });
    expect(report.firstBreak!.detail).toMatch(/events 4–6/);
  }, 60_000);

  it('an event with a time that is not a time is a break at its number, not an error', async () => {
    const six = await eventAt(6);
    const bad = target.name === 'postgres' ? 'infinity' : 'garbage';
    await attack(target, core, [
      `INSERT INTO audit_events (occurred_at, actor_name, action, result, details, seq, prev_hash, hash, mac) VALUES ('${bad}', 'x', 'test.event', 'ok', '{}', 7, '${six.hash}', '${'e'.repeat(64)}', '${'e'.repeat(64)}')`,
    ]);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'edited', seq: 7 });
  }, 60_000);

  it('a made-up checkpoint dated far ahead does not stop the desk signing, and is reported after the events', async () => {
    await attack(target, core, [
      `INSERT INTO audit_checkpoints (created_at, head_seq, head_hash, event_count, reason, created_by, mac, prev_mac) VALUES ('2999-01-01T00:00:00.000Z', 1000000000, 'x', 1000000000, 'daily', 'system', '${'d'.repeat(64)}', '')`,
    ]);
    const c = await openTestCoreOn(core);
    try {
      await recordAudit(c.db, c.clock, { actor: AGENT, action: 'test.event' as AuditAction });
      (c.clock as ManualClock).advance(5 * 60_000);
      expect(await checkpointIfDue({ ...c, dataDir: c.config.dataDir })).toMatchObject({ reason: 'periodic', headSeq: 7 });
    } finally {
      await c.close();
    }
    // Another made-up one, now the newest row.
    await attack(target, core, [
      `INSERT INTO audit_checkpoints (created_at, head_seq, head_hash, event_count, reason, created_by, mac, prev_mac) VALUES ('2999-01-02T00:00:00.000Z', 1000000001, 'x', 1000000001, 'daily', 'system', '${'f'.repeat(64)}', '')`,
    ]);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'forged_checkpoint' });
    // And it is not shown as the latest checkpoint.
    expect((report as unknown as { latestCheckpoint: { at: string; reason: string } }).latestCheckpoint).toMatchObject({ reason: 'periodic', at: expect.stringMatching(/^2026-/) });
  }, 60_000);

  it('every checkpoint deleted from the database is reported from the file copy', async () => {
    if (target.name === 'postgres') await attack(target, core, ['ALTER TABLE audit_checkpoints DISABLE TRIGGER USER', 'DELETE FROM audit_checkpoints', 'ALTER TABLE audit_checkpoints ENABLE TRIGGER USER']);
    else await attack(target, core, ['DROP TRIGGER audit_checkpoints_no_delete', 'DELETE FROM audit_checkpoints']);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.firstBreak).toMatchObject({ kind: 'missing_checkpoint', seq: 6 });
  }, 60_000);
});

/** A second core on the same data (the first one is closed). */
function openTestCoreOn(core: TestCore): Promise<DeskCore> {
  return openDeskCore({ config: core.config, clock: core.clock, logger: silentLogger });
}

describe('REPLACE against the append-only triggers (sqlite3 shell)', () => {
  const target = TARGETS.find((t) => t.name === 'sqlite')!;
  let core: TestCore;
  beforeEach(async () => {
    core = await openTestCore(target);
    for (let i = 0; i < 3; i++) await recordAudit(core.db, core.clock, { actor: AGENT, action: 'test.event' as AuditAction, details: { i } });
  });
  afterEach(async () => {
    await core.dispose();
  });

  it.each([
    ['INSERT OR REPLACE over an event', "INSERT OR REPLACE INTO audit_events SELECT id, occurred_at, actor_user_id, 'intruder', employee_id, ticket_ref, action, result, details, seq, prev_hash, hash, mac FROM audit_events WHERE seq = 2"],
    ['REPLACE with one row\'s id and another\'s seq', 'REPLACE INTO audit_events SELECT a.id, a.occurred_at, a.actor_user_id, a.actor_name, a.employee_id, a.ticket_ref, a.action, a.result, a.details, b.seq, a.prev_hash, a.hash, a.mac FROM audit_events a, audit_events b WHERE a.seq = 1 AND b.seq = 3'],
    ['INSERT OR REPLACE over a checkpoint', "INSERT OR REPLACE INTO audit_checkpoints (id, created_at, head_seq, head_hash, event_count, reason, created_by, mac) SELECT id, created_at, 0, head_hash, 0, reason, 'intruder', mac FROM audit_checkpoints"],
  ])('%s is refused by the database, triggers and all', async (_name, statement) => {
    await core.close();
    // A checkpoint to aim at (the close above signed the head).
    const before = execFileSync('sqlite3', [sqliteFile(core.config.dataDir), 'SELECT count(*), group_concat(actor_name) FROM audit_events; SELECT count(*), group_concat(head_seq) FROM audit_checkpoints;']).toString();
    expect(() => execFileSync('sqlite3', ['-bail', sqliteFile(core.config.dataDir)], { input: statement + ';\n', stdio: ['pipe', 'pipe', 'pipe'] })).toThrow(/append-only/);
    const after = execFileSync('sqlite3', [sqliteFile(core.config.dataDir), 'SELECT count(*), group_concat(actor_name) FROM audit_events; SELECT count(*), group_concat(head_seq) FROM audit_checkpoints;']).toString();
    expect(after).toBe(before);
    const run = await runDesk(deskEnv(core.scratch, core.config.dataDir), ['audit', 'verify']);
    expect(run.code).toBe(0);
  }, 60_000);
});

describe.each(TARGETS)('a trail from before events were signed, on $name', (target: Target) => {
  it('is signed once when the desk opens, up to where it stood; an unsigned event added later stays unsigned and is reported', async () => {
    const s = scratch(target);
    const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
    try {
      // A database as the previous release left it: chained events, no signatures.
      const old = await openScratchDatabase(s);
      await migrateToLatest(old.knex, { to: '0018_ticket_workflow' });
      const content = (i: number) => ({
        occurred_at: new Date(Date.UTC(2026, 2, 1, 9, 0, i)).toISOString(), actor_user_id: null, actor_name: 'agent.old', employee_id: null,
        ticket_ref: `chat-${i}`, action: 'test.event', result: 'ok', details: JSON.stringify({ i }),
      });
      const { rows } = chainEvents({ seq: 0, hash: GENESIS_HASH }, Array.from({ length: 2500 }, (_, i) => content(i)));
      for (let i = 0; i < rows.length; i += 500) await old.knex('audit_events').insert(rows.slice(i, i + 500));
      await old.close();

      const config = { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema };
      let core = await openDeskCore({ config, clock, logger: silentLogger });
      expect(await core.db('audit_events').whereNull('mac').count({ n: '*' }).first()).toMatchObject({ n: target.name === 'postgres' ? '0' : 0 });
      expect(await verifyAuditChain(core.db, core.vault)).toMatchObject({ ok: true, events: 2500 });
      await recordAudit(core.db, clock, { actor: AGENT, action: 'test.event' as AuditAction });
      // Someone adds an unsigned event after the head (the not-null rule out of the way).
      const head = (await core.db('audit_events').orderBy('seq', 'desc').first()) as { seq: number; hash: string };
      await core.db.raw(target.name === 'postgres' ? 'ALTER TABLE audit_events DROP CONSTRAINT audit_events_signed' : 'DROP TRIGGER audit_events_chained');
      const extra = chainEvents({ seq: Number(head.seq), hash: head.hash }, [content(9999)]).rows;
      await core.db('audit_events').insert(extra);
      await core.close();

      // Opening again signs nothing more: the event is outside the trail that was signed once.
      core = await openDeskCore({ config, clock, logger: silentLogger });
      try {
        expect(await core.db('audit_events').whereNull('mac').select('seq')).toEqual([{ seq: Number(head.seq) + 1 }]);
        expect((await verifyAuditChain(core.db, core.vault)).firstBreak).toMatchObject({ kind: 'unsigned', seq: Number(head.seq) + 1 });
        // Going further: every signature wiped and the record of where signing began removed, so the
        // desk would take the whole trail, the added event included, for one from before signatures.
        if (target.name === 'postgres') {
          await core.db.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
          await core.db.raw('UPDATE audit_events SET mac = NULL');
          await core.db.raw('ALTER TABLE audit_events ENABLE TRIGGER USER');
        } else {
          await core.db.raw('DROP TRIGGER audit_events_no_update');
          await core.db.raw('UPDATE audit_events SET mac = NULL');
        }
        await core.db('settings').where({ key: 'audit.signedFrom' }).delete();
      } finally {
        await core.close();
      }
      core = await openDeskCore({ config, clock, logger: silentLogger });
      try {
        // The checkpoint written when the old events were signed shows signing began: nothing is signed again.
        expect(await core.db('audit_events').whereNotNull('mac').count({ n: '*' }).first()).toMatchObject({ n: target.name === 'postgres' ? '0' : 0 });
        expect((await verifyAuditChain(core.db, core.vault, { dataDir: config.dataDir })).firstBreak).toMatchObject({ kind: 'unsigned', seq: 1 });
      } finally {
        await core.close();
      }
    } finally {
      await s.cleanup();
    }
  }, 120_000);
});
