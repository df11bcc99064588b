import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0003_employee_emails',
  async up(knex) {
    await knex.schema.createTable('employee_emails', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.string('kind', 10).notNullable(); // work | personal
      t.string('address', 254).notNullable();
      t.string('address_lc', 254).notNullable();
      t.boolean('used_for_codes').notNullable().defaultTo(false);
      t.string('source', 10).notNullable().defaultTo('hr'); // hr | manager
      utc(t, 'created_at').notNullable();
      utc(t, 'updated_at').notNullable();
      t.check("kind in ('work', 'personal')", [], 'employee_emails_kind_check');
      t.check("source in ('hr', 'manager')", [], 'employee_emails_source_check');
      t.unique(['employee_id', 'address_lc'], { indexName: 'employee_emails_employee_address_uq' });
      t.index(['address_lc'], 'employee_emails_address_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('employee_emails');
  },
};
