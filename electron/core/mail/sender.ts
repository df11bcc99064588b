/**
 * The background mail sender: drains the outbox now, on every wake() and every few seconds, one
 * drain at a time. Claiming is in lease.ts, sending one message in delivery.ts, the worker loops
 * in drain.ts.
 */
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Vault } from '../secrets/vault';
import { createDelivery, type DrainResult } from './delivery';
import { deliverClaim, drainDue } from './drain';
import { DEFAULT_LEASE_MS, type Claim } from './lease';

export { claimDueMail, DEFAULT_LEASE_MS, type Claim, type ClaimedMail } from './lease';
export { GIVE_UP_AFTER_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS, retryDelayMs } from './retry';
export type { DrainResult } from './delivery';

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

export function createMailSender(deps: MailSenderDeps): MailSender {
  const { db, clock, logger } = deps;
  const pollMs = deps.pollMs ?? 5_000;
  const pool = deps.pool ?? true;
  const maxConnections = deps.maxConnections ?? 5;
  const batchSize = deps.batchSize ?? 50;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const stopGraceMs = deps.stopGraceMs ?? 30_000;
  const delivery = createDelivery({ ...deps, pool, maxConnections, leaseMs, sendTimeoutMs: deps.sendTimeoutMs ?? 90_000 });
  // Messages handed to the transport at once. The pool keeps a short queue of its own so a
  // connection never idles while this sender writes a result; without the pool every message
  // in flight is a connection, so no more than maxConnections.
  const inFlight = pool ? maxConnections * 2 : maxConnections;

  let chain: Promise<unknown> = Promise.resolve();
  let running = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;

  async function drain(): Promise<DrainResult> {
    const config = await delivery.config();
    return drainDue({
      db,
      clock,
      batchSize,
      leaseMs,
      inFlight,
      stopping: () => stopping,
      deliverOne: (row, claim) => delivery.deliverOne(row, claim, config),
    });
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
      const grace = setTimeout(() => delivery.abortAll(new Error('The mail sender is stopping')), stopGraceMs);
      grace.unref();
      try {
        await chain;
      } finally {
        clearTimeout(grace);
        delivery.close();
        stopping = false;
      }
    },
    wake() {
      // A drain already under way may have claimed before the new mail was committed: this one
      // runs after it (drains are chained), and many wakes in a row make one drain.
      schedule(0);
    },
    drainOnce,
    async deliver(claim) {
      const config = await delivery.config();
      return deliverClaim(claim, inFlight, (row, c) => delivery.deliverOne(row, c, config));
    },
  };
}
