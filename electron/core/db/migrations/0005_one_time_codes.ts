import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0005_one_time_codes',
  async up(knex) {
    await knex.schema.createTable('one_time_codes', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.string('purpose', 20).notNullable(); // registration | reset | identity_check
      t.string('code_hash', 128).notNullable(); // only a hash of the code is ever stored
      t.string('recipient', 254).notNullable();
      t.string('request_ref', 64).nullable();
      utc(t, 'issued_at').notNullable();
      utc(t, 'expires_at').notNullable();
      utc(t, 'consumed_at').nullable();
      utc(t, 'superseded_at').nullable();
      utc(t, 'locked_at').nullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.check("purpose in ('registration', 'reset', 'identity_check')", [], 'one_time_codes_purpose_check');
      t.index(['employee_id', 'purpose', 'issued_at'], 'one_time_codes_employee_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('one_time_codes');
  },
};
