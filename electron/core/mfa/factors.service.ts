/**
 * An employee's factors (authenticator app, email): created pending, activated once the employee
 * proves they have them, removed (the row stays as history). The authenticator app is RFC 6238 as
 * Microsoft Authenticator expects it (SHA-1, 6 digits, 30 s), its 160-bit seed sealed with the
 * data key; a code is accepted once, with one step of drift either way, and 5 wrong codes lock it.
 */
import type { Knex } from 'knex';
import type { FactorState, FactorType } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import { matchTotp, newTotpSeed, TOTP_DIGITS, totpUri } from '../auth/totp';
import { toIso, insertedId, type InsertedId } from '../db/values';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { getSetting } from '../settings/settings.service';
import { confirmChange, newReference, Refusal, type EmailOnRecord, type EmployeeRecord, type MfaDeps, type Trx } from './common';
import { FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';

/** The vault purpose an authenticator app's seed is sealed under. */
export const FACTOR_SEED_PURPOSE = 'employee.totp';

export interface FactorRow {
  id: number;
  employeeId: number;
  type: FactorType;
  state: FactorState;
  emailId: number | null;
  seedEnc: string | null;
  lastStep: number | null;
  failedAttempts: number;
  createdAt: string;
}

function toFactor(r: Record<string, unknown>): FactorRow {
  return {
    id: Number(r.id),
    employeeId: Number(r.employee_id),
    type: r.type as FactorType,
    state: r.state as FactorState,
    emailId: r.email_id == null ? null : Number(r.email_id),
    seedEnc: (r.totp_seed_enc as string | null) ?? null,
    lastStep: r.totp_last_step == null ? null : Number(r.totp_last_step),
    failedAttempts: Number(r.failed_attempts ?? 0),
    createdAt: toIso(r.created_at)!,
  };
}

/** The employee's factors that are not removed, oldest first. */
export async function liveFactors(trx: Trx | Knex, employeeId: number): Promise<FactorRow[]> {
  const rows: Array<Record<string, unknown>> = await trx('factors')
    .where({ employee_id: employeeId })
    .whereNot('state', 'removed')
    .orderBy('id')
    .select('id', 'employee_id', 'type', 'state', 'email_id', 'totp_seed_enc', 'totp_last_step', 'failed_attempts', 'created_at');
  return rows.map(toFactor);
}

export async function createPendingFactor(
  trx: Trx,
  deps: MfaDeps,
  f: { employeeId: number; type: FactorType; emailId: number | null },
): Promise<FactorRow> {
  const now = deps.clock.now().toISOString();
  const row = {
    employee_id: f.employeeId,
    type: f.type,
    state: 'pending',
    email_id: f.emailId,
    totp_seed_enc: null,
    totp_last_step: null,
    failed_attempts: 0,
    registered_at: null,
    last_used_at: null,
    removed_at: null,
    created_at: now,
    updated_at: now,
  };
  const [r] = await trx('factors').insert(row).returning<InsertedId[]>('id');
  const id = insertedId(r);
  return toFactor({ ...row, id });
}

/** A fresh seed for a pending authenticator app (any earlier one stops working); returns it plain, once. */
export async function newFactorSeed(trx: Trx, deps: MfaDeps, factor: FactorRow): Promise<string> {
  const seed = newTotpSeed();
  const sealed = deps.vault.seal(seed, FACTOR_SEED_PURPOSE);
  await trx('factors')
    .where({ id: factor.id })
    .update({ totp_seed_enc: sealed, totp_last_step: null, failed_attempts: 0, updated_at: deps.clock.now().toISOString() });
  factor.seedEnc = sealed;
  factor.lastStep = null;
  factor.failedAttempts = 0;
  return seed;
}

/** The otpauth URI the employee scans: issuer from the setting employee.totp.issuer, account = username. */
export async function enrolmentUri(trx: Trx, employee: EmployeeRecord, seed: string): Promise<{ uri: string; issuer: string; account: string }> {
  const issuer = await getSetting(trx, 'employee.totp.issuer');
  return { uri: totpUri({ issuer, account: employee.username, secret: seed }), issuer, account: employee.username };
}

/**
 * Mark a factor removed (its row stays as history). An authenticator's seed is erased at once, so
 * the old phone's codes stop working; a removed email factor no longer marks its address for codes.
 */
export async function removeFactorRow(trx: Trx, deps: MfaDeps, factor: FactorRow): Promise<void> {
  const now = deps.clock.now().toISOString();
  await trx('factors')
    .where({ id: factor.id })
    .update({ state: 'removed', removed_at: now, totp_seed_enc: null, updated_at: now });
  if (factor.type === 'email' && factor.emailId !== null) {
    await trx('employee_emails').where({ id: factor.emailId }).update({ used_for_codes: false, updated_at: now });
  }
  factor.state = 'removed';
  factor.seedEnc = null;
}

function openSeed(deps: MfaDeps, sealed: string): string {
  try {
    return deps.vault.open(sealed, FACTOR_SEED_PURPOSE);
  } catch {
    throw new DeskError(
      'UNAVAILABLE',
      "This machine's data key cannot open the employee's authenticator key. Use the key file from the machine that set this database up (see `desk keys`).",
    );
  }
}

export function factorLockedError(factor: FactorRow): DeskError {
  return new DeskError(
    'RULE_VIOLATION',
    `The authenticator app is locked after ${FACTOR_MAX_ATTEMPTS} wrong codes. Shared Services must verify the caller another way and unlock it.`,
    { factorId: factor.id, attemptsLeft: 0 },
  );
}

const TOTP_CODE_FORMAT = new RegExp(`^\\d{${TOTP_DIGITS}}$`);

/**
 * Check a code from the employee's authenticator app. Right: the step is recorded (the same code
 * is never accepted again) and the wrong-code count cleared. Wrong or replayed: counted and audited,
 * and a Refusal returned for the caller to commit; the fifth locks the factor.
 */
export async function checkFactorCode(
  trx: Trx,
  deps: MfaDeps,
  input: { employee: EmployeeRecord; factor: FactorRow; code: string; actor: Actor; ticketRef?: string | null },
): Promise<{ step: number } | Refusal> {
  const { factor } = input;
  // Not a code at all is bad input: refused before it is counted as a wrong code or audited.
  if (typeof input.code !== 'string' || !TOTP_CODE_FORMAT.test(input.code)) {
    throw new DeskError('VALIDATION', `Enter the ${TOTP_DIGITS}-digit code from the authenticator app.`);
  }
  if (factor.type !== 'authenticator_app' || !factor.seedEnc) {
    throw new DeskError('RULE_VIOLATION', 'This factor has no authenticator key to check a code against.');
  }
  if (factor.failedAttempts >= FACTOR_MAX_ATTEMPTS) throw factorLockedError(factor);
  const seed = openSeed(deps, factor.seedEnc);
  const match = matchTotp({ secret: seed, code: input.code, clock: deps.clock, afterStep: factor.lastStep });
  const now = deps.clock.now().toISOString();
  if (match.ok) {
    await trx('factors')
      .where({ id: factor.id })
      .update({
        totp_last_step: match.step,
        failed_attempts: 0,
        updated_at: now,
        ...(factor.state === 'active' ? { last_used_at: now } : {}),
      });
    const wasLocked = factor.failedAttempts >= FACTOR_MAX_ATTEMPTS;
    factor.lastStep = match.step;
    factor.failedAttempts = 0;
    if (wasLocked) await refreshEmployeeFlags(trx, input.employee.id);
    return { step: match.step };
  }
  const failed = factor.failedAttempts + 1;
  const locked = failed >= FACTOR_MAX_ATTEMPTS;
  await trx('factors').where({ id: factor.id }).update({ failed_attempts: failed, updated_at: now });
  factor.failedAttempts = failed;
  if (locked) await refreshEmployeeFlags(trx, input.employee.id);
  const attemptsLeft = Math.max(0, FACTOR_MAX_ATTEMPTS - failed);
  await recordAudit(trx, deps.clock, {
    actor: input.actor,
    action: 'factor.code_rejected',
    result: 'refused',
    employeeId: input.employee.id,
    ticketRef: input.ticketRef ?? null,
    details: { factorId: factor.id, factorType: factor.type, failedAttempts: failed, attemptsLeft, locked, replay: match.replay },
  });
  const message = locked
    ? `That code is not right, and after ${FACTOR_MAX_ATTEMPTS} wrong codes the authenticator app is now locked: Shared Services must unlock it.`
    : match.replay
      ? `That code has already been used. Wait for the next code in the authenticator app. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`
      : `That code is not right. Enter the current 6-digit code from the authenticator app. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`;
  return new Refusal(new DeskError('RULE_VIOLATION', message, { factorId: factor.id, attemptsLeft, locked, replay: match.replay }));
}

export const CHANGE_TEXT = {
  appAdded: 'An authenticator app was added to your account as a way to sign in.',
  emailAdded: (address: string) => `The email address ${address} was added to your account to receive one-time codes.`,
  appRemoved: 'The authenticator app was removed from your account.',
  emailRemoved: (address: string | null) =>
    address ? `The email address ${address} was removed as a way to receive one-time codes.` : 'An email address was removed as a way to receive one-time codes.',
  appReRegistration:
    'Your authenticator app was reset at the request of Shared Services so that a new one can be set up. The old app no longer works for your account.',
  emailReRegistration: (address: string) =>
    `The email method was reset at the request of Shared Services so that it can be set up again with ${address}.`,
};

/**
 * The employee proved a pending factor: it becomes active, MFA is enabled (once; it is never turned
 * off), the look-up flags follow, a confirmation goes to every address on record, and it is audited.
 */
export async function activateFactor(
  trx: Trx,
  deps: MfaDeps,
  input: { employee: EmployeeRecord; factor: FactorRow; emails: EmailOnRecord[]; actor: Actor; ticketRef?: string | null; via: string },
): Promise<{ reference: string; mfaEnabledAt: string }> {
  const { employee, factor } = input;
  const now = deps.clock.now().toISOString();
  await trx('factors').where({ id: factor.id }).update({ state: 'active', registered_at: now, failed_attempts: 0, updated_at: now });
  factor.state = 'active';
  let address: string | null = null;
  if (factor.type === 'email') {
    address = input.emails.find((e) => e.id === factor.emailId)?.address ?? null;
    await trx('employee_emails').where({ employee_id: employee.id }).whereNot('id', factor.emailId).where('used_for_codes', true).update({ used_for_codes: false, updated_at: now });
    await trx('employee_emails').where({ id: factor.emailId! }).update({ used_for_codes: true, updated_at: now });
  }
  const firstTime = employee.mfaEnabledAt === null;
  if (firstTime) {
    await trx('employees').where({ id: employee.id }).whereNull('mfa_enabled_at').update({ mfa_enabled_at: now, updated_at: now });
    employee.mfaEnabledAt = now;
  }
  await refreshEmployeeFlags(trx, employee.id);
  const reference = newReference(factor.id);
  const change = factor.type === 'authenticator_app' ? CHANGE_TEXT.appAdded : CHANGE_TEXT.emailAdded(address ?? 'on your record');
  const mails = await confirmChange(trx, deps, employee, input.emails, change, reference);
  await recordAudit(trx, deps.clock, {
    actor: input.actor,
    action: 'factor.registered',
    employeeId: employee.id,
    ticketRef: input.ticketRef ?? null,
    details: {
      factorId: factor.id,
      factorType: factor.type,
      emailId: factor.emailId,
      reference,
      mfaEnabled: firstTime ? 'now' : 'already',
      confirmations: mails.length,
      via: input.via,
    },
  });
  return { reference, mfaEnabledAt: employee.mfaEnabledAt! };
}
