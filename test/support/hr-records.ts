/**
 * What the HR import tests compare and check: the employee records by employee number (ids,
 * timestamps and driver differences left out), and whether every row's search columns agree with
 * its names and the addresses on record.
 */
import type { Knex } from 'knex';
import { toBool } from '../../electron/core/db/values';
import { databaseKind } from '../../electron/core/db/connection';
import { buildGivenSort, buildSearchDoc, buildSortName, type EmployeeInsertRow } from '../../electron/core/employees/employee-writer';

/** An employee as the tests compare it: the row without its id, timestamps and look-up flags but two, and its addresses. */
export type RecordDump = Omit<EmployeeInsertRow, 'id' | 'mfa_enabled_at' | 'has_app' | 'has_email' | 'locked' | 'created_at' | 'updated_at'> & {
  emails: Array<{ kind: string; address: string; address_lc: string; source: string; used_for_codes: boolean }>;
};

/** Every employee with their addresses (in id order), keyed and sorted by employee number. */
export async function dumpRecords(db: Knex): Promise<RecordDump[]> {
  const employees = (await db('employees').orderBy('employee_number')) as Array<Record<string, unknown>>;
  const emails = (await db('employee_emails').orderBy('id')) as Array<Record<string, unknown>>;
  const byEmployee = new Map<number, RecordDump['emails']>();
  for (const m of emails) {
    const id = Number(m.employee_id);
    const list = byEmployee.get(id) ?? [];
    list.push({
      kind: String(m.kind),
      address: String(m.address),
      address_lc: String(m.address_lc),
      source: String(m.source),
      used_for_codes: toBool(m.used_for_codes),
    });
    byEmployee.set(id, list);
  }
  return employees.map((e) => ({
    employee_number: String(e.employee_number),
    first_name: String(e.first_name),
    last_name: String(e.last_name),
    username: String(e.username),
    organisation: String(e.organisation),
    department: String(e.department),
    job_title: String(e.job_title),
    status: e.status as RecordDump['status'],
    leaving_date: (e.leaving_date as string | null) ?? null,
    internet_access_approved: toBool(e.internet_access_approved),
    version: Number(e.version),
    sort_name: String(e.sort_name),
    given_sort: String(e.given_sort),
    search_doc: String(e.search_doc),
    mfa_state: e.mfa_state as RecordDump['mfa_state'],
    pending_registration: toBool(e.pending_registration),
    emails: byEmployee.get(Number(e.id)) ?? [],
  }));
}

/**
 * The indexes (and sqlite's full-text triggers) on employees and employee_emails, as the database
 * defines them: name and statement, sorted. A load that defers them must put back exactly these.
 */
export async function indexDefinitions(db: Knex): Promise<string[]> {
  if (databaseKind(db) === 'postgres') {
    const r = await db.raw<{ rows: Array<{ d: string }> }>(
      // Without the schema's name, which differs from one scratch database to the next.
      "SELECT indexname || ': ' || replace(indexdef, ' ON ' || current_schema() || '.', ' ON ') AS d FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('employees', 'employee_emails') ORDER BY 1",
    );
    return r.rows.map((x) => x.d);
  }
  const rows = await db.raw<Array<{ d: string }>>(
    "SELECT type || ' ' || name || ': ' || coalesce(sql, '(automatic)') AS d FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name IN ('employees', 'employee_emails') ORDER BY 1",
  );
  return rows.map((x) => x.d);
}

/**
 * Rows whose search text, sort keys or leaving date disagree with the rest of the record, and (on
 * sqlite, unless fullText is false) employees the full-text index does not find by their employee
 * number. Empty when all is well.
 */
export async function recordProblems(db: Knex, opts: { ftsSample?: number; fullText?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const employees = await db<Record<string, unknown>>('employees').orderBy('id');
  const emails = await db<{ employee_id: number; address_lc: string }>('employee_emails').orderBy('id').select('employee_id', 'address_lc');
  const lcOf = new Map<number, string[]>();
  for (const m of emails) lcOf.set(Number(m.employee_id), [...(lcOf.get(Number(m.employee_id)) ?? []), m.address_lc]);
  for (const e of employees) {
    const id = Number(e.id);
    const first = String(e.first_name);
    const last = String(e.last_name);
    const number = String(e.employee_number);
    const doc = buildSearchDoc({
      firstName: first,
      lastName: last,
      employeeNumber: number,
      username: String(e.username),
      emails: lcOf.get(id) ?? [],
    });
    if (e.search_doc !== doc) problems.push(`${number}: search_doc ${JSON.stringify(e.search_doc)} is not ${JSON.stringify(doc)}`);
    if (e.sort_name !== buildSortName(first, last)) problems.push(`${number}: sort_name ${String(e.sort_name)}`);
    if (e.given_sort !== buildGivenSort(first, last)) problems.push(`${number}: given_sort ${String(e.given_sort)}`);
    if ((e.status === 'leaver') !== (e.leaving_date != null)) problems.push(`${number}: status ${String(e.status)} with leaving date ${String(e.leaving_date)}`);
  }
  if (databaseKind(db) === 'sqlite' && opts.fullText !== false) {
    const every = Math.max(1, Math.floor(employees.length / (opts.ftsSample ?? 200)));
    for (let i = 0; i < employees.length; i += every) {
      const e = employees[i]!;
      const number = String(e.employee_number);
      const rows = await db.raw<Array<{ id: number }>>('SELECT rowid AS id FROM employee_fts WHERE employee_fts MATCH ?', [`"${number}"`]);
      if (!rows.some((r) => Number(r.id) === Number(e.id))) problems.push(`${number}: not in the full-text index`);
    }
  }
  return problems;
}
