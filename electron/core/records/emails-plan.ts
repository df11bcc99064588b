/**
 * The plan of a change to the emails on record: the new list matched to the rows on record, what
 * is removed, added and corrected, what happens to the email method, and who else holds a new
 * address. Every refusal is thrown here, before anything is written.
 */
import { emailAddressProblem } from '../../../shared/channels/records';
import type { EmailKind, EmailOwner } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { assertCanRegister, type EmailOnRecord, type EmployeeRecord, type Trx } from '../mfa/common';
import { liveFactors, type FactorRow } from '../mfa/factors.service';
import { duplicateError, invalid, type CheckedEmailsInput, type Issue } from './emails-checks';

/** One address of the list the record should hold, matched to the row on record it keeps or corrects. */
export interface Planned {
  index: number;
  prev: EmailOnRecord | null;
  kind: EmailKind;
  address: string;
  lc: string;
  usedForCodes: boolean;
}

export interface EmailsPlan {
  before: EmailOnRecord[];
  byId: Map<number, EmailOnRecord>;
  keptIds: Set<number>;
  removed: EmailOnRecord[];
  added: Planned[];
  corrected: Planned[];
  codesAfter: Planned | null;
  codesChanged: boolean;
  /** Whether this change takes away or corrects the address a factor uses. */
  affected: (f: FactorRow) => boolean;
  pendingEmail: FactorRow | null;
  /** The address the email method is re-registered to, and the factor that moves. */
  target: Planned | null;
  moving: FactorRow | null;
  /** Other employees that hold an address new to this one (going ahead needs a reason). */
  owners: EmailOwner[];
}

/** Match the list to the rows on record; check every address that is new or corrected, and the count per kind. */
function matchList(input: CheckedEmailsInput, before: EmailOnRecord[], byId: Map<number, EmailOnRecord>): Planned[] {
  const issues: Issue[] = [];
  const planned: Planned[] = input.emails.map((e, index) => {
    let prev: EmailOnRecord | null = null;
    if (e.id !== undefined) {
      prev = byId.get(e.id) ?? null;
      if (!prev) {
        throw new DeskError('NOT_FOUND', `Email address ${e.id} is not on this employee's record.`, {
          emailId: e.id,
          issues: [{ path: `emails.${index}.id`, message: 'This address is not on the record' }],
        });
      }
    }
    if (!prev || prev.address !== e.address) {
      const problem = emailAddressProblem(e.address);
      if (problem) issues.push({ path: `emails.${index}.address`, message: problem });
    }
    return { index, prev, kind: e.kind, address: e.address, lc: e.address.toLowerCase(), usedForCodes: e.usedForCodes };
  });
  // One work and one personal address; a record that already holds more (from HR) keeps them but gains none.
  for (const kind of ['work', 'personal'] as const) {
    const allowed = Math.max(1, before.filter((e) => e.kind === kind).length);
    const ofKind = planned.filter((p) => p.kind === kind);
    if (ofKind.length > allowed) {
      const extra = ofKind.find((p) => !p.prev || p.prev.kind !== kind) ?? ofKind[ofKind.length - 1]!;
      issues.push({
        path: `emails.${extra.index}.kind`,
        message: `An employee has one ${kind} address at most: correct or remove the ${kind} address on record instead of adding another`,
      });
    }
  }
  if (issues.length > 0) throw invalid(issues);
  return planned;
}

/** The employees other than this one on whose record one of these addresses is. */
async function otherOwners(trx: Trx, employeeId: number, lcs: string[]): Promise<EmailOwner[]> {
  if (lcs.length === 0) return [];
  const rows = await trx('employee_emails')
    .join('employees', 'employees.id', 'employee_emails.employee_id')
    .whereIn('employee_emails.address_lc', lcs)
    .whereNot('employee_emails.employee_id', employeeId)
    .orderBy('employee_emails.address_lc')
    .orderBy('employees.employee_number')
    .limit(20)
    .select<Array<{ address: string; employee_id: number; employee_number: string; first_name: string; last_name: string }>>(
      'employee_emails.address',
      'employees.id as employee_id',
      'employees.employee_number',
      'employees.first_name',
      'employees.last_name',
    );
  return rows.map((r) => ({
    address: r.address,
    employeeId: Number(r.employee_id),
    employeeNumber: String(r.employee_number),
    name: `${r.first_name} ${r.last_name}`,
  }));
}

export async function planEmailsChange(trx: Trx, employee: EmployeeRecord, input: CheckedEmailsInput, before: EmailOnRecord[]): Promise<EmailsPlan> {
  const byId = new Map(before.map((e) => [e.id, e]));
  const planned = matchList(input, before, byId);

  const keptIds = new Set(planned.filter((p) => p.prev).map((p) => p.prev!.id));
  const removed = before.filter((e) => !keptIds.has(e.id));
  const added = planned.filter((p) => !p.prev);
  const corrected = planned.filter((p) => p.prev && (p.prev.address !== p.address || p.prev.kind !== p.kind));
  const codesBefore = before.find((e) => e.usedForCodes) ?? null;
  const codesAfter = planned.find((p) => p.usedForCodes) ?? null;
  const codesChanged = (codesBefore?.address.toLowerCase() ?? null) !== (codesAfter?.lc ?? null);

  // The email method: its address may go only if it moves to another address in this change.
  const finalLcById = new Map(planned.filter((p) => p.prev).map((p) => [p.prev!.id, p.lc]));
  const affected = (f: FactorRow): boolean => {
    if (f.emailId === null) return false;
    const was = byId.get(f.emailId);
    return !was || finalLcById.get(f.emailId) !== was.address.toLowerCase();
  };
  const factors = await liveFactors(trx, employee.id);
  const activeEmail = factors.find((f) => f.type === 'email' && f.state === 'active') ?? null;
  const pendingEmail = factors.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
  const target = input.reEmailFactorTo !== undefined ? planned.find((p) => p.lc === input.reEmailFactorTo!.toLowerCase())! : null;
  const moving = target ? (activeEmail ?? pendingEmail) : null;
  if (target) {
    if (!moving) {
      throw new DeskError('RULE_VIOLATION', 'The employee has no email method to re-register: they set one up themselves on the self-service portal.');
    }
    if (!affected(moving) && moving.emailId !== null && target.prev?.id === moving.emailId) {
      throw new DeskError('RULE_VIOLATION', `The email method already uses ${target.address}: choose another address to re-register it to.`);
    }
    if (codesAfter?.lc !== target.lc) {
      throw new DeskError('RULE_VIOLATION', `Codes go to the address the email method is re-registered to: choose ${target.address} for codes.`, {
        reEmailFactorTo: target.address,
      });
    }
    assertCanRegister(employee, planned.length);
  } else if (activeEmail && affected(activeEmail)) {
    const address = byId.get(activeEmail.emailId!)!.address;
    throw new DeskError(
      'RULE_VIOLATION',
      `${address} is the address the employee's email method (one-time codes) uses: it can be removed or corrected only when the same change re-registers the email method to another address on record.`,
      { factorId: activeEmail.id, emailId: activeEmail.emailId, address, needsReRegistration: true },
    );
  } else if (activeEmail && activeEmail.emailId !== null && codesChanged) {
    const address = byId.get(activeEmail.emailId)?.address;
    if (address && codesAfter?.lc !== address.toLowerCase()) {
      throw new DeskError(
        'RULE_VIOLATION',
        `Codes go to ${address}, the address the email method is registered with. To send codes to another address, re-register the email method to it in the same change.`,
        { factorId: activeEmail.id, address },
      );
    }
  }
  if (removed.length === 0 && added.length === 0 && corrected.length === 0 && !codesChanged && !target) {
    throw new DeskError('RULE_VIOLATION', 'Nothing to change: the emails on record are already as listed.');
  }

  // An address new to this employee that another employee has too: only with a reason.
  const newLcs = planned.filter((p) => !p.prev || p.prev.address.toLowerCase() !== p.lc).map((p) => p.lc);
  const owners = await otherOwners(trx, employee.id, newLcs);
  if (owners.length > 0 && !input.confirmDuplicate) throw duplicateError(owners);

  return { before, byId, keptIds, removed, added, corrected, codesAfter, codesChanged, affected, pendingEmail, target, moving, owners };
}
