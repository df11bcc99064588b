import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0007_desk_users',
  async up(knex) {
    await knex.schema.createTable('desk_users', (t) => {
      t.increments('id').primary();
      t.string('username', 64).notNullable().unique(); // lower-case
      t.string('display_name', 120).notNullable();
      t.string('role', 12).notNullable();
      t.string('password_hash', 300).notNullable(); // scrypt, with its parameters and salt
      t.text('totp_seed_enc').nullable(); // AES-256-GCM sealed; null until enrolled
      utc(t, 'totp_enrolled_at').nullable();
      t.bigInteger('totp_last_step').nullable(); // a code is accepted once
      utc(t, 'disabled_at').nullable();
      t.integer('failed_signins').notNullable().defaultTo(0);
      utc(t, 'locked_until').nullable();
      utc(t, 'last_signin_at').nullable();
      utc(t, 'created_at').notNullable();
      utc(t, 'updated_at').notNullable();
      t.check("role in ('agent', 'manager', 'supervisor', 'admin')", [], 'desk_users_role_check');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('desk_users');
  },
};
