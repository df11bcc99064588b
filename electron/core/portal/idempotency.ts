/**
 * Idempotency-Key for the portal's requests that send mail: the first request with a key claims
 * it (a 'pending' row, unique per portal key) before anything is done; its answer is kept once
 * given; a retry with the same key and the same request gets that answer again and changes and
 * sends nothing. The same key for another request, or while the first is still being answered,
 * is refused with CONFLICT. An unexpected failure (not a refusal) lets the key go, so the retry runs.
 * A claim left pending by an instance that died mid-request is taken over after PENDING_STALE_MS
 * (every request is one short transaction, so nothing is still answering it by then). Answers are
 * kept for KEEP_MS (24 hours), then pruned: a key may be used again after that.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import { toIso } from '../db/values';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const PENDING_STALE_MS = 2 * 60_000;
export const KEEP_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/** When this process last pruned old answers (each instance prunes at most once a minute). */
let prunedAt = 0;

async function pruneOldAnswers(db: Knex, now: number): Promise<void> {
  if (now - prunedAt < PRUNE_EVERY_MS && now >= prunedAt) return;
  prunedAt = now;
  await db('portal_requests').where('created_at', '<=', new Date(now - KEEP_MS).toISOString()).delete();
}

export type Claimed = { kind: 'first'; id: number; claimedAt: string } | { kind: 'replay'; status: number; body: string };

export function requestHash(method: string, path: string, body: unknown): string {
  return crypto.createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`, 'utf8').digest('hex');
}

/** Claim `idempotencyKey` for this request, or get the first answer to replay. */
export async function claimRequest(
  { db, clock }: { db: Knex; clock: Clock },
  input: { portalKeyId: number; idempotencyKey: string; requestHash: string },
): Promise<Claimed> {
  if (!IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey)) {
    throw new DeskError('VALIDATION', 'Idempotency-Key: use 1–128 visible ASCII characters, such as a UUID.', { field: 'Idempotency-Key' });
  }
  const now = clock.now();
  await pruneOldAnswers(db, now.getTime());
  // This key's own answer past its keeping time is gone whatever the prune's pace.
  await db('portal_requests')
    .where({ portal_key_id: input.portalKeyId, idempotency_key: input.idempotencyKey })
    .andWhere('created_at', '<=', new Date(now.getTime() - KEEP_MS).toISOString())
    .delete();
  const row = { portal_key_id: input.portalKeyId, idempotency_key: input.idempotencyKey, request_hash: input.requestHash, status: 'pending', created_at: now.toISOString() };
  const inserted = await db('portal_requests').insert(row).onConflict(['portal_key_id', 'idempotency_key']).ignore().returning<Array<{ id: number }>>('id');
  if (inserted.length > 0) return { kind: 'first', id: Number(inserted[0]!.id), claimedAt: row.created_at };
  const first = await db('portal_requests')
    .where({ portal_key_id: input.portalKeyId, idempotency_key: input.idempotencyKey })
    .first<
      { id: number; request_hash: string; status: string; response_status: number | null; response_body: string | null; created_at: unknown } | undefined
    >('id', 'request_hash', 'status', 'response_status', 'response_body', 'created_at');
  if (!first) throw new DeskError('CONFLICT', 'The first request with this Idempotency-Key was just let go: send it again.');
  if (first.request_hash !== input.requestHash) {
    throw new DeskError('CONFLICT', 'This Idempotency-Key was used for another request: use a new key for a new request.', { field: 'Idempotency-Key' });
  }
  if (first.status !== 'done' || first.response_status === null || first.response_body === null) {
    // Pending for longer than any request takes: its instance died. Take the claim over (only one
    // retry can: the update names the claim time it saw).
    const claimedAt = toIso(first.created_at)!;
    if (now.getTime() - Date.parse(claimedAt) >= PENDING_STALE_MS) {
      const taken = await db('portal_requests').where({ id: first.id, status: 'pending', created_at: first.created_at }).update({ created_at: now.toISOString() });
      if (taken === 1) return { kind: 'first', id: Number(first.id), claimedAt: now.toISOString() };
    }
    throw new DeskError('CONFLICT', 'The first request with this Idempotency-Key is still being answered: try again in a moment.', { retryAfterSeconds: 1 });
  }
  return { kind: 'replay', status: Number(first.response_status), body: first.response_body };
}

/**
 * Keep the answer the first request got. Only while the claim is still this request's (a claim
 * taken over after PENDING_STALE_MS carries a new claim time, and its answer is the newer one).
 */
export async function settleRequest(db: Knex, claim: { id: number; claimedAt: string }, status: number, body: string): Promise<void> {
  await db('portal_requests').where({ id: claim.id, status: 'pending', created_at: claim.claimedAt }).update({ status: 'done', response_status: status, response_body: body });
}

/** Let the key go after an unexpected failure, so that a retry runs again (only this request's claim). */
export async function releaseRequest(db: Knex, claim: { id: number; claimedAt: string }): Promise<void> {
  await db('portal_requests').where({ id: claim.id, status: 'pending', created_at: claim.claimedAt }).delete();
}
