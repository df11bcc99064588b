/**
 * The keys `desk portal` accepts, one set per integration of the self-service portal. A key is 32
 * random bytes shown once when it is made; the desk keeps its SHA-256 only (the key carries its
 * own entropy, so no salt or slow hash is needed to make the stored value useless). An integration
 * has at most two live keys: a new one is rolled out while the old one still works, then the old
 * one is revoked. Every change is audited in its transaction; a key's use is not (the calls it
 * makes are).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { PortalKeyCreated, PortalKeyView } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { PORTAL_KEY_HINT_LENGTH, PORTAL_KEY_PREFIX } from '../../../shared/schemas';
import { recordAudit, type Actor } from '../audit/audit.service';
import { databaseKind } from '../db/connection';
import { insertedId, toIso, type InsertedId } from '../db/values';
import type { Deps } from '../handler';

/** Live keys an integration may have at once: the one in use and the one replacing it. */
export const MAX_LIVE_KEYS = 2;
/** "Last used" is written at most this often per key, not on every request. */
const LAST_USED_EVERY_MS = 60_000;

/** Who a portal call acts as in the audit trail. */
export function portalActor(integration: string): Actor {
  return { userId: null, name: `portal:${integration}` };
}

export function hashPortalKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

function toView(r: Record<string, unknown>): PortalKeyView {
  return {
    id: Number(r.id),
    integration: String(r.integration),
    hint: String(r.hint),
    createdAt: toIso(r.created_at)!,
    createdBy: String(r.created_by_name),
    lastUsedAt: toIso(r.last_used_at),
    revokedAt: toIso(r.revoked_at),
    revokedBy: (r.revoked_by_name as string | null) ?? null,
  };
}

const COLUMNS = ['id', 'integration', 'hint', 'created_at', 'created_by_name', 'last_used_at', 'revoked_at', 'revoked_by_name'] as const;

/** Every key, live ones first, then by integration and newest first. */
export async function listPortalKeys(db: Knex): Promise<PortalKeyView[]> {
  const rows = await db('portal_keys')
    .select<Record<string, unknown>[]>(...COLUMNS)
    .orderByRaw('CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END')
    .orderBy([
      { column: 'integration', order: 'asc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map(toView);
}

/** An integration's live keys, held for the transaction so that two desks cannot both add a third. */
async function liveKeys(trx: Knex.Transaction, integration: string): Promise<Record<string, unknown>[]> {
  const live = () => trx('portal_keys').where({ integration }).whereNull('revoked_at').orderBy('id');
  if (databaseKind(trx) === 'postgres') return live().forUpdate().select<Record<string, unknown>[]>(...COLUMNS);
  // sqlite: a write statement takes the database's write lock before anything is read.
  await trx('portal_keys').where({ integration }).update({ integration });
  return live().select<Record<string, unknown>[]>(...COLUMNS);
}

/** Make a key for an integration (its first, or the one that replaces a live one). */
export async function addPortalKey({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { integration }: { integration: string }): Promise<PortalKeyCreated> {
  return db.transaction(async (trx) => {
    const live = await liveKeys(trx, integration);
    if (live.length >= MAX_LIVE_KEYS) {
      throw new DeskError(
        'RULE_VIOLATION',
        `The integration ${integration} already has ${MAX_LIVE_KEYS} live keys (${live.map((r) => String(r.hint)).join(', ')}): revoke the one it no longer uses first.`,
        { field: 'integration' },
      );
    }
    const key = PORTAL_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const row = {
      integration,
      key_hash: hashPortalKey(key),
      hint: key.slice(0, PORTAL_KEY_HINT_LENGTH),
      created_at: clock.now().toISOString(),
      created_by_name: actor.name,
    };
    const [r] = await trx('portal_keys').insert(row).returning<InsertedId[]>('id');
    const id = insertedId(r);
    await recordAudit(trx, clock, { actor, action: 'portal_key.created', details: { integration, keyId: id, hint: row.hint, liveKeys: live.length + 1 } });
    return { portalKey: toView({ ...row, id, last_used_at: null, revoked_at: null, revoked_by_name: null }), key };
  });
}

/**
 * Revoke a live key of an integration: the one named by its hint, or its only live key. With two
 * live keys and no hint, nothing is revoked and the hints are given, so the wrong one is not cut.
 */
export async function revokePortalKey(
  { db, clock }: Deps<'db' | 'clock'>,
  actor: Actor,
  { integration, hint }: { integration: string; hint?: string | null | undefined },
): Promise<PortalKeyView> {
  return db.transaction(async (trx) => {
    const live = await liveKeys(trx, integration);
    if (live.length === 0) throw new DeskError('NOT_FOUND', `The integration ${integration} has no live key.`, { field: 'integration' });
    let target: Record<string, unknown> | undefined;
    if (hint) {
      target = live.find((r) => r.hint === hint);
      if (!target) throw new DeskError('NOT_FOUND', `The integration ${integration} has no live key ${hint}; its live keys are ${live.map((r) => String(r.hint)).join(', ')}.`, { field: 'hint' });
    } else if (live.length > 1) {
      throw new DeskError('VALIDATION', `The integration ${integration} has ${live.length} live keys (${live.map((r) => String(r.hint)).join(', ')}): say which to revoke by its hint.`, { field: 'hint' });
    } else {
      target = live[0]!;
    }
    const now = clock.now().toISOString();
    await trx('portal_keys').where({ id: target.id }).update({ revoked_at: now, revoked_by_name: actor.name });
    await recordAudit(trx, clock, { actor, action: 'portal_key.revoked', details: { integration, keyId: Number(target.id), hint: String(target.hint) } });
    return toView({ ...target, revoked_at: now, revoked_by_name: actor.name });
  });
}

/**
 * The integration a presented key belongs to, or null for a missing, malformed, unknown or revoked
 * key (the caller answers all of those alike). Notes "last used" at most once a minute.
 */
export async function authenticatePortalKey({ db, clock }: Deps<'db' | 'clock'>, presented: string | undefined): Promise<{ keyId: number; integration: string } | null> {
  if (!presented || !presented.startsWith(PORTAL_KEY_PREFIX) || presented.length > 100) return null;
  const row = await db('portal_keys').where({ key_hash: hashPortalKey(presented) }).whereNull('revoked_at').first<Record<string, unknown> | undefined>('id', 'integration', 'last_used_at');
  if (!row) return null;
  const now = clock.now();
  const last = toIso(row.last_used_at);
  if (!last || now.getTime() - Date.parse(last) >= LAST_USED_EVERY_MS) {
    await db('portal_keys').where({ id: row.id }).update({ last_used_at: now.toISOString() });
  }
  return { keyId: Number(row.id), integration: String(row.integration) };
}
