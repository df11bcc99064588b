import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../electron/core/db/connection';
import { nameKey } from '../../electron/core/deskusers/signin-failures';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';
import { scratch, TARGETS, type Scratch } from '../support/targets';
import { deskEnv, runDesk, type Run } from '../support/cli';
import { LATEST_MIGRATION } from '../../electron/core/db/migrate';
import { MIGRATIONS } from '../../electron/core/db/migrations/index';

/** Run the `desk` command from source with the scratch data dir and database. */
function desk(s: Scratch, args: string[], stdin?: string): Promise<Run> {
  return runDesk(deskEnv(s, s.dataDir), args, stdin);
}

describe.each(TARGETS)('desk CLI on $name', (target) => {
  let s: Scratch;
  let db: Database;
  beforeAll(() => {
    s = scratch(target);
  });
  afterAll(async () => {
    await db?.close();
    await s?.cleanup();
  });

  it('reports status on an empty data directory', async () => {
    const r = await desk(s, ['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Database: ${target.name}`);
    expect(r.stdout).toMatch(/Desk users: 0/);
    expect(r.stdout).toMatch(/Employees: 0/);
  });

  it('refuses bad usage with exit code 2 and creates nothing', async () => {
    expect((await desk(s, ['users', 'add', '--username', 'x!', '--role', 'agent'])).code).toBe(2);
    expect((await desk(s, ['users', 'add', '--username', 'valid.name', '--role', 'overlord'])).code).toBe(2);
    const short = await desk(s, ['users', 'add', '--username', 'valid.name', '--role', 'agent', '--password-stdin'], 'short');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12/);
    expect((await desk(s, ['seed'])).code).toBe(2);
    expect((await desk(s, ['seed', '--employees', 'lots'])).code).toBe(2);
    expect((await desk(s, ['frobnicate'])).code).toBe(2);
    const list = await desk(s, ['users', 'list']);
    expect(list.stdout).toContain('No desk users yet');
  });

  it('adds desk users with a password from stdin or a generated one printed once', async () => {
    const a = await desk(s, ['users', 'add', '--username', 'Ada.Admin', '--role', 'admin', '--name', 'Ada Admin', '--password-stdin'], 'a-very-long-password\n');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Created admin ada.admin');
    expect(a.stdout).not.toContain('a-very-long-password');
    const b = await desk(s, ['users', 'add', '--username', 'bob.agent', '--role', 'agent']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/Temporary password \(shown once; they choose their own at the first sign-in\): \S{16,}/);
    const dup = await desk(s, ['users', 'add', '--username', 'bob.agent', '--role', 'agent']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const list = await desk(s, ['users', 'list']);
    expect(list.stdout).toMatch(/ada\.admin\s+admin\s+Ada Admin/);
    expect(list.stdout).toMatch(/bob\.agent\s+agent/);

    db = await openDatabase({ dataDir: s.dataDir, databaseUrl: s.databaseUrl, schema: s.schema });
    const rows = await db.knex('desk_users').select('username', 'password_hash');
    for (const r of rows) expect(r.password_hash).toMatch(/^scrypt\$/);
    const audits = await db.knex('audit_events').where({ action: 'desk_user.created', actor_name: 'cli' });
    expect(audits).toHaveLength(2);
    // A generated password is temporary; one read from stdin is the user's own.
    const flags = await db.knex('desk_users').orderBy('username').select('username', 'must_change_password');
    expect(flags.map((r) => [r.username, Boolean(r.must_change_password)])).toEqual([
      ['ada.admin', false],
      ['bob.agent', true],
    ]);
  });

  it('disables, enables, changes roles, resets sign-in and unlocks desk users, audited as cli', async () => {
    const row = () => db.knex('desk_users').where({ username: 'bob.agent' }).first();
    const off = await desk(s, ['users', 'disable', 'bob.agent']);
    expect([off.code, off.stdout]).toEqual([0, 'Disabled bob.agent; their sessions end.\n']);
    expect((await row()).disabled_at).not.toBeNull();
    expect((await desk(s, ['users', 'list'])).stdout).toMatch(/bob\.agent\s+agent\s+User|bob\.agent .*\(disabled/);
    expect((await desk(s, ['users', 'enable', 'bob.agent'])).code).toBe(0);
    expect((await row()).disabled_at).toBeNull();
    const role = await desk(s, ['users', 'role', 'bob.agent', 'supervisor']);
    expect([role.code, role.stdout]).toEqual([0, 'bob.agent is now supervisor; their sessions end.\n']);
    const reset = await desk(s, ['users', 'reset-password', 'bob.agent']);
    expect(reset.code).toBe(0);
    const temporary = /: (\S{20})\n$/.exec(reset.stdout)?.[1];
    expect(temporary).toBeDefined();
    expect(Boolean((await row()).must_change_password)).toBe(true);
    expect((await desk(s, ['users', 'reset-totp', 'bob.agent'])).code).toBe(0);
    // Locked as five wrong passwords leave a name: counted per name, under its keyed hash.
    const bobKey = nameKey(new Vault(new KeyFileProvider(s.dataDir)), 'bob.agent');
    await db.knex('signin_failures').insert({ name_key: bobKey, failures: 0, locked_until: '2999-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' });
    expect((await desk(s, ['users', 'list'])).stdout).toMatch(/bob\.agent .*locked until 2999-01-01 00:00 UTC/);
    expect((await desk(s, ['users', 'unlock', 'bob.agent'])).stdout).toBe('Unlocked bob.agent.\n');
    expect(await row()).toMatchObject({ role: 'supervisor' });
    expect(await db.knex('signin_failures').where({ name_key: bobKey })).toEqual([]);
    const actions = (await db.knex('audit_events').where({ actor_name: 'cli' }).andWhere('action', 'like', 'desk_user.%').orderBy('seq')).map((r) => r.action);
    expect(actions.slice(-6)).toEqual(['desk_user.disabled', 'desk_user.enabled', 'desk_user.role_changed', 'desk_user.password_reset', 'desk_user.totp_reset', 'desk_user.unlocked']);
    expect(JSON.stringify(await db.knex('audit_events').select('details'))).not.toContain(temporary);

    // The last admin stays one; unknown users and bad usage are refused, changing nothing.
    const events = await db.knex('audit_events').count({ n: '*' }).first();
    const last = await desk(s, ['users', 'disable', 'ada.admin']);
    expect([last.code, last.stderr]).toEqual([1, expect.stringMatching(/last active admin/)]);
    expect((await desk(s, ['users', 'role', 'ada.admin', 'agent'])).code).toBe(1);
    expect((await desk(s, ['users', 'disable', 'no.such.user'])).stderr).toMatch(/no desk user named no\.such\.user/);
    expect((await desk(s, ['users', 'role', 'bob.agent', 'root'])).code).toBe(2);
    expect((await desk(s, ['users', 'role', 'bob.agent'])).code).toBe(2);
    expect((await desk(s, ['users', 'frobnicate', 'bob.agent'])).code).toBe(2);
    expect(await db.knex('audit_events').count({ n: '*' }).first()).toEqual(events);
    expect(await db.knex('desk_users').where({ username: 'ada.admin' }).first()).toMatchObject({ role: 'admin', disabled_at: null });
  });

  it('seeds demo data with progress and prints the demo desk users once', async () => {
    const r = await desk(s, ['seed', '--employees', '2500', '--seed', '11']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/seed: 2,500 \/ 2,500 employees/);
    expect(r.stdout).toContain('Loaded 2,500 demo employees (seed 11)');
    for (const u of ['agent.demo', 'manager.demo', 'supervisor.demo']) expect(r.stdout).toMatch(new RegExp(`username ${u.replace('.', '\\.')}\\s+password demo-\\S+`));
    const status = await desk(s, ['status']);
    expect(status.stdout).toMatch(/Employees: 2,500/);
    expect(status.stdout).toMatch(/Desk users: 5/);
    const again = await desk(s, ['seed', '--employees', '10']);
    expect(again.stdout).toContain('(unchanged: the user already existed)');
  });

  it('DESK_CLOCK_START sets the clock the desk starts at (tests and screenshots); a bad value is refused before anything is done', async () => {
    const envAt = (start: string) => ({ ...deskEnv(s, s.dataDir), DESK_CLOCK_START: start });
    const bad = await runDesk(envAt('yesterday'), ['seed', '--employees', '3', '--seed', '5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/DESK_CLOCK_START must be an ISO time/);
    const r = await runDesk(envAt('2026-11-02T09:30:00Z'), ['seed', '--employees', '3', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the clock starts at 2026-11-02T09:30:00.000Z (DESK_CLOCK_START)');
    const last = await db.knex('audit_events').where({ action: 'demo.batch_loaded' }).orderBy('seq', 'desc').first<{ occurred_at: unknown }>('occurred_at');
    const at = new Date(String(last.occurred_at instanceof Date ? last.occurred_at.toISOString() : last.occurred_at)).getTime();
    expect(at).toBeGreaterThanOrEqual(Date.parse('2026-11-02T09:30:00Z'));
    expect(at).toBeLessThan(Date.parse('2026-11-02T09:35:00Z'));
  });

  it('two seeders at once on one database both finish, with no id clash', async () => {
    const before = Number(((await db.knex('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    const [a, b] = await Promise.all([desk(s, ['seed', '--employees', '1500', '--seed', '21']), desk(s, ['seed', '--employees', '1500', '--seed', '22'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const after = Number(((await db.knex('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    expect(after).toBe(before + 3000);
    const dupes = await db.knex('employees').select('employee_number').groupBy('employee_number').havingRaw('count(*) > 1');
    expect(dupes).toEqual([]);
  });

  it('changes settings with an audit row, and refuses bad values', async () => {
    expect((await desk(s, ['settings', 'list'])).stdout).toMatch(/session\.idleMinutes\s+15/);
    const set = await desk(s, ['settings', 'set', 'session.idleMinutes', '30']);
    expect(set.code).toBe(0);
    expect((await desk(s, ['settings', 'list'])).stdout).toMatch(/session\.idleMinutes\s+30/);
    expect((await desk(s, ['settings', 'set', 'session.idleMinutes', '0'])).code).toBe(2);
    expect((await desk(s, ['settings', 'set', 'no.such', '1'])).code).toBe(2);
    const audit = await db.knex('audit_events').where({ action: 'setting.changed' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details)).toEqual({ key: 'session.idleMinutes', from: 15, to: 30 });
  });

  it('says every failure in one plain line on stderr with exit code 1 (wrong usage 2), never a stack trace', async () => {
    const oneLine = (r: Run, code: number, words: RegExp) => {
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr, r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toEqual([expect.stringMatching(words)]);
      expect(r.stderr).toMatch(/^desk: /);
    };
    const events = await db.knex('audit_events').count({ n: '*' }).first();
    const missing = path.join(s.dataDir, 'no-such-folder');
    // The probe's case: an export into a folder that is not there. Nothing is written or audited.
    oneLine(await desk(s, ['export', 'audit', '--out', path.join(missing, 'x.csv')]), 1, /^desk: The folder .*no-such-folder does not exist/);
    oneLine(await desk(s, ['export', 'audit', '--format', 'pdf', '--out', path.join(missing, 'x.pdf')]), 1, /does not exist/);
    oneLine(await desk(s, ['export', 'tickets', '--out', path.join(missing, 't.csv'), '--from', '2026-03-01', '--to', '2026-03-31']), 1, /does not exist/);
    oneLine(await desk(s, ['keys', 'export', '--out', path.join(missing, 'key.txt')]), 1, /does not exist/);
    oneLine(await desk(s, ['export', 'audit', '--out', s.dataDir]), 1, /is a folder: give --out a file name/);
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.readdirSync(s.dataDir).filter((f) => f.endsWith('.part'))).toEqual([]);
    // Other commands' failures: a file that is not there, a data directory that is a file, a
    // refusal from the core, and wrong usage (exit code 2, still one line).
    oneLine(await desk(s, ['keys', 'import', path.join(missing, 'key.txt')]), 1, /^desk: The folder .*no-such-folder does not exist/);
    oneLine(await desk(s, ['keys', 'import', path.join(s.dataDir, 'no-such-key.txt')]), 1, /^desk: There is no file .*no-such-key\.txt\.$/);
    const notADir = path.join(s.dataDir, 'a-file');
    fs.writeFileSync(notADir, '');
    oneLine(await runDesk(deskEnv(s, path.join(notADir, 'data')), ['status']), 1, /a-file.*is not a folder|not a folder/);
    oneLine(await desk(s, ['users', 'disable', 'no.such.user']), 1, /no desk user named no\.such\.user/);
    // A PostgreSQL server that is not there: knex's own warning (with its stack) stays quiet.
    const nowhere = { ...deskEnv(s, path.join(s.dataDir, 'elsewhere')), DESK_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/desk', DESK_DATABASE_SCHEMA: 'x' };
    oneLine(await runDesk(nowhere, ['users', 'list']), 1, /^desk: Nothing answered at 127\.0\.0\.1:1 \(connection refused\)\.$/);
    oneLine(await desk(s, ['import', 'hr', path.join(missing, 'hr.csv')]), 1, /hr\.csv/);
    oneLine(await desk(s, ['frobnicate']), 2, /^desk: Unknown command: frobnicate \(run `desk help` for usage\)$/);
    oneLine(await desk(s, ['seed', '--employees', 'lots']), 2, /--employees/);
    // --help after a command shows that command's help and runs nothing (no import, no audit row).
    const help = await desk(s, ['import', 'hr', path.join(missing, 'hr.csv'), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/import hr FILE\.csv/);
    expect(help.stdout).toMatch(/--batch-size/);
    expect(await db.knex('audit_events').count({ n: '*' }).first()).toEqual(events);
  });

  it('migrate reports the schema as up to date', async () => {
    const r = await desk(s, ['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Schema is up to date (${MIGRATIONS.length} migrations, latest ${LATEST_MIGRATION})`);
  });
});
