import type { Knex } from 'knex';
import { isRowId } from '../../../shared/schemas';
import { DeskError } from '../../../shared/errors';
import type {
  EmailKind,
  EmployeeDetail,
  EmployeeStatus,
  EmployeeSummary,
  FactorState,
  FactorType,
  MfaState,
} from '../../../shared/domain';
import { toBool, toCount, toIso } from '../db/values';
import { FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';

/** An employees row as the record reads it. */
export interface EmployeeRow {
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

/** An employee row (any query that selects the summary columns) as the contract carries it. */
export function toSummary(r: Record<string, unknown>): EmployeeSummary {
  return {
    id: Number(r.id),
    employeeNumber: String(r.employee_number),
    firstName: String(r.first_name),
    lastName: String(r.last_name),
    username: String(r.username),
    organisation: String(r.organisation),
    department: String(r.department),
    status: r.status as EmployeeStatus,
    mfaState: r.mfa_state as MfaState,
    hasApp: toBool(r.has_app),
    hasEmail: toBool(r.has_email),
    pendingRegistration: toBool(r.pending_registration),
    locked: toBool(r.locked),
  };
}

export async function getEmployee(db: Knex, id: number): Promise<EmployeeDetail> {
  const e = isRowId(id) ? await db('employees').where({ id }).first<EmployeeRow | undefined>() : undefined;
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
  return {
    ...toSummary(e as unknown as Record<string, unknown>),
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

export async function countEmployees(db: Knex | Knex.Transaction): Promise<number> {
  return toCount(await db('employees').count({ n: '*' }).first());
}

/** Cheap "is there anyone?" for start-up screens (COUNT(*) would read millions of rows). */
export async function hasEmployees(db: Knex): Promise<boolean> {
  return (await db('employees').first('id')) !== undefined;
}

/**
 * Bring the employee's look-up flags (mfa_state, has_app, has_email, pending_registration,
 * locked) in step with their factors and code lock. Every writer of factors, mfa_enabled_at or
 * the code lock calls this in the same transaction, so the filters never join factors.
 * locked: the employee's codes are locked, or a factor that is not removed has had too many wrong codes.
 */
export async function refreshEmployeeFlags(db: Knex | Knex.Transaction, employeeId: number): Promise<void> {
  const employee = await db('employees').where({ id: employeeId }).first<| { mfa_enabled_at: unknown; codes_locked_at: unknown }
    | undefined>('mfa_enabled_at', 'codes_locked_at');
  if (!employee) throw new DeskError('NOT_FOUND', `No employee with id ${employeeId}`);
  const factors: Array<{ type: FactorType; state: FactorState; failed_attempts: unknown }> = await db('factors')
    .where({ employee_id: employeeId })
    .whereNot('state', 'removed')
    .select('type', 'state', 'failed_attempts');
  const pending = factors.some((f) => f.state === 'pending');
  const mfaState: MfaState = employee.mfa_enabled_at != null ? 'enabled' : pending ? 'pending' : 'not_registered';
  await db('employees')
    .where({ id: employeeId })
    .update({
      mfa_state: mfaState,
      has_app: factors.some((f) => f.type === 'authenticator_app' && f.state === 'active'),
      has_email: factors.some((f) => f.type === 'email' && f.state === 'active'),
      pending_registration: pending,
      locked: employee.codes_locked_at != null || factors.some((f) => Number(f.failed_attempts) >= FACTOR_MAX_ATTEMPTS),
    });
}
