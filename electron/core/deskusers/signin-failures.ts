import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import { ukClock } from '../../../shared/uk-time';
import type { Clock } from '../clock';
import { toIso } from '../db/values';
import type { Vault } from '../secrets/vault';

/**
 * Failed sign-ins, counted per name in the database (signin_failures, migration 0020), for every
 * name that is tried: a desk user's, a disabled one's, or one that does not exist. The row is keyed
 * by a keyed hash of the normalised name, so the names are not kept readable and an unknown name
 * goes through exactly the statements a real one does: the same reservation, the same count, the
 * same lock-out for the same 15 minutes, on every desk sharing the database and after a restart.
 * Nothing in the answers, their number or their timing tells a real name from an unknown one.
 *
 * Rows expire: one with no failure for a day and no lock in force is deleted, and the table is
 * kept to MAX_ROWS (the oldest unlocked rows not tried in the last 15 minutes go first).
 */

export const MAX_FAILED_SIGNINS = 5;
export const LOCK_MINUTES = 15;
const NAME_PURPOSE = 'signin.name';
const KEEP_MS = 24 * 60 * 60_000;
const MAX_ROWS = 10_000;

/** The keyed hash that stands for a username here: NFKC, lower case, as desk usernames are stored. */
export function nameKey(vault: Vault, username: string): string {
  return vault.mac(NAME_PURPOSE, username.normalize('NFKC').toLowerCase());
}

function lockedError(until: Date | null): DeskError {
  return new DeskError(
    'UNAUTHENTICATED',
    until
      ? `Too many failed sign-ins. Try again after ${ukClock(until.toISOString())} (UK time), or ask an admin to unlock your account.`
      : 'Too many sign-in attempts at once. Wait a moment and try again.',
    until ? { lockedUntil: until.toISOString() } : undefined,
  );
}

/**
 * Every check of a secret (password or code) first reserves one of the name's five attempts in a
 * single conditional UPDATE, so checks arriving at once cannot get past the limit or a lock: a
 * reservation is refused while the name is locked or five checks are already counted.
 */
export async function reserveAttempt(db: Knex, clock: Clock, key: string): Promise<void> {
  const now = clock.now().toISOString();
  await db('signin_failures').insert({ name_key: key, failures: 0, locked_until: null, updated_at: now }).onConflict('name_key').ignore();
  // Five reservations with no outcome for a lock-out's length (a desk that stopped mid-check) are
  // let go of, so a name is never stuck behind checks that will not finish.
  const stale = new Date(clock.now().getTime() - LOCK_MINUTES * 60_000).toISOString();
  const reserved = await db('signin_failures')
    .where({ name_key: key })
    .andWhere((b) => void b.whereNull('locked_until').orWhere('locked_until', '<=', now))
    .andWhere((b) => void b.where('failures', '<', MAX_FAILED_SIGNINS).orWhere('updated_at', '<=', stale))
    .update({ failures: db.raw('CASE WHEN failures < ? THEN failures + 1 ELSE 1 END', [MAX_FAILED_SIGNINS]), updated_at: now });
  if (reserved === 1) return;
  const row = await db('signin_failures').where({ name_key: key }).first<{ locked_until: unknown } | undefined>('locked_until');
  const until = toIso(row?.locked_until);
  throw lockedError(until && until > now ? new Date(until) : null);
}

/** The check passed: give the reserved attempt back. */
export async function releaseAttempt(db: Knex, key: string): Promise<void> {
  await db('signin_failures').where({ name_key: key }).andWhere('failures', '>', 0).decrement('failures', 1);
}

/**
 * The check failed: the reserved attempt stays counted; the fifth locks the name for 15 minutes.
 * In the caller's transaction, with its audit row. Expired rows are cleared on the way.
 */
export async function recordFailure(trx: Knex.Transaction, clock: Clock, key: string): Promise<{ failures: number; locked: boolean }> {
  const now = clock.now();
  // One conditional statement locks: of failures finishing at once, exactly one does it.
  const locked =
    (await trx('signin_failures')
      .where({ name_key: key })
      .andWhere('failures', '>=', MAX_FAILED_SIGNINS)
      .update({ failures: 0, locked_until: new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString(), updated_at: now.toISOString() })) === 1;
  const row = await trx('signin_failures').where({ name_key: key }).first<{ failures: number } | undefined>('failures');
  const failures = locked ? MAX_FAILED_SIGNINS : Number(row?.failures ?? 0);
  await pruneFailures(trx, now);
  return { failures, locked };
}

const unlocked = (now: string) => (b: Knex.QueryBuilder) => void b.whereNull('locked_until').orWhere('locked_until', '<=', now);

async function pruneFailures(trx: Knex.Transaction, now: Date): Promise<void> {
  const iso = now.toISOString();
  await trx('signin_failures').where('updated_at', '<', new Date(now.getTime() - KEEP_MS).toISOString()).andWhere(unlocked(iso)).delete();
  const count = (await trx('signin_failures').count({ n: '*' }).first()) as { n: number | string };
  const excess = Number(count.n) - MAX_ROWS;
  if (excess <= 0) return;
  // Never a name tried within a lock-out's length: spraying other names cannot wipe a live count.
  const recent = new Date(now.getTime() - LOCK_MINUTES * 60_000).toISOString();
  const oldest = trx('signin_failures').select('name_key').where(unlocked(iso)).andWhere('updated_at', '<', recent).orderBy('updated_at').limit(excess);
  await trx('signin_failures').whereIn('name_key', oldest).delete();
}

/** Forget a name's failures and lift its lock-out (a successful sign-in, an admin's unlock or reset). */
export async function clearFailures(q: Knex | Knex.Transaction, key: string): Promise<void> {
  await q('signin_failures').where({ name_key: key }).delete();
}

export interface FailureStatus {
  failures: number;
  /** When the lock-out ends, if one is in force. */
  lockedUntil: string | null;
}

/** The failures and lock-out of each key (names with no row: none). */
export async function failureStatus(q: Knex | Knex.Transaction, now: Date, keys: readonly string[]): Promise<Map<string, FailureStatus>> {
  const out = new Map<string, FailureStatus>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await q('signin_failures').whereIn('name_key', keys.slice(i, i + 500)).select<Array<{ name_key: string; failures: number; locked_until: unknown }>>('name_key', 'failures', 'locked_until');
    for (const r of rows) {
      const until = toIso(r.locked_until);
      out.set(r.name_key, { failures: Number(r.failures), lockedUntil: until && until > now.toISOString() ? until : null });
    }
  }
  return out;
}
