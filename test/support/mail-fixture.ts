/** A scratch database, data key and clock for the mail tests, with helpers to read the outbox. */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { ManualClock } from '../../electron/core/clock';
import type { Database } from '../../electron/core/db/connection';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { toBool, toIso } from '../../electron/core/db/values';
import { silentLogger, type Logger } from '../../electron/core/log/logger';
import { enqueueMail, type OutboxMail } from '../../electron/core/mail/outbox';
import type { ClaimedMail } from '../../electron/core/mail/lease';
import { createMailSender, type MailSender, type MailSenderDeps } from '../../electron/core/mail/sender';
import { SMTP_PASSWORD_KEY, updateSmtpSettings, type SmtpSettingsInput } from '../../electron/core/mail/smtp-settings';
import { WEBCHAT_URL } from '../../electron/core/mail/templates';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';
import { openScratchDatabase, scratch, type Scratch, type Target } from './targets';
import { attachVault } from '../../electron/core/secrets/db-vault';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from './mail-server';

export const START = '2026-01-05T09:00:00.000Z';
export const ADMIN = { userId: null, name: 'mail-test' };

/** An outbox row as the tests read it: what a sender claims, and the delivery columns. */
export interface OutboxRow extends ClaimedMail {
  status: string;
  nextAttemptAt: string;
  lastError: string | null;
  smtpResponse: string | null;
  sentAt: string | null;
  transport: string | null;
  claimedUntil: string | null;
  claimToken: string | null;
}

function toRow(r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    template: String(r.template),
    recipient: String(r.recipient),
    subject: String(r.subject),
    bodyText: String(r.body_text),
    bodyHtml: (r.body_html as string | null) ?? null,
    status: String(r.status),
    attempts: Number(r.attempts),
    nextAttemptAt: toIso(r.next_attempt_at)!,
    messageId: String(r.message_id),
    lastError: (r.last_error as string | null) ?? null,
    smtpResponse: (r.smtp_response as string | null) ?? null,
    createdAt: toIso(r.created_at)!,
    sentAt: toIso(r.sent_at),
    transport: (r.transport as string | null) ?? null,
    claimedUntil: toIso(r.claimed_until),
    claimToken: (r.claim_token as string | null) ?? null,
    sealed: toBool(r.sealed),
  };
}

export interface MailFixture {
  s: Scratch;
  database: Database;
  db: Knex;
  clock: ManualClock;
  vault: Vault;
  /** A sender on this database (or another connection to it), stopped by reset()/close(). */
  sender(deps?: Partial<MailSenderDeps>): MailSender;
  /** Point the settings at a loopback SMTP server (plain SMTP, no login unless given). */
  useSmtp(port: number, extra?: Partial<SmtpSettingsInput>): Promise<void>;
  /** No SMTP server: mail goes to DATA_DIR/outbox. */
  useFiles(): Promise<void>;
  enqueue(mail: Partial<OutboxMail> & { to: string }): Promise<number>;
  enqueueCode(to: string, code: string, firstName?: string): Promise<number>;
  row(id: number): Promise<OutboxRow>;
  rows(): Promise<OutboxRow[]>;
  /** Empty the outbox, the SMTP settings and the outbox folder; stop the senders; reset the clock. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Point the SMTP settings at a server on loopback: plain SMTP, no login unless `extra` gives one. */
export async function useLoopbackSmtp(
  deps: Parameters<typeof updateSmtpSettings>[0],
  actor: Parameters<typeof updateSmtpSettings>[1],
  port: number,
  extra: Partial<SmtpSettingsInput> = {},
): Promise<void> {
  await updateSmtpSettings(deps, actor, {
    host: '127.0.0.1',
    port,
    security: 'none',
    user: '',
    from: 'Shared Services <desk@example.org>',
    password: null,
    ...extra,
  });
}

export async function openMailFixture(target: Target): Promise<MailFixture> {
  const s = scratch(target);
  const database = await openScratchDatabase(s);
  await migrateToLatest(database.knex);
  const db = database.knex;
  const clock = new ManualClock(START);
  const vault = new Vault(new KeyFileProvider(s.dataDir));
  attachVault(db, vault); // audit events are signed with it
  const senders: MailSender[] = [];
  const f: MailFixture = {
    s,
    database,
    db,
    clock,
    vault,
    sender(deps = {}) {
      const logger: Logger = deps.logger ?? silentLogger;
      const sender = createMailSender({ db, clock, vault, dataDir: s.dataDir, pollMs: 60_000, ...deps, logger });
      senders.push(sender);
      return sender;
    },
    async useSmtp(port, extra = {}) {
      await useLoopbackSmtp({ db, clock, vault }, ADMIN, port, extra);
    },
    async useFiles() {
      await db('settings').where('key', 'like', 'smtp.%').delete();
    },
    enqueue(mail) {
      return db.transaction((trx) =>
        enqueueMail(trx, clock, vault, {
          employeeId: null,
          template: 'change_confirmation',
          values: {
            firstName: 'Alice',
            when: '5 January 2026 at 09:00',
            change: 'An authenticator app was added',
            reference: 'CHG-1234',
            webchatUrl: WEBCHAT_URL,
          },
          reference: 'CHG-1234',
          ...mail,
        }),
      );
    },
    enqueueCode(to, code, firstName = 'Bob') {
      return f.enqueue({ to, template: 'registration_code', values: { firstName, code, minutes: '20', webchatUrl: WEBCHAT_URL }, reference: null });
    },
    async row(id) {
      const r = (await db('mail_outbox').where({ id }).first()) as Record<string, unknown> | undefined;
      if (!r) throw new Error(`no outbox row ${id}`);
      return toRow(r);
    },
    async rows() {
      return ((await db('mail_outbox').orderBy('id')) as Array<Record<string, unknown>>).map(toRow);
    },
    async reset() {
      await Promise.all(senders.splice(0).map((x) => x.stop()));
      await db('mail_outbox').delete();
      await db('settings').whereIn('key', ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.user', 'smtp.from', SMTP_PASSWORD_KEY]).delete();
      fs.rmSync(path.join(s.dataDir, 'outbox'), { recursive: true, force: true });
      clock.set(START);
    },
    async close() {
      await Promise.all(senders.splice(0).map((x) => x.stop()));
      await database.close();
      await s.cleanup();
    },
  };
  return f;
}

/**
 * A describe block's mail set-up: the fixture (handed to `opened`) opened before its tests and
 * closed after them, reset after each test, when every server in `servers` is closed too;
 * `server()` starts a loopback SMTP server and adds it there.
 */
export function useMailFixture(
  target: Target,
  opened: (f: MailFixture) => void,
): { servers: Array<{ close(): Promise<void> }>; server: (opts?: SmtpServerOptions) => Promise<TestSmtpServer> } {
  let f: MailFixture | undefined;
  const servers: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    f = await openMailFixture(target);
    opened(f);
  });
  afterEach(async () => {
    await f?.reset();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await f?.close();
  });
  const server = async (opts: SmtpServerOptions = {}) => {
    const srv = await startSmtpServer(opts);
    servers.push(srv);
    return srv;
  };
  return { servers, server };
}
