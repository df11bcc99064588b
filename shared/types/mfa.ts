/** Codes, caller verification and what the MFA actions return. Plain data only. */
import type { AuditPage, Eligibility, EmployeeDetail, EmployeeEmail, FactorType } from './employees';
import type { MailLogEntry } from './mail';

export const CODE_PURPOSES = ['registration', 'reset', 'identity_check', 'sign_in'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** A one-time code as the desk may see it: never the code, only its life. */
export interface OneTimeCodeView {
  id: number;
  purpose: CodePurpose;
  recipient: string;
  issuedAt: string;
  expiresAt: string;
  consumedAt: string | null;
  supersededAt: string | null;
  lockedAt: string | null;
  attempts: number;
  maxAttempts: number;
}

/** How an agent made sure the caller on a ticket is the employee. */
export const VERIFICATION_METHODS = ['email_code', 'authenticator_app', 'supervisor_override'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** A caller verification: sensitive actions on that ticket are allowed until `validUntil`. */
export interface CallerVerificationView {
  id: number;
  ticketRef: string;
  method: VerificationMethod;
  verifiedAt: string;
  /** The desk user who verified (or overrode). */
  verifiedBy: string;
  /** A supervisor's written reason for an override; null otherwise. */
  reason: string | null;
  validUntil: string;
}

/** The employee-wide count of wrong one-time codes; at `maxFailures` no code is issued or accepted. */
export interface CodeLockView {
  failures: number;
  maxFailures: number;
  /** When the codes were locked (an agent must unlock); null while not locked. */
  lockedAt: string | null;
}

/** A factor waiting for the employee to finish registering it. */
export interface PendingRegistrationView {
  factorId: number;
  type: FactorType;
  /** For an email factor: the address being registered. */
  emailAddress: string | null;
  startedAt: string;
  /** The latest registration code issued for this factor, if any (never the code itself). */
  code: OneTimeCodeView | null;
}

/** Results of the agent's MFA actions. */
export interface IdentityCodeSent {
  codeId: number;
  recipient: string;
  expiresAt: string;
}

export interface RegistrationCodeSent {
  factorId: number;
  factorType: FactorType;
  codeId: number;
  recipient: string;
  expiresAt: string;
}

export interface ReRegistrationStarted extends RegistrationCodeSent {
  /** The factor replaced (now 'removed', kept as history). */
  removedFactorId: number;
  /** The change's reference code, quoted in the confirmation sent to every address on record. */
  reference: string;
}

export interface FactorRemoved {
  factorId: number;
  reference: string;
}

export interface UnlockResult {
  /** The wrong-code count that was cleared. */
  codeFailures: number;
  codesWereLocked: boolean;
  /** Factors whose wrong-code count was cleared. */
  factorIds: number[];
}

/** Another employee who has an address on record too (a manager must confirm with a reason). */
export interface EmailOwner {
  address: string;
  employeeId: number;
  employeeNumber: string;
  name: string;
}

/** The result of a manager's change to the emails on record. */
export interface EmailsUpdated {
  /** The record's new version (the old one plus one). */
  version: number;
  /** The addresses on record now, work first. */
  emails: EmployeeEmail[];
  /** What changed, in the words of the confirmation mail. */
  changes: string[];
  /** The change's reference (REC-…), quoted in the confirmation to every address, old and new. */
  reference: string;
  /** Confirmation mails queued (one per address: those on record now and those just removed). */
  confirmations: number;
  /** Addresses that are also on other employees' records (the manager confirmed with a reason). */
  duplicates: EmailOwner[];
  /** The email method re-registered to another address in the same change, if asked for. */
  reRegistration: (RegistrationCodeSent & { removedFactorId: number }) | null;
  /** A pending email registration whose address was removed or corrected away: cancelled. */
  cancelledFactorId: number | null;
  /** Manager tasks on this employee that the change closed (their tickets went back to their agents). */
  tasksClosed: number;
}

/** Everything the employee page shows, in one round trip. */
/** A second-factor check the portal asked for at sign-in (the desk's view of it). */
export interface SignInCheckView {
  id: number;
  checkedAt: string;
  method: 'authenticator_app' | 'email';
  result: 'accepted' | 'wrong' | 'locked' | 'expired';
  /** The portal integration that asked. */
  integration: string;
}

export interface EmployeePageData {
  employee: EmployeeDetail;
  eligibility: Eligibility;
  /** The latest code per purpose. */
  codes: OneTimeCodeView[];
  mails: MailLogEntry[];
  mailsMore: boolean;
  audit: AuditPage;
  /** Caller verifications on the employee's recent tickets, newest first. */
  verifications: CallerVerificationView[];
  codeLock: CodeLockView;
  /** Pending factors, newest first, with the state of the code sent for each. */
  registrations: PendingRegistrationView[];
  /** Sign-in checks through the portal, newest first (the latest SIGNIN_CHECKS_SHOWN). */
  signIns: SignInCheckView[];
  signInsMore: boolean;
  /** The main process's clock, so countdowns do not drift with the renderer's. */
  serverTime: string;
}
