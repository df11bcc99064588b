import type { Migration } from './types';
import { utc } from './types';

/**
 * Every second-factor check the portal asks for at sign-in, as the desk shows it on the employee's
 * page: when, which method, the result, and through which integration. The code itself is never
 * kept. `factor_id` names the factor checked (null when the employee had none of that kind).
 */
export const migration: Migration = {
  name: '0022_signin_verifications',
  async up(knex) {
    await knex.schema.createTable('signin_verifications', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.integer('factor_id').nullable().references('id').inTable('factors').onDelete('SET NULL');
      t.string('method', 20).notNullable();
      t.string('result', 12).notNullable();
      t.string('integration', 40).notNullable();
      utc(t, 'checked_at').notNullable();
      t.check("method in ('authenticator_app', 'email')", [], 'signin_verifications_method_check');
      t.check("result in ('accepted', 'wrong', 'locked', 'expired')", [], 'signin_verifications_result_check');
      t.index(['employee_id', 'checked_at'], 'signin_verifications_employee_idx');
      t.index(['checked_at'], 'signin_verifications_day_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('signin_verifications');
  },
};
