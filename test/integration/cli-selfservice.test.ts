import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { totpCodeAt, totpStep, totpUri } from '../../electron/core/auth/totp';
import { silentLogger } from '../../electron/core/log/logger';
import { deskEnv, runDesk, type Run } from '../support/cli';
import { scratch, TARGETS, type Scratch } from '../support/targets';
import { assertNoSecrets, employeeRow, factorsOf, makeEmployee, outbox, seedOf, type EmployeeFixture } from '../support/mfa-fixtures';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function nowCode(secret: string): string {
  return totpCodeAt(secret, totpStep(new Date()));
}

describe.each(TARGETS)('desk selfservice on $name', (target) => {
  let s: Scratch;
  let core: DeskCore;
  let e: EmployeeFixture;
  let leaver: EmployeeFixture;
  const secrets = new Set<string>();
  const desk = (args: string[]): Promise<Run> => runDesk(deskEnv(s, s.dataDir), args);

  beforeAll(async () => {
    s = scratch(target);
    // The test's own core (system clock, as the CLI has) makes the employees and reads the results.
    core = await openDeskCore({ config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema }, logger: silentLogger });
    e = await makeEmployee(core);
    leaver = await makeEmployee(core, { leaver: true });
  });
  afterAll(async () => {
    await core?.close();
    await s?.cleanup();
  });

  it('status lists the eligibility, the addresses on record with their ids, and the factors', async () => {
    const r = await desk(['selfservice', 'status', '--employee', String(e.id)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Employee ${e.id} (${e.username}), active; MFA not enabled`);
    expect(r.stdout).toContain('Can register for MFA.');
    for (const m of e.emails) expect(r.stdout).toMatch(new RegExp(`\\s${m.id}\\s+\\w+\\s+${m.address.replace(/\./g, '\\.')}`));
    const l = await desk(['selfservice', 'status', '--employee', String(leaver.id)]);
    expect(l.stdout).toContain('Cannot register for MFA.');
    expect(l.stdout).toContain('leavers cannot register for MFA');
  });

  it('refuses bad usage with exit code 2 and a leaver with exit code 1 and the reason, changing nothing', async () => {
    const before = await core.db('factors').count({ n: '*' }).first();
    const bad = [
      ['selfservice'],
      ['selfservice', 'app'],
      ['selfservice', 'app', 'frobnicate', '--employee', String(e.id)],
      ['selfservice', 'app', 'start'],
      ['selfservice', 'app', 'start', '--employee', 'abc'],
      ['selfservice', 'app', 'confirm', '--employee', String(e.id)],
      ['selfservice', 'app', 'confirm', '--employee', String(e.id), '--code', '12ab56'],
      ['selfservice', 'email', 'request-code', '--employee', String(e.id)],
      ['selfservice', 'email', 'request-code', '--employee', String(e.id), '--email', '-3'],
      ['selfservice', 'app', 'start', '--employee', String(e.id), '--unknown'],
    ];
    // Usage is checked before the database is opened, so these may run side by side.
    const runs = await Promise.all(bad.map((args) => desk(args)));
    for (const [i, r] of runs.entries()) {
      expect(r.code, bad[i]!.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^desk: /);
    }
    const r = await desk(['selfservice', 'app', 'start', '--employee', String(leaver.id)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('desk: Left on 31 December 2025: leavers cannot register for MFA.');
    const missing = await desk(['selfservice', 'app', 'start', '--employee', '9999999']);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'desk: No employee with id 9999999']);
    expect(await core.db('factors').count({ n: '*' }).first()).toEqual(before);
  });

  it('app start --qr writes the otpauth URI as a QR code PNG (0600) and prints no key; confirm registers the app', async () => {
    const qr = path.join(s.dataDir, 'enrol.png');
    const r = await desk(['selfservice', 'app', 'start', '--employee', String(e.id), '--qr', qr]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`QR code written to ${qr}`);
    expect(r.stdout).toContain(`issuer "Hants", account "${e.username}"`);
    expect(r.stdout).not.toMatch(/otpauth:|secret=/);
    const png = fs.readFileSync(qr);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(qr).mode & 0o777).toBe(0o600);

    const [factor] = await factorsOf(core.db, e.id);
    expect(factor).toMatchObject({ type: 'authenticator_app', state: 'pending' });
    const secret = (await seedOf(core, Number(factor!.id)))!;
    const uri = totpUri({ issuer: 'Hants', account: e.username, secret });
    secrets.add(secret);
    secrets.add(uri);
    assertNoSecrets(r.stdout + r.stderr, [secret]);
    // The PNG is exactly the QR code of that URI.
    const expected = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
    expect(png.equals(expected)).toBe(true);

    // An existing file is never overwritten; nothing else happens either.
    const again = await desk(['selfservice', 'app', 'start', '--employee', String(e.id), '--qr', qr]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(await seedOf(core, Number(factor!.id))).toBe(secret);

    const wrongCode = await desk(['selfservice', 'app', 'confirm', '--employee', String(e.id), '--code', String((Number(nowCode(secret)) + 500_000) % 1_000_000).padStart(6, '0')]);
    expect(wrongCode.code).toBe(1);
    expect(wrongCode.stderr).toMatch(/That code is not right/);
    const done = await desk(['selfservice', 'app', 'confirm', '--employee', String(e.id), '--code', nowCode(secret)]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Authenticator app registered \(factor \d+\); MFA enabled since /);
    expect(done.stdout).toMatch(/Confirmation sent to 2 addresses on record, reference CHG-\d+-[0-9A-F]{6}\./);
    expect((await employeeRow(core.db, e.id)).mfa_state).toBe('enabled');
    const mails = await outbox(core, e.id);
    expect(mails.map((m) => m.template)).toEqual(['change_confirmation', 'change_confirmation']);
  });

  it('app start without --qr prints the otpauth URI once', async () => {
    const other = await makeEmployee(core);
    const r = await desk(['selfservice', 'app', 'start', '--employee', String(other.id)]);
    expect(r.code, r.stderr).toBe(0);
    const m = /otpauth URI \(shown once; it holds the key\): (otpauth:\/\/\S+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const secret = new URL(m![1]!).searchParams.get('secret')!;
    secrets.add(secret);
    secrets.add(m![1]!);
    expect(await seedOf(core, Number((await factorsOf(core.db, other.id))[0]!.id))).toBe(secret);
  });

  it('email: request a code to a chosen address on record, then confirm it', async () => {
    const other = await makeEmployee(core);
    const r = await desk(['selfservice', 'email', 'request-code', '--employee', String(other.id), '--email', String(other.emails[1]!.id)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Registration code sent to ${other.emails[1]!.address.replace(/\./g, '\\.')}; valid until \\S+ \\(request SS-[0-9A-F]{12}\\)\\.`));
    // The command delivered what it queued: with no SMTP server set, an .eml file in the outbox
    // folder, and the sealed body no longer at rest.
    expect(r.stdout).toContain('Mail: 1 delivered.');
    const rows: Array<{ status: string; body_text: string; transport: string }> = await core
      .db('mail_outbox')
      .where({ employee_id: other.id, template: 'registration_code' })
      .select('status', 'body_text', 'transport');
    expect(rows).toEqual([{ status: 'sent', body_text: '', transport: 'file' }]);
    const eml = fs
      .readdirSync(path.join(s.dataDir, 'outbox'))
      .map((f) => fs.readFileSync(path.join(s.dataDir, 'outbox', f), 'utf8').replace(/=\r?\n/g, ''))
      .find((t) => t.toLowerCase().includes(`to: ${other.emails[1]!.address.toLowerCase()}`) && /finish setting up/i.test(t));
    expect(eml, 'the registration mail as an .eml file').toBeDefined();
    const code = /^\s+(\d{6})\s*$/m.exec(eml!)![1]!;
    secrets.add(code);
    assertNoSecrets(r.stdout, [code]);
    const done = await desk(['selfservice', 'email', 'confirm', '--employee', String(other.id), '--code', code]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Email method registered \(factor \d+\)/);
    const used = await desk(['selfservice', 'email', 'confirm', '--employee', String(other.id), '--code', code]);
    expect([used.code, used.stderr.trim()]).toEqual([1, 'desk: There is no email registration waiting for a code. Choose an address and request a code first.']);
    const status = await desk(['selfservice', 'status', '--employee', String(other.id)]);
    expect(status.stdout).toMatch(/email\s+active/);
    expect(status.stdout).toContain(`${other.emails[1]!.address}  (receives codes)`);
  });

  it('no code or key in the log file or the audit trail', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(4);
    const logDir = path.join(s.dataDir, 'logs');
    const logs = fs.existsSync(logDir) ? fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('\n') : '';
    assertNoSecrets(logs, secrets);
    assertNoSecrets(JSON.stringify(await core.db('audit_events').select('*')), secrets);
  });
});
