/**
 * The mail settings as an admin reaches them: the smtp.* channels (admins only, the password never
 * returned, every change audited), a test mail to a real SMTP server on loopback, and the
 * `desk smtp password` / `desk smtp test` commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCore, scratch, TARGETS, type Scratch, type Target, type TestCore } from '../support/targets';
import { callAs } from '../support/call-as';
import { caller, deskUser, type DeskUserFixture } from '../support/mfa-fixtures';
import { startSmtpServer, type TestSmtpServer } from '../support/mail-server';
import { deskEnv, runDesk } from '../support/cli';
import { SMTP_PASSWORD_KEY, updateSmtpSettings } from '../../electron/core/mail/smtp-settings';
import { changeSetting } from '../../electron/core/settings/settings.service';
import { CLI_ACTOR } from '../../electron/core/audit/audit.service';

describe.each(TARGETS)('mail settings for admins on $name', (target: Target) => {
  let core: TestCore;
  let smtp: TestSmtpServer;
  let adminUser: DeskUserFixture;
  let admin: ReturnType<typeof caller>;
  let agent: ReturnType<typeof caller>;
  let supervisor: ReturnType<typeof caller>;

  beforeAll(async () => {
    core = await openTestCore(target);
    smtp = await startSmtpServer({ acceptText: 'OK queued as' });
    adminUser = await deskUser(core, 'ada.admin', 'admin');
    admin = caller(core, adminUser);
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
      const r = await callAs(core, adminUser).raw('smtp.update', bad);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(bad)).toBe('VALIDATION');
    }
    expect(await core.db('settings').orderBy('key').select()).toEqual(before);
    expect(await core.db('audit_events').count({ n: '*' }).first()).toEqual(audits);
  });

  it('refuses control characters in every SMTP setting, naming the field, and saves and audits nothing', async () => {
    const before = await core.db('settings').orderBy('key').select();
    const audits = await core.db('audit_events').count({ n: '*' }).first();
    for (const [field, value, words] of [
      ['user', 'a\r\nb', /^The SMTP user name cannot contain control characters/],
      ['user', 'desk\n', /^The SMTP user name cannot contain control characters/],
      ['user', 'de\u0000sk', /^The SMTP user name cannot contain control characters/],
      ['host', 'smtp.example.org\r\nRCPT TO:<x@evil.example>', /^The SMTP host cannot contain control characters/],
      ['from', 'Shared Services\r\nBcc: x@evil.example <desk@example.org>', /^The From address cannot contain control characters/],
      ['from', 'Shared Services\u2028 <desk@example.org>', /^The From address cannot contain control characters/],
      ['from', 'Shared\u0085Services <desk@example.org>', /^The From address cannot contain control characters/],
      ['password', 'hunter2\r\nAUTH', /^The SMTP password cannot contain control characters/],
      ['password', 'hunter2\u0000', /^The SMTP password cannot contain control characters/],
    ] as const) {
      const r = await admin('smtp.update', { [field]: value });
      expect(r.ok ? 'ok' : r.error.code, `${field} ${JSON.stringify(value)}`).toBe('VALIDATION');
      if (r.ok) continue;
      expect(r.error.message).toMatch(words);
      expect(r.error.details?.issues).toEqual([{ path: field, message: r.error.message }]);
      expect(JSON.stringify(r.error)).not.toContain('hunter2');
    }
    // The core checks on its own too (the CLI and any other caller come through it).
    await expect(updateSmtpSettings(core, CLI_ACTOR, { user: 'a\r\nb' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^The SMTP user name cannot contain control characters/),
    });
    await expect(changeSetting(core, CLI_ACTOR, { key: 'smtp.from', value: 'Desk\n <desk@example.org>' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const test = await admin('smtp.testMail', { to: 'someone@example.org\r\nRCPT TO:<x@evil.example>' });
    expect(test.ok ? 'ok' : test.error.code).toBe('VALIDATION');
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

  it('refuses a control character in an SMTP setting from the command line in one line, storing nothing', async () => {
    const r = await runDesk(env, ['settings', 'set', 'smtp.user', 'a\r\nb']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^desk: The SMTP user name cannot contain control characters/)]);
    const password = await runDesk(env, ['smtp', 'password'], 'pass\u0000word\n');
    expect(password.code).toBe(1);
    expect(password.stderr).toMatch(/^desk: The SMTP password cannot contain control characters/);
    expect((await runDesk(env, ['settings', 'list'])).stdout).not.toMatch(/a\r?\nb/);
  }, 60_000);

  it('explains its usage', async () => {
    const r = await runDesk(env, ['smtp', 'test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('smtp test needs --to ADDRESS');
  }, 60_000);
});
