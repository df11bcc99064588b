/**
 * What the employee self-service portal calls (and `desk selfservice …` stands in for): register
 * an authenticator app (scan the otpauth URI, confirm with a current code) or an email address on
 * record (request a registration code, enter it). Leavers and employees without approved internet
 * access are refused in the guides' words; the email method needs an address on record.
 */
import crypto from 'node:crypto';
import type { Eligibility } from '../../../shared/domain';
import { eligibility } from '../../../shared/eligibility';
import { DeskError } from '../../../shared/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { enqueueMail } from '../mail/outbox';
import { WEBCHAT_URL } from '../mail/templates';
import { issueCode, redeemCode } from './codes.service';
import {
  assertCanRegister,
  chooseEmail,
  emailsOnRecord,
  lockEmployee,
  noEmailError,
  readEmployee,
  Refusal,
  SELF_SERVICE_ACTOR,
  transact,
  type EmailOnRecord,
  type MfaDeps,
  type Trx,
} from './common';
import { FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';
import { activateFactor, checkFactorCode, createPendingFactor, enrolmentUri, liveFactors, newFactorSeed } from './factors.service';

export interface AppEnrolment {
  factorId: number;
  /** The otpauth:// URI (it holds the seed): shown once, as a QR code, to the employee only. */
  otpauthUri: string;
  issuer: string;
  account: string;
}

export interface Registered {
  factorId: number;
  factorType: 'authenticator_app' | 'email';
  reference: string;
  mfaEnabledAt: string;
  /** Change confirmations queued (one per address on record). */
  confirmations: number;
}

export interface EmailCodeRequested {
  factorId: number;
  codeId: number;
  recipient: string;
  expiresAt: string;
  /** The self-service request the code is bound to. */
  requestId: string;
}

/**
 * Who registers: the employee through `desk selfservice` (the default), or through the portal API,
 * whose integration the audit trail names (actor `portal:NAME`, via `portal`).
 */
export interface SelfServiceCaller {
  actor: Actor;
  via: string;
}
const SELF_SERVICE: SelfServiceCaller = { actor: SELF_SERVICE_ACTOR, via: 'selfservice' };

function newRequestId(): string {
  return `SS-${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
}

async function hasRegistrationCode(trx: Trx, factorId: number): Promise<boolean> {
  return (await trx('one_time_codes').where({ factor_id: factorId, purpose: 'registration' }).first('id')) !== undefined;
}

/**
 * Start (or start again) registering an authenticator app: a fresh seed for the pending factor
 * (any earlier one stops working) and its otpauth URI. When Shared Services started a
 * re-registration (a registration code was emailed for this factor), that code is needed first.
 */
export async function startAppRegistration(deps: MfaDeps, input: { employeeId: number; code?: string | null }, by: SelfServiceCaller = SELF_SERVICE): Promise<AppEnrolment> {
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    const factors = await liveFactors(trx, employee.id);
    if (factors.some((f) => f.type === 'authenticator_app' && f.state === 'active')) {
      throw new DeskError(
        'RULE_VIOLATION',
        'An authenticator app is already set up. To move it to a new or lost phone, contact Shared Services by webchat to re-register it.',
      );
    }
    let factor = factors.find((f) => f.type === 'authenticator_app' && f.state === 'pending');
    let codeId: number | null = null;
    if (factor && (await hasRegistrationCode(trx, factor.id))) {
      if (!input.code) {
        throw new DeskError(
          'RULE_VIOLATION',
          'Shared Services reset the authenticator app and emailed a registration code: enter that code to set up the new app.',
          { needsCode: true, factorId: factor.id },
        );
      }
      const redeemed = await redeemCode(trx, deps, {
        employee,
        purpose: 'registration',
        code: input.code,
        factorId: factor.id,
        actor: by.actor,
      });
      if (redeemed instanceof Refusal) return redeemed;
      codeId = redeemed.codeId;
    } else if (input.code) {
      throw new DeskError('RULE_VIOLATION', 'No registration code is needed to set up the authenticator app: leave the code out.');
    }
    factor ??= await createPendingFactor(trx, deps, { employeeId: employee.id, type: 'authenticator_app', emailId: null });
    const seed = await newFactorSeed(trx, deps, factor);
    await refreshEmployeeFlags(trx, employee.id);
    await recordAudit(trx, deps.clock, {
      actor: by.actor,
      action: 'factor.registration_started',
      employeeId: employee.id,
      details: { factorId: factor.id, factorType: 'authenticator_app', codeId, via: by.via },
    });
    const { uri, issuer, account } = await enrolmentUri(trx, employee, seed);
    return { factorId: factor.id, otpauthUri: uri, issuer, account };
  });
}

/** Finish registering the authenticator app with a current code from it. */
export async function confirmAppRegistration(deps: MfaDeps, input: { employeeId: number; code: string }, by: SelfServiceCaller = SELF_SERVICE): Promise<Registered> {
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    const factor = (await liveFactors(trx, employee.id)).find((f) => f.type === 'authenticator_app' && f.state === 'pending' && f.seedEnc);
    if (!factor) {
      throw new DeskError('RULE_VIOLATION', 'There is no authenticator app registration waiting for a code. Start the registration first.');
    }
    const check = await checkFactorCode(trx, deps, { employee, factor, code: input.code, actor: by.actor });
    if (check instanceof Refusal) return check;
    const done = await activateFactor(trx, deps, { employee, factor, emails, actor: by.actor, via: by.via });
    return { factorId: factor.id, factorType: 'authenticator_app', ...done, confirmations: emails.length };
  });
}

/**
 * Choose an address on record for codes and have a registration code sent to it (a new request
 * replaces the previous code). Refused when the email method is already set up.
 */
export async function requestEmailCode(deps: MfaDeps, input: { employeeId: number; emailId: number }, by: SelfServiceCaller = SELF_SERVICE): Promise<EmailCodeRequested> {
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    if (emails.length === 0) throw noEmailError();
    const email = chooseEmail(emails, input.emailId);
    const factors = await liveFactors(trx, employee.id);
    if (factors.some((f) => f.type === 'email' && f.state === 'active')) {
      throw new DeskError(
        'RULE_VIOLATION',
        'An email address is already set up for codes. To use another address, contact Shared Services by webchat to re-register the email method.',
      );
    }
    let factor = factors.find((f) => f.type === 'email' && f.state === 'pending');
    if (factor && factor.emailId !== email.id) {
      await trx('factors').where({ id: factor.id }).update({ email_id: email.id, updated_at: deps.clock.now().toISOString() });
      factor.emailId = email.id;
    }
    factor ??= await createPendingFactor(trx, deps, { employeeId: employee.id, type: 'email', emailId: email.id });
    const requestId = newRequestId();
    const issued = await issueCode(trx, deps, { employee, purpose: 'registration', requestRef: requestId, recipient: email, factorId: factor.id });
    await enqueueMail(trx, deps.clock, deps.vault, {
      employeeId: employee.id,
      template: 'registration_code',
      to: email.address,
      values: { firstName: employee.firstName, code: issued.code, minutes: String(issued.lifetimeMinutes), webchatUrl: WEBCHAT_URL },
    });
    await refreshEmployeeFlags(trx, employee.id);
    await recordAudit(trx, deps.clock, {
      actor: by.actor,
      action: 'factor.registration_code_sent',
      employeeId: employee.id,
      details: { factorId: factor.id, factorType: 'email', emailId: email.id, recipient: email.address, codeId: issued.id, requestRef: requestId, via: by.via },
    });
    return { factorId: factor.id, codeId: issued.id, recipient: email.address, expiresAt: issued.expiresAt, requestId };
  });
}

/** Finish registering the email method with the emailed registration code. */
export async function confirmEmailRegistration(deps: MfaDeps, input: { employeeId: number; code: string }, by: SelfServiceCaller = SELF_SERVICE): Promise<Registered> {
  return transact(deps.db, async (trx) => {
    const employee = await lockEmployee(trx, input.employeeId);
    const emails = await emailsOnRecord(trx, employee.id);
    assertCanRegister(employee, emails.length);
    const factor = (await liveFactors(trx, employee.id)).find((f) => f.type === 'email' && f.state === 'pending');
    if (!factor) {
      throw new DeskError('RULE_VIOLATION', 'There is no email registration waiting for a code. Choose an address and request a code first.');
    }
    if (factor.emailId === null || !emails.some((e) => e.id === factor.emailId)) {
      throw new DeskError('RULE_VIOLATION', 'The address this registration was for is no longer on record. Choose an address and request a new code.');
    }
    const redeemed = await redeemCode(trx, deps, { employee, purpose: 'registration', code: input.code, factorId: factor.id, actor: by.actor });
    if (redeemed instanceof Refusal) return redeemed;
    const done = await activateFactor(trx, deps, { employee, factor, emails, actor: by.actor, via: by.via });
    return { factorId: factor.id, factorType: 'email', ...done, confirmations: emails.length };
  });
}

/** What the portal shows before the employee chooses: eligibility, addresses on record, factors. */
export async function selfServiceStatus(deps: MfaDeps, { employeeId }: { employeeId: number }): Promise<SelfServiceStatus> {
  const employee = await readEmployee(deps.db, employeeId);
  const [emails, factors] = await Promise.all([emailsOnRecord(deps.db, employeeId), liveFactors(deps.db, employeeId)]);
  return {
    employee: { id: employee.id, username: employee.username, status: employee.status, mfaEnabledAt: employee.mfaEnabledAt },
    eligibility: eligibility({
      status: employee.status,
      leavingDate: employee.leavingDate,
      internetAccessApproved: employee.internetAccessApproved,
      emailCount: emails.length,
      mfaEnabledAt: employee.mfaEnabledAt,
    }),
    emails,
    factors: factors.map((f) => ({ id: f.id, type: f.type, state: f.state, emailId: f.emailId, locked: f.failedAttempts >= FACTOR_MAX_ATTEMPTS })),
  };
}

export interface SelfServiceStatus {
  employee: { id: number; username: string; status: 'active' | 'leaver'; mfaEnabledAt: string | null };
  eligibility: Eligibility;
  emails: EmailOnRecord[];
  factors: Array<{ id: number; type: 'authenticator_app' | 'email'; state: 'pending' | 'active' | 'removed'; emailId: number | null; locked: boolean }>;
}
