import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0004_factors',
  async up(knex) {
    // History is kept: a removed or replaced factor stays as a row with state 'removed'.
    await knex.schema.createTable('factors', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.string('type', 20).notNullable(); // authenticator_app | email
      t.string('state', 10).notNullable(); // pending | active | removed
      t.integer('email_id').nullable().references('id').inTable('employee_emails').onDelete('SET NULL');
      t.text('totp_seed_enc').nullable(); // AES-256-GCM sealed, never plain
      t.bigInteger('totp_last_step').nullable();
      t.integer('failed_attempts').notNullable().defaultTo(0);
      utc(t, 'registered_at').nullable();
      utc(t, 'last_used_at').nullable();
      utc(t, 'removed_at').nullable();
      utc(t, 'created_at').notNullable();
      utc(t, 'updated_at').notNullable();
      t.check("type in ('authenticator_app', 'email')", [], 'factors_type_check');
      t.check("state in ('pending', 'active', 'removed')", [], 'factors_state_check');
      t.index(['employee_id', 'state'], 'factors_employee_state_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('factors');
  },
};
