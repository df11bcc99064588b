/**
 * What every MFA operation shares: a transaction that can commit a refusal (a counted wrong try),
 * the employee row locked for the operation, the eligibility rules, the addresses on record and
 * the change confirmation that goes to all of them.
 */
import { isRowId } from '../../../shared/schemas';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { EmailKind, EmployeeStatus } from '../../../shared/domain';
import { eligibility } from '../../../shared/eligibility';
import { DeskError } from '../../../shared/errors';
import type { Actor } from '../audit/audit.service';
import type { Clock } from '../clock';
import { databaseKind } from '../db/connection';
import { toBool, toIso } from '../db/values';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import type { Vault } from '../secrets/vault';

export interface MfaDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
}

export type Trx = Knex.Transaction;

/** What the portal's own actions are recorded as in the audit trail. */
export const SELF_SERVICE_ACTOR: Actor = { userId: null, name: 'employee' };

/**
 * A refusal whose bookkeeping must stand: the wrong try is counted and audited, and the caller
 * still gets the error. Returned (not thrown) from a transaction so the transaction commits.
 */
export class Refusal {
  constructor(readonly error: DeskError) {}
}

/** Run `fn` in one transaction; a thrown error rolls everything back, a returned Refusal commits and is then thrown. */
export async function transact<T>(db: Knex, fn: (trx: Trx) => Promise<T | Refusal>): Promise<T> {
  const out = await db.transaction(fn);
  if (out instanceof Refusal) throw out.error;
  return out;
}

export interface EmployeeRecord {
  id: number;
  firstName: string;
  username: string;
  status: EmployeeStatus;
  leavingDate: string | null;
  internetAccessApproved: boolean;
  mfaEnabledAt: string | null;
  codeFailures: number;
  codesLockedAt: string | null;
}

const EMPLOYEE_COLUMNS = [
  'id',
  'first_name',
  'username',
  'status',
  'leaving_date',
  'internet_access_approved',
  'mfa_enabled_at',
  'code_failures',
  'codes_locked_at',
] as const;


/**
 * Read the employee and hold their row for the rest of the transaction, so two operations on one
 * employee (two desks, the portal and a desk) run one after the other: FOR UPDATE on PostgreSQL;
 * on sqlite a write first, which takes the database's write lock before anything is read.
 */
export async function lockEmployee(trx: Trx, employeeId: number): Promise<EmployeeRecord> {
  if (!isRowId(employeeId)) throw notFound(employeeId);
  let row: Record<string, unknown> | undefined;
  if (databaseKind(trx) === 'postgres') {
    row = await trx('employees').where({ id: employeeId }).forUpdate().first(...EMPLOYEE_COLUMNS);
  } else {
    await trx('employees').where({ id: employeeId }).update({ code_failures: trx.ref('code_failures') });
    row = await trx('employees').where({ id: employeeId }).first(...EMPLOYEE_COLUMNS);
  }
  if (!row) throw notFound(employeeId);
  return toRecord(row);
}

/** Read the employee without holding the row (for reads only). */
export async function readEmployee(db: Knex | Trx, employeeId: number): Promise<EmployeeRecord> {
  if (!isRowId(employeeId)) throw notFound(employeeId);
  const row: Record<string, unknown> | undefined = await db('employees').where({ id: employeeId }).first(...EMPLOYEE_COLUMNS);
  if (!row) throw notFound(employeeId);
  return toRecord(row);
}

function toRecord(row: Record<string, unknown>): EmployeeRecord {
  return {
    id: Number(row.id),
    firstName: String(row.first_name),
    username: String(row.username),
    status: row.status as EmployeeStatus,
    leavingDate: (row.leaving_date as string | null) ?? null,
    internetAccessApproved: toBool(row.internet_access_approved),
    mfaEnabledAt: toIso(row.mfa_enabled_at),
    codeFailures: Number(row.code_failures ?? 0),
    codesLockedAt: toIso(row.codes_locked_at),
  };
}

function notFound(employeeId: number): DeskError {
  return new DeskError('NOT_FOUND', `No employee with id ${employeeId}`);
}

export interface EmailOnRecord {
  id: number;
  kind: EmailKind;
  address: string;
  usedForCodes: boolean;
}

/** The addresses on record, work first (as the employee page lists them). */
export async function emailsOnRecord(trx: Trx | Knex, employeeId: number): Promise<EmailOnRecord[]> {
  const rows: Array<Record<string, unknown>> = await trx('employee_emails')
    .where({ employee_id: employeeId })
    .orderBy('kind', 'desc')
    .orderBy('id')
    .select('id', 'kind', 'address', 'used_for_codes');
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind as EmailKind, address: String(r.address), usedForCodes: toBool(r.used_for_codes) }));
}

/** The guides' reasons that stop registration (leaver, internet access not approved), as one refusal. */
export function assertCanRegister(employee: EmployeeRecord, emailCount: number): void {
  const facts = {
    status: employee.status,
    leavingDate: employee.leavingDate,
    internetAccessApproved: employee.internetAccessApproved,
    emailCount,
    mfaEnabledAt: employee.mfaEnabledAt,
  };
  const blocking = eligibility(facts).reasons.filter((r) => r.blocks);
  if (blocking.length > 0) {
    throw new DeskError('RULE_VIOLATION', blocking.map((r) => r.message).join(' '), { reasons: blocking.map((r) => r.code) });
  }
}

/** The 'no_email' reason in the guides' words, when a code must go by email and there is no address. */
export function noEmailError(): DeskError {
  const reason = eligibility({ status: 'active', leavingDate: null, internetAccessApproved: true, emailCount: 0, mfaEnabledAt: null }).reasons.find(
    (r) => r.code === 'no_email',
  )!;
  return new DeskError('RULE_VIOLATION', reason.message, { reasons: ['no_email'] });
}

/**
 * The address a code goes to: the one chosen by id (it must be on this employee's record), else
 * the one already used for codes, else the first on record.
 */
export function chooseEmail(emails: EmailOnRecord[], emailId: number | null | undefined): EmailOnRecord {
  if (emails.length === 0) throw noEmailError();
  if (emailId != null) {
    const chosen = emails.find((e) => e.id === emailId);
    if (!chosen) throw new DeskError('NOT_FOUND', `Email address ${emailId} is not on this employee's record.`);
    return chosen;
  }
  return emails.find((e) => e.usedForCodes) ?? emails[0]!;
}

/** A change's reference code, quoted to Shared Services: CHG-<factor id>-<6 random hex digits>. */
export function newReference(factorId: number): string {
  return `CHG-${factorId}-${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
}

function mailTime(at: Date): string {
  return at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/**
 * The guides: every change is confirmed to ALL addresses on record, with a way to reach Shared
 * Services. One outbox row per address, in the change's transaction. Never a code, seed or URI.
 */
export async function confirmChange(
  trx: Trx,
  deps: MfaDeps,
  employee: EmployeeRecord,
  emails: EmailOnRecord[],
  change: string,
  reference: string,
): Promise<number[]> {
  const when = mailTime(deps.clock.now());
  const ids: number[] = [];
  for (const e of emails) {
    ids.push(
      await enqueueMail(trx, deps.clock, deps.vault, {
        employeeId: employee.id,
        template: 'change_confirmation',
        to: e.address,
        values: { firstName: employee.firstName, when, change, reference, webchatUrl: WEBCHAT_URL },
        reference,
      }),
    );
  }
  return ids;
}
