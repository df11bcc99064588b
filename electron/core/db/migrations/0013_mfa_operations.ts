import type { Migration } from './types';
import { utc } from './types';

/**
 * MFA operations: codes bound to the factor they register, an employee-wide failure counter that a
 * new code does not reset, caller verifications per ticket, and what the mail sender needs to
 * deliver every outbox row exactly once (a claim with an expiry, the transport that took it).
 */
export const migration: Migration = {
  name: '0013_mfa_operations',
  async up(knex) {
    await knex.schema.alterTable('employees', (t) => {
      // Wrong one-time codes in a row, across codes (reset by a right one, never by a new code).
      t.integer('code_failures').notNullable().defaultTo(0);
      // Set when code_failures reached the limit: no more codes until an agent unlocks.
      utc(t, 'codes_locked_at').nullable();
    });
    await knex.schema.alterTable('one_time_codes', (t) => {
      t.integer('factor_id').nullable(); // the pending factor a registration code completes
      t.integer('email_id').nullable(); // the address on record it was sent to
      t.index(['employee_id', 'issued_at'], 'one_time_codes_employee_time_idx');
    });
    await knex.schema.alterTable('mail_outbox', (t) => {
      t.string('reference', 40).nullable(); // the change's reference code, quoted to Shared Services
      t.string('transport', 10).nullable(); // smtp | file: what delivered (or refused) it
      utc(t, 'claimed_until').nullable(); // a sender is delivering it; another may retry after this
      t.string('claim_token', 40).nullable();
      // The bodies hold a one-time code: sealed with the data key, erased once sent or failed.
      t.boolean('sealed').notNullable().defaultTo(false);
    });
    await knex.schema.createTable('caller_verifications', (t) => {
      t.increments('id').primary();
      t.integer('employee_id').notNullable().references('id').inTable('employees').onDelete('CASCADE');
      t.string('ticket_ref', 64).notNullable();
      t.string('method', 30).notNullable(); // email_code | authenticator_app | supervisor_override
      t.integer('verified_by').nullable().references('id').inTable('desk_users').onDelete('SET NULL');
      t.string('verified_by_name', 100).notNullable();
      t.text('reason').nullable(); // a supervisor's written reason for an override
      utc(t, 'verified_at').notNullable();
      t.check("method in ('email_code', 'authenticator_app', 'supervisor_override')", [], 'caller_verifications_method_check');
      t.index(['employee_id', 'ticket_ref', 'verified_at'], 'caller_verifications_employee_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTable('caller_verifications');
    await knex.schema.alterTable('mail_outbox', (t) => {
      t.dropColumn('sealed');
      t.dropColumn('claim_token');
      t.dropColumn('claimed_until');
      t.dropColumn('transport');
      t.dropColumn('reference');
    });
    await knex.schema.alterTable('one_time_codes', (t) => {
      t.dropIndex(['employee_id', 'issued_at'], 'one_time_codes_employee_time_idx');
      t.dropColumn('email_id');
      t.dropColumn('factor_id');
    });
    await knex.schema.alterTable('employees', (t) => {
      t.dropColumn('codes_locked_at');
      t.dropColumn('code_failures');
    });
  },
};
