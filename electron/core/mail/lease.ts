/**
 * Claiming due mail: a sender takes outbox rows under a token and a lease, so desks that share a
 * database deliver different rows and a crashed sender's rows come free when its lease runs out.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { toBool, toIso, toText } from '../db/values';

/** How long a claim holds a row: another sender may take it over after this (a crash, a hang). */
export const DEFAULT_LEASE_MS = 2 * 60_000;

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
