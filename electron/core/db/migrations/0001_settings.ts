import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0001_settings',
  async up(knex) {
    await knex.schema.createTable('settings', (t) => {
      t.string('key', 100).primary();
      t.text('value').notNullable(); // JSON
      utc(t, 'updated_at').notNullable();
    });
  },
  async down(knex) {
    await knex.schema.dropTable('settings');
  },
};
