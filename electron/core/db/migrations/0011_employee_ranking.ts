import type { Knex } from 'knex';
import type { Migration } from './types';
import { isPostgres } from './types';

/**
 * Search at NHS scale: what the look-up filters and sorts on lives on the employee row, and every
 * filter and sort has an index that gives rows in keyset order.
 *  - given_sort: lower(first last), for prefix matches on the first name;
 *  - mfa_state, has_app, has_email, pending_registration, locked: kept in step with factors and
 *    codes by the write path (refreshEmployeeFlags), so filters never join factors;
 *  - on PostgreSQL the key columns use the "C" collation, so one b-tree serves both prefix ranges
 *    and ORDER BY, and both databases order text the same way (by code point).
 */
const FLAG_COLUMNS = ['mfa_state', 'has_app', 'has_email', 'pending_registration', 'locked'] as const;

const INDEXES: Array<[string, string, string[], string?]> = [
  ['employees_given_sort_idx', 'employees', ['given_sort', 'id']],
  ['employees_sort_name_id_idx', 'employees', ['sort_name', 'id']],
  ['employees_number_id_idx', 'employees', ['employee_number', 'id']],
  ['employees_username_id_idx', 'employees', ['username', 'id']],
  ['employees_org_name_idx', 'employees', ['organisation', 'sort_name', 'id']],
  ['employees_status_name_idx', 'employees', ['status', 'sort_name', 'id']],
  ['employees_mfa_name_idx', 'employees', ['mfa_state', 'sort_name', 'id']],
  ['employees_pending_name_idx', 'employees', ['sort_name', 'id'], 'pending_registration'],
  ['employees_locked_name_idx', 'employees', ['sort_name', 'id'], 'locked'],
  ['employee_emails_address_emp_idx', 'employee_emails', ['address_lc', 'employee_id']],
];

async function backfillFlags(knex: Knex): Promise<void> {
  const active = (type: string) =>
    `EXISTS (SELECT 1 FROM factors f WHERE f.employee_id = employees.id AND f.type = '${type}' AND f.state = 'active')`;
  const pending = `EXISTS (SELECT 1 FROM factors f WHERE f.employee_id = employees.id AND f.state = 'pending')`;
  const locked = `EXISTS (SELECT 1 FROM factors f WHERE f.employee_id = employees.id AND f.state <> 'removed' AND f.failed_attempts >= 5)`;
  await knex.raw(`UPDATE employees SET
    given_sort = lower(first_name || ' ' || last_name),
    has_app = ${active('authenticator_app')},
    has_email = ${active('email')},
    pending_registration = ${pending},
    locked = ${locked},
    mfa_state = CASE WHEN mfa_enabled_at IS NOT NULL THEN 'enabled' WHEN ${pending} THEN 'pending' ELSE 'not_registered' END`);
}

export const migration: Migration = {
  name: '0011_employee_ranking',
  async up(knex) {
    await knex.schema.alterTable('employees', (t) => {
      t.string('given_sort', 210).notNullable().defaultTo('');
      t.string('mfa_state', 16).notNullable().defaultTo('not_registered');
      t.boolean('has_app').notNullable().defaultTo(false);
      t.boolean('has_email').notNullable().defaultTo(false);
      t.boolean('pending_registration').notNullable().defaultTo(false);
      t.boolean('locked').notNullable().defaultTo(false);
    });
    if (isPostgres(knex)) {
      for (const [table, column, len] of [
        ['employees', 'sort_name', 210],
        ['employees', 'given_sort', 210],
        ['employees', 'username', 64],
        ['employees', 'employee_number', 8],
        ['employees', 'organisation', 200],
        ['employee_emails', 'address_lc', 254],
      ] as const) {
        await knex.raw(`ALTER TABLE ?? ALTER COLUMN ?? TYPE varchar(${len}) COLLATE "C"`, [table, column]);
      }
    }
    await backfillFlags(knex);
    for (const [name, table, columns, where] of INDEXES) {
      const cols = columns.map(() => '??').join(', ');
      await knex.raw(`CREATE INDEX ?? ON ?? (${cols})${where ? ` WHERE ${where}` : ''}`, [name, table, ...columns]);
    }
  },
  async down(knex) {
    for (const [name] of INDEXES) await knex.raw('DROP INDEX IF EXISTS ??', [name]);
    // Native DROP COLUMN on both databases: knex's sqlite fallback copies the table, which would
    // drop the full-text triggers on it. (The "C" collation stays on PostgreSQL; it is harmless.)
    for (const c of ['given_sort', ...FLAG_COLUMNS]) await knex.raw('ALTER TABLE employees DROP COLUMN ??', [c]);
  },
};
