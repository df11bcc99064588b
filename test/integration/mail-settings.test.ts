/**
 * SMTP settings on sqlite and PostgreSQL: validated and audited changes, a password that is
 * sealed in the settings table, never returned, never in the audit trail or the log, never
 * listed by `desk settings list`; and "send test mail" through a real loopback SMTP server or
 * to an .eml file.
 */
import fs from 'node:fs';
import { systemClock } from '../../electron/core/clock';
import path from 'node:path';
import type { Knex } from 'knex';
import { describe, expect, it, beforeEach } from 'vitest';
import { DeskError } from '../../shared/errors';
import { databaseKind } from '../../electron/core/db/connection';
import { createLogger } from '../../electron/core/log/logger';
import {
  getSmtpView,
  loadSmtpConfig,
  sendTestMail,
  SMTP_PASSWORD_KEY,
  SMTP_PASSWORD_PURPOSE,
  updateSmtpSettings,
} from '../../electron/core/mail/smtp-settings';
import { getSetting, SETTINGS, type SettingKey } from '../../electron/core/settings/settings.service';
import { deskEnv, runDesk } from '../support/cli';
import { ADMIN, useMailFixture, type MailFixture } from '../support/mail-fixture';
import { freePort } from '../support/mail-server';
import { TARGETS, tempDir, type Target } from '../support/targets';

const PASSWORD = 'Tr0ub4dor&3-smtp-Secret';
const WRONG = 'N0t-the-Right-0ne!';

/** Every row of every table of the database, as text. */
async function dumpDatabase(db: Knex): Promise<string> {
  const tables: string[] =
    databaseKind(db) === 'postgres'
      ? (await db.raw("select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")).rows.map(
          (r: { name: string }) => r.name,
        )
      : (await db.raw("select name from sqlite_master where type = 'table'")).map((r: { name: string }) => r.name);
  expect(tables).toContain('settings');
  let out = '';
  for (const t of tables) out += JSON.stringify(await db(t).select()) + '\n';
  return out;
}

describe.each(TARGETS)('SMTP settings on $name', (target: Target) => {
  let f: MailFixture;
  const { server } = useMailFixture(target, (opened) => (f = opened));
  // The audit trail is append-only: each test reads the events written after it started.
  let auditFloor = 0;
  const audits = (action: string) => f.db('audit_events').where('id', '>', auditFloor).andWhere({ action });
  beforeEach(async () => {
    auditFloor = Number(((await f.db('audit_events').max({ m: 'id' }).first()) as { m: number | null }).m ?? 0);
  });

  it('starts unconfigured: mail goes to .eml files', async () => {
    expect(await getSmtpView(f.db)).toEqual({
      host: '',
      port: 587,
      security: 'starttls',
      user: '',
      from: 'Shared Services <no-reply@mfa-desk.local>',
      passwordSet: false,
      configured: false,
    });
  });

  it('validates changes, stores them, and audits what changed in the same transaction', async () => {
    const view = await updateSmtpSettings(f, ADMIN, { host: 'smtp.example.org', port: 465, security: 'tls', from: 'desk@example.org' });
    expect(view).toEqual({ host: 'smtp.example.org', port: 465, security: 'tls', user: '', from: 'desk@example.org', passwordSet: false, configured: true });
    expect(await getSetting(f.db, 'smtp.port')).toBe(465);
    const audit = await audits('smtp.settings_changed');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details)).toEqual({
      changes: {
        host: { from: '', to: 'smtp.example.org' },
        port: { from: 587, to: 465 },
        security: { from: 'starttls', to: 'tls' },
        from: { from: 'Shared Services <no-reply@mfa-desk.local>', to: 'desk@example.org' },
      },
    });

    const bad: unknown[] = [
      { port: 0 },
      { port: 70000 },
      { port: '25' },
      { security: 'ssl' },
      { host: 'smtp example.org' },
      { from: 'not an address' },
      { from: 'Desk, Team <desk@example.org>' },
      { password: 42 },
      { pass: 'x' },
      null,
    ];
    for (const input of bad) {
      const err = await updateSmtpSettings(f, ADMIN, input).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(DeskError);
      expect((err as DeskError).code).toBe('VALIDATION');
    }
    expect(await getSmtpView(f.db)).toEqual(view);
    expect(await audits('smtp.settings_changed')).toHaveLength(1);

    // nothing changed: nothing written, nothing audited
    await updateSmtpSettings(f, ADMIN, { host: 'smtp.example.org', password: '' });
    expect(await audits('smtp.settings_changed')).toHaveLength(1);
  });

  it('keeps the password sealed, never returns it and never audits it', async () => {
    const view = await updateSmtpSettings(f, ADMIN, { host: 'smtp.example.org', user: 'desk', password: PASSWORD });
    expect(view.passwordSet).toBe(true);
    expect(Object.keys(view).sort()).toEqual(['configured', 'from', 'host', 'passwordSet', 'port', 'security', 'user']);
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    expect(JSON.stringify(await getSmtpView(f.db))).not.toContain(PASSWORD);

    const stored = await f.db('settings').where({ key: SMTP_PASSWORD_KEY }).first('value');
    const sealed = JSON.parse(stored.value) as string;
    expect(sealed).not.toContain(PASSWORD);
    expect(f.vault.open(sealed, SMTP_PASSWORD_PURPOSE)).toBe(PASSWORD);
    expect((await loadSmtpConfig(f.db, f.vault)).password).toBe(PASSWORD);
    expect(await dumpDatabase(f.db)).not.toContain(PASSWORD);

    const audit = await audits('smtp.settings_changed').orderBy('id');
    expect(JSON.parse(audit[0].details)).toEqual({ changes: { host: { from: '', to: 'smtp.example.org' }, user: { from: '', to: 'desk' } }, passwordChanged: true });

    // '' keeps it (a form's empty password box), null removes it
    await updateSmtpSettings(f, ADMIN, { port: 2525, password: '' });
    expect((await loadSmtpConfig(f.db, f.vault)).password).toBe(PASSWORD);
    const cleared = await updateSmtpSettings(f, ADMIN, { password: null });
    expect(cleared.passwordSet).toBe(false);
    expect(await f.db('settings').where({ key: SMTP_PASSWORD_KEY })).toHaveLength(0);
    const last = await audits('smtp.settings_changed').orderBy('id', 'desc').first();
    expect(JSON.parse(last.details)).toEqual({ changes: {}, passwordChanged: true, passwordRemoved: true });
  });

  it('logs in with the sealed password, and neither the log nor the database ever shows it', async () => {
    const logDir = tempDir('desk-mail-log-');
    const logger = createLogger(logDir);
    try {
      const srv = await server({ auth: { user: 'desk', pass: PASSWORD } });
      await f.useSmtp(srv.port, { user: 'desk', password: PASSWORD });
      const sender = f.sender({ logger });
      const ok = await f.enqueueCode('nora@example.org', '246810');
      expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
      expect(srv.received[0]!.user).toBe('desk');
      expect(await f.row(ok)).toMatchObject({ status: 'sent' });

      // a wrong password is a settings problem: retried, not failed, and the password stays out of last_error
      await updateSmtpSettings(f, ADMIN, { password: WRONG });
      const retry = await f.enqueue({ to: 'oscar@example.org' });
      expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
      const r = await f.row(retry);
      expect(r.lastError).toContain('535');
      expect(srv.logins.map((l) => l.ok)).toEqual([true, false]);
      const test = await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: 'oscar@example.org' });
      expect(test).toMatchObject({ ok: false, transport: 'smtp' });
      expect(test.response).toContain('535');

      // fixed: the retry goes out with the new password
      await updateSmtpSettings(f, ADMIN, { password: PASSWORD });
      f.clock.advance(30_000);
      expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
      await sender.stop();

      const dump = await dumpDatabase(f.db);
      for (const secret of [PASSWORD, WRONG, '246810']) expect(dump).not.toContain(secret);
    } finally {
      await logger.close();
    }
    const log = fs.readFileSync(path.join(logDir, 'logs', 'desk.log'), 'utf8');
    expect(log).toContain('mail sent');
    expect(log).toContain('mail will be retried');
    for (const secret of [PASSWORD, WRONG, '246810']) expect(log).not.toContain(secret);
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('`desk settings list` shows the SMTP settings but never the password, and cannot set it', async () => {
    await updateSmtpSettings(f, ADMIN, { host: 'smtp.example.org', user: 'desk', password: PASSWORD });
    const sealed = JSON.parse((await f.db('settings').where({ key: SMTP_PASSWORD_KEY }).first('value')).value) as string;
    // what the CLI prints: every key of SETTINGS with its value
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      expect(key).not.toMatch(/pass/i);
      expect(JSON.stringify(await getSetting(f.db, key))).not.toContain(sealed);
    }
    const env = deskEnv(f.s, f.s.dataDir);
    const list = await runDesk(env, ['settings', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/smtp\.host\s+"smtp\.example\.org"/);
    expect(list.stdout).toMatch(/smtp\.user\s+"desk"/);
    for (const hidden of [PASSWORD, sealed, 'passwordEnc']) expect(list.stdout).not.toContain(hidden);
    const set = await runDesk(env, ['settings', 'set', SMTP_PASSWORD_KEY, 'plain-text']);
    expect(set.code).toBe(2);
    expect(JSON.parse((await f.db('settings').where({ key: SMTP_PASSWORD_KEY }).first('value')).value)).toBe(sealed);
  });

  it('sends a test mail through the SMTP server and reports its answer', async () => {
    const srv = await server({
      onRcpt: (address) => (address.startsWith('blocked') ? { code: 550, message: 'Mailbox unavailable' } : undefined),
    });
    await f.useSmtp(srv.port);
    expect(await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: 'pat@example.org' })).toEqual({ ok: true, transport: 'smtp', response: '250 OK queued as 1' });
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.subject).toBe('MFA Desk test message');
    expect(srv.received[0]!.to).toEqual(['pat@example.org']);
    expect(srv.received[0]!.from).toBe('desk@example.org');
    expect(await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: 'blocked@example.org' })).toEqual({ ok: false, transport: 'smtp', response: '550 Mailbox unavailable' });
    for (const bad of ['', 'nobody', 'a@b', 'x@example.org, y@example.org', 'Name <x@example.org>']) {
      const err = await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: bad }).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(DeskError);
      expect((err as DeskError).code).toBe('VALIDATION');
    }
    // the outbox is not involved
    expect(await f.rows()).toEqual([]);
  });

  it('reports a test mail to a server that is not there', async () => {
    await f.useSmtp(await freePort());
    const r = await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: 'quinn@example.org' });
    expect(r.ok).toBe(false);
    expect(r.transport).toBe('smtp');
    expect(r.response).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
  });

  it('writes the test mail to the outbox folder when no server is set', async () => {
    await f.useFiles();
    const r = await sendTestMail({ db: f.db, vault: f.vault, clock: systemClock, dataDir: f.s.dataDir }, { to: 'rita@example.org' });
    expect(r).toMatchObject({ ok: true, transport: 'file' });
    const files = fs.readdirSync(path.join(f.s.dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(r.response).toContain(path.join('outbox', files[0]!));
    const eml = fs.readFileSync(path.join(f.s.dataDir, 'outbox', files[0]!), 'utf8');
    expect(eml).toMatch(/^Subject: MFA Desk test message\r$/m);
    expect(eml).toMatch(/^To: rita@example.org\r$/m);
  });
});
