import type { Migration } from './types';
import { utc } from './types';

/**
 * The keys the employee self-service portal's integrations present to `desk portal`. A key is
 * shown once when it is made and kept only as the SHA-256 of its text (`key_hash`): a key is 32
 * random bytes, so a plain hash is enough to make the stored value useless to whoever reads it.
 * `hint` is the key's first characters, for telling two keys of one integration apart; an
 * integration has at most two live keys, so that a new one can be rolled out before the old one is
 * revoked.
 */
export const migration: Migration = {
  name: '0021_portal_keys',
  async up(knex) {
    await knex.schema.createTable('portal_keys', (t) => {
      t.increments('id').primary();
      t.string('integration', 40).notNullable();
      t.string('key_hash', 64).notNullable().unique('portal_keys_hash_key');
      t.string('hint', 16).notNullable();
      utc(t, 'created_at').notNullable();
      t.string('created_by_name', 128).notNullable();
      utc(t, 'last_used_at').nullable();
      utc(t, 'revoked_at').nullable();
      t.string('revoked_by_name', 128).nullable();
      t.index(['integration', 'revoked_at'], 'portal_keys_integration_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('portal_keys');
  },
};
