/**
 * Emailed one-time codes: issued, counted and redeemed in the database, so every limit holds across
 * restarts, desks and the portal.
 *  - 6 digits from crypto.randomInt; only an HMAC of the code under a key derived from the data key
 *    is stored (a plain hash of a 6-digit code would be reversed in a million guesses), compared in
 *    constant time; used once (consumed_at).
 *  - bound to the employee, its purpose, the request that made it (ticket reference or self-service
 *    request id) and, for a registration, the pending factor and the address it went to. A new code
 *    supersedes the employee's live code of the same purpose.
 *  - valid for the setting otp.lifetimeMinutes (20): from the moment it expires it is refused.
 *  - 5 wrong tries lock a code; wrong tries are also counted per employee (a new code does not reset
 *    that count, a right code or an agent's unlock does) and at 10 all the employee's codes are locked.
 *  - at most 10 codes per employee in any rolling hour.
 */
import crypto from 'node:crypto';
import type { CodePurpose } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import { toIso, insertedId, type InsertedId } from '../db/values';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { getSetting } from '../settings/settings.service';
import { Refusal, type EmailOnRecord, type EmployeeRecord, type MfaDeps, type Trx } from './common';
import {
  CODE_DIGITS,
  CODE_MAC_PURPOSE,
  CODE_MAX_ATTEMPTS,
  CODE_RATE_WINDOW_MS,
  EMPLOYEE_MAX_CODE_FAILURES,
  MAX_CODES_PER_HOUR,
} from '../../../shared/mfa-rules';

export interface IssueCodeInput {
  employee: EmployeeRecord;
  purpose: CodePurpose;
  /** The ticket reference (agent) or self-service request id that asked for it. */
  requestRef: string;
  recipient: EmailOnRecord;
  /** The pending factor a registration code completes. */
  factorId?: number | null;
}

export interface IssuedCode {
  id: number;
  /** The plain code, for the mail in the same transaction. Never stored, logged or returned to a desk. */
  code: string;
  issuedAt: string;
  expiresAt: string;
  lifetimeMinutes: number;
  recipient: string;
  emailId: number;
}

/** What is hashed: the code bound to its employee and purpose. */
function codeMaterial(employeeId: number, purpose: CodePurpose, code: string): string {
  return `${employeeId}:${purpose}:${code}`;
}

function clockTime(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

const CODE_FORMAT = new RegExp(`^\\d{${CODE_DIGITS}}$`);

/**
 * A code that cannot be one (not 6 digits) is bad input: refused before anything is looked at or
 * counted, so it costs no try and writes no audit row. The router and the CLI check the same; this
 * holds for any other caller of the services (the portal).
 */
export function assertCodeFormat(code: unknown): void {
  if (typeof code !== 'string' || !CODE_FORMAT.test(code)) {
    throw new DeskError('VALIDATION', `Enter the ${CODE_DIGITS}-digit code.`);
  }
}

export function codesLockedError(employee: EmployeeRecord): DeskError {
  return new DeskError(
    'RULE_VIOLATION',
    `This employee's one-time codes are locked after ${EMPLOYEE_MAX_CODE_FAILURES} wrong codes in a row. No code can be sent or accepted until Shared Services verifies the caller and unlocks them.`,
    { codesLockedAt: employee.codesLockedAt },
  );
}

/**
 * Make a code and store its hash (the caller mails it in the same transaction). Refused, with
 * nothing written, while the employee's codes are locked or after 10 codes in the last hour.
 */
export async function issueCode(trx: Trx, deps: MfaDeps, input: IssueCodeInput): Promise<IssuedCode> {
  const { employee, purpose } = input;
  if (employee.codesLockedAt) throw codesLockedError(employee);
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - CODE_RATE_WINDOW_MS).toISOString();
  const recent = (await trx('one_time_codes')
    .where('employee_id', employee.id)
    .andWhere('issued_at', '>', windowStart)
    .count({ n: '*' })
    .min({ oldest: 'issued_at' })
    .first()) as { n: number | string; oldest: unknown } | undefined;
  const count = Number(recent?.n ?? 0);
  if (count >= MAX_CODES_PER_HOUR) {
    const oldest = Date.parse(toIso(recent?.oldest) ?? now.toISOString());
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + CODE_RATE_WINDOW_MS - now.getTime()) / 1000));
    const minutes = Math.ceil(retryAfterSeconds / 60);
    throw new DeskError(
      'RULE_VIOLATION',
      `Too many codes: at most ${MAX_CODES_PER_HOUR} codes can be sent to an employee in an hour. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      { retryAfterSeconds },
    );
  }
  const lifetimeMinutes = await getSetting(trx, 'otp.lifetimeMinutes');
  const issuedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + lifetimeMinutes * 60_000).toISOString();
  await trx('one_time_codes')
    .where({ employee_id: employee.id, purpose })
    .whereNull('consumed_at')
    .whereNull('superseded_at')
    .update({ superseded_at: issuedAt });
  const code = String(crypto.randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
  const [row] = await trx('one_time_codes')
    .insert({
      employee_id: employee.id,
      purpose,
      code_hash: deps.vault.mac(CODE_MAC_PURPOSE, codeMaterial(employee.id, purpose, code)),
      recipient: input.recipient.address,
      request_ref: input.requestRef,
      issued_at: issuedAt,
      expires_at: expiresAt,
      consumed_at: null,
      superseded_at: null,
      locked_at: null,
      attempts: 0,
      factor_id: input.factorId ?? null,
      email_id: input.recipient.id,
    })
    .returning<InsertedId[]>('id');
  const id = insertedId(row);
  return { id, code, issuedAt, expiresAt, lifetimeMinutes, recipient: input.recipient.address, emailId: input.recipient.id };
}

export interface RedeemInput {
  employee: EmployeeRecord;
  purpose: CodePurpose;
  code: string;
  /** Only a code made for this request (an identity check: the ticket) is looked at. */
  requestRef?: string | null;
  /** Only a code made for this pending factor (a registration) is looked at. */
  factorId?: number | null;
  /** Who is entering the code, for the audit row of a wrong try. */
  actor: Actor;
  ticketRef?: string | null;
}

export interface RedeemedCode {
  codeId: number;
  emailId: number | null;
  factorId: number | null;
  requestRef: string | null;
}

const NO_CODE: Record<CodePurpose, string> = {
  registration: 'No registration code has been sent for this registration. Request a code first.',
  reset: 'No reset code has been sent. Request a code first.',
  identity_check: 'No identity-check code has been sent on this ticket. Send one first.',
  sign_in: 'No sign-in code has been sent. Ask for a new code.',
};

/**
 * Check a code against the newest code of its purpose (and request or factor). A right code is
 * consumed (the caller goes on in the same transaction); a wrong one is counted and audited and a
 * Refusal comes back for the caller to return, so the count commits. Any other refusal (locked,
 * expired, used, none) is thrown: nothing is written.
 */
export async function redeemCode(trx: Trx, deps: MfaDeps, input: RedeemInput): Promise<RedeemedCode | Refusal> {
  const { employee, purpose } = input;
  assertCodeFormat(input.code);
  if (employee.codesLockedAt) throw codesLockedError(employee);
  const qb = trx('one_time_codes').where({ employee_id: employee.id, purpose });
  if (input.requestRef != null) qb.andWhere('request_ref', input.requestRef);
  if (input.factorId != null) qb.andWhere('factor_id', input.factorId);
  const row = await qb
    .orderBy([
      { column: 'issued_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first<| Record<string, unknown>
    | undefined>('id', 'code_hash', 'request_ref', 'issued_at', 'expires_at', 'consumed_at', 'superseded_at', 'locked_at', 'attempts', 'factor_id', 'email_id');
  if (!row) throw new DeskError('RULE_VIOLATION', NO_CODE[purpose]);
  const codeId = Number(row.id);
  const attempts = Number(row.attempts);
  if (row.consumed_at != null) {
    throw new DeskError('RULE_VIOLATION', 'This code has already been used. Start again and request a new code.', { codeId });
  }
  if (row.superseded_at != null) {
    throw new DeskError('RULE_VIOLATION', 'A newer code has been sent since this one: use the code in the newest email.', { codeId });
  }
  if (row.locked_at != null || attempts >= CODE_MAX_ATTEMPTS) {
    throw new DeskError(
      'RULE_VIOLATION',
      `This code is locked after ${CODE_MAX_ATTEMPTS} wrong tries. Start again and request a new code.`,
      { codeId, attemptsLeft: 0 },
    );
  }
  const now = deps.clock.now();
  const expiresAt = toIso(row.expires_at)!;
  if (now.getTime() >= Date.parse(expiresAt)) {
    const minutes = Math.round((Date.parse(expiresAt) - Date.parse(toIso(row.issued_at)!)) / 60_000);
    throw new DeskError(
      'RULE_VIOLATION',
      `This code expired at ${clockTime(expiresAt)} (a code is valid for ${minutes} minutes). Start the process again and request a new code.`,
      { codeId, expiredAt: expiresAt },
    );
  }
  const at = now.toISOString();
  const right = deps.vault.macEquals(CODE_MAC_PURPOSE, codeMaterial(employee.id, purpose, input.code), String(row.code_hash));
  if (right) {
    await trx('one_time_codes').where({ id: codeId }).update({ consumed_at: at });
    if (employee.codeFailures !== 0) await trx('employees').where({ id: employee.id }).update({ code_failures: 0 });
    employee.codeFailures = 0;
    return {
      codeId,
      emailId: row.email_id == null ? null : Number(row.email_id),
      factorId: row.factor_id == null ? null : Number(row.factor_id),
      requestRef: (row.request_ref as string | null) ?? null,
    };
  }

  const tries = attempts + 1;
  const codeLocked = tries >= CODE_MAX_ATTEMPTS;
  await trx('one_time_codes').where({ id: codeId }).update({ attempts: tries, ...(codeLocked ? { locked_at: at } : {}) });
  const failures = employee.codeFailures + 1;
  const employeeLocked = failures >= EMPLOYEE_MAX_CODE_FAILURES;
  await trx('employees')
    .where({ id: employee.id })
    .update({ code_failures: failures, ...(employeeLocked ? { codes_locked_at: at } : {}) });
  employee.codeFailures = failures;
  if (employeeLocked) {
    employee.codesLockedAt = at;
    await refreshEmployeeFlags(trx, employee.id);
  }
  const attemptsLeft = Math.max(0, CODE_MAX_ATTEMPTS - tries);
  await recordAudit(trx, deps.clock, {
    actor: input.actor,
    action: 'code.rejected',
    result: 'refused',
    employeeId: employee.id,
    ticketRef: input.ticketRef ?? null,
    details: { purpose, codeId, attempts: tries, attemptsLeft, codeLocked, failures, employeeLocked },
  });
  const message = employeeLocked
    ? `That code is not right. After ${EMPLOYEE_MAX_CODE_FAILURES} wrong codes in a row this employee's codes are now locked: Shared Services must verify the caller and unlock them.`
    : codeLocked
      ? `That code is not right, and after ${CODE_MAX_ATTEMPTS} wrong tries it is now locked. Start again and request a new code.`
      : `That code is not right. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left for this code.`;
  return new Refusal(new DeskError('RULE_VIOLATION', message, { codeId, attemptsLeft, codeLocked, failures, employeeLocked }));
}
