import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import type { Vault } from '../secrets/vault';
import { EVENT_MAC_PURPOSE, eventHash, GENESIS_HASH, type AuditContent } from './chain';
import { SYSTEM_ACTOR } from './audit.service';
import { CHECKPOINT_FILE, writeCheckpoint, type CheckpointDeps } from './integrity';

/**
 * Signing the events written before events were signed (migration 0019), once.
 *
 * The migration has no data key, so the core does it when it opens. Only the trail as it was
 * before signing began is signed: the events up to a boundary fixed the first time (the event
 * before the first signed one, or the head when none is signed yet), kept in the settings table
 * under its own MAC. An unsigned event after the boundary was written outside MFA Desk, and stays
 * unsigned for `verify` to report. Each event is checked against the chain as it is signed; at the
 * first that does not hold, signing stops and the break is left for `verify` to report (signing it
 * would bless it).
 *
 * The boundary is fixed once. When its record is missing but signing has clearly begun (a
 * checkpoint of the kind written since, in the database or this desk's checkpoint file), nothing is
 * signed: someone removed the record to have events of their own signed. Right after signing, a
 * checkpoint is written, so that evidence exists from then on.
 */

const SETTING = 'audit.signedFrom';
const BOUNDARY_PURPOSE = 'audit.legacy-boundary';
const PAGE = 2000;

export interface LegacySigning {
  /** The last event of the trail as it was before signing began (0: nothing to sign). */
  boundary: number;
  signed: number;
  /** Where signing stopped at a break in the chain, or null. */
  stoppedAt: number | null;
  /** The record of the boundary is missing although signing began: nothing was signed. */
  boundaryMissing: boolean;
}

interface Boundary {
  upTo: number;
  mac: string;
}

/** Has signing begun here: a checkpoint that signs the one before it (migration 0019 on)? */
async function signingBegan(db: Knex, dataDir: string | undefined): Promise<boolean> {
  if (await db('audit_checkpoints').whereNotNull('prev_mac').first('id')) return true;
  if (!dataDir) return false;
  try {
    return fs.readFileSync(path.join(dataDir, CHECKPOINT_FILE), 'utf8').includes('"prev_mac"');
  } catch {
    return false;
  }
}

async function boundaryOf(db: Knex, clock: Clock, vault: Vault, dataDir: string | undefined): Promise<number | null | 'missing'> {
  const read = async () => {
    const row = await db('settings').where({ key: SETTING }).first<{ value: string } | undefined>('value');
    return row ? (JSON.parse(row.value) as Boundary) : null;
  };
  let b = await read();
  if (!b && (await signingBegan(db, dataDir))) return 'missing';
  if (!b) {
    const firstSigned = (await db('audit_events').whereNotNull('mac').min({ s: 'seq' }).first()) as { s: number | string | null };
    const head = (await db('audit_events').max({ s: 'seq' }).first()) as { s: number | string | null };
    const upTo = firstSigned.s != null ? Number(firstSigned.s) - 1 : Number(head.s ?? 0);
    const value: Boundary = { upTo, mac: vault.mac(BOUNDARY_PURPOSE, String(upTo)) };
    await db('settings').insert({ key: SETTING, value: JSON.stringify(value), updated_at: clock.now().toISOString() }).onConflict('key').ignore();
    b = await read(); // another desk sharing the database may have fixed it first
  }
  if (!b || !Number.isInteger(b.upTo) || !vault.macEquals(BOUNDARY_PURPOSE, String(b.upTo), b.mac)) return null;
  return b.upTo;
}

type Row = AuditContent & { id: number; seq: number | string; prev_hash: string; hash: string; mac: string | null };

export async function signLegacyEvents(deps: CheckpointDeps, opts: { onProgress?: (signed: number) => void } = {}): Promise<LegacySigning> {
  const { db, clock, vault, dataDir } = deps;
  const boundary = await boundaryOf(db, clock, vault, dataDir);
  if (boundary === 'missing') return { boundary: 0, signed: 0, stoppedAt: null, boundaryMissing: true };
  if (boundary === null) return { boundary: 0, signed: 0, stoppedAt: null, boundaryMissing: false };
  const result = await signUpTo(db, vault, boundary, opts.onProgress);
  if (result.signed > 0) await writeCheckpoint(deps, SYSTEM_ACTOR, { reason: 'upgrade' });
  return { ...result, boundaryMissing: false };
}

async function signUpTo(db: Knex, vault: Vault, boundary: number, onProgress?: (signed: number) => void): Promise<Omit<LegacySigning, 'boundaryMissing'>> {
  const first = (await db('audit_events').whereNull('mac').andWhere('seq', '<=', boundary).min({ s: 'seq' }).first()) as { s: number | string | null };
  if (first.s == null) return { boundary, signed: 0, stoppedAt: null };
  let expected = Number(first.s);
  let prevHash = GENESIS_HASH;
  if (expected > 1) {
    const before = await db('audit_events').where({ seq: expected - 1 }).first<{ hash: string } | undefined>('hash');
    if (!before) return { boundary, signed: 0, stoppedAt: expected - 1 };
    prevHash = before.hash;
  }
  const pg = databaseKind(db) === 'postgres';
  let signed = 0;
  while (expected <= boundary) {
    const rows = (await db('audit_events').where('seq', '>=', expected).andWhere('seq', '<=', boundary).orderBy('seq').limit(PAGE).select()) as Row[];
    if (rows.length === 0) break;
    const macs: Array<[number, string]> = [];
    let stoppedAt: number | null = null;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected || r.prev_hash !== prevHash || eventHash(seq, r, prevHash) !== r.hash) {
        stoppedAt = expected;
        break;
      }
      if (r.mac == null) macs.push([seq, vault.mac(EVENT_MAC_PURPOSE, r.hash)]);
      prevHash = r.hash;
      expected = seq + 1;
    }
    for (let i = 0; i < macs.length; i += 500) {
      const chunk = macs.slice(i, i + 500);
      const values = chunk.flat();
      const tuples = chunk.map(() => (pg ? '(?::integer, ?)' : '(?, ?)')).join(', ');
      // Only an empty mac may be filled in (the append-only triggers allow nothing else).
      await db.raw(
        pg
          ? `UPDATE audit_events SET mac = v.mac FROM (VALUES ${tuples}) AS v(seq, mac) WHERE audit_events.seq = v.seq AND audit_events.mac IS NULL`
          : `UPDATE audit_events SET mac = v.column2 FROM (VALUES ${tuples}) AS v WHERE audit_events.seq = v.column1 AND audit_events.mac IS NULL`,
        values,
      );
    }
    signed += macs.length;
    onProgress?.(signed);
    if (stoppedAt !== null) return { boundary, signed, stoppedAt };
  }
  return { boundary, signed, stoppedAt: null };
}
