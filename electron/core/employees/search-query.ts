/** The rows the look-up reads, the statements it prepares on PostgreSQL, its filters, and how a row ranks. */
import type { Knex } from 'knex';
import type { SearchFilters } from '../../../shared/domain';
import { NAMING_COLUMNS } from './employee-writer';
import { compareCodePoints, KEY_SHAPED, type PrefixSource } from './search-text';

/** The columns every page reads: what the list shows and the sort keys. */
export const COLUMNS = ['id', ...NAMING_COLUMNS, 'status', 'mfa_state', 'has_app', 'has_email', 'pending_registration', 'locked', 'sort_name', 'given_sort'] as const;

export type Row = Record<(typeof COLUMNS)[number], unknown>;
/** A row with its addresses on record, space-separated (no address holds a space). */
export type WithEmails = Row & { emails_on_record: string | null };
export type PrefixKey = { match_key: string; id: number };

export function addresses(r: WithEmails): string[] {
  return r.emails_on_record ? r.emails_on_record.split(' ') : [];
}

/**
 * PostgreSQL: the first batch of every source's prefix keys in one statement ($1 q, $2 its end,
 * $3 the batch), each key with its employee's row (a primary-key look-up per key).
 */
export function prefixUnionSql(sources: readonly PrefixSource[]): string {
  const ranges = sources
    .map((s, i) => {
      const [table, col, idCol] = s === 'email' ? ['employee_emails', 'address_lc', 'employee_id'] : ['employees', s, 'id'];
      return `(SELECT ${i} AS src, ${col} AS match_key, ${idCol} AS id FROM ${table} WHERE ${col} >= $1 AND ${col} < $2 ORDER BY ${col}, ${idCol} LIMIT $3)`;
    })
    .join(' UNION ALL ');
  return `SELECT k.src, k.match_key, ${COLUMNS.map((c) => `e.${c}`).join(', ')} FROM (${ranges}) k JOIN employees e ON e.id = k.id`;
}

export function hasFilters(f: SearchFilters): boolean {
  return Object.values(f).some((v) => v !== undefined);
}

/**
 * exactRows without filters on PostgreSQL, as fixed statements prepared once per connection (by
 * name; a new text needs a new name, hence the version suffix), run with $n placeholders.
 */
const EXACT_SQL = `SELECT ${COLUMNS.map((c) => `employees.${c}`).join(', ')} FROM employees
  WHERE employees.id IN (
    SELECT id FROM employees WHERE employee_number = $1
    UNION SELECT id FROM employees WHERE username = $1
    UNION SELECT employee_id FROM employee_emails WHERE address_lc = $1)
  ORDER BY employees.sort_name, employees.id`;
const EXACT_STATEMENT = 'desk_employee_exact_v2';
/**
 * The same for the two shapes agents read out most, each with only the look-ups that can match:
 * an employee number can only be a number or a username (no address lacks an @), an address only
 * an address (no number or username has an @). Plain index scans: a UNION ALL of the two unique
 * keys (the second leaves out the employee the first found) and a semi-join from the address,
 * each a little cheaper on the server than a BitmapOr or a join (7–10 µs of about 70 here).
 */
const EXACT_NUMBER_SQL = `SELECT ${COLUMNS.join(', ')} FROM employees WHERE employee_number = $1
  UNION ALL SELECT ${COLUMNS.join(', ')} FROM employees WHERE username = $1 AND employee_number <> $1
  ORDER BY sort_name, id`;
const EXACT_NUMBER_STATEMENT = 'desk_employee_exact_number_v3';
const EXACT_EMAIL_SQL = `SELECT ${COLUMNS.join(', ')} FROM employees
  WHERE id IN (SELECT employee_id FROM employee_emails WHERE address_lc = $1) ORDER BY sort_name, id`;
const EXACT_EMAIL_STATEMENT = 'desk_employee_exact_email_v3';
const EMPLOYEE_NUMBER = /^\d{8}$/;

/** The prepared statement (text and name) for an exact look-up of q without filters on PostgreSQL. */
export function exactStatement(q: string): [sql: string, name: string] {
  if (EMPLOYEE_NUMBER.test(q)) return [EXACT_NUMBER_SQL, EXACT_NUMBER_STATEMENT];
  if (KEY_SHAPED.test(q)) return [EXACT_EMAIL_SQL, EXACT_EMAIL_STATEMENT];
  return [EXACT_SQL, EXACT_STATEMENT];
}

export function applyFilters(qb: Knex.QueryBuilder, f: SearchFilters): Knex.QueryBuilder {
  if (f.status) qb.where('employees.status', f.status);
  if (f.mfa) qb.where('employees.mfa_state', f.mfa);
  if (f.factor === 'authenticator_app' || f.factor === 'both') qb.whereRaw('employees.has_app');
  if (f.factor === 'email' || f.factor === 'both') qb.whereRaw('employees.has_email');
  if (f.organisation) qb.where('employees.organisation', f.organisation);
  // Written as bare terms so sqlite can use the partial indexes on these flags.
  if (f.pendingRegistration === true) qb.whereRaw('employees.pending_registration');
  if (f.pendingRegistration === false) qb.whereRaw('NOT employees.pending_registration');
  if (f.locked === true) qb.whereRaw('employees.locked');
  if (f.locked === false) qb.whereRaw('NOT employees.locked');
  return qb;
}

/** The keys an employee can be found by, for ranking: names both ways, username, number, emails. */
function keysOf(r: Row, emails: readonly string[]): Array<[PrefixSource, string]> {
  return [
    ['sort_name', String(r.sort_name)],
    ['given_sort', String(r.given_sort)],
    ['username', String(r.username)],
    ['employee_number', String(r.employee_number)],
    ...emails.map((e): [PrefixSource, string] => ['email', e]),
  ];
}

export function isExact(q: string, r: Row, emails: readonly string[]): boolean {
  return String(r.employee_number) === q || String(r.username) === q || emails.includes(q);
}

/** The first key (in code point order) that starts with q, or null. */
export function firstPrefixKey(q: string, r: Row, emails: readonly string[]): string | null {
  let best: string | null = null;
  for (const [, k] of keysOf(r, emails)) if (k.startsWith(q) && (best === null || compareCodePoints(k, best) < 0)) best = k;
  return best;
}
