/**
 * Idempotency-Key for the portal's requests that send mail: the first request with a key claims
 * it (a 'pending' row, unique per portal key) before anything is done; its answer is kept once
 * given; a retry with the same key and the same request gets that answer again and changes and
 * sends nothing. The same key for another request, or while the first is still being answered,
 * is refused with CONFLICT. An unexpected failure (not a refusal) lets the key go, so the retry runs.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export type Claimed = { kind: 'first'; id: number } | { kind: 'replay'; status: number; body: string };

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
  const row = { portal_key_id: input.portalKeyId, idempotency_key: input.idempotencyKey, request_hash: input.requestHash, status: 'pending', created_at: clock.now().toISOString() };
  const inserted = await db('portal_requests').insert(row).onConflict(['portal_key_id', 'idempotency_key']).ignore().returning<Array<{ id: number }>>('id');
  if (inserted.length > 0) return { kind: 'first', id: Number(inserted[0]!.id) };
  const first = await db('portal_requests')
    .where({ portal_key_id: input.portalKeyId, idempotency_key: input.idempotencyKey })
    .first<{ request_hash: string; status: string; response_status: number | null; response_body: string | null } | undefined>('request_hash', 'status', 'response_status', 'response_body');
  if (!first) throw new DeskError('CONFLICT', 'The first request with this Idempotency-Key was just let go: send it again.');
  if (first.request_hash !== input.requestHash) {
    throw new DeskError('CONFLICT', 'This Idempotency-Key was used for another request: use a new key for a new request.', { field: 'Idempotency-Key' });
  }
  if (first.status !== 'done' || first.response_status === null || first.response_body === null) {
    throw new DeskError('CONFLICT', 'The first request with this Idempotency-Key is still being answered: try again in a moment.', { retryAfterSeconds: 1 });
  }
  return { kind: 'replay', status: Number(first.response_status), body: first.response_body };
}

/** Keep the answer the first request got. */
export async function settleRequest(db: Knex, id: number, status: number, body: string): Promise<void> {
  await db('portal_requests').where({ id }).update({ status: 'done', response_status: status, response_body: body });
}

/** Let the key go after an unexpected failure, so that a retry runs again. */
export async function releaseRequest(db: Knex, id: number): Promise<void> {
  await db('portal_requests').where({ id, status: 'pending' }).delete();
}
