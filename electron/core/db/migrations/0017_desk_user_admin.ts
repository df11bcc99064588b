import type { Migration } from './types';

/**
 * Desk user administration: an admin can reset a desk user's password (to a temporary one that
 * must be replaced at the next sign-in) and end a desk user's sessions everywhere. The epoch goes
 * up whenever sessions must end (disabled, role changed, password or authenticator reset); every
 * desk sharing the database compares a session's epoch with it.
 */
export const migration: Migration = {
  name: '0017_desk_user_admin',
  async up(knex) {
    await knex.schema.alterTable('desk_users', (t) => {
      t.boolean('must_change_password').notNullable().defaultTo(false);
      t.integer('session_epoch').notNullable().defaultTo(0);
    });
  },
  async down(knex) {
    // Plain ALTER TABLE … DROP COLUMN on both (sqlite 3.35+): knex's sqlite emulation rebuilds the
    // table, which the audit trail's references and append-only triggers do not allow.
    for (const column of ['must_change_password', 'session_epoch']) await knex.raw('ALTER TABLE desk_users DROP COLUMN ??', [column]);
  },
};
