import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0009_audit_events',
  async up(knex) {
    await knex.schema.createTable('audit_events', (t) => {
      t.increments('id').primary();
      utc(t, 'occurred_at').notNullable();
      t.integer('actor_user_id').nullable().references('id').inTable('desk_users').onDelete('SET NULL');
      t.string('actor_name', 120).notNullable(); // desk username, 'system', 'cli' or 'employee'
      t.integer('employee_id').nullable().references('id').inTable('employees').onDelete('SET NULL');
      t.string('ticket_ref', 64).nullable();
      t.string('action', 60).notNullable();
      t.string('result', 10).notNullable().defaultTo('ok'); // ok | refused
      t.text('details').notNullable().defaultTo('{}'); // JSON, never a secret
      t.check("result in ('ok', 'refused')", [], 'audit_events_result_check');
      t.index(['employee_id', 'occurred_at'], 'audit_events_employee_idx');
      t.index(['occurred_at'], 'audit_events_time_idx');
      t.index(['ticket_ref'], 'audit_events_ticket_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('audit_events');
  },
};
