import type { Migration } from './types';
import { utc } from './types';

export const migration: Migration = {
  name: '0002_employees',
  async up(knex) {
    await knex.schema.createTable('employees', (t) => {
      t.increments('id').primary();
      t.string('employee_number', 8).notNullable().unique();
      t.string('first_name', 100).notNullable();
      t.string('last_name', 100).notNullable();
      t.string('username', 64).notNullable().unique(); // stored lower-case
      t.string('organisation', 200).notNullable();
      t.string('department', 200).notNullable();
      t.string('job_title', 200).notNullable().defaultTo('');
      t.string('status', 10).notNullable().defaultTo('active');
      t.string('leaving_date', 10).nullable(); // YYYY-MM-DD
      t.boolean('internet_access_approved').notNullable().defaultTo(false);
      utc(t, 'mfa_enabled_at').nullable();
      t.integer('version').notNullable().defaultTo(1);
      // lower(last first): ordering and short prefix look-ups
      t.string('sort_name', 210).notNullable();
      // lower-case text the substring index covers: names, number, username, every email on record
      t.text('search_doc').notNullable().defaultTo('');
      utc(t, 'created_at').notNullable();
      utc(t, 'updated_at').notNullable();
      t.check("status in ('active', 'leaver')", [], 'employees_status_check');
      t.check("(status = 'leaver') = (leaving_date is not null)", [], 'employees_leaving_date_check');
      t.index(['sort_name'], 'employees_sort_name_idx');
      t.index(['organisation', 'department'], 'employees_org_dept_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('employees');
  },
};
