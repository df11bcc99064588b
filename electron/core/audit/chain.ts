import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { databaseKind } from '../db/connection';
import { vaultOf } from '../secrets/db-vault';

/**
 * The audit trail is a hash chain. Every event carries a sequence number (1, 2, 3, … with no gap),
 * the hash of the event before it and its own hash: SHA-256 over a canonical serialisation of its
 * content and that previous hash. Editing an event changes its hash; deleting one leaves a gap in
 * the sequence; moving or slipping one in breaks the link to the event before. The database refuses
 * UPDATE and DELETE on the table (triggers, migration 0015), so the chain can only be broken by
 * someone who goes around MFA Desk; `desk audit verify` finds where.
 *
 * The chain alone is keyless: whoever can write to the database and knows the format could append
 * a correctly chained event, or rehash every event after one they change. So every event is also
 * signed (migration 0019): `mac` is an HMAC of its hash (which covers its content and its link to
 * the event before) under a key derived from the data key, which is not in the database. An event
 * written, changed or rehashed outside MFA Desk fails its own signature.
 */

/** The hash "before" the first event. */
export const GENESIS_HASH = '0'.repeat(64);
const FORMAT = 'mfa-desk.audit.v1';

/** An audit event's content, as stored (details as the JSON text in the column). */
export type AuditContent = {
  occurred_at: string | Date;
  actor_user_id: number | null;
  actor_name: string;
  employee_id: number | null;
  ticket_ref: string | null;
  action: string;
  result: string;
  details: string;
};

export interface ChainedEvent extends AuditContent {
  seq: number;
  prev_hash: string;
  hash: string;
  mac: string;
}

/** The vault purpose of an event's signature. */
export const EVENT_MAC_PURPOSE = 'audit.event';

export interface ChainHead {
  seq: number;
  hash: string;
}

const nullableInt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * A stored time as ISO-8601 UTC with milliseconds; a value that is not a time (written around the
 * desk) is kept as it is, so it hashes to something else and shows as a break instead of an error.
 */
export function isoOrRaw(v: unknown): string {
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? `invalid:${String(v)}` : d.toISOString();
}

/**
 * The exact bytes that are hashed: a JSON array in a fixed order. Times are ISO-8601 in UTC with
 * milliseconds (PostgreSQL hands back a Date, sqlite the text written), ids are numbers or null.
 */
export function canonicalEvent(seq: number, content: AuditContent, prevHash: string): string {
  return JSON.stringify([
    FORMAT,
    seq,
    isoOrRaw(content.occurred_at),
    nullableInt(content.actor_user_id),
    content.actor_name,
    nullableInt(content.employee_id),
    content.ticket_ref ?? null,
    content.action,
    content.result,
    content.details,
    prevHash,
  ]);
}

export function eventHash(seq: number, content: AuditContent, prevHash: string): string {
  return crypto.createHash('sha256').update(canonicalEvent(seq, content, prevHash), 'utf8').digest('hex');
}

/**
 * Appending is one writer at a time: on PostgreSQL a transaction-scoped advisory lock, held until
 * the transaction that writes the event commits; on sqlite the database's own write lock (the
 * unique index on seq refuses a fork whatever happens).
 */
export async function lockChain(trx: Knex.Transaction): Promise<void> {
  if (databaseKind(trx) === 'postgres') await trx.raw("SELECT pg_advisory_xact_lock(hashtext('mfa-desk.audit-chain'))");
}

/** The last event of the chain, or the genesis (seq 0). */
export async function chainHead(q: Knex | Knex.Transaction): Promise<ChainHead> {
  const row = await q('audit_events').whereNotNull('seq').orderBy('seq', 'desc').first<{ seq: number | string; hash: string } | undefined>('seq', 'hash');
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** Give each event its place in the chain after `head`; returns the rows to insert and the new head. */
export function chainEvents<T extends AuditContent>(head: ChainHead, events: readonly T[]): { rows: Array<T & { seq: number; prev_hash: string; hash: string }>; head: ChainHead } {
  let { seq, hash } = head;
  const rows = events.map((e) => {
    const prev = hash;
    seq += 1;
    hash = eventHash(seq, e, prev);
    return { ...e, seq, prev_hash: prev, hash };
  });
  return { rows, head: { seq, hash } };
}

/**
 * Take the chain's lock and give `events` their places after the current head, signed, for a caller
 * that inserts the rows itself (in this transaction, before it commits): the demo seed's bulk
 * insert. The signature needs the vault attached to the database handle (see db-vault.ts).
 */
export async function chainAfterHead<T extends AuditContent>(trx: Knex.Transaction, events: readonly T[]): Promise<Array<T & { seq: number; prev_hash: string; hash: string; mac: string }>> {
  const vault = vaultOf(trx);
  await lockChain(trx);
  return chainEvents(await chainHead(trx), events).rows.map((r) => ({ ...r, mac: vault.mac(EVENT_MAC_PURPOSE, r.hash) }));
}

async function inTransaction<T>(db: Knex | Knex.Transaction, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return (db as Knex.Transaction).isTransaction ? fn(db as Knex.Transaction) : db.transaction(fn);
}

/**
 * Append events to the chain, in order, in the caller's transaction (or one of their own). Returns
 * their ids.
 */
export async function appendEvents(db: Knex | Knex.Transaction, events: readonly AuditContent[]): Promise<number[]> {
  if (events.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const rows = await chainAfterHead(trx, events);
    const ids: number[] = [];
    // 12 values a row: well under sqlite's 32,766 parameters.
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await trx('audit_events').insert(rows.slice(i, i + 500)).returning('id');
      for (const r of inserted) ids.push(typeof r === 'object' ? Number((r as { id: number }).id) : Number(r));
    }
    return ids;
  });
}
