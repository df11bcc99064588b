import type { Migration } from './types';
import { utc } from './types';

/**
 * Failed sign-ins are counted per name, not per desk user: signin_failures has a row for every
 * username that was tried, real or not, keyed by a keyed hash of the normalised name (an HMAC under
 * a key derived from the data key, so a name typed by mistake, or a password typed into the
 * username field, is not kept readable). A real name and an unknown one are then counted, locked
 * and answered by the same statements (auth/signin-failures.ts). The counters move off desk_users;
 * a lock-out in force during the upgrade is lifted (its name cannot be hashed without the key).
 */
export const migration: Migration = {
  name: '0020_signin_failures',
  async up(knex) {
    await knex.schema.createTable('signin_failures', (t) => {
      t.string('name_key', 64).primary();
      t.integer('failures').notNullable().defaultTo(0);
      utc(t, 'locked_until').nullable();
      utc(t, 'updated_at').notNullable();
      t.index(['updated_at'], 'signin_failures_updated_idx');
    });
    // Plain ALTER TABLE … DROP COLUMN on both (see 0017).
    for (const column of ['failed_signins', 'locked_until']) await knex.raw('ALTER TABLE desk_users DROP COLUMN ??', [column]);
  },
  async down(knex) {
    await knex.schema.alterTable('desk_users', (t) => {
      t.integer('failed_signins').notNullable().defaultTo(0);
      utc(t, 'locked_until').nullable();
    });
    await knex.schema.dropTable('signin_failures');
  },
};
