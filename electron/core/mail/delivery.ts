/**
 * Delivering one claimed message: sent through a (pooled) SMTP transport, or written as an .eml
 * file when no server is set, and its result recorded only while the claim still holds. A message
 * counts as sent only when the server accepted its recipient; 4xx replies, dropped connections
 * and timeouts are retried with backoff; 5xx refusals fail the row for good with the server's
 * answer kept. Sealed bodies (one-time codes) are opened just to send and erased once the row is
 * sent or failed. Nothing here logs a body, a code or the SMTP password.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Vault } from '../secrets/vault';
import type { Claim, ClaimedMail } from './lease';
import { OUTBOX_BODY_PURPOSE } from './outbox';
import { GIVE_UP_AFTER_MS, MAX_ATTEMPTS, retryDelayMs } from './retry';
import { loadSmtpConfig } from './smtp-settings';
import { classifySmtpError, clip, closeTransport, describeSmtpError, smtpTransport, writeEml, type SmtpConfig } from './transport';

export interface DrainResult {
  sent: number;
  failed: number;
  retried: number;
}

/** What became of one claimed row; skipped: the claim was lost to another sender before sending. */
export type DeliveryResult = keyof DrainResult | 'skipped';

type Outcome =
  | { kind: 'sent'; response: string; transport: 'smtp' | 'file' }
  | { kind: 'permanent' | 'temporary'; error: string; response: string | null; transport: 'smtp' | 'file' };

/** A send starts only with at least its timeout plus this left on the lease; else the claim is renewed. */
const RENEW_MARGIN_MS = 5_000;

export interface DeliveryOptions {
  db: Knex;
  clock: Clock;
  vault: Vault;
  logger: Logger;
  dataDir: string;
  pool: boolean;
  maxConnections: number;
  leaseMs: number;
  sendTimeoutMs: number;
}

export interface Delivery {
  /** The SMTP settings now (logged when the way mail goes out changes). */
  config(): Promise<SmtpConfig>;
  /** Send one claimed row and record its result. */
  deliverOne(row: ClaimedMail, claim: Claim, config: SmtpConfig): Promise<DeliveryResult>;
  /** Abandon the sends in flight (they are retried). */
  abortAll(reason: Error): void;
  /** Close the SMTP pool. */
  close(): void;
}

export function createDelivery(opts: DeliveryOptions): Delivery {
  const { db, clock, vault, logger, dataDir, pool, maxConnections, leaseMs, sendTimeoutMs } = opts;
  /** Sends in flight, so a stopping sender can abandon them once its grace period is over. */
  const inFlightSends = new Set<AbortController>();
  let smtp: { key: string; transport: Transporter } | null = null;
  let lastMode = '';

  function transportFor(config: SmtpConfig): Transporter {
    const key = crypto.createHash('sha256').update(JSON.stringify([config.host, config.port, config.security, config.user, config.password, pool, maxConnections])).digest('hex');
    if (smtp?.key === key) return smtp.transport;
    if (smtp) closeTransport(smtp.transport);
    smtp = { key, transport: smtpTransport(config, { pool, maxConnections }) };
    return smtp.transport;
  }

  function noteMode(config: SmtpConfig): void {
    const mode = config.configured ? `smtp ${config.host}:${config.port} (${config.security})` : 'file';
    if (mode === lastMode) return;
    lastMode = mode;
    if (config.configured) logger.info('mail sender: delivering by SMTP', { host: config.host, port: config.port, security: config.security, pooled: pool });
    else logger.info('mail sender: no SMTP server set, writing mail as .eml files', { folder: 'outbox' });
  }

  function compose(row: ClaimedMail, from: string): SendMailOptions {
    const text = row.sealed ? vault.open(row.bodyText, OUTBOX_BODY_PURPOSE) : row.bodyText;
    const html = row.bodyHtml === null || row.bodyHtml === '' ? undefined : row.sealed ? vault.open(row.bodyHtml, OUTBOX_BODY_PURPOSE) : row.bodyHtml;
    return {
      from,
      to: row.recipient,
      subject: row.subject,
      text,
      ...(html === undefined ? {} : { html }),
      messageId: row.messageId,
      date: new Date(row.createdAt),
      headers: { 'Auto-Submitted': 'auto-generated' },
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  }

  async function send(row: ClaimedMail, config: SmtpConfig, message: SendMailOptions): Promise<Outcome> {
    if (!config.configured) {
      try {
        const file = await writeEml(dataDir, `${row.id}-${row.messageId}`, message);
        return { kind: 'sent', response: `Written to ${file}`, transport: 'file' };
      } catch (err) {
        return { kind: 'temporary', error: clip(`Could not write the .eml file: ${(err as Error).message}`), response: null, transport: 'file' };
      }
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`No answer from the SMTP server within ${sendTimeoutMs / 1000} s`)), sendTimeoutMs);
    inFlightSends.add(controller);
    try {
      const info: SentMessageInfo = await transportFor(config).sendMail({ ...message, signal: controller.signal });
      const accepted = (info.accepted ?? []).map((a) => String(a).toLowerCase());
      if (!accepted.includes(row.recipient.toLowerCase())) {
        const rejected = (info.rejectedErrors as unknown[] | undefined)?.[0];
        const kind = rejected ? classifySmtpError(rejected) : 'temporary';
        return { kind, error: rejected ? describeSmtpError(rejected) : 'The server did not accept the recipient', response: clip(String(info.response ?? '')) || null, transport: 'smtp' };
      }
      return { kind: 'sent', response: clip(String(info.response ?? '')), transport: 'smtp' };
    } catch (err) {
      // Abandoned (too slow, or the sender is stopping): retried. The server may still have taken
      // it; the retry carries the same Message-ID.
      if (controller.signal.aborted) {
        const reason = controller.signal.reason as unknown;
        return { kind: 'temporary', error: clip(reason instanceof Error ? reason.message : 'The send was abandoned'), response: null, transport: 'smtp' };
      }
      const e = err as { response?: unknown };
      return {
        kind: classifySmtpError(err),
        error: describeSmtpError(err),
        response: typeof e?.response === 'string' && e.response !== '' ? clip(e.response) : null,
        transport: 'smtp',
      };
    } finally {
      clearTimeout(timer);
      inFlightSends.delete(controller);
    }
  }

  async function deliverOne(row: ClaimedMail, claim: Claim, config: SmtpConfig): Promise<DeliveryResult> {
    const { token } = claim;
    const attempts = row.attempts;
    // While the lease outlasts the longest a send may take, nobody else can claim the row. When
    // it does not (the row waited its turn, or the sender stalled), renew it first: that proves
    // the row is still ours (a sender that was taken over stops here) and gives a whole lease.
    const now = clock.now().getTime();
    if (Date.parse(claim.until) - now < sendTimeoutMs + RENEW_MARGIN_MS) {
      const renewed = await db('mail_outbox')
        .where({ id: row.id, claim_token: token, status: 'queued' })
        .update({ claimed_until: new Date(now + Math.max(leaseMs, sendTimeoutMs + RENEW_MARGIN_MS)).toISOString() });
      if (!renewed) {
        logger.warn('mail sender: claim lost before sending, another sender has the mail', { id: row.id });
        return 'skipped';
      }
    }
    let message: SendMailOptions;
    try {
      message = compose(row, config.from);
    } catch {
      const error = 'The sealed body cannot be opened with this data key';
      return record(row, token, attempts, { kind: 'permanent', error, response: null, transport: config.configured ? 'smtp' : 'file' });
    }
    return record(row, token, attempts, await send(row, config, message));
  }

  async function record(row: ClaimedMail, token: string, attempts: number, outcome: Outcome): Promise<DeliveryResult> {
    const now = clock.now();
    const erase = row.sealed ? { body_text: '', body_html: '' } : {};
    let patch: Record<string, unknown>;
    let result: keyof DrainResult;
    if (outcome.kind === 'sent') {
      patch = { status: 'sent', sent_at: now.toISOString(), smtp_response: outcome.response, last_error: null, ...erase };
      result = 'sent';
    } else {
      const waited = now.getTime() - new Date(row.createdAt).getTime();
      const giveUp = outcome.kind === 'permanent' || attempts >= MAX_ATTEMPTS || waited >= GIVE_UP_AFTER_MS;
      if (giveUp) {
        const why = outcome.kind === 'permanent' ? outcome.error : `Gave up after ${attempts} attempts: ${outcome.error}`;
        patch = { status: 'failed', last_error: clip(why), smtp_response: outcome.response, ...erase };
        result = 'failed';
      } else {
        const retryAt = new Date(now.getTime() + retryDelayMs(attempts)).toISOString();
        patch = { next_attempt_at: retryAt, last_error: outcome.error, smtp_response: outcome.response };
        result = 'retried';
      }
    }
    const updated = await db('mail_outbox')
      .where({ id: row.id, claim_token: token })
      .update({ ...patch, transport: outcome.transport, claim_token: null, claimed_until: null });
    const meta = { id: row.id, template: row.template, transport: outcome.transport, attempts };
    if (!updated) {
      logger.warn('mail sender: claim lost before the result was recorded', { ...meta, result });
    } else if (result === 'sent') {
      logger.info('mail sent', meta);
    } else if (result === 'failed') {
      logger.warn('mail failed', { ...meta, error: patch.last_error });
    } else {
      logger.warn('mail will be retried', { ...meta, error: outcome.kind === 'sent' ? null : outcome.error, retryAt: patch.next_attempt_at });
    }
    return result;
  }

  return {
    async config() {
      const config = await loadSmtpConfig(db, vault);
      noteMode(config);
      return config;
    },
    deliverOne,
    abortAll(reason) {
      for (const c of inFlightSends) c.abort(reason);
    },
    close() {
      if (smtp) closeTransport(smtp.transport);
      smtp = null;
    },
  };
}
