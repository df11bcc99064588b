import type { Knex } from 'knex';
import type { EmailKind } from '../../../shared/domain';
import { databaseKind } from '../db/connection';
import { toBool } from '../db/values';
import { derivedChanges, HR_RECORD_COLUMNS } from '../employees/employee-writer';
import type { EmployeeRow } from '../employees/employees.service';
import type { HrEmail, HrRow, NewRowKey, RowKey } from './row-checks';
import { storedHrHash } from './row-hash';

type Q = Knex | Knex.Transaction;

/**
 * `column IN (values)` with the list as one parameter: on sqlite a JSON array read by json_each,
 * on PostgreSQL an array compared with = ANY. A batch looks up thousands of keys; binding each
 * as a parameter of its own costs more than the look-up (and on PostgreSQL a new plan each time).
 */
function whereInList(q: Q, column: string, values: readonly string[] | readonly number[]): (qb: Knex.QueryBuilder) => void {
  return (qb) => {
    if (databaseKind(q) === 'postgres') void qb.whereRaw('?? = ANY(?)', [column, [...values] as string[]]);
    else void qb.whereRaw('?? IN (SELECT value FROM json_each(?))', [column, JSON.stringify(values)]);
  };
}

/** What the import compares against: the record as HR gives it, and the search text. */
type ExistingEmployee = Omit<EmployeeRow, 'mfa_enabled_at'> & { search_doc: string; hr_hash: string | null };

/** What the first, light read of a batch's employees gives: enough to know an unchanged row. */
interface Probe {
  id: number;
  username: string;
  version: number;
  hr_hash: string | null;
}

/**
 * A batch as planBatch takes it: its rows' keys, and a way to the whole rows of those it must
 * compare in full (new on the desk, a fingerprint that differs, a leaver with something to
 * cancel). Every import's but a first load's into an empty desk, dry runs included, come from the
 * reader thread, which holds the whole rows (read-worker.ts); planBatch asks exactly once, for none
 * if nothing may have changed, and the reader lets them go.
 */
export interface BatchRows {
  keys: RowKey[];
  /** The whole rows at these positions of `keys`, in that order. */
  whole(indices: number[]): Promise<HrRow[]>;
}

/** Rows already whole (a first load's, read back from its NewRows or handed on as rows). */
export function wholeRows(rows: HrRow[]): BatchRows {
  return { keys: rows, whole: (indices) => Promise.resolve(indices.map((i) => rows[i]!)) };
}

/** The batch's employees already on the desk, by employee number: one indexed read. */
async function probe(q: Q, rows: RowKey[]): Promise<Map<string, Probe>> {
  const probes = new Map<string, Probe>();
  const found = await q('employees')
    .where(
      whereInList(
        q,
        'employee_number',
        rows.map((r) => r.employeeNumber),
      ),
    )
    .select<Array<Probe & { employee_number: string }>>('id', 'employee_number', 'username', 'version', 'hr_hash');
  for (const p of found) probes.set(String(p.employee_number), { id: Number(p.id), username: String(p.username), version: Number(p.version), hr_hash: p.hr_hash });
  return probes;
}

interface ExistingEmail {
  id: number;
  employee_id: number;
  kind: EmailKind;
  address: string;
  address_lc: string;
  used_for_codes: unknown;
  source: 'hr' | 'manager';
}

interface Conflict {
  address: string;
  kind: EmailKind;
  source: 'hr' | 'manager';
  reason: string;
}

export interface Update {
  row: HrRow;
  id: number;
  set: Record<string, unknown>;
  usernameChanged: boolean;
  deleteEmails: number[];
  updateEmails: Array<{ id: number; kind: EmailKind; address: string }>;
  addEmails: HrEmail[];
  pendingFactorIds: number[];
  codeIds: number[];
  becameLeaver: boolean;
  rejoined: boolean;
  changedFields: string[];
}

/** What a batch does: `creates` the rows themselves, or (planNewRows) their keys. */
export interface BatchPlan<New extends HrRow | NewRowKey = HrRow> {
  creates: New[];
  updates: Update[];
  unchanged: number;
  /** Of the unchanged, those compared in full: their fingerprint is written so the next import need not. */
  rehash: Array<{ id: number; hrHash: string }>;
  rejected: Array<{ row: Pick<HrRow, 'employeeNumber' | 'line'>; reason: string }>;
  conflicts: Array<{ row: HrRow; employeeId: number; conflicts: Conflict[] }>;
}

/** Addresses on record a row to be created brings. */
export function addressesOf(r: HrRow | NewRowKey): number {
  return 'addresses' in r ? r.addresses : r.emails.length;
}

/** What the database holds for the batch's employees beyond their rows. */
interface Holdings {
  emailsOf: Map<number, ExistingEmail[]>;
  /** Addresses an active email factor sends codes to. */
  codesEmailIds: Set<number>;
  pendingOf: Map<number, number[]>;
  codesOf: Map<number, number[]>;
}

/**
 * Usernames are unique: a row may take a username only from nobody, or from an employee in this
 * batch who gives it up. Rejections can free or block others, so check until nothing changes.
 * `holders` comes with the usernames the batch's own employees hold now (from the probe); the
 * others the rows ask for are looked up here (given `onlyThese`, only those of them: nobody else can
 * hold the rest). Returns the rows accepted; the others go to plan.rejected.
 */
async function claimUsernames<R extends Pick<HrRow, 'employeeNumber' | 'username' | 'line'>>(
  q: Q,
  rows: R[],
  plan: Pick<BatchPlan, 'rejected'>,
  holders: Map<string, string>,
  onlyThese?: ReadonlySet<string>,
): Promise<R[]> {
  const wanted = [...new Set(rows.map((r) => r.username))].filter((u) => !holders.has(u) && (onlyThese === undefined || onlyThese.has(u)));
  if (wanted.length > 0) {
    for (const h of await q('employees').where(whereInList(q, 'username', wanted)).select<Array<{ username: string; employee_number: string }>>('username', 'employee_number')) {
      holders.set(String(h.username), String(h.employee_number));
    }
  }
  let accepted = rows;
  for (;;) {
    const byNumber = new Map(accepted.map((r) => [r.employeeNumber, r]));
    const claimed = new Map<string, R>();
    const next: R[] = [];
    for (const r of accepted) {
      const first = claimed.get(r.username);
      if (first) {
        plan.rejected.push({ row: r, reason: `username ${r.username} is also on line ${first.line} (employee ${first.employeeNumber})` });
        continue;
      }
      const holder = holders.get(r.username);
      if (holder !== undefined && holder !== r.employeeNumber) {
        const other = byNumber.get(holder);
        if (!other || other.username === r.username) {
          plan.rejected.push({ row: r, reason: `username ${r.username} belongs to employee ${holder}` });
          continue;
        }
      }
      claimed.set(r.username, r);
      next.push(r);
    }
    if (next.length === accepted.length) return accepted;
    accepted = next;
  }
}

function pushTo(map: Map<number, number[]>, key: number, value: number): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

async function readHoldings(q: Q, existingIds: number[], leaverIds: number[]): Promise<Holdings> {
  const h: Holdings = { emailsOf: new Map(), codesEmailIds: new Set(), pendingOf: new Map(), codesOf: new Map() };
  if (existingIds.length === 0) return h;
  const emails = await q('employee_emails')
    .where(whereInList(q, 'employee_id', existingIds))
    .orderBy('id')
    .select<ExistingEmail[]>('id', 'employee_id', 'kind', 'address', 'address_lc', 'used_for_codes', 'source');
  for (const m of emails) {
    const id = Number(m.employee_id);
    const list = h.emailsOf.get(id) ?? [];
    list.push({ ...m, id: Number(m.id), employee_id: id });
    h.emailsOf.set(id, list);
  }
  const factorEmails = await q('factors')
    .where(whereInList(q, 'employee_id', existingIds))
    .where({ type: 'email', state: 'active' })
    .whereNotNull('email_id')
    .select<Array<{ email_id: number }>>('email_id');
  for (const f of factorEmails) h.codesEmailIds.add(Number(f.email_id));
  if (leaverIds.length > 0) {
    const pending = await q('factors').where(whereInList(q, 'employee_id', leaverIds)).where({ state: 'pending' }).orderBy('id').select<Array<{
      id: number;
      employee_id: number;
    }>>('id', 'employee_id');
    for (const f of pending) pushTo(h.pendingOf, Number(f.employee_id), Number(f.id));
    const codes = await q('one_time_codes')
      .where(whereInList(q, 'employee_id', leaverIds))
      .whereNull('consumed_at')
      .whereNull('superseded_at')
      .whereNull('locked_at')
      .orderBy('id')
      .select<Array<{ id: number; employee_id: number }>>('id', 'employee_id');
    for (const c of codes) pushTo(h.codesOf, Number(c.employee_id), Number(c.id));
  }
  return h;
}

/** The record's own columns that differ from the row, and their new values. */
function changedColumns(e: ExistingEmployee, r: HrRow): { changedFields: string[]; set: Record<string, unknown> } {
  const changedFields: string[] = [];
  const set: Record<string, unknown> = {};
  const compare = (column: string, before: unknown, after: unknown) => {
    if (before !== after) {
      changedFields.push(column);
      set[column] = after;
    }
  };
  compare('first_name', e.first_name, r.firstName);
  compare('last_name', e.last_name, r.lastName);
  compare('username', e.username, r.username);
  compare('organisation', e.organisation, r.organisation);
  compare('department', e.department, r.department);
  compare('job_title', e.job_title ?? '', r.jobTitle);
  compare('status', e.status, r.status);
  compare('leaving_date', e.leaving_date ?? null, r.leavingDate);
  compare('internet_access_approved', toBool(e.internet_access_approved), r.internetAccessApproved);
  return { changedFields, set };
}

/** Emails: HR's replace HR's; a manager's and one that receives codes are kept (a conflict). */
function reconcileEmails(r: HrRow, current: readonly ExistingEmail[], codesEmailIds: ReadonlySet<number>) {
  const hrByLc = new Map(r.emails.map((m) => [m.lc, m]));
  const seen = new Set<string>();
  /** The addresses on record afterwards, for the search text. */
  const finalLc: string[] = [];
  const deleteEmails: number[] = [];
  const updateEmails: Update['updateEmails'] = [];
  const conflicts: Conflict[] = [];
  const hrOf = (kind: EmailKind) => r.emails.find((m) => m.kind === kind)?.address;
  for (const m of current) {
    const hr = hrByLc.get(m.address_lc);
    if (hr) {
      seen.add(m.address_lc);
      finalLc.push(m.address_lc);
      if (m.source === 'hr' && (m.kind !== hr.kind || m.address !== hr.address)) updateEmails.push({ id: m.id, kind: hr.kind, address: hr.address });
    } else if (m.source === 'manager') {
      finalLc.push(m.address_lc);
      const instead = hrOf(m.kind);
      conflicts.push({
        address: m.address,
        kind: m.kind,
        source: m.source,
        reason: `a manager added the ${m.kind} address ${m.address}; HR lists ${instead ? `${instead} instead` : `no ${m.kind} address`}: kept`,
      });
    } else if (codesEmailIds.has(m.id) || toBool(m.used_for_codes)) {
      finalLc.push(m.address_lc);
      conflicts.push({
        address: m.address,
        kind: m.kind,
        source: m.source,
        reason: `HR no longer lists the ${m.kind} address ${m.address}, but an active email factor sends one-time codes to it: kept`,
      });
    } else {
      deleteEmails.push(m.id);
    }
  }
  const addEmails = r.emails.filter((m) => !seen.has(m.lc));
  for (const m of addEmails) finalLc.push(m.lc);
  return { finalLc, deleteEmails, updateEmails, addEmails, conflicts };
}

/** Of these leavers, the ones with a registration still pending or a code still usable (the import cancels them). */
async function leaversWithOpenItems(q: Q, ids: number[]): Promise<Set<number>> {
  const open = new Set<number>();
  if (ids.length === 0) return open;
  for (const f of await q('factors').where(whereInList(q, 'employee_id', ids)).where({ state: 'pending' }).select<Array<{ employee_id: number }>>('employee_id')) {
    open.add(Number(f.employee_id));
  }
  const codes = await q('one_time_codes')
    .where(whereInList(q, 'employee_id', ids))
    .whereNull('consumed_at')
    .whereNull('superseded_at')
    .whereNull('locked_at')
    .select<Array<{ employee_id: number }>>('employee_id');
  for (const c of codes) open.add(Number(c.employee_id));
  return open;
}

/**
 * The cheap first pass, from the probe: a row whose fingerprint matches the record's (the same HR
 * fields and addresses, the record not changed since) is unchanged, and nothing more is read for
 * it; a leaver's also needs no pending registration or usable code to cancel. Returns the existing
 * employees' ids and the rows still to compare in full.
 */
async function sortByFingerprint(q: Q, accepted: RowKey[], probes: ReadonlyMap<string, Probe>, plan: BatchPlan): Promise<{ idOf: Map<string, number>; compare: RowKey[] }> {
  const idOf = new Map<string, number>();
  const compare: RowKey[] = [];
  const sameLeavers: RowKey[] = [];
  for (const r of accepted) {
    const p = probes.get(r.employeeNumber);
    if (p) idOf.set(r.employeeNumber, p.id);
    if (p && p.hr_hash === storedHrHash(p.version, r.hash)) {
      if (r.status === 'leaver') sameLeavers.push(r);
      else plan.unchanged++;
    } else compare.push(r);
  }
  const open = await leaversWithOpenItems(
    q,
    sameLeavers.map((r) => idOf.get(r.employeeNumber)!),
  );
  for (const r of sameLeavers) {
    if (open.has(idOf.get(r.employeeNumber)!)) compare.push(r);
    else plan.unchanged++;
  }
  return { idOf, compare };
}

/**
 * A first load's batch while every employee on the desk is one the load itself wrote from an
 * earlier line of the file: no row's employee number is on the desk (the reader lets each number
 * through once), and a row's username only if an earlier line may have had it.
 */
export interface OwnRowsOnly {
  /** The batch's usernames an earlier line may have had (extract-passes.ts: PendingBatch.earlierUsernames). */
  earlierUsernames: ReadonlySet<string>;
}

/**
 * planBatch for a first load's batch planned from the file alone (OwnRowsOnly), given only what
 * the plan needs of each row: every row is new, so the plan only decides which rows take their
 * username (the others are rejected, as planBatch rejects them). The same plan as planBatch's for
 * the whole rows, with their keys as `creates`.
 */
export async function planNewRows(q: Q, rows: NewRowKey[], ownRowsOnly: OwnRowsOnly): Promise<BatchPlan<NewRowKey>> {
  const plan: BatchPlan<NewRowKey> = { creates: [], updates: [], unchanged: 0, rehash: [], rejected: [], conflicts: [] };
  plan.creates = await claimUsernames(q, rows, plan, new Map(), ownRowsOnly.earlierUsernames);
  return plan;
}

/**
 * What the batch changes, from the rows and what the database holds. Pure reading: the dry run
 * stops here. In a real run `q` is the batch's transaction, which already holds the write lock.
 * With `ownRowsOnly` the plan is the same, but the database is asked only about the usernames an
 * earlier line may have had: a first load's look-ups would all find nothing. The rows are read
 * whole only once their fingerprints are compared (BatchRows).
 */
export async function planBatch(q: Q, batch: BatchRows, lockRows: boolean, ownRowsOnly?: OwnRowsOnly): Promise<BatchPlan> {
  const plan: BatchPlan = { creates: [], updates: [], unchanged: 0, rehash: [], rejected: [], conflicts: [] };
  const keys = batch.keys;
  if (keys.length === 0) return plan;
  const probes = ownRowsOnly ? new Map<string, Probe>() : await probe(q, keys);
  const holders = new Map([...probes].map(([number, p]) => [p.username, number]));
  const accepted = await claimUsernames(q, keys, plan, holders, ownRowsOnly?.earlierUsernames);
  const sorted = await sortByFingerprint(q, accepted, probes, plan);
  const idOf = sorted.idOf;
  // Only now the whole rows, of those to compare in full (in a nightly feed, a few in a hundred).
  const position = sorted.compare.length > 0 ? new Map(keys.map((k, i) => [k, i])) : null;
  const compare = await batch.whole(sorted.compare.map((k) => position!.get(k)!));
  const known = compare.filter((r) => idOf.has(r.employeeNumber));
  // The rows that are new or may have changed: the record and its addresses, locked on PostgreSQL.
  const existing = new Map<string, ExistingEmployee>();
  if (known.length > 0) {
    let existingQuery = q('employees')
      .where(
        whereInList(
          q,
          'id',
          known.map((r) => idOf.get(r.employeeNumber)!),
        ),
      )
      .orderBy('id')
      .select('id', 'version', 'hr_hash', ...HR_RECORD_COLUMNS, 'search_doc');
    if (lockRows) existingQuery = existingQuery.forUpdate();
    for (const e of (await existingQuery) as ExistingEmployee[]) existing.set(String(e.employee_number), { ...e, id: Number(e.id), version: Number(e.version) });
  }
  const existingIds = known.map((r) => existing.get(r.employeeNumber)!.id);
  const leaverIds = known.filter((r) => r.status === 'leaver').map((r) => existing.get(r.employeeNumber)!.id);
  const held = await readHoldings(q, existingIds, leaverIds);

  for (const r of compare) {
    const e = existing.get(r.employeeNumber);
    if (!e) {
      plan.creates.push(r);
      continue;
    }
    const { changedFields, set } = changedColumns(e, r);
    const { finalLc, deleteEmails, updateEmails, addEmails, conflicts } = reconcileEmails(r, held.emailsOf.get(e.id) ?? [], held.codesEmailIds);
    if (conflicts.length > 0) plan.conflicts.push({ row: r, employeeId: e.id, conflicts });

    const pendingFactorIds = r.status === 'leaver' ? (held.pendingOf.get(e.id) ?? []) : [];
    const codeIds = r.status === 'leaver' ? (held.codesOf.get(e.id) ?? []) : [];
    const changed =
      changedFields.length > 0 ||
      deleteEmails.length > 0 ||
      updateEmails.length > 0 ||
      addEmails.length > 0 ||
      pendingFactorIds.length > 0 ||
      codeIds.length > 0;
    if (!changed) {
      plan.unchanged++;
      // A record that differs from HR (a conflict kept) is compared in full every time.
      const hrHash = storedHrHash(e.version, r.hash);
      if (conflicts.length === 0 && e.hr_hash !== hrHash) plan.rehash.push({ id: e.id, hrHash });
      continue;
    }
    Object.assign(set, derivedChanges(e, { ...r, emails: finalLc }));
    // The write makes the next version: the fingerprint is of that one.
    set.hr_hash = conflicts.length === 0 ? storedHrHash(e.version + 1, r.hash) : null;
    plan.updates.push({
      row: r,
      id: e.id,
      set,
      usernameChanged: set.username !== undefined,
      deleteEmails,
      updateEmails,
      addEmails,
      pendingFactorIds,
      codeIds,
      becameLeaver: e.status === 'active' && r.status === 'leaver',
      rejoined: e.status === 'leaver' && r.status === 'active',
      changedFields,
    });
  }
  return plan;
}
