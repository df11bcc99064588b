import { insertedId, type InsertedId } from '../db/values';
import fs from 'node:fs';
import type { Deps } from '../handler';
import path from 'node:path';
import type { Knex } from 'knex';
import type { AuditBreak, AuditCheckpointInfo, AuditVerifyReport } from '../../../shared/domain';
import type { Vault } from '../secrets/vault';
import { recordAudit, SYSTEM_ACTOR, type Actor } from './audit.service';
import { chainHead, EVENT_MAC_PURPOSE, eventHash, GENESIS_HASH, isoOrRaw, lockChain, type AuditContent } from './chain';

/**
 * Checking the chain, and the signed checkpoints that make cutting events off its end visible.
 *
 * Every event is signed (see chain.ts), so an event written, changed or rehashed outside MFA Desk
 * fails on its own. What signatures cannot show is events cut off the end: a checkpoint pins the
 * head (seq, hash, count, time) with an HMAC under a key derived from the data key, which is not in
 * the database (key file or the OS keychain), and signs the checkpoint before it too. One is written
 * within minutes of new events (and when a desk closes), daily, on every export and on demand, into
 * the append-only table audit_checkpoints and, as a copy, into <data dir>/audit/checkpoints.jsonl.
 * A chain that ends before a checkpoint's head, or differs from it there, has lost or rewritten
 * events since; a checkpoint in the file but not in the database, or one missing between two in
 * the database, was deleted.
 */

const MAC_PURPOSE = 'audit.checkpoint';

/** A value from a row that may have been written around the desk, safe to print: no controls, short. */
function printable(v: string): string {
  const clean = v.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** Breaks in the events come first in a report; those of the checkpoints after (they cannot crowd the events out). */
const CHECKPOINT_KINDS = new Set(['forged_checkpoint', 'missing_checkpoint']);
const FORMAT = 'mfa-desk.audit.checkpoint.v1';
/** v2 also signs the checkpoint before it (prev_mac; '' for the first). */
const FORMAT_V2 = 'mfa-desk.audit.checkpoint.v2';
const PAGE = 5000;
export const CHECKPOINT_FILE = path.join('audit', 'checkpoints.jsonl');
export const DAILY_MS = 24 * 60 * 60_000;

/** What signing and checking checkpoints needs: the chain, the key, and the data directory for the file copy. */
export type CheckpointDeps = Deps<'db' | 'clock' | 'vault' | 'dataDir'>;
/** New events are pinned by a checkpoint at most this long after the newest one (plus the check's interval). */
const PERIODIC_MS = 5 * 60_000;

export type CheckpointReason = 'daily' | 'periodic' | 'shutdown' | 'upgrade' | 'export' | 'manual';

interface CheckpointRow {
  id?: number;
  created_at: string | Date;
  head_seq: number;
  head_hash: string;
  event_count: number;
  reason: string;
  created_by: string;
  mac: string;
  /** The checkpoint before this one's mac ('' for the first); null on checkpoints from before v2. */
  prev_mac?: string | null;
}

function checkpointText(c: CheckpointRow): string {
  const common = [isoOrRaw(c.created_at), Number(c.head_seq), c.head_hash, Number(c.event_count), c.reason, c.created_by];
  return c.prev_mac == null ? JSON.stringify([FORMAT, ...common]) : JSON.stringify([FORMAT_V2, ...common, c.prev_mac]);
}

/**
 * Sign the chain's head now. In its own transaction, holding the chain's lock, so the head and the
 * count belong together; the file copy is appended after the commit.
 */
export async function writeCheckpoint(
  { db, clock, vault, dataDir }: CheckpointDeps,
  actor: Actor,
  { reason }: { reason: CheckpointReason },
): Promise<AuditCheckpointInfo> {
  const opts = { reason, createdBy: actor.name, dataDir };
  const row = await db.transaction(async (trx) => {
    await lockChain(trx);
    const head = await chainHead(trx);
    // Each checkpoint signs the row before it, whatever that row is: verify compares them in order.
    const before = await trx('audit_checkpoints').orderBy('id', 'desc').first<{ mac: string } | undefined>('mac');
    const cp: CheckpointRow = {
      created_at: clock.now().toISOString(),
      head_seq: head.seq,
      head_hash: head.hash,
      event_count: head.seq,
      reason: opts.reason,
      created_by: opts.createdBy,
      mac: '',
      prev_mac: before?.mac ?? '',
    };
    cp.mac = vault.mac(MAC_PURPOSE, checkpointText(cp));
    const [r] = await trx('audit_checkpoints').insert(cp).returning<InsertedId[]>('id');
    return { ...cp, id: insertedId(r) };
  });
  if (opts.dataDir) {
    const file = path.join(opts.dataDir, CHECKPOINT_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, JSON.stringify({ ...row, created_at: new Date(row.created_at).toISOString() }) + '\n', { mode: 0o600 });
  }
  return info(row);
}

function info(c: CheckpointRow): AuditCheckpointInfo {
  return { at: isoOrRaw(c.created_at), headSeq: Number(c.head_seq), headHash: c.head_hash, eventCount: Number(c.event_count), reason: c.reason, createdBy: c.created_by };
}

/** The newest checkpoint in the database, or null. */
export async function latestCheckpoint(db: Knex): Promise<AuditCheckpointInfo | null> {
  const row = (await db('audit_checkpoints').orderBy('id', 'desc').first()) as CheckpointRow | undefined;
  return row ? info(row) : null;
}

/**
 * The newest checkpoint signed with this desk's key (a row slipped into the table, dated far ahead
 * or claiming a later head, must not stop the desk from signing), among the last hundred.
 */
async function newestGenuine(db: Knex, vault: Vault): Promise<CheckpointRow | undefined> {
  const rows = (await db('audit_checkpoints').orderBy('id', 'desc').limit(100).select()) as CheckpointRow[];
  return rows.find((c) => vault.macEquals(MAC_PURPOSE, checkpointText(c), c.mac) && !isoOrRaw(c.created_at).startsWith('invalid:'));
}

/**
 * Write a checkpoint when one is due: 'periodic' when events were added since the newest checkpoint
 * and that one is at least PERIODIC_MS old (or there is none); 'daily' when nothing was signed for a
 * day, events or not. The app and the browser host check at open and then every minute.
 */
export async function checkpointIfDue(deps: CheckpointDeps): Promise<AuditCheckpointInfo | null> {
  const { db, clock, vault } = deps;
  const newest = await newestGenuine(db, vault);
  const age = newest ? clock.now().getTime() - new Date(newest.created_at).getTime() : Number.POSITIVE_INFINITY;
  const moved = (await chainHead(db)).seq > Number(newest?.head_seq ?? 0);
  if (moved && age >= PERIODIC_MS) return writeCheckpoint(deps, SYSTEM_ACTOR, { reason: 'periodic' });
  if (age >= DAILY_MS) return writeCheckpoint(deps, SYSTEM_ACTOR, { reason: 'daily' });
  return null;
}

/** When a desk closes: pin the head if events were added since the newest checkpoint. */
export async function checkpointAtShutdown(deps: CheckpointDeps): Promise<AuditCheckpointInfo | null> {
  const { db, vault } = deps;
  const newest = await newestGenuine(db, vault);
  const head = await chainHead(db);
  if (head.seq === 0 || head.seq <= Number(newest?.head_seq ?? 0)) return null;
  return writeCheckpoint(deps, SYSTEM_ACTOR, { reason: 'shutdown' });
}

function readCheckpointFile(dataDir: string | undefined): { rows: CheckpointRow[]; unreadable: number } {
  if (!dataDir) return { rows: [], unreadable: 0 };
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, CHECKPOINT_FILE), 'utf8');
  } catch {
    return { rows: [], unreadable: 0 };
  }
  const rows: CheckpointRow[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const c = JSON.parse(line) as CheckpointRow;
      if (typeof c.head_hash !== 'string' || !Number.isInteger(c.head_seq) || typeof c.mac !== 'string') throw new Error('shape');
      rows.push(c);
    } catch {
      unreadable += 1;
    }
  }
  return { rows, unreadable };
}

interface EventRow extends AuditContent {
  id: number;
  seq: number | string | null;
  prev_hash: string | null;
  hash: string | null;
  mac: string | null;
}

/**
 * Walk the whole chain in seq order and check every checkpoint against it. Reports the first broken
 * link (the smallest seq where the trail stops being trustworthy) and what kind of break it is.
 */
export async function verifyAuditChain(
  db: Knex,
  vault: Vault,
  opts: { dataDir?: string | undefined; onProgress?: (checked: number) => void } = {},
): Promise<AuditVerifyReport> {
  const fromDb = (await db('audit_checkpoints').orderBy('id').select()) as CheckpointRow[];
  const fromFile = readCheckpointFile(opts.dataDir);
  const checkpoints = [...fromDb.map((c) => ({ c, source: 'database' as const })), ...fromFile.rows.map((c) => ({ c, source: 'file' as const }))];

  const breaks: AuditBreak[] = [];
  const note = (b: AuditBreak) => breaks.push(b);
  // Signatures first: a checkpoint that is not ours proves nothing.
  const trusted = new Map<number, Array<{ hash: string; source: string }>>();
  for (const { c, source } of checkpoints) {
    if (!vault.macEquals(MAC_PURPOSE, checkpointText(c), c.mac) || Number(c.event_count) !== Number(c.head_seq)) {
      note({ kind: 'forged_checkpoint', seq: Number(c.head_seq) || 0, detail: `a checkpoint in the ${source} (${printable(isoOrRaw(c.created_at))}) is not signed with this desk's key` });
      continue;
    }
    const list = trusted.get(Number(c.head_seq)) ?? [];
    list.push({ hash: c.head_hash, source });
    trusted.set(Number(c.head_seq), list);
  }
  if (fromFile.unreadable > 0) note({ kind: 'forged_checkpoint', seq: 0, detail: `${fromFile.unreadable} line(s) of ${CHECKPOINT_FILE} cannot be read` });
  // Checkpoints deleted from the database: each v2 checkpoint signs the one before it, and every
  // genuine checkpoint in this desk's file must still be in the database.
  for (const [i, c] of fromDb.entries()) {
    // A row that is not genuine is reported as forged above; only a genuine one vouches for the one before it.
    if (c.prev_mac == null || !vault.macEquals(MAC_PURPOSE, checkpointText(c), c.mac)) continue;
    const before = i === 0 ? '' : fromDb[i - 1]!.mac;
    if (c.prev_mac !== before) {
      const after = i === 0 ? 0 : Number(fromDb[i - 1]!.head_seq);
      note({ kind: 'missing_checkpoint', seq: after + 1, detail: `a checkpoint signed before the one of ${printable(isoOrRaw(c.created_at))} (at event ${Number(c.head_seq)}) is no longer in the database` });
    }
  }
  const inDb = new Set(fromDb.map((c) => c.mac));
  for (const c of fromFile.rows) {
    if (inDb.has(c.mac) || !vault.macEquals(MAC_PURPOSE, checkpointText(c), c.mac)) continue;
    note({ kind: 'missing_checkpoint', seq: Number(c.head_seq), detail: `the checkpoint of ${printable(isoOrRaw(c.created_at))} at event ${Number(c.head_seq)} is in ${CHECKPOINT_FILE} but no longer in the database` });
  }

  let expected = 1;
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let checked = 0;
  const hashAt = new Map<number, string>();
  const wanted = new Set(trusted.keys());
  // Events that fail their signature come in runs (a rehash signs nothing): one break per run.
  let run: { kind: 'forged' | 'unsigned'; from: number; to: number } | null = null;
  const endRun = () => {
    if (!run) return;
    const { kind, from, to } = run;
    const which = from === to ? `event ${from}` : `events ${from}–${to}`;
    note({
      kind,
      seq: from,
      detail:
        kind === 'forged'
          ? `${which} ${from === to ? 'is' : 'are'} not signed with this desk's key`
          : `${which} ${from === to ? 'has' : 'have'} no signature`,
    });
    run = null;
  };
  const signature = (kind: 'forged' | 'unsigned', seq: number) => {
    if (run && run.kind === kind && run.to === seq - 1) run.to = seq;
    else {
      endRun();
      run = { kind, from: seq, to: seq };
    }
  };
  for (;;) {
    const rows = (await db('audit_events').whereNotNull('seq').andWhere('seq', '>', lastSeq).orderBy('seq').limit(PAGE).select()) as EventRow[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq > expected) note({ kind: 'deleted', seq: expected, detail: seq - expected === 1 ? `event ${expected} is missing` : `events ${expected}–${seq - 1} are missing` });
      const selfOk = r.hash === eventHash(seq, r, r.prev_hash ?? '');
      const linkOk = r.prev_hash === prevHash;
      if (!selfOk && linkOk) note({ kind: 'edited', seq, detail: `event ${seq} (id ${r.id}) does not match its hash: its content was changed` });
      else if (!selfOk) note({ kind: 'reordered', seq, detail: `event ${seq} (id ${r.id}) is not where it was written: neither its hash nor its link to event ${seq - 1} holds` });
      else if (!linkOk && seq === expected) note({ kind: 'inserted', seq, detail: `event ${seq} (id ${r.id}) does not link to the event before it: it was put into the chain afterwards` });
      else if (linkOk && !r.mac) signature('unsigned', seq);
      else if (linkOk && !vault.macEquals(EVENT_MAC_PURPOSE, r.hash ?? '', r.mac ?? '')) signature('forged', seq);
      if (wanted.has(seq)) hashAt.set(seq, r.hash ?? '');
      prevHash = r.hash ?? '';
      expected = seq + 1;
      lastSeq = seq;
      checked += 1;
    }
    opts.onProgress?.(checked);
  }
  endRun();
  const unchained = (await db('audit_events').whereNull('seq').count({ n: '*' }).first()) as { n: number | string };
  if (Number(unchained.n) > 0) {
    const first = (await db('audit_events').whereNull('seq').min({ id: 'id' }).first()) as { id: number };
    note({ kind: 'inserted', seq: lastSeq + 1, detail: `${Number(unchained.n)} event(s) outside the chain (first id ${first.id})` });
  }
  // Every trusted checkpoint must find its head on the chain.
  for (const [seq, list] of trusted) {
    for (const cp of list) {
      if (seq === 0) continue;
      if (seq > lastSeq) note({ kind: 'truncated', seq: lastSeq + 1, detail: `a signed checkpoint (${cp.source}) saw the chain reach event ${seq}; it now ends at ${lastSeq}` });
      else if (hashAt.get(seq) !== cp.hash) note({ kind: 'rewritten', seq, detail: `event ${seq} differs from the signed checkpoint (${cp.source}): the chain was rewritten up to there` });
    }
  }
  breaks.sort((a, b) => Number(CHECKPOINT_KINDS.has(a.kind)) - Number(CHECKPOINT_KINDS.has(b.kind)) || a.seq - b.seq);
  // The newest checkpoint that is genuine: a forged row (reported above) is not shown as the latest.
  const newest = [...fromDb].reverse().find((c) => vault.macEquals(MAC_PURPOSE, checkpointText(c), c.mac));
  const latest = newest ? info(newest) : null;
  return {
    ok: breaks.length === 0,
    events: checked,
    headSeq: lastSeq,
    headHash: lastSeq === 0 ? GENESIS_HASH : prevHash,
    checkpointsChecked: checkpoints.length,
    latestCheckpoint: latest,
    firstBreak: breaks[0] ?? null,
    breaks: breaks.slice(0, 20),
  };
}

/** verifyAuditChain for a desk user, who is named in the trail with the outcome. */
export async function verifyAuditTrail(
  deps: CheckpointDeps & Deps<'reader'>,
  actor: Actor,
  { onProgress }: { onProgress?: (checked: number) => void } = {},
): Promise<AuditVerifyReport> {
  const { db, clock, vault } = deps;
  const opts = { reader: deps.reader, dataDir: deps.dataDir, onProgress };
  // The walk only reads (the query-only connection on sqlite); the record of it is a write.
  const report = await verifyAuditChain(opts.reader ?? db, vault, opts);
  await recordAudit(db, clock, {
    actor,
    action: 'audit.verified',
    details: {
      intact: report.ok,
      events: report.events,
      headSeq: report.headSeq,
      firstBreak: report.firstBreak ? { kind: report.firstBreak.kind, seq: report.firstBreak.seq } : null,
    },
  });
  return report;
}
