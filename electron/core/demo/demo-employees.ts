/**
 * Which employees the demo loader made: each batch records its first employee id and its size in
 * its audit row (demo.batch_loaded), so the training copy of the portal's pages can refuse every
 * employee who did not come from demo data.
 */
import type { Knex } from 'knex';

export interface DemoRange {
  fromEmployeeId: number;
  count: number;
}

export async function demoRanges(db: Knex): Promise<DemoRange[]> {
  const rows = await db('audit_events').where({ action: 'demo.batch_loaded' }).select<Array<{ details: unknown }>>('details');
  return rows.flatMap((r) => {
    const d = (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as { fromEmployeeId?: unknown; count?: unknown } | null;
    const from = Number(d?.fromEmployeeId);
    const count = Number(d?.count);
    return Number.isInteger(from) && Number.isInteger(count) && count > 0 ? [{ fromEmployeeId: from, count }] : [];
  });
}

/** Whether the employee with this id was made by the demo loader. */
export function isDemoEmployee(ranges: DemoRange[], employeeId: number): boolean {
  return ranges.some((r) => employeeId >= r.fromEmployeeId && employeeId < r.fromEmployeeId + r.count);
}

export interface DemoPick {
  username: string;
  name: string;
  mfaEnabled: boolean;
}

/**
 * A few demo employees to try the portal's pages with: active ones with internet access approved
 * who have not registered yet, then some who have.
 */
export async function demoEmployeesToTry(db: Knex, ranges: DemoRange[], limit = 8): Promise<DemoPick[]> {
  if (ranges.length === 0) return [];
  const inDemo = (qb: Knex.QueryBuilder) => {
    qb.where((w) => {
      for (const r of ranges) w.orWhereBetween('id', [r.fromEmployeeId, r.fromEmployeeId + r.count - 1]);
    });
  };
  const pick = (registered: boolean, n: number) => {
    const qb = db('employees').where({ status: 'active', internet_access_approved: true });
    inDemo(qb);
    if (registered) qb.whereNotNull('mfa_enabled_at');
    else qb.whereNull('mfa_enabled_at').whereExists(db('employee_emails').whereRaw('employee_emails.employee_id = employees.id'));
    return qb.orderBy('id').limit(n).select<Array<{ username: string; first_name: string; last_name: string; mfa_enabled_at: unknown }>>('username', 'first_name', 'last_name', 'mfa_enabled_at');
  };
  const rows = [...(await pick(false, limit - Math.floor(limit / 3))), ...(await pick(true, Math.floor(limit / 3)))];
  return rows.map((r) => ({ username: r.username, name: `${r.first_name} ${r.last_name}`, mfaEnabled: r.mfa_enabled_at != null }));
}
