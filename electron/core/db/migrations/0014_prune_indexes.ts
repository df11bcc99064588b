import type { Migration } from './types';
import { isPostgres } from './types';

/**
 * Indexes that another index already serves, dropped. Every index is one more b-tree each insert
 * or update writes (an HR import of 2,000,000 employees writes each row into every one of them),
 * and one more thing competing for the database's cache, for no query it alone can answer:
 *  - employees (sort_name): (sort_name, id) gives the same order and the keyset tie-break;
 *  - employees (organisation, department): nothing filters or sorts by department; the
 *    organisation filter, its list and its sort use (organisation, sort_name, id);
 *  - employee_emails (address_lc): (address_lc, employee_id) serves every look-up by address;
 *  - sqlite: (employee_number, id) and (username, id) repeat the unique indexes on those columns
 *    (every sqlite index already ends with the rowid, which id is);
 *  - PostgreSQL: the three text_pattern_ops indexes from 0010 predate 0011, which gave those columns
 *    the "C" collation, under which the plain b-trees serve prefix ranges and LIKE 'x%' themselves.
 * `down` puts them back exactly as their migrations made them.
 */
const BOTH: Array<[name: string, table: string, definition: string]> = [
  ['employees_sort_name_idx', 'employees', '(sort_name)'],
  ['employees_org_dept_idx', 'employees', '(organisation, department)'],
  ['employee_emails_address_idx', 'employee_emails', '(address_lc)'],
];
const SQLITE_ONLY: typeof BOTH = [
  ['employees_number_id_idx', 'employees', '(employee_number, id)'],
  ['employees_username_id_idx', 'employees', '(username, id)'],
];
const POSTGRES_ONLY: typeof BOTH = [
  ['employees_sort_name_pattern_idx', 'employees', '(sort_name text_pattern_ops)'],
  ['employees_username_pattern_idx', 'employees', '(username text_pattern_ops)'],
  ['employees_number_pattern_idx', 'employees', '(employee_number text_pattern_ops)'],
];

export const PRUNED_INDEXES = {
  sqlite: [...BOTH, ...SQLITE_ONLY].map(([name]) => name),
  postgres: [...BOTH, ...POSTGRES_ONLY].map(([name]) => name),
};

function indexesFor(pg: boolean): typeof BOTH {
  return [...BOTH, ...(pg ? POSTGRES_ONLY : SQLITE_ONLY)];
}

export const migration: Migration = {
  name: '0014_prune_indexes',
  async up(knex) {
    for (const [name] of indexesFor(isPostgres(knex))) await knex.raw('DROP INDEX IF EXISTS ??', [name]);
  },
  async down(knex) {
    for (const [name, table, definition] of indexesFor(isPostgres(knex))) {
      await knex.raw(`CREATE INDEX IF NOT EXISTS ?? ON ?? ${definition}`, [name, table]);
    }
  },
};
