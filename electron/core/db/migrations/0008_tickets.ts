import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0008_tickets',
  async up(knex) {
    await knex.schema.createTable('tickets', (t) => {
      t.increments('id').primary();
      t.string('reference', 64).notNullable().unique(); // the webchat platform's chat id
      t.string('category', 40).notNullable().defaultTo('other');
      t.string('status', 20).notNullable().defaultTo('open');
      t.integer('employee_id').nullable().references('id').inTable('employees').onDelete('SET NULL');
      t.integer('assignee_id').nullable().references('id').inTable('desk_users').onDelete('SET NULL');
      t.integer('opened_by').notNullable().references('id').inTable('desk_users');
      utc(t, 'opened_at').notNullable();
      utc(t, 'resolved_at').nullable();
      t.text('resolution_note').nullable();
      t.text('notes').notNullable().defaultTo('');
      t.check(
        "status in ('open', 'waiting_employee', 'waiting_manager', 'resolved')",
        [],
        'tickets_status_check',
      );
      t.index(['status', 'opened_at'], 'tickets_status_idx');
      t.index(['employee_id'], 'tickets_employee_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('tickets');
  },
};
