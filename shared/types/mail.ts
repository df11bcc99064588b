/** Mail: the SMTP settings and the mail log. Plain data only. */

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
