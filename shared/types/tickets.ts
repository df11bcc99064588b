/** Webchat tickets, their guidance, the managers' tasks and the ticket report. Plain data only. */
import type { AuditEntry } from './employees';
import type { CallerVerificationView, EmployeePageData } from './mfa';

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
