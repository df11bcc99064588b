import type { Migration } from './types';
import { utc } from './types';

/**
 * The answers to portal requests that send mail and carried an Idempotency-Key, per portal key:
 * a retry with the same key and the same request gets the first answer again and sends nothing.
 * `request_hash` is the SHA-256 of the method, path and body (a key reused for another request is
 * refused); `status` 'pending' while the first is being answered. Answers hold no secret (no code,
 * no authenticator key, addresses masked).
 */
export const migration: Migration = {
  name: '0023_portal_requests',
  async up(knex) {
    await knex.schema.createTable('portal_requests', (t) => {
      t.increments('id').primary();
      t.integer('portal_key_id').notNullable().references('id').inTable('portal_keys').onDelete('CASCADE');
      t.string('idempotency_key', 128).notNullable();
      t.string('request_hash', 64).notNullable();
      t.string('status', 8).notNullable();
      t.integer('response_status').nullable();
      t.text('response_body').nullable();
      utc(t, 'created_at').notNullable();
      t.unique(['portal_key_id', 'idempotency_key'], { indexName: 'portal_requests_key_unique' });
      t.check("status in ('pending', 'done')", [], 'portal_requests_status_check');
      t.index(['created_at'], 'portal_requests_created_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('portal_requests');
  },
};
