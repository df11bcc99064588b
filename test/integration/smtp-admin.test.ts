/**
 * The mail settings as an admin reaches them: the smtp.* channels (admins only, the password never
 * returned, every change audited), a test mail to a real SMTP server on loopback, and the
 * `desk smtp password` / `desk smtp test` commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCore, scratch, TARGETS, type Scratch, type Target, type TestCore } from '../support/targets';
import { caller, deskUser } from '../support/mfa-fixtures';
import { startSmtpServer, type TestSmtpServer } from '../support/mail-server';
import { deskEnv, runDesk } from '../support/cli';
import { SMTP_PASSWORD_KEY } from '../../electron/core/mail/smtp-settings';

describe.each(TARGETS)('mail settings for admins on $name', (target: Target) => {
  let core: TestCore;
  let smtp: TestSmtpServer;
  let admin: ReturnType<typeof caller>;
  let agent: ReturnType<typeof caller>;
  let supervisor: ReturnType<typeof caller>;

  beforeAll(async () => {
    core = await openTestCore(target);
    smtp = await startSmtpServer({ acceptText: 'OK queued as' });
    admin = caller(core, await deskUser(core, 'ada.admin', 'admin'));
    agent = caller(core, await deskUser(core, 'pat.agent', 'agent'));
    supervisor = caller(core, await deskUser(core, 'sam.supervisor', 'supervisor'));
  });
  afterAll(async () => {
    await smtp?.close();
    await core?.dispose();
  });

  it('only admins may read or change them, or send a test mail', async () => {
    for (const who of [agent, supervisor]) {
      for (const [channel, input] of [
        ['smtp.get', {}],
        ['smtp.update', { host: 'evil.example' }],
        ['smtp.testMail', { to: 'x@example.org' }],
      ] as const) {
        const r = await who(channel, input);
        expect(r.ok ? 'ok' : r.error.code, channel).toBe('FORBIDDEN');
      }
    }
    const view = await admin('smtp.get', {});
    expect(view).toMatchObject({ ok: true, value: { host: '', configured: false, passwordSet: false } });
  });

  it('saves a server with a password that is sealed, never returned, and audited without it', async () => {
    const saved = await admin('smtp.update', { host: '127.0.0.1', port: smtp.port, security: 'none', user: '', from: 'Shared Services <desk@example.org>', password: 'hunter2-smtp-secret' });
    expect(saved.ok).toBe(true);
    expect(saved.ok && saved.value).toEqual({ host: '127.0.0.1', port: smtp.port, security: 'none', user: '', from: 'Shared Services <desk@example.org>', passwordSet: true, configured: true });
    expect(JSON.stringify(saved)).not.toContain('hunter2');
    const stored = JSON.stringify(await core.db('settings').select());
    expect(stored).not.toContain('hunter2');
    expect(stored).toContain(SMTP_PASSWORD_KEY);
    const audit = await core.db('audit_events').where({ action: 'smtp.settings_changed' });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_name).toBe('ada.admin');
    expect(audit[0].details).not.toContain('hunter2');
    expect(JSON.parse(audit[0].details)).toMatchObject({ passwordChanged: true });
  });

  it('refuses bad values with VALIDATION and changes nothing', async () => {
    const before = await core.db('settings').orderBy('key').select();
    const audits = await core.db('audit_events').count({ n: '*' }).first();
    for (const bad of [{ port: 0 }, { port: 70_000 }, { security: 'ssl' }, { host: 'bad host!' }, { from: 'not an address' }, { extra: 1 }]) {
      const r = await admin('smtp.update', bad);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(bad)).toBe('VALIDATION');
    }
    expect(await core.db('settings').orderBy('key').select()).toEqual(before);
    expect(await core.db('audit_events').count({ n: '*' }).first()).toEqual(audits);
  });

  it('sends a test mail through that server and reports its answer', async () => {
    const r = await admin('smtp.testMail', { to: 'someone@example.org' });
    expect(r).toMatchObject({ ok: true, value: { ok: true, transport: 'smtp' } });
    expect(r.ok && r.value.response).toMatch(/^250 /);
    expect(smtp.received.some((m) => m.to.includes('someone@example.org') && m.subject === 'MFA Desk test message')).toBe(true);
    const bad = await admin('smtp.testMail', { to: 'not an address' });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('VALIDATION');
  });
});

describe.each(TARGETS)('desk smtp on $name', (target: Target) => {
  let s: Scratch;
  let smtp: TestSmtpServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    s = scratch(target);
    smtp = await startSmtpServer({ auth: { user: 'desk', pass: 'cli-secret-pass' } });
    env = deskEnv(s, s.dataDir);
    const migrated = await runDesk(env, ['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await smtp?.close();
    await s?.cleanup();
  });

  it('test mail with no server set goes to the outbox folder', async () => {
    const r = await runDesk(env, ['smtp', 'test', '--to', 'someone@example.org']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Sent \(no SMTP server set: outbox folder\): No SMTP server is set: written to /);
    expect(fs.readdirSync(path.join(s.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  }, 60_000);

  it('sets the password from standard input (sealed), logs in with it, and removes it', async () => {
    for (const [k, v] of [['smtp.host', '127.0.0.1'], ['smtp.port', String(smtp.port)], ['smtp.security', 'none'], ['smtp.user', 'desk']]) {
      const r = await runDesk(env, ['settings', 'set', k!, v!]);
      expect(r.code, r.stderr).toBe(0);
    }
    const set = await runDesk(env, ['smtp', 'password'], 'cli-secret-pass\n');
    expect([set.code, set.stdout]).toEqual([0, 'SMTP password stored (sealed with the data key).\n']);
    const list = await runDesk(env, ['settings', 'list']);
    expect(list.stdout).not.toContain('cli-secret-pass');
    const sent = await runDesk(env, ['smtp', 'test', '--to', 'someone@example.org']);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^Sent \(SMTP\): 250 /);
    expect(smtp.logins).toContainEqual({ user: 'desk', ok: true });
    const removed = await runDesk(env, ['smtp', 'password'], '');
    expect(removed.stdout).toBe('SMTP password removed.\n');
    // Without the password the server refuses the login: not sent, exit code 1.
    const refused = await runDesk(env, ['smtp', 'test', '--to', 'someone@example.org']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^Not sent \(SMTP\): /);
    const logs = fs.readdirSync(path.join(s.dataDir, 'logs')).map((f) => fs.readFileSync(path.join(s.dataDir, 'logs', f), 'utf8')).join('');
    expect(logs).not.toContain('cli-secret-pass');
  }, 120_000);

  it('explains its usage', async () => {
    const r = await runDesk(env, ['smtp', 'test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('smtp test needs --to ADDRESS');
  }, 60_000);
});
