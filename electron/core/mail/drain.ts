/** The worker loops: workers deliver claimed rows a few at a time, and a drain keeps claiming until nothing is due. */
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { DeliveryResult, DrainResult } from './delivery';
import { claimDueMail, type Claim, type ClaimedMail } from './lease';

type DeliverOne = (row: ClaimedMail, claim: Claim) => Promise<DeliveryResult>;

/** Claimed batches per drain at most, so one drain cannot run forever on a huge backlog. */
const MAX_BATCHES_PER_DRAIN = 100;

/** Deliver the rows of one claim, `inFlight` at a time. */
export async function deliverClaim(claim: Claim, inFlight: number, deliverOne: DeliverOne): Promise<DrainResult & { skipped: number }> {
  const totals = { sent: 0, failed: 0, retried: 0, skipped: 0 };
  let next = 0;
  const worker = async () => {
    while (next < claim.rows.length) {
      const row = claim.rows[next++]!;
      totals[await deliverOne(row, claim)]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, claim.rows.length) }, worker));
  return totals;
}

export interface DrainOptions {
  db: Knex;
  clock: Clock;
  batchSize: number;
  leaseMs: number;
  /** Workers, each delivering one message at a time. */
  inFlight: number;
  /** True once the sender is stopping: no further batch is claimed. */
  stopping: () => boolean;
  deliverOne: DeliverOne;
}

/**
 * Deliver everything due: workers take rows from a queue that is refilled with the next claimed
 * batch as soon as it runs dry, so the connections stay busy while a claim is being made.
 */
export async function drainDue(opts: DrainOptions): Promise<DrainResult> {
  const { db, clock, batchSize, leaseMs, inFlight, stopping, deliverOne } = opts;
  const totals: DrainResult = { sent: 0, failed: 0, retried: 0 };
  const queue: Array<{ row: ClaimedMail; claim: Claim }> = [];
  let batches = 0;
  let exhausted = false;
  let failure: Error | null = null;
  let claiming: Promise<void> | null = null;
  const refill = () =>
    (claiming ??= (async () => {
      try {
        if (stopping() || batches >= MAX_BATCHES_PER_DRAIN) {
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
      const result = await deliverOne(next.row, next.claim);
      if (result !== 'skipped') totals[result]++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  // Set by the workers above, which the compiler's flow analysis does not follow.
  const failed = failure as Error | null;
  if (failed) throw failed;
  return totals;
}
