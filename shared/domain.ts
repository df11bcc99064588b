/** Domain types shared by the main process and the renderer. Plain data only. */

export const DESK_ROLES = ['agent', 'manager', 'supervisor', 'admin'] as const;
export type DeskRole = (typeof DESK_ROLES)[number];

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

export interface SessionInfo {
  userId: number;
  username: string;
  displayName: string;
  role: DeskRole;
  /** Minutes of inactivity after which the session locks. */
  idleMinutes: number;
}

export interface AppStatus {
  productName: string;
  version: string;
  database: 'sqlite' | 'postgres';
  needsFirstAdmin: boolean;
  /** Whether any employee exists (false on an empty database: an admin is offered demo data). */
  hasEmployees: boolean;
  session: SessionInfo | null;
}

export type SignInStep =
  | { step: 'totp'; challenge: string }
  | { step: 'enrol'; challenge: string; otpauthUri: string; qrSvg: string; issuer: string; account: string }
  /** An admin reset the password (or made the user with a temporary one): choose a new one first. */
  | { step: 'newPassword'; challenge: string };

/** Where this desk keeps the data key that seals secrets (admins' Settings): never the key. */
export interface DataKeyView {
  kind: 'keychain' | 'file';
  where: string;
  /** Why the OS keychain is not used although the app wanted it (Linux without a keyring). */
  warning: string | null;
}

/** A desk user as admins see them: never a password, hash or authenticator key. */
export interface DeskUserView {
  id: number;
  username: string;
  displayName: string;
  role: DeskRole;
  disabled: boolean;
  /** An authenticator app is enrolled (false: the user enrols one at their next sign-in). */
  totpEnrolled: boolean;
  /** Set while the user is locked out after too many failed sign-ins (ISO time it ends). */
  lockedUntil: string | null;
  /** Wrong passwords or codes in a row since the last good sign-in. */
  failedSignins: number;
  /** The password is a temporary one that must be replaced at the next sign-in. */
  mustChangePassword: boolean;
  lastSigninAt: string | null;
  createdAt: string;
}

/** A temporary password, shown once to the admin who made or reset it; replaced at first use. */
export interface DeskUserWithTemporaryPassword {
  user: DeskUserView;
  temporaryPassword: string;
}

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

export const CODE_PURPOSES = ['registration', 'reset', 'identity_check'] as const;
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

export const MAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export interface MailLogEntry {
  id: number;
  createdAt: string;
  sentAt: string | null;
  recipient: string;
  template: string;
  subject: string;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  /** What the SMTP server answered, e.g. "250 2.0.0 OK". */
  smtpResponse: string | null;
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
  /** The main process's clock, so countdowns do not drift with the renderer's. */
  serverTime: string;
}

/** The mail settings as an admin sees them: never the password, only whether one is set. */
export const SMTP_SECURITIES = ['none', 'starttls', 'tls'] as const;
export type SmtpSecurityMode = (typeof SMTP_SECURITIES)[number];

export interface SmtpSettingsView {
  host: string;
  port: number;
  security: SmtpSecurityMode;
  user: string;
  from: string;
  passwordSet: boolean;
  /** A host is set: mail goes out by SMTP; otherwise as .eml files in the data directory's outbox folder. */
  configured: boolean;
}

export interface TestMailResult {
  ok: boolean;
  transport: 'smtp' | 'file';
  /** The server's answer, its error, or where the .eml file was written. */
  response: string;
}

/** What an HR import has done so far (or did). */
export interface HrImportCountsView {
  /** Data rows read (blank lines not counted). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Existing employees this import marks as leavers (a subset of updated). */
  leavers: number;
  /** Leavers HR lists as active again (a subset of updated). */
  rejoined: number;
  /** Addresses kept against HR's data (a manager's, or one an active email factor uses); see the report. */
  conflicts: number;
  emailsAdded: number;
  emailsRemoved: number;
  pendingFactorsCancelled: number;
  codesCancelled: number;
}

/** An HR import started from the app, as its screen follows it. */
export interface HrImportJobView {
  jobId: string;
  /** The file's name as chosen. */
  name: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  progress: {
    /**
     * 'checking': reading the whole file once (is it CSV, how many rows); 'importing': the batches;
     * 'indexing': after a load into an empty desk, building the look-up's indexes (rows and
     * totalRows then count indexes).
     */
    phase: 'checking' | 'importing' | 'indexing';
    rows: number;
    totalRows: number | null;
    bytes: number;
    totalBytes: number;
    rowsPerSecond: number;
    etaSeconds: number | null;
    counts: HrImportCountsView;
  } | null;
  result: { counts: HrImportCountsView; totalRows: number; warnings: string[]; reportLines: number; seconds: number } | null;
  /** Why it stopped, when it failed (nothing of that batch was written). */
  error: string | null;
}

/** A signed checkpoint of the audit chain's head. */
export interface AuditCheckpointInfo {
  at: string;
  headSeq: number;
  headHash: string;
  eventCount: number;
  /** daily | export | manual */
  reason: string;
  createdBy: string;
}

export const AUDIT_BREAK_KINDS = ['edited', 'deleted', 'reordered', 'inserted', 'forged', 'unsigned', 'truncated', 'rewritten', 'forged_checkpoint', 'missing_checkpoint'] as const;
export type AuditBreakKind = (typeof AUDIT_BREAK_KINDS)[number];

/** Where the audit chain stops being trustworthy, and how. */
export interface AuditBreak {
  kind: AuditBreakKind;
  /** The sequence number of the first event affected. */
  seq: number;
  detail: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** Events walked (every event on the chain). */
  events: number;
  headSeq: number;
  headHash: string;
  checkpointsChecked: number;
  latestCheckpoint: AuditCheckpointInfo | null;
  /** The break with the smallest sequence number, or null when the trail is intact. */
  firstBreak: AuditBreak | null;
  /** The first 20 breaks, by sequence number. */
  breaks: AuditBreak[];
}

/** What an audit report shows: every field optional; dates are whole UTC days, both inclusive. */
export interface AuditReportFilter {
  from?: string | undefined;
  to?: string | undefined;
  /** The desk user (or system, cli, employee) who acted, exactly. */
  actor?: string | undefined;
  /** An action, exactly (e.g. factor.removed), or a family ending in a dot (e.g. "factor."). */
  action?: string | undefined;
  employeeId?: number | undefined;
  /** The employee's number, as supervisors know them (8 digits). */
  employeeNumber?: string | undefined;
  ticketRef?: string | undefined;
  result?: 'ok' | 'refused' | undefined;
}

/** time: when it happened (then sequence number); the others then by time. */
export const AUDIT_SORT_KEYS = ['time', 'actor', 'action', 'result'] as const;
export type AuditSortKey = (typeof AUDIT_SORT_KEYS)[number];

export interface AuditReportRow {
  seq: number;
  occurredAt: string;
  actor: string;
  employeeId: number | null;
  employeeNumber: string | null;
  ticketRef: string | null;
  action: string;
  result: 'ok' | 'refused';
  details: Record<string, unknown>;
}

export interface AuditReportPage {
  rows: AuditReportRow[];
  nextCursor: string | null;
}

export const AUDIT_EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];
export const AUDIT_EXPORT_MIME: Record<AuditExportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** An audit export running in the main process, as the Audit screen follows it. */
export interface AuditExportJobView {
  jobId: string;
  format: AuditExportFormat;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  rows: number;
  /** Rows the filter selects (known once the export has started). */
  total: number | null;
  fileName: string;
  /** Bytes, once done. */
  size: number | null;
  /** Where it was saved (the app's save dialog), once done; null: fetch it in parts. */
  savedTo: string | null;
  headSeq: number | null;
  error: string | null;
}

/** The supervisors' dashboard over a period (whole UTC days, both included). */
export interface AuditDashboard {
  from: string;
  to: string;
  /** Every day of the period, in order, with the events written that day. */
  actionsPerDay: Array<{ day: string; count: number }>;
  /** One-time codes by the day they were issued: redeemed, expired unused, still open (or superseded). */
  codesPerDay: Array<{ day: string; issued: number; redeemed: number; expired: number; open: number }>;
  /** Re-registrations started by agents, by the factor reset and the state it was in. */
  reRegistrations: Array<{ factorType: string; removedState: string; count: number }>;
  /** Mails given up on (refused, or retried for 24 hours), by the day they were queued. */
  mailFailuresPerDay: Array<{ day: string; count: number }>;
  /** Who acted most in the period (desk users, system, employees), at most 15. */
  actionsPerActor: Array<{ actor: string; count: number }>;
  totals: { events: number; codesIssued: number; mailFailures: number };
  /** Webchat tickets opened and resolved in the period. */
  tickets: TicketReport;
}

/**
 * Why an employee opened the webchat, in the words of the guides. Each has a checklist on the
 * ticket with the facts already looked up and only the actions the rules allow.
 */
export const TICKET_CATEGORIES = [
  'code_not_received',
  'code_expired',
  'new_or_lost_phone',
  'account_not_in_app',
  'email_on_record',
  'change_not_made_by_me',
  'left_the_trust',
  'internet_not_approved',
  'turn_mfa_off',
  'other',
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_CATEGORY_LABELS: Record<TicketCategory, string> = {
  code_not_received: 'Code not received',
  code_expired: 'Code expired (20 minutes)',
  new_or_lost_phone: 'New or lost phone',
  account_not_in_app: 'Cannot find the account in the authenticator app',
  email_on_record: 'No email or wrong email on record',
  change_not_made_by_me: 'Change not made by me',
  left_the_trust: 'Left the trust',
  internet_not_approved: 'Internet access not approved',
  turn_mfa_off: 'Wants to turn MFA off',
  other: 'Other',
};

export const TICKET_STATUSES = ['open', 'waiting_employee', 'waiting_manager', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  waiting_employee: 'Waiting on employee',
  waiting_manager: 'Waiting on manager',
  resolved: 'Resolved',
};

/** A ticket in the inbox. */
export interface TicketSummary {
  id: number;
  /** The webchat platform's chat id. */
  reference: string;
  category: TicketCategory;
  status: TicketStatus;
  employee: { id: number; employeeNumber: string; name: string } | null;
  assignee: { id: number; name: string } | null;
  openedAt: string;
  openedBy: string;
  resolvedAt: string | null;
  /** Minutes since opening (until resolved), on the main process's clock. */
  ageMinutes: number;
  /** ok below the SLA's warning point, warn past it, breached past the SLA (resolved tickets: ok). */
  sla: 'ok' | 'warn' | 'breached';
  reopenedCount: number;
}

export interface TicketListPage {
  rows: TicketSummary[];
  nextCursor: string | null;
  /** Tickets per status (yours only when the list is), for the inbox's tabs. */
  counts: Record<TicketStatus, number>;
  slaMinutes: number;
  serverTime: string;
}

/** A task in the managers' queue, made when a ticket waits on a manager. */
export interface ManagerTaskView {
  id: number;
  ticketId: number;
  ticketRef: string;
  employee: { id: number; employeeNumber: string; name: string };
  description: string;
  status: 'open' | 'done';
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
  closedBy: string | null;
}

export type ChecklistState = 'done' | 'todo' | 'info' | 'warning';

/** One line of a ticket's checklist: what to check or do, with the fact already looked up. */
export interface ChecklistItem {
  id: string;
  text: string;
  state: ChecklistState;
}

export const TICKET_ACTIONS = [
  'verify',
  'reRegisterApp',
  'reRegisterEmail',
  'restartRegistration',
  'removeFactor',
  'unlock',
  'waitOnManager',
] as const;
export type TicketActionKind = (typeof TICKET_ACTIONS)[number];

/** Whether an action fits this ticket now, and if not, why not in plain words. */
export interface TicketActionState {
  kind: TicketActionKind;
  enabled: boolean;
  reason: string | null;
}

export interface TicketGuidance {
  summary: string;
  checklist: ChecklistItem[];
  actions: TicketActionState[];
}

/** A canned reply with the employee's facts filled in, ready to paste into the webchat. */
export interface CannedReplyView {
  id: string;
  title: string;
  text: string;
}

/** An admin's editable canned reply template: {{placeholders}} filled per ticket. */
export interface CannedReplyTemplate {
  id: string;
  category: TicketCategory;
  title: string;
  text: string;
}

export interface TicketDetail extends TicketSummary {
  notes: string;
  resolutionNote: string | null;
  /** The audit event a "change not made by me" ticket is about (highlighted on the trail). */
  linkedEvent: AuditEntry | null;
  /** The caller verification on this ticket that is still valid, if any. */
  verification: CallerVerificationView | null;
  /** What was done on this ticket, oldest first (from the audit trail). */
  actions: AuditEntry[];
  tasks: ManagerTaskView[];
  /** Null until an employee is linked. */
  guidance: TicketGuidance | null;
  replies: CannedReplyView[];
  /** The linked employee's page (the facts behind the checklist), in the same round trip. */
  page: EmployeePageData | null;
  serverTime: string;
}

/** What a change's reference code (CHG-… or REC-…) from a confirmation mail points at. */
export interface ChangeReferenceMatch {
  reference: string;
  employee: { id: number; employeeNumber: string; name: string };
  event: AuditEntry;
  /** An open "change not made by me" ticket about this event already, if any. */
  ticketId: number | null;
}

/** Tickets in a period, for the supervisors' dashboard and the ticket report export. */
export interface TicketReport {
  from: string;
  to: string;
  byCategory: Array<{ category: TicketCategory; count: number }>;
  byStatus: Array<{ status: TicketStatus; count: number }>;
  /** Median minutes from opening to (last) resolution, of tickets resolved in the period. */
  medianMinutesToResolve: number | null;
  resolved: number;
  reopened: number;
  opened: number;
}
