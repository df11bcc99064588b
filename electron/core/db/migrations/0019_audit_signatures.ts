import type { Migration } from './types';
import { isPostgres } from './types';

/**
 * Every audit event is signed, and the append-only rule holds against REPLACE too:
 * - audit_events.mac: an HMAC of the event's hash under a key derived from the data key (see
 *   audit/chain.ts). A migration has no data key, so the events already there are signed once by
 *   the core when it opens (audit/signatures.ts); the column may be empty until then, and the only
 *   change the database allows to an event is that one: its empty mac filled in. New events must
 *   arrive signed.
 * - sqlite's INSERT OR REPLACE (and REPLACE INTO) deletes the row it conflicts with without firing
 *   the delete triggers (unless recursive_triggers is on, which nobody going around the desk will
 *   set), so a BEFORE INSERT trigger now refuses any row whose id or seq is already taken. On
 *   PostgreSQL there is no REPLACE; INSERT … ON CONFLICT DO UPDATE (and MERGE) go through the
 *   UPDATE trigger, which refuses them.
 * - audit_checkpoints.prev_mac: each checkpoint also signs the one before it, so a checkpoint
 *   deleted from the middle is noticed (older checkpoints have none).
 */

const REFUSED = 'is append-only: audit events and checkpoints are never changed, replaced or removed';
// Every audit_events column but mac (0009 and 0015): an update may change none of them.
const FIXED = ['id', 'occurred_at', 'actor_user_id', 'actor_name', 'employee_id', 'ticket_ref', 'action', 'result', 'details', 'seq', 'prev_hash', 'hash'];

export const migration: Migration = {
  name: '0019_audit_signatures',
  async up(knex) {
    await knex.schema.alterTable('audit_events', (t) => t.string('mac', 64).nullable());
    await knex.schema.alterTable('audit_checkpoints', (t) => t.string('prev_mac', 64).nullable());
    // The events still to be signed, found at once at every open (empty once they are signed).
    await knex.raw('CREATE INDEX audit_events_unsigned_idx ON audit_events (seq) WHERE mac IS NULL');
    if (isPostgres(knex)) {
      await knex.raw('ALTER TABLE audit_events ADD CONSTRAINT audit_events_signed CHECK (mac IS NOT NULL) NOT VALID');
      await knex.raw(`CREATE FUNCTION desk_audit_sign_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.mac IS NULL AND NEW.mac IS NOT NULL AND (to_jsonb(NEW) - 'mac') = (to_jsonb(OLD) - 'mac') THEN RETURN NEW; END IF;
          RAISE EXCEPTION 'audit_events ${REFUSED}' USING ERRCODE = 'insufficient_privilege';
        END $$`);
      await knex.raw('DROP TRIGGER audit_events_append_only ON audit_events');
      await knex.raw('CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION desk_append_only()');
      await knex.raw('CREATE TRIGGER audit_events_sign_once BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION desk_audit_sign_once()');
      return;
    }
    await knex.raw('DROP TRIGGER audit_events_no_update');
    const unchanged = FIXED.map((c) => `NEW.${c} IS OLD.${c}`).join(' AND ');
    await knex.raw(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      WHEN NOT (OLD.mac IS NULL AND NEW.mac IS NOT NULL AND ${unchanged})
      BEGIN SELECT RAISE(ABORT, 'audit_events ${REFUSED}'); END`);
    await knex.raw('DROP TRIGGER audit_events_chained');
    await knex.raw(`CREATE TRIGGER audit_events_chained BEFORE INSERT ON audit_events
      WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL OR NEW.mac IS NULL
      BEGIN SELECT RAISE(ABORT, 'audit_events: every event joins the chain signed (seq, prev_hash, hash, mac)'); END`);
    await knex.raw(`CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
      WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
      BEGIN SELECT RAISE(ABORT, 'audit_events ${REFUSED}'); END`);
    await knex.raw(`CREATE TRIGGER audit_checkpoints_no_replace BEFORE INSERT ON audit_checkpoints
      WHEN EXISTS (SELECT 1 FROM audit_checkpoints WHERE id = NEW.id)
      BEGIN SELECT RAISE(ABORT, 'audit_checkpoints ${REFUSED}'); END`);
  },
  async down(knex) {
    if (isPostgres(knex)) {
      await knex.raw('DROP TRIGGER IF EXISTS audit_events_sign_once ON audit_events');
      await knex.raw('DROP TRIGGER IF EXISTS audit_events_no_delete ON audit_events');
      await knex.raw('DROP FUNCTION IF EXISTS desk_audit_sign_once()');
      await knex.raw('CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION desk_append_only()');
      await knex.raw('ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_signed');
    } else {
      for (const t of ['audit_events_no_replace', 'audit_checkpoints_no_replace', 'audit_events_no_update', 'audit_events_chained']) await knex.raw(`DROP TRIGGER IF EXISTS ${t}`);
      await knex.raw(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: audit events and checkpoints are never changed or removed'); END`);
      await knex.raw(`CREATE TRIGGER audit_events_chained BEFORE INSERT ON audit_events
        WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit_events: every event joins the chain (seq, prev_hash, hash)'); END`);
    }
    await knex.raw('DROP INDEX audit_events_unsigned_idx');
    // Plain ALTER TABLE … DROP COLUMN on both (knex would rebuild the table on sqlite).
    await knex.raw('ALTER TABLE audit_events DROP COLUMN mac');
    await knex.raw('ALTER TABLE audit_checkpoints DROP COLUMN prev_mac');
  },
};
