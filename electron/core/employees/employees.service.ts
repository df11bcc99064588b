import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type {
  EmailKind,
  EmployeeDetail,
  EmployeeStatus,
  EmployeeSummary,
  FactorState,
  FactorType,
  MfaState,
  SearchResult,
} from '../../../shared/domain';
import { databaseKind } from '../db/connection';
import { toBool, toIso } from '../db/values';

interface EmployeeRow {
  id: number;
  employee_number: string;
  first_name: string;
  last_name: string;
  username: string;
  organisation: string;
  department: string;
  job_title: string;
  status: EmployeeStatus;
  leaving_date: string | null;
  internet_access_approved: unknown;
  mfa_enabled_at: unknown;
  version: number;
}

const SUMMARY_COLUMNS = [
  'id',
  'employee_number',
  'first_name',
  'last_name',
  'username',
  'organisation',
  'department',
  'status',
  'mfa_enabled_at',
  'sort_name',
] as const;

/** The lower-case text the substring index covers. Every writer of names or emails calls this. */
export function buildSearchDoc(e: {
  firstName: string;
  lastName: string;
  employeeNumber: string;
  username: string;
  emails: readonly string[];
}): string {
  return [e.firstName, e.lastName, e.employeeNumber, e.username, ...e.emails].join(' ').toLowerCase();
}

export function buildSortName(firstName: string, lastName: string): string {
  return `${lastName} ${firstName}`.toLowerCase();
}

export function buildGivenSort(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.toLowerCase();
}

/** Recompute search_doc for the given employees from their current record and emails. */
export async function refreshSearchDocs(db: Knex | Knex.Transaction, employeeIds: readonly number[]): Promise<void> {
  for (const id of employeeIds) {
    const e: EmployeeRow | undefined = await db('employees').where({ id }).first();
    if (!e) continue;
    const emails: Array<{ address_lc: string }> = await db('employee_emails').where({ employee_id: id }).select('address_lc');
    await db('employees')
      .where({ id })
      .update({
        search_doc: buildSearchDoc({
          firstName: e.first_name,
          lastName: e.last_name,
          employeeNumber: e.employee_number,
          username: e.username,
          emails: emails.map((m) => m.address_lc),
        }),
      });
  }
}

function mfaState(enabledAt: unknown, hasPending: boolean): MfaState {
  if (enabledAt != null) return 'enabled';
  return hasPending ? 'pending' : 'not_registered';
}

async function toSummaries(db: Knex, rows: Array<Record<string, unknown>>): Promise<EmployeeSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const pending: Array<{ employee_id: number }> = await db('factors')
    .whereIn('employee_id', ids)
    .andWhere({ state: 'pending' })
    .distinct('employee_id');
  const pendingSet = new Set(pending.map((p) => Number(p.employee_id)));
  return rows.map((r) => ({
    id: Number(r.id),
    employeeNumber: String(r.employee_number),
    firstName: String(r.first_name),
    lastName: String(r.last_name),
    username: String(r.username),
    organisation: String(r.organisation),
    department: String(r.department),
    status: r.status as EmployeeStatus,
    mfaState: mfaState(r.mfa_enabled_at, pendingSet.has(Number(r.id))),
  }));
}

/** Escape LIKE wildcards; used with ESCAPE '\'. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** FTS5 phrase: wrap in double quotes, doubling any inside. */
function ftsPhrase(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

const CANDIDATE_CAP = 2000;

/**
 * As-you-type look-up. Exact keys (employee number, username, an email on record) hit b-tree
 * indexes and come first; then substring matches (every word of 3+ characters through the trigram
 * index) or, for 1–2 characters, prefix matches on surname, username and employee number.
 */
export async function searchEmployees(db: Knex, rawQuery: string, limit: number): Promise<SearchResult> {
  // Control characters (NUL included) can be in no name or address: treat them as spaces.
  const q = rawQuery.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().toLowerCase().replace(/\s+/g, ' ');
  if (q === '') return { query: rawQuery, rows: [], more: false };
  const kind = databaseKind(db);
  const exactIds = new Set<number>();

  const exactRows: Array<{ id: number }> = await db('employees')
    .select('id')
    .where('employee_number', q)
    .orWhere('username', q)
    .union(function () {
      this.select('employee_id as id').from('employee_emails').where('address_lc', q);
    });
  for (const r of exactRows) exactIds.add(Number(r.id));

  const words = q.split(' ').filter(Boolean);
  const longWords = words.filter((w) => w.length >= 3);
  const shortWords = words.filter((w) => w.length < 3);

  let more = false;
  let capped = false;
  const take = limit + 1;
  let matched: Array<Record<string, unknown>> = [];

  if (longWords.length > 0) {
    // Candidates: every word of 3+ characters through the trigram index, shorter words filtered in
    // the same query, capped so an unselective term cannot sort the whole table. A capped set is
    // ordered by name within itself and reported as "more", so the desk asks to refine.
    let candidates: Knex.QueryBuilder;
    if (kind === 'sqlite') {
      candidates = db('employee_fts')
        .join('employees', 'employees.id', 'employee_fts.rowid')
        .select('employees.id')
        .whereRaw('employee_fts MATCH ?', [longWords.map(ftsPhrase).join(' AND ')]);
    } else {
      candidates = db('employees').select('employees.id');
      for (const w of longWords) candidates.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
    }
    for (const w of shortWords) candidates.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
    const ids = ((await candidates.limit(CANDIDATE_CAP + 1)) as Array<{ id: number }>).map((r) => Number(r.id));
    if (ids.length > CANDIDATE_CAP) {
      capped = true;
      ids.length = CANDIDATE_CAP;
    }
    matched = ids.length
      ? await db('employees').select([...SUMMARY_COLUMNS]).whereIn('id', ids).orderBy('sort_name').orderBy('id').limit(take)
      : [];
  } else {
    const prefix = q;
    const prefixOn = (col: string) => (b: Knex.QueryBuilder) =>
      kind === 'sqlite'
        ? b.where(col, '>=', prefix).andWhere(col, '<', prefix + '\uffff')
        : b.whereRaw(`${col} LIKE ? ESCAPE '\\'`, [`${likeEscape(prefix)}%`]);
    const parts = ['sort_name', 'username', 'employee_number'].map((col) =>
      db('employees').select('id').modify(prefixOn(col)).orderBy(col).limit(take),
    );
    const ids = new Set<number>();
    for (const p of parts) for (const r of (await p) as Array<{ id: number }>) ids.add(Number(r.id));
    matched = ids.size
      ? await db('employees').select([...SUMMARY_COLUMNS]).whereIn('id', [...ids]).orderBy('sort_name').orderBy('id').limit(take)
      : [];
  }

  let exact: Array<Record<string, unknown>> = [];
  if (exactIds.size > 0) {
    exact = await db('employees').select([...SUMMARY_COLUMNS]).whereIn('id', [...exactIds]).orderBy('sort_name');
  }
  const seen = new Set<number>();
  const combined: Array<Record<string, unknown>> = [];
  for (const r of [...exact, ...matched]) {
    const id = Number(r.id);
    if (seen.has(id)) continue;
    seen.add(id);
    combined.push(r);
  }
  if (combined.length > limit || capped) more = true;
  return { query: rawQuery, rows: await toSummaries(db, combined.slice(0, limit)), more };
}

const MAX_ID = 2_147_483_647; // ids are 32-bit integers on both databases

export async function getEmployee(db: Knex, id: number): Promise<EmployeeDetail> {
  const e: EmployeeRow | undefined =
    Number.isInteger(id) && id > 0 && id <= MAX_ID ? await db('employees').where({ id }).first() : undefined;
  if (!e) throw new DeskError('NOT_FOUND', `No employee with id ${id}`);
  const [emails, factors] = await Promise.all([
    db('employee_emails').where({ employee_id: id }).orderBy('kind', 'desc').orderBy('id') as Promise<
      Array<{ id: number; kind: EmailKind; address: string; used_for_codes: unknown }>
    >,
    db('factors')
      .leftJoin('employee_emails', 'employee_emails.id', 'factors.email_id')
      .where('factors.employee_id', id)
      .orderBy('factors.created_at', 'desc')
      .orderBy('factors.id', 'desc')
      .select(
        'factors.id',
        'factors.type',
        'factors.state',
        'employee_emails.address as email_address',
        'factors.registered_at',
        'factors.last_used_at',
        'factors.removed_at',
      ) as Promise<
      Array<{
        id: number;
        type: FactorType;
        state: FactorState;
        email_address: string | null;
        registered_at: unknown;
        last_used_at: unknown;
        removed_at: unknown;
      }>
    >,
  ]);
  const [summary] = await toSummaries(db, [e as unknown as Record<string, unknown>]);
  return {
    ...summary!,
    jobTitle: e.job_title,
    leavingDate: e.leaving_date,
    internetAccessApproved: toBool(e.internet_access_approved),
    mfaEnabledAt: toIso(e.mfa_enabled_at),
    version: Number(e.version),
    emails: emails.map((m) => ({ id: Number(m.id), kind: m.kind, address: m.address, usedForCodes: toBool(m.used_for_codes) })),
    factors: factors.map((f) => ({
      id: Number(f.id),
      type: f.type,
      state: f.state,
      emailAddress: f.email_address ?? null,
      registeredAt: toIso(f.registered_at),
      lastUsedAt: toIso(f.last_used_at),
      removedAt: toIso(f.removed_at),
    })),
  };
}

export async function countEmployees(db: Knex): Promise<number> {
  const row = await db('employees').count({ n: '*' }).first();
  return Number((row as { n: number | string } | undefined)?.n ?? 0);
}
