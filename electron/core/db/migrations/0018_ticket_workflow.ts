import type { Migration } from './types';
import { utc } from './types';

/**
 * Webchat tickets as the way of working: how often a ticket was reopened, the audit event a
 * "change not made by me" ticket is about, the managers' queue of tasks a ticket waits on, and an
 * index to find a change's confirmation mails by the reference quoted in them.
 */
export const migration: Migration = {
  name: '0018_ticket_workflow',
  async up(knex) {
    await knex.schema.alterTable('tickets', (t) => {
      t.integer('reopened_count').notNullable().defaultTo(0);
      // The audit event a "change not made by me" ticket is about (no FK: audit rows are append-only).
      t.integer('linked_event_id').nullable();
      utc(t, 'updated_at').nullable();
      t.index(['assignee_id', 'status'], 'tickets_assignee_idx');
      t.index(['opened_at'], 'tickets_opened_idx');
      t.index(['linked_event_id'], 'tickets_linked_event_idx');
    });
    await knex.schema.createTable('manager_tasks', (t) => {
      t.increments('id').primary();
      t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.string('description', 500).notNullable();
      t.string('status', 10).notNullable().defaultTo('open');
      utc(t, 'created_at').notNullable();
      t.integer('created_by').nullable().references('id').inTable('desk_users').onDelete('SET NULL');
      t.string('created_by_name', 100).notNullable();
      utc(t, 'closed_at').nullable();
      t.string('closed_by_name', 100).nullable();
      t.check("status in ('open', 'done')", [], 'manager_tasks_status_check');
      t.index(['status', 'created_at'], 'manager_tasks_status_idx');
      t.index(['employee_id', 'status'], 'manager_tasks_employee_idx');
      t.index(['ticket_id'], 'manager_tasks_ticket_idx');
    });
    await knex.schema.alterTable('mail_outbox', (t) => {
      t.index(['reference'], 'mail_outbox_reference_idx');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('mail_outbox', (t) => t.dropIndex(['reference'], 'mail_outbox_reference_idx'));
    await knex.schema.dropTable('manager_tasks');
    await knex.schema.alterTable('tickets', (t) => {
      t.dropIndex(['assignee_id', 'status'], 'tickets_assignee_idx');
      t.dropIndex(['opened_at'], 'tickets_opened_idx');
      t.dropIndex(['linked_event_id'], 'tickets_linked_event_idx');
    });
    for (const column of ['reopened_count', 'linked_event_id', 'updated_at']) await knex.raw('ALTER TABLE tickets DROP COLUMN ??', [column]);
  },
};
