/**
 * Canary secrets on the desk's own side — desk users' passwords (right and wrong), their
 * authenticator seeds and sign-in codes, the SMTP password — go through every operation that
 * handles them, through the contract, with the real log file. None of them may then be found in
 * the audit table, the log files, an export from the screen, a `desk export audit` file or the chain
 * check, nor at rest in the raw database or any file of the data directory. (The employees' seeds
 * and codes are checked the same way in mfa-agent.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, type Caller } from '../support/call-as';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { createLogger } from '../../electron/core/log/logger';
import { KEY_FILE_NAME, KeyFileProvider } from '../../electron/core/secrets/vault';
import { deskEnv, runDesk } from '../support/cli';
import { secretFromUri, totpAt } from '../support/http';
import { assertNoSecrets } from '../support/mfa-fixtures';
import { scratch, tempDir, TARGETS, type Scratch, type Target } from '../support/targets';

const CANARY = {
  adminPassword: 'canary-admin-pass-Q7v2XkP9',
  wrongPassword: 'canary-wrong-pass-Z3m8RtL1',
  agentPassword: 'canary-agent-pass-H5n4WcB6',
  smtpPassword: 'canary-smtp-pass-J9d2FyS4',
};

describe.each(TARGETS)('no secret in the audit trail, the logs or an export on $name', (target: Target) => {
  let s: Scratch;
  let core: DeskCore;
  const clock = new ManualClock('2026-04-01T08:00:00.000Z');
  const secrets = new Set<string>(Object.values(CANARY));
  let token: string | undefined;
  const slot = { get: () => token, set: (t: string | undefined) => (token = t) };
  const call: Caller['call'] = (channel, input) => callAs(core, slot).call(channel, input);
  const ok: Caller['ok'] = (channel, input) => callAs(core, slot).ok(channel, input);

  beforeAll(async () => {
    s = scratch(target);
    core = await openDeskCore({ config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema }, clock, logger: createLogger(s.dataDir) });
  });
  afterAll(async () => {
    await core?.close();
    await s?.cleanup();
  });

  it('runs the operations that handle secrets, then finds none of them anywhere it looks', async () => {
    // The first admin: password, enrolment (seed), a sign-in code; a wrong password and a wrong code.
    await ok('auth.createFirstAdmin', { username: 'ada.admin', displayName: 'Ada Admin', password: CANARY.adminPassword });
    const step = await ok('auth.signIn', { username: 'ada.admin', password: CANARY.adminPassword });
    if (step.step !== 'enrol') throw new Error(`the first admin's sign-in should enrol, not ${step.step}`);
    secrets.add(step.otpauthUri);
    const seed = secretFromUri(step.otpauthUri);
    secrets.add(seed);
    const wrongCode = totpAt(seed, clock, 5);
    secrets.add(wrongCode);
    expect(await call('auth.completeSignIn', { challenge: step.challenge, code: wrongCode })).toMatchObject({ ok: false });
    const code = totpAt(seed, clock);
    secrets.add(code);
    await ok('auth.completeSignIn', { challenge: step.challenge, code });
    expect(await call('auth.signIn', { username: 'ada.admin', password: CANARY.wrongPassword })).toMatchObject({ ok: false });

    // A desk user with a password, the SMTP password set and replaced, a setting or two.
    await createDeskUser({ db: core.db, clock }, { userId: null, name: 'cli' }, { username: 'al.agent', displayName: 'Al Agent', role: 'agent', password: CANARY.agentPassword });
    await ok('smtp.update', { host: 'smtp.example.org', port: 587, user: 'desk@example.org', password: CANARY.smtpPassword });
    await ok('smtp.update', { password: `${CANARY.smtpPassword}-2` });
    secrets.add(`${CANARY.smtpPassword}-2`);

    // The audit screen: check the chain, sign it, export everything and fetch the file.
    const report = await ok('audit.verify', {});
    expect(report.ok).toBe(true);
    await ok('audit.checkpoint', {});
    const job = (await ok('audit.export.start', { filter: {} }))!; // null only when a save dialog is cancelled
    let state = job;
    for (let i = 0; i < 200 && state.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = await ok('audit.export.status', { jobId: job.jobId });
    }
    expect(state.state).toBe('done');
    let exported = '';
    for (let offset = 0; ; ) {
      const part = await ok('audit.export.chunk', { jobId: job.jobId, offset });
      exported += Buffer.from(part.data, 'base64').toString('utf8');
      offset = part.offset;
      if (part.done) break;
    }
    expect(exported).toMatch(/desk_user\.|auth\.|smtp\./);

    // And from the command line.
    const dir = tempDir();
    const file = path.join(dir, 'all.csv');
    const run = await runDesk(deskEnv(s, s.dataDir), ['export', 'audit', '--out', file]);
    expect(run.code, run.stderr).toBe(0);

    // Where secrets must never be.
    const audit = await core.db('audit_events').select('*');
    expect(audit.length).toBeGreaterThan(8);
    assertNoSecrets(JSON.stringify(audit), secrets);
    assertNoSecrets(JSON.stringify(await core.db('audit_checkpoints').select('*')), secrets);
    const logs = fs.readdirSync(path.join(s.dataDir, 'logs')).map((f) => fs.readFileSync(path.join(s.dataDir, 'logs', f), 'utf8')).join('\n');
    expect(logs.length).toBeGreaterThan(0);
    assertNoSecrets(logs, secrets);
    assertNoSecrets(exported, secrets);
    assertNoSecrets(fs.readFileSync(file, 'utf8'), secrets);
    assertNoSecrets(fs.readFileSync(path.join(s.dataDir, 'audit', 'checkpoints.jsonl'), 'utf8'), secrets);
    assertNoSecrets(JSON.stringify(report) + run.stdout + run.stderr, secrets);
    fs.rmSync(dir, { recursive: true, force: true });

    // At rest: the raw database (every table of the schema on PostgreSQL; the file, its WAL and
    // shared memory on sqlite) and every file of the data directory but the key file itself hold
    // none of them in clear, nor the data key or the key the audit checkpoints are signed with.
    const dataKey = new KeyFileProvider(s.dataDir).getKey();
    const checkpointKey = (core.vault as unknown as { macKey(purpose: string): Buffer }).macKey('audit.checkpoint');
    const atRest = [...secrets].filter((x) => !/^\d+$/.test(x)); // 6-digit codes would match any number in a page
    for (const key of [dataKey, checkpointKey]) atRest.push(key.toString('hex'), key.toString('base64'), key.toString('base64url'));
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        if (f.isDirectory()) walk(p);
        else if (p !== path.join(s.dataDir, KEY_FILE_NAME)) files.push(p);
      }
    };
    walk(s.dataDir);
    if (target.name === 'sqlite') expect(files.map((f) => path.basename(f))).toContain('desk.sqlite');
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const secret of atRest) expect(bytes.includes(Buffer.from(secret, 'utf8')), `a secret (${secret.length} chars) in ${path.relative(s.dataDir, f)}`).toBe(false);
    }
    if (target.name === 'postgres') {
      const tables = (await core.db.raw('SELECT tablename FROM pg_tables WHERE schemaname = current_schema()')).rows as Array<{ tablename: string }>;
      expect(tables.length).toBeGreaterThan(10);
      for (const { tablename } of tables) {
        const rows = (await core.db.raw('SELECT t::text AS row FROM ?? t', [tablename])).rows as Array<{ row: string }>;
        const text = rows.map((r) => r.row).join('\n');
        for (const secret of atRest) expect(text.includes(secret), `a secret (${secret.length} chars) in table ${tablename}`).toBe(false);
      }
    }
  }, 60_000);
});
