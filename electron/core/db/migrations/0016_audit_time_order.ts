import type { Migration } from './types';

/**
 * Audit reports and exports list events in time order (then sequence number) and page by that
 * pair: an index on (occurred_at, seq) walks straight to a date range and along it, where the
 * (occurred_at) index alone would leave the order to a sort. It replaces that index.
 */
export const migration: Migration = {
  name: '0016_audit_time_order',
  async up(knex) {
    await knex.schema.alterTable('audit_events', (t) => {
      t.index(['occurred_at', 'seq'], 'audit_events_time_seq_idx');
      t.dropIndex(['occurred_at'], 'audit_events_time_idx');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('audit_events', (t) => {
      t.index(['occurred_at'], 'audit_events_time_idx');
      t.dropIndex(['occurred_at', 'seq'], 'audit_events_time_seq_idx');
    });
  },
};
