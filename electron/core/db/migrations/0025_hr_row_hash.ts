import type { Migration } from './types';

/**
 * The nightly HR re-import recognises an unchanged row without reading or rewriting the record:
 * employees.hr_hash holds "<version>:<hash>", the hash of the HR fields and addresses the last
 * import wrote (hr/row-hash.ts) and the record's version once it had. Any later change of the
 * record (a manager's correction of the addresses bumps the version) makes it stale, so the next
 * import compares that employee in full. Null until an import has written or compared the row.
 * Not a secret (HR's own fields, hashed), and never shown or exported.
 */
export const migration: Migration = {
  name: '0025_hr_row_hash',
  async up(knex) {
    await knex.schema.alterTable('employees', (t) => {
      t.string('hr_hash', 80).nullable();
    });
  },
  async down(knex) {
    await knex.raw('ALTER TABLE employees DROP COLUMN hr_hash');
  },
};
