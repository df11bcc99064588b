import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0006_mail_outbox',
  async up(knex) {
    await knex.schema.createTable('mail_outbox', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').nullable().references('id').inTable('employees').onDelete('SET NULL');
      t.string('template', 50).notNullable();
      t.string('recipient', 254).notNullable();
      t.string('subject', 300).notNullable();
      t.text('body_text').notNullable();
      t.text('body_html').nullable();
      t.string('status', 10).notNullable().defaultTo('queued'); // queued | sent | failed
      t.integer('attempts').notNullable().defaultTo(0);
      utc(t, 'next_attempt_at').notNullable();
      t.string('message_id', 200).notNullable().unique();
      t.text('last_error').nullable();
      t.text('smtp_response').nullable();
      utc(t, 'created_at').notNullable();
      utc(t, 'sent_at').nullable();
      t.check("status in ('queued', 'sent', 'failed')", [], 'mail_outbox_status_check');
      t.index(['status', 'next_attempt_at'], 'mail_outbox_due_idx');
      t.index(['employee_id', 'created_at'], 'mail_outbox_employee_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('mail_outbox');
  },
};
