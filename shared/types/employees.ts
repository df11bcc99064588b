/** Employees as the desk sees them: record, emails, factors, search, eligibility, their page. Plain data only. */
import type { DeskRole } from './desk';

export const EMPLOYEE_STATUSES = ['active', 'leaver'] as const;
export type EmployeeStatus = (typeof EMPLOYEE_STATUSES)[number];

export const EMAIL_KINDS = ['work', 'personal'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export const FACTOR_TYPES = ['authenticator_app', 'email'] as const;
export type FactorType = (typeof FACTOR_TYPES)[number];

export const FACTOR_STATES = ['pending', 'active', 'removed'] as const;
export type FactorState = (typeof FACTOR_STATES)[number];

/** What the desk shows as the employee's MFA situation, derived from the record and factors. */
export const MFA_STATES = ['not_registered', 'pending', 'enabled'] as const;
export type MfaState = (typeof MFA_STATES)[number];

export interface EmployeeSummary {
  id: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  username: string;
  organisation: string;
  department: string;
  status: EmployeeStatus;
  mfaState: MfaState;
  hasApp: boolean;
  hasEmail: boolean;
  pendingRegistration: boolean;
  /** A factor is locked after too many wrong codes. */
  locked: boolean;
}

/** Columns the look-up can sort by; 'relevance' ranks exact keys, then prefixes, then substrings. */
export const SORT_KEYS = ['relevance', 'name', 'employeeNumber', 'organisation', 'status', 'mfa'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export const FACTOR_FILTERS = ['authenticator_app', 'email', 'both'] as const;
export type FactorFilter = (typeof FACTOR_FILTERS)[number];

export interface SearchFilters {
  status?: EmployeeStatus | undefined;
  mfa?: MfaState | undefined;
  /** Has an active authenticator app, an active email factor, or both. */
  factor?: FactorFilter | undefined;
  organisation?: string | undefined;
  pendingRegistration?: boolean | undefined;
  locked?: boolean | undefined;
}

export interface SearchPage {
  rows: EmployeeSummary[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface SearchCount {
  count: number;
  /** True when there are more than `count` matches (counting stops there). */
  capped: boolean;
}

export interface EmployeeEmail {
  id: number;
  kind: EmailKind;
  address: string;
  usedForCodes: boolean;
}

export interface EmployeeFactor {
  id: number;
  type: FactorType;
  state: FactorState;
  /** For email factors: the address codes go to. Never a secret. */
  emailAddress: string | null;
  registeredAt: string | null;
  lastUsedAt: string | null;
  removedAt: string | null;
}

export interface EmployeeDetail extends EmployeeSummary {
  jobTitle: string;
  leavingDate: string | null;
  internetAccessApproved: boolean;
  mfaEnabledAt: string | null;
  version: number;
  emails: EmployeeEmail[];
  factors: EmployeeFactor[];
}

export interface DemoSeedResult {
  employees: number;
  deskUsers: Array<{ username: string; role: DeskRole }>;
}

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: string;
  ticketRef: string | null;
  action: string;
  result: 'ok' | 'refused';
  details: Record<string, unknown>;
}

export interface AuditPage {
  rows: AuditEntry[];
  nextCursor: string | null;
}

export interface EligibilityReason {
  code: 'leaver' | 'internet_not_approved' | 'no_email' | 'mfa_enabled';
  /** Plain words for the agent, e.g. "Left on 3 March 2026: leavers cannot register for MFA." */
  message: string;
  /** Does this stop registration altogether (leaver, no internet access)? */
  blocks: boolean;
}

export interface Eligibility {
  canRegister: boolean;
  canUseApp: boolean;
  canUseEmail: boolean;
  reasons: EligibilityReason[];
}
