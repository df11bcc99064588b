/** The audit trail: checkpoints, verification, reports, exports, the dashboard. Plain data only. */
import type { TicketReport } from './tickets';

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
  /** Sign-in checks through the portal, by the day they were made and their result. */
  signInsPerDay: Array<{ day: string; accepted: number; wrong: number; locked: number; expired: number }>;
  totals: { events: number; codesIssued: number; mailFailures: number; signIns: number };
  /** Webchat tickets opened and resolved in the period. */
  tickets: TicketReport;
}
