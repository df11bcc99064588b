/**
 * The outbox sender against a real SMTP server on loopback (smtp-server), on sqlite and
 * PostgreSQL: delivery once with the row's Message-ID, temporary and permanent refusals,
 * servers that drop or refuse connections, the .eml fallback, crash safety across processes,
 * concurrent senders and connection reuse. Only time is faked (a ManualClock).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/connection';
import { attachVault } from '../../electron/core/secrets/db-vault';
import { renderMail } from '../../electron/core/mail/templates';
import { claimDueMail, DEFAULT_LEASE_MS, GIVE_UP_AFTER_MS, retryDelayMs } from '../../electron/core/mail/sender';
import { deskEnv } from '../support/cli';
import { useMailFixture, type MailFixture } from '../support/mail-fixture';
import { freePort, parseMail, startDroppingServer } from '../support/mail-server';
import { TARGETS, type Target } from '../support/targets';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEC = 1000;
const MIN = 60 * SEC;

describe('retry backoff', () => {
  it('waits 30 s, 1, 2, 5, 10, 20, 30 min, then an hour at most', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map(retryDelayMs)).toEqual([
      30 * SEC,
      1 * MIN,
      2 * MIN,
      5 * MIN,
      10 * MIN,
      20 * MIN,
      30 * MIN,
      60 * MIN,
      60 * MIN,
      60 * MIN,
    ]);
  });
});

describe.each(TARGETS)('mail outbox sender on $name', (target: Target) => {
  let f: MailFixture;
  const { servers, server } = useMailFixture(target, (opened) => (f = opened));

  it('delivers each mail once with its Message-ID, subject, text and HTML, and keeps the answer', async () => {
    const srv = await server();
    await f.useSmtp(srv.port);
    const confirmation = await f.enqueue({ to: 'alice@example.org' });
    const code = await f.enqueueCode('bob@example.org', '482913');
    const [c0, k0] = [await f.row(confirmation), await f.row(code)];
    // the code is sealed at rest until it is sent
    expect(k0.sealed).toBe(true);
    expect(k0.bodyText).not.toContain('482913');
    expect(k0.bodyHtml).not.toContain('482913');

    f.clock.advance(5 * SEC);
    const sender = f.sender();
    expect(await sender.drainOnce()).toEqual({ sent: 2, failed: 0, retried: 0 });
    expect(srv.received).toHaveLength(2);

    const gotConfirmation = srv.received.find((m) => m.messageId === c0.messageId)!;
    expect(gotConfirmation).toBeDefined();
    expect(gotConfirmation.to).toEqual(['alice@example.org']);
    expect(gotConfirmation.from).toBe('desk@example.org');
    expect(gotConfirmation.headers.get('from')).toContain('Shared Services');
    expect(gotConfirmation.subject).toBe(c0.subject);
    expect(gotConfirmation.text).toBe(c0.bodyText);
    expect(gotConfirmation.html).toBe(c0.bodyHtml);
    expect(gotConfirmation.html).toContain('<strong>An authenticator app was added</strong>');
    expect(new Date(gotConfirmation.headers.get('date')!).toISOString()).toBe(new Date(c0.createdAt).toISOString().replace(/\.\d{3}Z$/, '.000Z'));

    const gotCode = srv.received.find((m) => m.messageId === k0.messageId)!;
    const expected = renderMail('registration_code', { firstName: 'Bob', code: '482913', minutes: '20', webchatUrl: 'x' });
    expect(gotCode.subject).toBe(expected.subject);
    expect(gotCode.text).toContain('  482913\n');
    expect(gotCode.html).toContain('>482913</p>');

    const [c1, k1] = [await f.row(confirmation), await f.row(code)];
    for (const r of [c1, k1]) {
      expect(r).toMatchObject({ status: 'sent', transport: 'smtp', attempts: 1, lastError: null, claimToken: null, claimedUntil: null });
      expect(r.sentAt).toBe(f.clock.now().toISOString());
      expect(r.smtpResponse).toMatch(/^250 OK queued as [12]$/);
    }
    // a confirmation keeps its text for the mail log; the code mail's bodies are erased once sent
    expect(c1.bodyText).toBe(c0.bodyText);
    expect(k1.bodyText).toBe('');
    expect(k1.bodyHtml).toBe('');
    const dump = JSON.stringify(await f.db('mail_outbox').select());
    expect(dump).not.toContain('482913');

    // nothing is due any more: nothing goes twice
    f.clock.advance(2 * DEFAULT_LEASE_MS);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(srv.received).toHaveLength(2);
  });

  it('retries a temporary refusal (451) after the backoff and delivers it once', async () => {
    const srv = await server({ onData: (_m, n) => (n === 1 ? { code: 451, message: 'Try again later' } : undefined) });
    await f.useSmtp(srv.port);
    const id = await f.enqueueCode('carol@example.org', '111222');
    const sender = f.sender();

    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
    const after1 = await f.row(id);
    expect(after1).toMatchObject({ status: 'queued', attempts: 1, smtpResponse: '451 Try again later', claimToken: null, transport: 'smtp' });
    expect(after1.lastError).toContain('451 Try again later');
    expect(after1.nextAttemptAt).toBe(new Date(Date.parse(f.clock.now().toISOString()) + 30 * SEC).toISOString());
    // still sealed while it waits
    expect(after1.bodyText).not.toContain('111222');
    expect(after1.bodyText).not.toBe('');

    f.clock.advance(30 * SEC - 1);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    f.clock.advance(1);
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(srv.refused).toBe(1);
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.messageId).toBe(after1.messageId);
    expect(srv.received[0]!.text).toContain('111222');
    expect(await f.row(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null, smtpResponse: '250 OK queued as 1', bodyText: '', bodyHtml: '' });
  });

  it('fails a permanent refusal (550) at once, keeps the answer, never retries, erases a code', async () => {
    let rcpts = 0;
    const srv = await server({
      onRcpt: (address) => {
        rcpts++;
        return address.startsWith('nobody') ? { code: 550, message: 'No such user here' } : undefined;
      },
    });
    await f.useSmtp(srv.port);
    const bad = await f.enqueueCode('nobody@example.org', '999000');
    const good = await f.enqueue({ to: 'dave@example.org' });
    const sender = f.sender();
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 1, retried: 0 });
    const r = await f.row(bad);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, smtpResponse: '550 No such user here', transport: 'smtp', sentAt: null, bodyText: '', bodyHtml: '' });
    expect(r.lastError).toContain('550 No such user here');
    expect((await f.row(good)).status).toBe('sent');

    f.clock.advance(3 * 3_600_000);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(rcpts).toBe(2);
    expect(srv.received.map((m) => m.to)).toEqual([['dave@example.org']]);
  });

  it('fails a message refused at the end of DATA (554) and retries a server that does not answer in time', async () => {
    const srv = await server({
      dataDelayMs: 0,
      onData: (mail) => (mail.to[0]!.startsWith('spam') ? { code: 554, message: 'Message rejected as spam' } : undefined),
    });
    await f.useSmtp(srv.port);
    const rejected = await f.enqueue({ to: 'spam@example.org' });
    expect(await f.sender().drainOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    expect(await f.row(rejected)).toMatchObject({ status: 'failed', smtpResponse: '554 Message rejected as spam' });

    const slow = await server({ dataDelayMs: 1500 });
    await f.useSmtp(slow.port);
    const late = await f.enqueue({ to: 'tom@example.org' });
    expect(await f.sender({ sendTimeoutMs: 300 }).drainOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
    const r = await f.row(late);
    expect(r).toMatchObject({ status: 'queued', attempts: 1, smtpResponse: null });
    expect(r.lastError).toContain('No answer from the SMTP server within 0.3 s');
  });

  it('retries while the server is not listening or drops connections, counting attempts, and loses nothing', async () => {
    const port = await freePort();
    await f.useSmtp(port);
    const ids = [await f.enqueue({ to: 'erin@example.org' }), await f.enqueueCode('frank@example.org', '313131')];
    const sender = f.sender();

    // 1. nothing listening
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 2 });
    for (const id of ids) {
      const r = await f.row(id);
      expect(r).toMatchObject({ status: 'queued', attempts: 1, smtpResponse: null });
      expect(r.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
      expect(r.nextAttemptAt).toBe(new Date(f.clock.now().getTime() + 30 * SEC).toISOString());
    }

    // 2. a server that hangs up before the greeting
    const dropper = await startDroppingServer(port);
    servers.push(dropper);
    f.clock.advance(30 * SEC);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 2 });
    expect(dropper.connections).toBeGreaterThan(0);
    for (const id of ids) {
      const r = await f.row(id);
      expect(r).toMatchObject({ status: 'queued', attempts: 2 });
      expect(r.lastError).toMatch(/ECONNECTION|ESOCKET|closed/i);
      expect(r.nextAttemptAt).toBe(new Date(f.clock.now().getTime() + 60 * SEC).toISOString());
    }
    await dropper.close();
    servers.splice(servers.indexOf(dropper), 1);

    // 3. the server is back: each mail arrives once
    const srv = await server({ port });
    f.clock.advance(60 * SEC);
    expect(await sender.drainOnce()).toEqual({ sent: 2, failed: 0, retried: 0 });
    expect(srv.received).toHaveLength(2);
    const rows = await f.rows();
    expect(new Set(srv.received.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.messageId)));
    for (const r of rows) expect(r).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('gives up a mail that could not be delivered for 24 hours', async () => {
    await f.useSmtp(await freePort());
    const id = await f.enqueue({ to: 'gina@example.org' });
    const sender = f.sender();
    expect(await sender.drainOnce()).toMatchObject({ retried: 1 });
    f.clock.advance(GIVE_UP_AFTER_MS);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    const r = await f.row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 2 });
    expect(r.lastError).toMatch(/^Gave up after 2 attempts: .*(ECONNREFUSED|ECONNECTION|ESOCKET)/);
  });

  it('writes .eml files to the data directory when no SMTP server is set', async () => {
    await f.useFiles();
    const confirmation = await f.enqueue({ to: 'harry@example.org' });
    const code = await f.enqueueCode('ivy@example.org', '777888');
    const before = await f.rows();
    expect(await f.sender().drainOnce()).toEqual({ sent: 2, failed: 0, retried: 0 });

    const dir = path.join(f.s.dataDir, 'outbox');
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files.every((n) => n.endsWith('.eml'))).toBe(true);
    for (const r of before) {
      const name = files.find((n) => n.startsWith(`${r.id}-`))!;
      expect(name).toBe(`${r.id}-${r.messageId.replace(/[<>]/g, '')}.eml`);
      const file = path.join(dir, name);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const mail = parseMail(fs.readFileSync(file, 'utf8'));
      expect(mail.messageId).toBe(r.messageId);
      expect(mail.subject).toBe(r.subject);
      expect(mail.headers.get('to')).toBe(r.recipient);
      const after = await f.row(r.id);
      expect(after).toMatchObject({ status: 'sent', transport: 'file', attempts: 1, smtpResponse: `Written to ${path.join('outbox', name)}` });
      if (r.id === code) {
        expect(mail.text).toContain('777888');
        expect(after).toMatchObject({ bodyText: '', bodyHtml: '' });
      } else {
        expect(r.id).toBe(confirmation);
        expect(mail.text).toBe(r.bodyText);
        expect(mail.html).toBe(r.bodyHtml);
      }
    }
  });

  it('survives a sender killed between its claim and the send: after the lease another sends it once', async () => {
    const srv = await server();
    await f.useSmtp(srv.port);
    const env = {
      ...deskEnv(f.s, f.s.dataDir),
      MAIL_CRASH_NOW: f.clock.now().toISOString(),
      MAIL_CRASH_TO: 'jack@example.org',
      MAIL_CRASH_LEASE_MS: String(DEFAULT_LEASE_MS),
    };
    // Node itself with tsx as its loader (not the tsx wrapper): SIGKILL must hit the process that
    // holds the claim, and nothing may be left running after the test.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/mail-crash-child.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    const { id, claimed } = JSON.parse(line) as { id: number; claimed: number[] };
    expect(claimed).toEqual([id]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const held = await f.row(id);
    expect(held).toMatchObject({ status: 'queued', attempts: 1 }); // the claim counts as an attempt
    expect(held.claimToken).not.toBeNull();
    expect(held.claimedUntil).toBe(new Date(f.clock.now().getTime() + DEFAULT_LEASE_MS).toISOString());

    const sender = f.sender();
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 }); // the lease still holds
    expect(srv.received).toHaveLength(0);
    f.clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    f.clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.messageId).toBe(held.messageId);
    expect(srv.received[0]!.text).toContain('424242');
    expect(await f.row(id)).toMatchObject({ status: 'sent', attempts: 2, claimToken: null, bodyText: '' });
  });

  it('a sender that lost its claim does not send', async () => {
    const srv = await server();
    await f.useSmtp(srv.port);
    const first = await f.enqueue({ to: 'kim@example.org' });
    const stale = f.sender();
    const fresh = f.sender();

    // A claims, stalls past its lease; B takes the row over and delivers it; A wakes up.
    const claimA = await claimDueMail(f.db, f.clock, { limit: 10 });
    expect(claimA.rows.map((r) => r.id)).toEqual([first]);
    expect(await fresh.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    f.clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await fresh.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(await stale.deliver(claimA)).toEqual({ sent: 0, failed: 0, retried: 0, skipped: 1 });
    expect(srv.received).toHaveLength(1);
    expect(await f.row(first)).toMatchObject({ status: 'sent', attempts: 2 }); // two claims

    // A claims, its lease runs out, B claims (not sent yet): A must not send, B does, once.
    const second = await f.enqueue({ to: 'lee@example.org' });
    const claimA2 = await claimDueMail(f.db, f.clock, { limit: 10 });
    f.clock.advance(DEFAULT_LEASE_MS + 1);
    const claimB2 = await claimDueMail(f.db, f.clock, { limit: 10 });
    expect(claimB2.rows.map((r) => r.id)).toEqual([second]);
    expect(await stale.deliver(claimA2)).toMatchObject({ sent: 0, skipped: 1 });
    expect(await fresh.deliver(claimB2)).toMatchObject({ sent: 1, skipped: 0 });
    expect(srv.received.map((m) => m.to[0])).toEqual(['kim@example.org', 'lee@example.org']);

    // A claim running short (or even run out) that nobody took over is still A's: renewed, sent once.
    const third = await f.enqueue({ to: 'max@example.org' });
    const claimA3 = await claimDueMail(f.db, f.clock, { limit: 10 });
    f.clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await stale.deliver(claimA3)).toMatchObject({ sent: 1, skipped: 0 });
    expect(await f.row(third)).toMatchObject({ status: 'sent', attempts: 1, claimToken: null });
    expect(srv.received).toHaveLength(3);
  });

  it('two senders draining at once deliver every mail exactly once', async () => {
    const srv = await server();
    await f.useSmtp(srv.port);
    const other = await openDatabase({ dataDir: f.s.dataDir, databaseUrl: f.s.databaseUrl, schema: f.s.schema });
    attachVault(other.knex, f.vault);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) ids.push(i % 3 === 0 ? await f.enqueueCode(`p${i}@example.org`, String(100000 + i)) : await f.enqueue({ to: `p${i}@example.org` }));
      const a = f.sender({ batchSize: 7 });
      const b = f.sender({ db: other.knex, batchSize: 7 });
      const [ra, rb] = await Promise.all([a.drainOnce(), b.drainOnce()]);
      expect(ra.sent + rb.sent).toBe(60);
      expect(ra.sent).toBeGreaterThan(0); // both took part
      expect(rb.sent).toBeGreaterThan(0);
      expect(ra.failed + rb.failed + ra.retried + rb.retried).toBe(0);
      expect(srv.received).toHaveLength(60);
      const rows = await f.rows();
      expect(new Set(srv.received.map((m) => m.messageId)).size).toBe(60);
      expect(new Set(srv.received.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.messageId)));
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
      await b.stop();
    } finally {
      await other.close();
    }
  });

  it('reuses pooled connections: many mails, few connections (one per mail without the pool)', async () => {
    const srv = await server();
    await f.useSmtp(srv.port);
    for (let i = 0; i < 40; i++) await f.enqueue({ to: `q${i}@example.org` });
    const pooled = f.sender({ maxConnections: 3 });
    expect(await pooled.drainOnce()).toEqual({ sent: 40, failed: 0, retried: 0 });
    expect(srv.received).toHaveLength(40);
    expect(srv.connections).toBeGreaterThan(0);
    expect(srv.connections).toBeLessThanOrEqual(3);
    // a second drain reuses the open connections
    for (let i = 0; i < 10; i++) await f.enqueue({ to: `r${i}@example.org` });
    expect(await pooled.drainOnce()).toMatchObject({ sent: 10 });
    expect(srv.connections).toBeLessThanOrEqual(3);

    const before = srv.connections;
    for (let i = 0; i < 10; i++) await f.enqueue({ to: `s${i}@example.org` });
    expect(await f.sender({ pool: false }).drainOnce()).toMatchObject({ sent: 10 });
    expect(srv.connections - before).toBe(10);
  });

  it('delivers in the background on wake() and stop() waits for a send in flight', async () => {
    const srv = await server({ dataDelayMs: 400 });
    await f.useSmtp(srv.port);
    const sender = f.sender({ pollMs: 60_000 });
    sender.start();
    await new Promise((r) => setTimeout(r, 100)); // the first (empty) drain
    const id = await f.enqueue({ to: 'mia@example.org' });
    sender.wake();
    const deadline = Date.now() + 5_000;
    while (srv.connections === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await sender.stop();
    expect(srv.received).toHaveLength(1);
    expect(await f.row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
