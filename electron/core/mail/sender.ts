import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { toBool, toIso, toText } from '../db/values';
import type { Logger } from '../log/logger';
import type { Vault } from '../secrets/vault';
import { OUTBOX_BODY_PURPOSE } from './outbox';
import { loadSmtpConfig } from './smtp-settings';
import { classifySmtpError, clip, closeTransport, describeSmtpError, smtpTransport, writeEml, type SmtpConfig } from './transport';

/** How long a claim holds a row: another sender may take it over after this (a crash, a hang). */
export const DEFAULT_LEASE_MS = 2 * 60_000;
/** Waits before the 1st, 2nd, … retry; the last one repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000];
/** A mail is given up (failed) after this many attempts… */
export const MAX_ATTEMPTS = 30;
/** …or once it has waited this long since it was queued. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/** The wait after `attempts` failed attempts: 30 s, 1 min, 2 min, 5 min, … capped at 1 h. */
export function retryDelayMs(attempts: number): number {
  const i = Math.max(1, Math.floor(attempts)) - 1;
  return RETRY_DELAYS_MS[Math.min(i, RETRY_DELAYS_MS.length - 1)]!;
}

export interface DrainResult {
  sent: number;
  failed: number;
  retried: number;
}

/** An outbox row this sender holds a claim on. Bodies as stored (sealed ones still sealed). */
export interface ClaimedMail {
  id: number;
  template: string;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  sealed: boolean;
  attempts: number;
  messageId: string;
  createdAt: string;
}

export interface Claim {
  token: string;
  /** When the lease runs out (ISO): until then no other sender can claim these rows. */
  until: string;
  /** Their `attempts` already count this claim. */
  rows: ClaimedMail[];
}

const CLAIM_COLUMNS = ['id', 'template', 'recipient', 'subject', 'body_text', 'body_html', 'sealed', 'attempts', 'message_id', 'created_at'];

function toClaimed(r: Record<string, unknown>): ClaimedMail {
  return {
    id: Number(r.id),
    template: String(r.template),
    recipient: String(r.recipient),
    subject: String(r.subject),
    bodyText: toText(r.body_text),
    bodyHtml: r.body_html == null ? null : toText(r.body_html),
    sealed: toBool(r.sealed),
    attempts: Number(r.attempts),
    messageId: String(r.message_id),
    createdAt: toIso(r.created_at)!,
  };
}

/**
 * Claim up to `limit` due rows (queued, next attempt reached, no live claim) in one short
 * transaction: a fresh token and a lease, and the attempt is counted (so a mail that takes its
 * sender down every time still runs out of attempts). On PostgreSQL the candidates are locked
 * with FOR UPDATE SKIP LOCKED, so concurrent senders take different rows without waiting; on
 * sqlite one conditional UPDATE does it (a single statement, so nothing can come between the
 * check and the claim). Whoever holds the token may send; a crashed holder's lease runs out.
 */
export async function claimDueMail(db: Knex, clock: Clock, opts: { limit: number; leaseMs?: number }): Promise<Claim> {
  const token = crypto.randomUUID();
  const now = clock.now();
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
  const due = (q: Knex.QueryBuilder) =>
    q
      .where('status', 'queued')
      .where('next_attempt_at', '<=', nowIso)
      .where((b) => void b.whereNull('claimed_until').orWhere('claimed_until', '<', nowIso))
      .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
      .limit(opts.limit);
  if (databaseKind(db) === 'postgres') {
    const rows = await db.transaction(async (trx) => {
      const rows = (await due(trx('mail_outbox').select('id')).forUpdate().skipLocked()) as Array<{ id: number }>;
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return [];
      return trx('mail_outbox')
        .whereIn('id', ids)
        .update({ claim_token: token, claimed_until: until, attempts: trx.raw('?? + 1', ['attempts']) })
        .returning(CLAIM_COLUMNS);
    });
    return { token, until, rows: (rows as Array<Record<string, unknown>>).map(toClaimed).sort((a, b) => a.id - b.id) };
  }
  const claimed = await db('mail_outbox')
    .whereIn('id', due(db('mail_outbox').select('id')))
    .where((b) => void b.whereNull('claimed_until').orWhere('claimed_until', '<', nowIso))
    .update({ claim_token: token, claimed_until: until, attempts: db.raw('?? + 1', ['attempts']) });
  if (!claimed) return { token, until, rows: [] };
  const rows = await db('mail_outbox').where({ claim_token: token }).orderBy('id').select(CLAIM_COLUMNS);
  return { token, until, rows: (rows as Array<Record<string, unknown>>).map(toClaimed) };
}

export interface MailSenderDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
  logger: Logger;
  dataDir: string;
  /** How often the outbox is looked at without a wake() (retries come due this way). Default 5 s. */
  pollMs?: number;
  /** Pooled SMTP connections (default). false: one connection per message, for the benchmark. */
  pool?: boolean;
  /** SMTP connections at once (pooled), or messages in flight at once (not pooled). Default 5. */
  maxConnections?: number;
  /** Rows claimed at a time. Default 50. */
  batchSize?: number;
  /** Default DEFAULT_LEASE_MS. */
  leaseMs?: number;
  /** A send still going after this is abandoned (and retried), well inside the lease. Default 90 s. */
  sendTimeoutMs?: number;
  /** stop() waits this long for sends in flight, then abandons them (they are retried). Default 30 s. */
  stopGraceMs?: number;
}

export interface MailSender {
  /** Deliver in the background: now, on every wake(), and every pollMs. */
  start(): void;
  /** Stop the background loop, wait for the sends in flight and close the SMTP pool. */
  stop(): Promise<void>;
  /** Mail was just committed to the outbox: deliver it soon. */
  wake(): void;
  /** Deliver everything due now, once (drains run one after another, never two at once). */
  drainOnce(): Promise<DrainResult>;
  /** Deliver rows claimed with claimDueMail (tests and tools); `skipped` counts claims lost meanwhile. */
  deliver(claim: Claim): Promise<DrainResult & { skipped: number }>;
}

type Outcome =
  | { kind: 'sent'; response: string; transport: 'smtp' | 'file' }
  | { kind: 'permanent' | 'temporary'; error: string; response: string | null; transport: 'smtp' | 'file' };

/** A send starts only with at least its timeout plus this left on the lease; else the claim is renewed. */
const RENEW_MARGIN_MS = 5_000;

/** Claimed batches per drain at most, so one drain cannot run forever on a huge backlog. */
const MAX_BATCHES_PER_DRAIN = 100;

/**
 * The outbox sender: claims due rows, sends each through a pooled SMTP transport (or writes an
 * .eml file when no server is set) and records the result only while it still holds the claim.
 * A message counts as sent only when the server accepted its recipient; 4xx replies, dropped
 * connections and timeouts are retried with backoff; 5xx refusals fail the row for good with the
 * server's answer kept. Sealed bodies (one-time codes) are opened just to send and erased once
 * the row is sent or failed. Nothing here logs a body, a code or the SMTP password.
 */
export function createMailSender(deps: MailSenderDeps): MailSender {
  const { db, clock, vault, logger, dataDir } = deps;
  const pollMs = deps.pollMs ?? 5_000;
  const pool = deps.pool ?? true;
  const maxConnections = deps.maxConnections ?? 5;
  const batchSize = deps.batchSize ?? 50;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 90_000;
  const stopGraceMs = deps.stopGraceMs ?? 30_000;
  // Messages handed to the transport at once. The pool keeps a short queue of its own so a
  // connection never idles while this sender writes a result; without the pool every message
  // in flight is a connection, so no more than maxConnections.
  const inFlight = pool ? maxConnections * 2 : maxConnections;

  let chain: Promise<unknown> = Promise.resolve();
  let running = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;
  /** Sends in flight, so stop() can abandon them once its grace period is over. */
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

  async function deliverOne(row: ClaimedMail, claim: Claim, config: SmtpConfig): Promise<keyof DrainResult | 'skipped'> {
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

  async function record(row: ClaimedMail, token: string, attempts: number, outcome: Outcome): Promise<keyof DrainResult | 'skipped'> {
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

  async function deliver(claim: Claim, config?: SmtpConfig): Promise<DrainResult & { skipped: number }> {
    const cfg = config ?? (await loadSmtpConfig(db, vault));
    noteMode(cfg);
    const totals = { sent: 0, failed: 0, retried: 0, skipped: 0 };
    let next = 0;
    const worker = async () => {
      while (next < claim.rows.length) {
        const row = claim.rows[next++]!;
        totals[await deliverOne(row, claim, cfg)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, claim.rows.length) }, worker));
    return totals;
  }

  /**
   * Deliver everything due: workers take rows from a queue that is refilled with the next claimed
   * batch as soon as it runs dry, so the connections stay busy while a claim is being made.
   */
  async function drain(): Promise<DrainResult> {
    const config = await loadSmtpConfig(db, vault);
    noteMode(config);
    const totals: DrainResult = { sent: 0, failed: 0, retried: 0 };
    const queue: Array<{ row: ClaimedMail; claim: Claim }> = [];
    let batches = 0;
    let exhausted = false;
    let failure: Error | null = null;
    let claiming: Promise<void> | null = null;
    const refill = () =>
      (claiming ??= (async () => {
        try {
          if (stopping || batches >= MAX_BATCHES_PER_DRAIN) {
            exhausted = true;
            return;
          }
          batches++;
          const claim = await claimDueMail(db, clock, { limit: batchSize, leaseMs });
          for (const row of claim.rows) queue.push({ row, claim });
          if (claim.rows.length < batchSize) exhausted = true;
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err)); // the rows already claimed are still delivered; then the drain fails
          exhausted = true;
        } finally {
          claiming = null;
        }
      })());
    const worker = async () => {
      for (;;) {
        const next = queue.shift();
        if (!next) {
          if (exhausted) return;
          await refill();
          continue;
        }
        const result = await deliverOne(next.row, next.claim, config);
        if (result !== 'skipped') totals[result]++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    // Set by the workers above, which the compiler's flow analysis does not follow.
    const failed = failure as Error | null;
    if (failed) throw failed;
    return totals;
  }

  function drainOnce(): Promise<DrainResult> {
    const run = chain.then(drain);
    chain = run.catch(() => undefined);
    return run;
  }

  function schedule(ms: number): void {
    if (!running) return;
    const at = Date.now() + ms;
    if (timer && timerAt <= at) return; // something sooner is already scheduled
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  function tick(): void {
    timer = null;
    drainOnce()
      .catch((err: unknown) => {
        logger.error('mail sender: drain failed', { error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => schedule(pollMs));
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      schedule(0);
    },
    async stop() {
      running = false;
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const grace = setTimeout(() => {
        for (const c of inFlightSends) c.abort(new Error('The mail sender is stopping'));
      }, stopGraceMs);
      grace.unref();
      try {
        await chain;
      } finally {
        clearTimeout(grace);
        if (smtp) closeTransport(smtp.transport);
        smtp = null;
        stopping = false;
      }
    },
    wake() {
      // A drain already under way may have claimed before the new mail was committed: this one
      // runs after it (drains are chained), and many wakes in a row make one drain.
      schedule(0);
    },
    drainOnce,
    deliver: (claim) => deliver(claim),
  };
}
