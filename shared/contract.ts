/**
 * The one contract between the renderer and the main process (Electron IPC or the browser host).
 * Each channel names its input schema (parsed in the main process before any handler runs), its
 * result type, and who may call it. Main-side handlers are type-checked against this map and the
 * renderer client derives its types from it.
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS, noControlCharactersMessage } from './validation';
import { AUDIT_EXPORT_FORMATS, AUDIT_SORT_KEYS, DESK_ROLES, TICKET_CATEGORIES, TICKET_STATUSES, SMTP_SECURITIES, EMAIL_KINDS, EMPLOYEE_STATUSES, FACTOR_FILTERS, FACTOR_TYPES, MFA_STATES, SORT_KEYS } from './domain';
import type {
  AppStatus,
  AuditCheckpointInfo,
  AuditDashboard,
  AuditExportJobView,
  AuditPage,
  AuditReportPage,
  AuditVerifyReport,
  CallerVerificationView,
  DataKeyView,
  DemoSeedResult,
  DeskUserView,
  DeskUserWithTemporaryPassword,
  EmployeePageData,
  DeskRole,
  EmailsUpdated,
  EmployeeDetail,
  FactorRemoved,
  IdentityCodeSent,
  RegistrationCodeSent,
  ReRegistrationStarted,
  SearchCount,
  SearchPage,
  SessionInfo,
  SignInStep,
  SmtpSettingsView,
  TestMailResult,
  HrImportJobView,
  UnlockResult,
  CannedReplyTemplate,
  ChangeReferenceMatch,
  ManagerTaskView,
  TicketDetail,
  TicketListPage,
  TicketReport,
} from './domain';

/** `public`: no session needed; `signedIn`: any desk user; otherwise the roles listed. */
export type Access = 'public' | 'signedIn' | readonly DeskRole[];

export interface ChannelSpec<I extends z.ZodType = z.ZodType, R = unknown> {
  readonly input: I;
  readonly access: Access;
  readonly summary: string;
  /** Phantom field carrying the result type; never set at run time. */
  readonly result?: R;
}

const channel =
  <R>() =>
  <I extends z.ZodType>(spec: { input: I; access: Access; summary: string }): ChannelSpec<I, R> =>
    spec;

const ALL_ROLES = ['agent', 'manager', 'supervisor', 'admin'] as const satisfies readonly DeskRole[];
/**
 * Who acts for a caller on a ticket: agents, and supervisors and admins who stand in for them.
 * Managers correct employee records; they do not take calls, so they cannot change MFA.
 */
const CALLER_ROLES = ['agent', 'supervisor', 'admin'] as const satisfies readonly DeskRole[];
const OVERRIDE_ROLES = ['supervisor', 'admin'] as const satisfies readonly DeskRole[];
/** Who corrects an employee's record (the emails on record): managers, and admins. */
export const RECORD_ROLES = ['manager', 'admin'] as const satisfies readonly DeskRole[];
/** Who reads, exports and checks the audit trail. */
export const REPORT_ROLES = ['supervisor', 'admin'] as const satisfies readonly DeskRole[];

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'Use 3–64 letters, digits, dots, dashes or underscores');
export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(256, 'Use at most 256 characters');
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name')
  .max(120)
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Control characters are not allowed');
/**
 * A 6-digit code as people type or paste it: spaces and dashes between the digits are dropped
 * ("121 725", "121-725"), so a code copied from an app or a mail is taken as it is. Only the
 * digits 0–9 make a code: fullwidth or other scripts' digits ("１２３４５６") are refused, saying so.
 */
const sixDigitCodeSchema = z
  .string()
  .max(40, 'Enter the 6-digit code')
  .transform((v) => v.replace(/[\s\u00a0\u2010-\u2015-]/g, ''))
  .pipe(
    z
      .string()
      .refine((v) => !/[^\P{Nd}0-9]/u.test(v), { message: 'Type the code with the digits 0 to 9 (not fullwidth or other digits)', abort: true })
      .regex(/^\d{6}$/, 'Enter the 6-digit code'),
  );
export const totpCodeSchema = sixDigitCodeSchema;
/**
 * The mail (SMTP) settings, as the settings store, the core and the smtp.update channel check
 * them. Each refuses control characters (CR/LF would inject SMTP commands or mail headers), on
 * the value as given, before any trimming, with words naming the field.
 */
const smtpText = (field: string, max: number) =>
  z
    .string()
    .refine((v) => !CONTROL_CHARACTERS.test(v), { message: noControlCharactersMessage(field), abort: true })
    .trim()
    .max(max);
export const smtpHostSchema = smtpText('The SMTP host', 253).regex(/^[A-Za-z0-9.:[\]_-]*$/, 'Enter a host name or an IP address, such as smtp.nhs.net');
export const smtpUserSchema = smtpText('The SMTP user name', 254);
export const smtpFromSchema = smtpText('The From address', 254).regex(
  /^(?:[^<>"\r\n,;]{0,120}<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
  'Enter an address, or a name and <address>, such as Shared Services <desk@nhs.net>',
);
export const smtpPasswordSchema = z
  .string()
  .refine((v) => !CONTROL_CHARACTERS.test(v), { message: noControlCharactersMessage('The SMTP password'), abort: true })
  .max(1000);
/** Where a test mail goes: one address, no control characters. */
export const smtpTestRecipientSchema = smtpText('The address', 254);
const challengeSchema = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'Invalid sign-in challenge');
const empty = z.object({}).strict();
/** Ids are 32-bit integers on both databases. */
const employeeIdSchema = z.number().int().positive().max(2_147_483_647);
const rowIdSchema = z.number().int().positive().max(2_147_483_647);
/** The webchat ticket an MFA action is done on, as the agent types it; recorded in the audit trail. */
export const ticketRefSchema = z
  .string()
  .trim()
  .min(3, 'Enter the ticket reference (at least 3 characters)')
  .max(64, 'A ticket reference has at most 64 characters')
  .regex(/^[A-Za-z0-9._:/-]+$/, 'Use letters, digits and . _ : / - only in the ticket reference');
/** An emailed one-time code or an authenticator code: 6 digits (spaces and dashes are ignored). */
export const oneTimeCodeSchema = sixDigitCodeSchema;
/** A supervisor's written reason for overriding the caller verification. */
export const overrideReasonSchema = z
  .string()
  .trim()
  .min(10, 'Write the reason for the override (at least 10 characters)')
  .max(1000, 'Keep the reason under 1,000 characters')
  .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'Control characters are not allowed');

/** The longest email address on record (RFC 5321 path limit; the column is varchar(254)). */
export const EMAIL_MAX_LENGTH = 254;
const EMAIL_LOCAL_RE = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*$/;
const EMAIL_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why an address cannot go on an employee's record, in plain words, or null when it can. Strict on
 * purpose: an address on record ends up in mail headers, so one plain ASCII mailbox only — no
 * display name, list, comment, quoting, route or line break (no header tricks), at most 254
 * characters, a domain with a real top-level part. Spaces around it are the caller's to trim.
 */
export function emailAddressProblem(address: string): string | null {
  if (address.length === 0) return 'Enter the email address';
  if (address.length > EMAIL_MAX_LENGTH) return `An email address has at most ${EMAIL_MAX_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(address)) return 'Line breaks and control characters are not allowed in an email address';
  if (/\s/.test(address)) return 'An email address has no spaces';
  if (/[,;<>"'`()[\]\\:]/.test(address)) return 'Enter one plain address: no commas, semicolons, angle brackets, quotes, brackets or colons';
  if (/[^\x21-\x7e]/.test(address)) return 'Use plain letters (a–z), digits and . _ + - only';
  const at = address.indexOf('@');
  if (at < 0 || address.lastIndexOf('@') !== at) return 'An email address has exactly one @';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length === 0 || local.length > 64) return 'Before the @ an email address has 1–64 characters';
  if (!EMAIL_LOCAL_RE.test(local)) return 'Before the @ use letters, digits and . _ + - (no dot at the start or end, no two dots in a row)';
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => EMAIL_LABEL_RE.test(l)) || !/^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!)) {
    return 'After the @ put a domain such as nhs.net';
  }
  return null;
}

/**
 * An email address as typed, spaces around it dropped. The contract only bounds it: the main
 * process checks every new or corrected address with emailAddressProblem (an address already on
 * record and left as it is is not judged again, so an odd one from the HR feed does not block the
 * record).
 */
export const emailAddressSchema = z
  .string()
  .max(1000, `An email address has at most ${EMAIL_MAX_LENGTH} characters`)
  .transform((raw) => raw.replace(/^ +| +$/g, ''));

/** A manager's written reason (going ahead although the address is on another employee's record). */
export const recordReasonSchema = z
  .string()
  .trim()
  .min(10, 'Write the reason (at least 10 characters)')
  .max(1000, 'Keep the reason under 1,000 characters')
  .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'Control characters are not allowed');

/** One address in the list of emails an employee's record should hold after the change. */
export const emailOnRecordInputSchema = z
  .object({
    /** The address's id when it is already on record (kept or corrected); left out for a new one. */
    id: rowIdSchema.optional(),
    kind: z.enum(EMAIL_KINDS),
    address: emailAddressSchema,
    /** Codes go to this address (at most one in the list). */
    usedForCodes: z.boolean().default(false),
  })
  .strict();

/**
 * records.updateEmails: the full list of addresses the record should hold (what is left out is
 * removed), on the record version the manager saw, on a ticket.
 */
export const updateEmailsInputSchema = z
  .object({
    employeeId: employeeIdSchema,
    ticketRef: ticketRefSchema,
    /** employees.version as shown on the employee page; a stale one is refused with CONFLICT. */
    version: z.number().int().min(1).max(2_147_483_647),
    emails: z.array(emailOnRecordInputSchema).max(10, 'At most 10 addresses'),
    /** Re-register the email method to this address of the list (needed when its address is removed or corrected away). */
    reEmailFactorTo: emailAddressSchema.optional(),
    /** Go ahead although an address is on another employee's record (after the CONFLICT that listed them); needs a reason. */
    confirmDuplicate: z.boolean().optional(),
    reason: recordReasonSchema.optional(),
  })
  .strict();

export const searchFiltersSchema = z
  .object({
    status: z.enum(EMPLOYEE_STATUSES).optional(),
    mfa: z.enum(MFA_STATES).optional(),
    factor: z.enum(FACTOR_FILTERS).optional(),
    organisation: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Control characters are not allowed')
      .optional(),
    pendingRegistration: z.boolean().optional(),
    locked: z.boolean().optional(),
  })
  .strict();

/** A whole UTC day, YYYY-MM-DD, that exists. */
const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'No such date');

/** A period of whole days, at most a year (the dashboard, the ticket report). */
const periodSchema = z
  .object({ from: daySchema, to: daySchema })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'The first day comes after the last', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 24 * 60 * 60_000, { message: 'Choose at most a year', path: ['to'] });

/** What an audit report selects (shared by the Audit screen, the exports and `desk export audit`). */
export const auditReportFilterSchema = z
  .object({
    from: daySchema.optional(),
    to: daySchema.optional(),
    actor: z.string().trim().min(1).max(120).regex(/^[A-Za-z0-9._@-]+$/, 'Use the desk username, or system, cli or employee').optional(),
    action: z.string().trim().min(1).max(60).regex(/^[a-z_]+(\.[a-z_]+)*\.?$/, 'Use an action such as factor.removed, or a family such as factor.').optional(),
    employeeId: employeeIdSchema.optional(),
    employeeNumber: z.string().trim().regex(/^\d{8}$/, 'An employee number has 8 digits').optional(),
    ticketRef: ticketRefSchema.optional(),
    result: z.enum(['ok', 'refused']).optional(),
  })
  .strict()
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'The first day comes after the last', path: ['to'] });

/** A ticket's free text (notes, resolution note, a task for a manager): tabs and line breaks allowed. */
const ticketTextSchema = (min: number, what: string, max = 4000) =>
  z
    .string()
    .trim()
    .min(min, min > 0 ? `Write ${what} (at least ${min} characters)` : undefined)
    .max(max, `Keep ${what} under ${max.toLocaleString('en-GB')} characters`)
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'Control characters are not allowed');
const ticketIdSchema = rowIdSchema;
/** A canned reply as an admin writes it (the main process checks placeholders and digit runs). */
const cannedReplyInputSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'Use 1–40 lower-case letters, digits, - or _ for the id'),
    category: z.enum(TICKET_CATEGORIES),
    title: z.string().trim().min(1, 'Give the reply a title').max(80),
    text: z.string().trim().min(1, 'Write the reply').max(1000, 'Keep a reply under 1,000 characters'),
  })
  .strict();

export const channels = {
  'app.status': channel<AppStatus>()({
    input: empty,
    access: 'public',
    summary: 'Product, database and session state; whether the first admin must be created.',
  }),
  'auth.createFirstAdmin': channel<{ username: string }>()({
    input: z
      .object({ username: usernameSchema, displayName: displayNameSchema, password: passwordSchema })
      .strict(),
    access: 'public',
    summary: 'Create the first admin; refused once any desk user exists.',
  }),
  'auth.signIn': channel<SignInStep>()({
    input: z.object({ username: usernameSchema, password: z.string().min(1).max(256) }).strict(),
    access: 'public',
    summary: 'Check username and password; then a TOTP code (or enrolment at first sign-in) is asked for.',
  }),
  'auth.completeSignIn': channel<SessionInfo>()({
    input: z.object({ challenge: challengeSchema, code: totpCodeSchema }).strict(),
    access: 'public',
    summary: 'Finish sign-in with a code from the authenticator app.',
  }),
  'auth.setNewPassword': channel<SignInStep>()({
    input: z.object({ challenge: challengeSchema, password: passwordSchema }).strict(),
    access: 'public',
    summary: 'Replace a temporary password with your own (the newPassword step of sign-in); then the code is asked for.',
  }),
  'auth.signOut': channel<null>()({
    input: empty,
    access: 'public',
    summary: 'End the session. (An idle session is locked by the main process itself.)',
  }),
  'employees.search': channel<SearchPage>()({
    input: z
      .object({
        query: z.string().max(200).default(''),
        filters: searchFiltersSchema.default({}),
        sort: z
          .object({ by: z.enum(SORT_KEYS), dir: z.enum(['asc', 'desc']).default('asc') })
          .strict()
          .refine((s) => s.by !== 'relevance' || s.dir === 'asc', 'Relevance is ranked one way only')
          .default({ by: 'relevance', dir: 'asc' }),
        limit: z.number().int().min(1).max(100).default(50),
        cursor: z.string().max(2000).nullable().default(null),
      })
      .strict(),
    access: ALL_ROLES,
    summary:
      'Find employees by name, employee number, username or any email on record, filtered and sorted in the database, one keyset page at a time.',
  }),
  'employees.count': channel<SearchCount>()({
    input: z.object({ query: z.string().max(200).default(''), filters: searchFiltersSchema.default({}) }).strict(),
    access: ALL_ROLES,
    summary: 'How many employees a search matches (counting stops at 10,000).',
  }),
  'employees.organisations': channel<string[]>()({
    input: empty,
    access: ALL_ROLES,
    summary: 'Every organisation, for the look-up filter.',
  }),
  'employees.get': channel<EmployeeDetail>()({
    input: z.object({ employeeId: employeeIdSchema }).strict(),
    access: ALL_ROLES,
    summary: "An employee's record, emails on record, MFA state and factors.",
  }),
  'employees.page': channel<EmployeePageData>()({
    input: z.object({ employeeId: employeeIdSchema }).strict(),
    access: ALL_ROLES,
    summary: 'The employee page in one round trip: record, eligibility, factors, latest codes, mail log, first page of the audit trail.',
  }),
  'employees.audit': channel<AuditPage>()({
    input: z.object({ employeeId: employeeIdSchema, cursor: z.string().max(100).nullable().default(null) }).strict(),
    access: ALL_ROLES,
    summary: "The next page of an employee's audit trail, newest first.",
  }),
  'mfa.sendIdentityCode': channel<IdentityCodeSent>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, emailId: rowIdSchema }).strict(),
    access: CALLER_ROLES,
    summary: 'Email an identity-check code to an address on record (chosen by id); the caller reads it back.',
  }),
  'mfa.checkIdentityCode': channel<CallerVerificationView>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, code: oneTimeCodeSchema }).strict(),
    access: CALLER_ROLES,
    summary: 'Check the identity-check code the caller read back; right: the caller is verified on this ticket.',
  }),
  'mfa.checkAuthenticatorCode': channel<CallerVerificationView>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, code: oneTimeCodeSchema }).strict(),
    access: CALLER_ROLES,
    summary: "Check the current code from the caller's authenticator app; right: the caller is verified on this ticket.",
  }),
  'mfa.overrideVerification': channel<CallerVerificationView>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, reason: overrideReasonSchema }).strict(),
    access: OVERRIDE_ROLES,
    summary: 'A supervisor vouches for the caller on this ticket, with a written reason.',
  }),
  'mfa.reRegister': channel<ReRegistrationStarted>()({
    input: z
      .object({
        employeeId: employeeIdSchema,
        ticketRef: ticketRefSchema,
        factorType: z.enum(FACTOR_TYPES),
        emailId: rowIdSchema.optional(),
      })
      .strict(),
    access: CALLER_ROLES,
    summary:
      'New or lost phone, or another address: replace the factor with a pending one and email a registration code (verified caller only). MFA stays enabled.',
  }),
  'mfa.restartRegistration': channel<RegistrationCodeSent>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, factorId: rowIdSchema }).strict(),
    access: CALLER_ROLES,
    summary: 'Send a fresh registration code for a pending factor, e.g. after the last one expired (verified caller only).',
  }),
  'mfa.removeFactor': channel<FactorRemoved>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema, factorId: rowIdSchema }).strict(),
    access: CALLER_ROLES,
    summary: 'Remove an authentication method; only when both are set up (verified caller only).',
  }),
  'mfa.unlock': channel<UnlockResult>()({
    input: z.object({ employeeId: employeeIdSchema, ticketRef: ticketRefSchema }).strict(),
    access: CALLER_ROLES,
    summary: "Clear the employee's wrong-code counts and code lock (verified caller only).",
  }),
  'tickets.list': channel<TicketListPage>()({
    input: z
      .object({
        status: z.enum([...TICKET_STATUSES, 'active', 'all']).default('active'),
        mine: z.boolean().default(false),
        query: z.string().trim().max(64).default(''),
        /** urgency: not resolved first, the longest open at the top; newest: latest opened first. */
        sort: z.enum(['urgency', 'newest']).default('urgency'),
        cursor: z.string().max(100).nullable().default(null),
        limit: z.number().int().min(1).max(100).default(50),
      })
      .strict(),
    access: CALLER_ROLES,
    summary: 'The ticket inbox, most urgent (or newest) first, a page at a time: by status, yours only, or by reference; with the count per status and the age against the SLA.',
  }),
  'tickets.create': channel<TicketDetail>()({
    input: z
      .object({
        reference: ticketRefSchema,
        category: z.enum(TICKET_CATEGORIES).default('other'),
        employeeId: employeeIdSchema.optional(),
        notes: ticketTextSchema(0, 'the notes').optional(),
      })
      .strict(),
    access: CALLER_ROLES,
    summary: "Open a ticket for a webchat (the platform's chat id as its reference); you are its assignee (audited).",
  }),
  'tickets.get': channel<TicketDetail>()({
    input: z.object({ ticketId: ticketIdSchema }).strict(),
    access: CALLER_ROLES,
    summary: "A ticket with the actions taken on it, its tasks, the caller's verification, its category's checklist and canned replies.",
  }),
  'tickets.update': channel<TicketDetail>()({
    input: z
      .object({
        ticketId: ticketIdSchema,
        category: z.enum(TICKET_CATEGORIES).optional(),
        employeeId: employeeIdSchema.optional(),
        status: z.enum(['open', 'waiting_employee']).optional(),
        assignToMe: z.boolean().optional(),
        notes: ticketTextSchema(0, 'the notes').optional(),
      })
      .strict(),
    access: CALLER_ROLES,
    summary: "Change a ticket's category, employee, status (open or waiting on the employee), assignee or notes (audited).",
  }),
  'tickets.waitOnManager': channel<TicketDetail>()({
    input: z.object({ ticketId: ticketIdSchema, description: ticketTextSchema(10, 'what the manager should do', 500) }).strict(),
    access: CALLER_ROLES,
    summary: "The ticket waits on a manager: a task goes to the managers' queue; it comes back when the manager saves the record (audited).",
  }),
  'tickets.resolve': channel<TicketDetail>()({
    input: z.object({ ticketId: ticketIdSchema, note: ticketTextSchema(5, 'the resolution note') }).strict(),
    access: CALLER_ROLES,
    summary: 'Resolve a ticket with a resolution note (audited).',
  }),
  'tickets.reopen': channel<TicketDetail>()({
    input: z.object({ ticketId: ticketIdSchema, reason: ticketTextSchema(5, 'why it is reopened', 1000) }).strict(),
    access: CALLER_ROLES,
    summary: 'Reopen a resolved ticket, with the reason (audited and counted).',
  }),
  'tickets.findChange': channel<ChangeReferenceMatch>()({
    input: z.object({ text: z.string().trim().min(1).max(200) }).strict(),
    access: CALLER_ROLES,
    summary: 'The audit event a change reference from a confirmation mail (CHG-… or REC-…) points at, and its employee.',
  }),
  'tickets.openFromChange': channel<TicketDetail>()({
    input: z.object({ changeReference: z.string().trim().min(1).max(200), reference: ticketRefSchema }).strict(),
    access: CALLER_ROLES,
    summary: '"Wasn\'t me": open a "change not made by me" ticket on the exact event the reference points at (or the one open already).',
  }),
  'tasks.list': channel<ManagerTaskView[]>()({
    input: z.object({ status: z.enum(['open', 'done']).default('open') }).strict(),
    access: RECORD_ROLES,
    summary: "The managers' queue: tasks tickets wait on (oldest first), or the latest done.",
  }),
  'tickets.report': channel<TicketReport>()({
    input: periodSchema,
    access: REPORT_ROLES,
    summary: 'Tickets opened in a period by category and status, reopened, and the median time to resolve.',
  }),
  'tickets.reportCsv': channel<{ csv: string; fileName: string }>()({
    input: periodSchema,
    access: REPORT_ROLES,
    summary: 'The ticket report as a CSV file (audited).',
  }),
  'replies.get': channel<CannedReplyTemplate[]>()({
    input: empty,
    access: ['admin'],
    summary: 'The canned reply templates per ticket category.',
  }),
  'replies.update': channel<CannedReplyTemplate[]>()({
    input: z.object({ replies: z.array(cannedReplyInputSchema).max(100) }).strict(),
    access: ['admin'],
    summary: 'Replace the canned reply templates (placeholders only for facts, never a code; audited).',
  }),
  'records.updateEmails': channel<EmailsUpdated>()({
    input: updateEmailsInputSchema,
    access: RECORD_ROLES,
    summary:
      'Managers correct the emails on record: add, correct or remove a work or personal address and choose the one for codes, on the version they saw; audited, and every address (old and new) is told.',
  }),
  'smtp.get': channel<SmtpSettingsView>()({
    input: empty,
    access: ['admin'],
    summary: 'The mail (SMTP) settings, without the password (only whether one is set).',
  }),
  'smtp.update': channel<SmtpSettingsView>()({
    input: z
      .object({
        host: smtpHostSchema.optional(),
        port: z.number().int().min(1).max(65535).optional(),
        security: z.enum(SMTP_SECURITIES).optional(),
        user: smtpUserSchema.optional(),
        from: smtpFromSchema.optional(),
        // '' or left out: keep the stored password; null: remove it; any other text: replace it.
        password: smtpPasswordSchema.nullable().optional(),
      })
      .strict(),
    access: ['admin'],
    summary: 'Change the mail (SMTP) settings; audited, the password sealed and never returned.',
  }),
  'smtp.testMail': channel<TestMailResult>()({
    input: z.object({ to: smtpTestRecipientSchema.min(3) }).strict(),
    access: ['admin'],
    summary: "Send one test message now through the mail settings and report the server's answer.",
  }),
  'hr.upload.begin': channel<{ uploadId: string; chunkBytes: number }>()({
    input: z
      .object({
        name: z.string().trim().min(1).max(255).refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Control characters are not allowed'),
        size: z.number().int().min(1).max(2 * 1024 ** 3),
      })
      .strict(),
    access: ['admin'],
    summary: 'Start sending an HR extract (CSV) to the main process; its parts follow with hr.upload.chunk.',
  }),
  'hr.upload.chunk': channel<{ received: number }>()({
    input: z
      .object({
        uploadId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
        offset: z.number().int().min(0),
        // base64 of at most 512 KiB
        data: z.string().min(4).max(700_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
      })
      .strict(),
    access: ['admin'],
    summary: 'The next part of an uploaded HR extract, in order.',
  }),
  'hr.import.start': channel<HrImportJobView>()({
    input: z.object({ uploadId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/), dryRun: z.boolean() }).strict(),
    access: ['admin'],
    summary: 'Import (or with dryRun, only check) the uploaded HR extract in the background.',
  }),
  'hr.import.status': channel<HrImportJobView>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict(),
    access: ['admin'],
    summary: 'How an HR import is going: phase, rows, rows/s, ETA, counts; the result once done.',
  }),
  'hr.import.cancel': channel<HrImportJobView>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict(),
    access: ['admin'],
    summary: 'Stop an HR import between batches (the batches done stay done; running it again is safe).',
  }),
  'hr.import.report': channel<{ csv: string; truncated: boolean }>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict(),
    access: ['admin'],
    summary: 'The line-numbered report of rejected rows and conflicts of a finished HR import.',
  }),
  'audit.report': channel<AuditReportPage>()({
    input: z
      .object({
        filter: auditReportFilterSchema.default({}),
        sort: z.object({ by: z.enum(AUDIT_SORT_KEYS), dir: z.enum(['asc', 'desc']) }).strict().default({ by: 'time', dir: 'desc' }),
        cursor: z.string().max(2000).nullable().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    access: REPORT_ROLES,
    summary: 'Audit events that match the filter, a keyset page at a time, sorted by time, actor, action or result.',
  }),
  'audit.reportCount': channel<{ count: number }>()({
    input: z.object({ filter: auditReportFilterSchema.default({}) }).strict(),
    access: REPORT_ROLES,
    summary: 'How many audit events the filter selects.',
  }),
  'audit.export.start': channel<AuditExportJobView | null>()({
    input: z.object({ filter: auditReportFilterSchema.default({}), format: z.enum(AUDIT_EXPORT_FORMATS).default('csv') }).strict(),
    access: REPORT_ROLES,
    summary:
      'Export what the filter selects (CSV, XLSX or PDF) in the background (null when the save dialog was cancelled); the file ends with the filter, the count and the signed chain head.',
  }),
  'audit.export.status': channel<AuditExportJobView>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict(),
    access: REPORT_ROLES,
    summary: 'How an audit export of yours is going: rows written of the total; the file once done.',
  }),
  'audit.export.cancel': channel<AuditExportJobView>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict(),
    access: REPORT_ROLES,
    summary: 'Stop an audit export of yours (nothing is kept of it).',
  }),
  'audit.export.chunk': channel<{ data: string; offset: number; size: number; done: boolean }>()({
    input: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/), offset: z.number().int().min(0).max(2 ** 40) }).strict(),
    access: REPORT_ROLES,
    summary: 'A part (base64, at most 512 KB) of a finished export, for a download in the browser.',
  }),
  'audit.dashboard': channel<AuditDashboard>()({
    input: periodSchema,
    access: REPORT_ROLES,
    summary: 'The dashboard over a period: actions per day, codes issued vs redeemed vs expired, re-registrations by reason, mail failures, actions per actor.',
  }),
  'audit.verify': channel<AuditVerifyReport>()({
    input: z.object({}).strict(),
    access: REPORT_ROLES,
    summary: 'Walk the audit trail\'s hash chain and check the signed checkpoints; the first broken link, if any (audited).',
  }),
  'audit.checkpoint': channel<AuditCheckpointInfo>()({
    input: z.object({}).strict(),
    access: REPORT_ROLES,
    summary: 'Sign the audit chain\'s head now (head, count and time under a key that is not in the database).',
  }),
  'desk.users.list': channel<DeskUserView[]>()({
    input: empty,
    access: ['admin'],
    summary: 'Every desk user with role, state (disabled, locked out, temporary password, authenticator enrolled) and last sign-in.',
  }),
  'desk.users.create': channel<DeskUserWithTemporaryPassword>()({
    input: z.object({ username: usernameSchema, displayName: displayNameSchema, role: z.enum(DESK_ROLES) }).strict(),
    access: ['admin'],
    summary: 'Create a desk user with a temporary password, shown once, that they replace at their first sign-in (audited).',
  }),
  'desk.users.setEnabled': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema, enabled: z.boolean() }).strict(),
    access: ['admin'],
    summary: 'Disable a desk user (their sessions end) or enable them again; never the last active admin (audited).',
  }),
  'desk.users.setRole': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema, role: z.enum(DESK_ROLES) }).strict(),
    access: ['admin'],
    summary: "Change a desk user's role (their sessions end); never demote the last active admin (audited).",
  }),
  'desk.users.resetPassword': channel<DeskUserWithTemporaryPassword>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: ['admin'],
    summary: 'Give a desk user a temporary password, shown once, to be replaced at their next sign-in; their sessions end (audited).',
  }),
  'desk.users.resetTotp': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: ['admin'],
    summary: "Forget a desk user's authenticator app; they enrol a new one at their next sign-in; their sessions end (audited).",
  }),
  'desk.users.unlock': channel<DeskUserView>()({
    input: z.object({ userId: rowIdSchema }).strict(),
    access: ['admin'],
    summary: 'Lift a lock-out after too many failed sign-ins (audited).',
  }),
  'settings.dataKey': channel<DataKeyView>()({
    input: empty,
    access: ['admin'],
    summary: 'Where this desk keeps the data key that seals secrets (the OS keychain or the 0600 key file), and why not the keychain when it could not be had.',
  }),
  'demo.load': channel<DemoSeedResult>()({
    input: z
      .object({
        employees: z.number().int().min(1).max(200_000).default(1000),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
      })
      .strict(),
    access: ['admin'],
    summary: 'Fill an empty database with deterministic demo employees.',
  }),
} as const satisfies Record<string, ChannelSpec>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** What the caller sends (before defaults are applied). */
export type InputOf<K extends ChannelName> = z.input<Channels[K]['input']>;
/** What the handler receives (after parsing and defaults). */
export type ParsedInputOf<K extends ChannelName> = z.output<Channels[K]['input']>;
export type ResultOf<K extends ChannelName> = Channels[K] extends ChannelSpec<z.ZodType, infer R> ? R : never;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export { EVENT_NAMES, type EventName, type Events } from './events';
