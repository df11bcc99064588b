import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Migration } from './types';
import { isPostgres, utc } from './types';

/**
 * The audit trail becomes a hash chain (see audit/chain.ts) that the database keeps append-only:
 * - audit_events gets seq, prev_hash and hash; the events already there are chained in id order;
 * - UPDATE and DELETE (and on PostgreSQL TRUNCATE) on audit_events are refused by triggers. An
 *   employee or desk user with events can therefore no longer be deleted (ON DELETE SET NULL is an
 *   update); MFA Desk never deletes either (leavers stay, desk users are disabled);
 * - audit_checkpoints keeps signed checkpoints (head, count, time, HMAC under a key that is not in
 *   the database), equally append-only, so cutting events off the end is noticed too.
 */

// The chain's format as this migration wrote it (mfa-desk.audit.v1), kept here so that later changes
// to audit/chain.ts cannot change what this migration does. A test checks the two still agree.
const GENESIS_HASH = '0'.repeat(64);
type AuditContent = {
  occurred_at: string | Date;
  actor_user_id: number | null;
  actor_name: string;
  employee_id: number | null;
  ticket_ref: string | null;
  action: string;
  result: string;
  details: string;
};
type ChainHead = { seq: number; hash: string };
const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function eventHashV1(seq: number, e: AuditContent, prevHash: string): string {
  const text = JSON.stringify([
    'mfa-desk.audit.v1', seq, new Date(e.occurred_at).toISOString(), orNull(e.actor_user_id), e.actor_name,
    orNull(e.employee_id), e.ticket_ref ?? null, e.action, e.result, e.details, prevHash,
  ]);
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function chainEvents<T extends AuditContent>(head: ChainHead, events: readonly T[]): { rows: Array<T & { seq: number; prev_hash: string; hash: string }>; head: ChainHead } {
  let { seq, hash } = head;
  const rows = events.map((e) => {
    const prev = hash;
    seq += 1;
    hash = eventHashV1(seq, e, prev);
    return { ...e, seq, prev_hash: prev, hash };
  });
  return { rows, head: { seq, hash } };
}

const APPEND_ONLY = 'is append-only: audit events and checkpoints are never changed or removed';
const GUARDED = ['audit_events', 'audit_checkpoints'] as const;
const CONTENT = ['occurred_at', 'actor_user_id', 'actor_name', 'employee_id', 'ticket_ref', 'action', 'result', 'details'] as const;

async function chainExisting(knex: Knex): Promise<void> {
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let lastId = 0;
  for (;;) {
    const batch = await knex('audit_events').where('id', '>', lastId).orderBy('id').limit(2000).select<Array<AuditContent & { id: number }>>('id', ...CONTENT);
    if (batch.length === 0) return;
    const chained = chainEvents(head, batch);
    head = chained.head;
    lastId = Number(batch[batch.length - 1]!.id);
    const values: Array<string | number> = [];
    for (const r of chained.rows) values.push(Number(r.id), r.seq, r.prev_hash, r.hash);
    if (isPostgres(knex)) {
      const tuples = chained.rows.map(() => '(?::integer, ?::integer, ?, ?)').join(', ');
      await knex.raw(
        `UPDATE audit_events SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash FROM (VALUES ${tuples}) AS v(id, seq, prev_hash, hash) WHERE audit_events.id = v.id`,
        values,
      );
    } else {
      const tuples = chained.rows.map(() => '(?, ?, ?, ?)').join(', ');
      await knex.raw(
        `UPDATE audit_events SET seq = v.column2, prev_hash = v.column3, hash = v.column4 FROM (VALUES ${tuples}) AS v WHERE audit_events.id = v.column1`,
        values,
      );
    }
  }
}

export const migration: Migration = {
  name: '0015_audit_chain',
  async up(knex) {
    await knex.schema.alterTable('audit_events', (t) => {
      t.integer('seq').nullable();
      t.string('prev_hash', 64).nullable();
      t.string('hash', 64).nullable();
    });
    await chainExisting(knex);
    await knex.schema.alterTable('audit_events', (t) => t.unique(['seq'], { indexName: 'audit_events_seq_unique' }));

    await knex.schema.createTable('audit_checkpoints', (t) => {
      t.increments('id').primary();
      utc(t, 'created_at').notNullable();
      t.integer('head_seq').notNullable(); // 0: an empty chain
      t.string('head_hash', 64).notNullable();
      t.integer('event_count').notNullable();
      t.string('reason', 20).notNullable(); // daily | export | manual
      t.string('created_by', 120).notNullable();
      t.string('mac', 64).notNullable();
    });

    if (isPostgres(knex)) {
      for (const c of ['seq', 'prev_hash', 'hash']) await knex.raw('ALTER TABLE audit_events ALTER COLUMN ?? SET NOT NULL', [c]);
      await knex.raw(`CREATE FUNCTION desk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% ${APPEND_ONLY}', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$`);
      for (const table of GUARDED) {
        await knex.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION desk_append_only()`);
        await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION desk_append_only()`);
      }
    } else {
      // sqlite cannot add NOT NULL to a column in place: a trigger refuses an event outside the chain.
      await knex.raw(`CREATE TRIGGER audit_events_chained BEFORE INSERT ON audit_events
        WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit_events: every event joins the chain (seq, prev_hash, hash)'); END`);
      for (const table of GUARDED) {
        await knex.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} ${APPEND_ONLY}'); END`);
        await knex.raw(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} ${APPEND_ONLY}'); END`);
      }
    }
  },
  async down(knex) {
    if (isPostgres(knex)) {
      for (const table of GUARDED) {
        await knex.raw(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`);
        await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table}`);
      }
      await knex.raw('DROP FUNCTION IF EXISTS desk_append_only()');
    } else {
      await knex.raw('DROP TRIGGER IF EXISTS audit_events_chained');
      for (const table of GUARDED) {
        await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_update`);
        await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_delete`);
      }
    }
    await knex.schema.dropTable('audit_checkpoints');
    await knex.schema.alterTable('audit_events', (t) => t.dropUnique(['seq'], 'audit_events_seq_unique'));
    await knex.schema.alterTable('audit_events', (t) => {
      t.dropColumn('seq');
      t.dropColumn('prev_hash');
      t.dropColumn('hash');
    });
  },
};
