/** The audit trail: reports, exports, the dashboard, verification and checkpoints. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { daySchema, employeeIdSchema, jobIdSchema, ticketRefSchema } from '../schemas';
import { AUDIT_EXPORT_FORMATS, AUDIT_SORT_KEYS, type AuditCheckpointInfo, type AuditExportJobView, type AuditReportPage, type AuditVerifyReport } from '../domain';

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


export const auditChannels = {
  'audit.report': channel<AuditReportPage>()({
    input: z
      .object({
        filter: auditReportFilterSchema.default({}),
        sort: z.object({ by: z.enum(AUDIT_SORT_KEYS), dir: z.enum(['asc', 'desc']) }).strict().default({ by: 'time', dir: 'desc' }),
        cursor: z.string().max(2000).nullable().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    access: 'reports.read',
    summary: 'Audit events that match the filter, a keyset page at a time, sorted by time, actor, action or result.',
  }),
  'audit.reportCount': channel<{ count: number }>()({
    input: z.object({ filter: auditReportFilterSchema.default({}) }).strict(),
    access: 'reports.read',
    summary: 'How many audit events the filter selects.',
  }),
  'audit.export.start': channel<AuditExportJobView | null>()({
    input: z.object({ filter: auditReportFilterSchema.default({}), format: z.enum(AUDIT_EXPORT_FORMATS).default('csv') }).strict(),
    access: 'reports.read',
    summary:
      'Export what the filter selects (CSV, XLSX or PDF) in the background (null when the save dialog was cancelled); the file ends with the filter, the count and the signed chain head.',
  }),
  'audit.export.status': channel<AuditExportJobView>()({
    input: z.object({ jobId: jobIdSchema }).strict(),
    access: 'reports.read',
    summary: 'How an audit export of yours is going: rows written of the total; the file once done.',
  }),
  'audit.export.cancel': channel<AuditExportJobView>()({
    input: z.object({ jobId: jobIdSchema }).strict(),
    access: 'reports.read',
    summary: 'Stop an audit export of yours (nothing is kept of it).',
  }),
  'audit.export.chunk': channel<{ data: string; offset: number; size: number; done: boolean }>()({
    input: z.object({ jobId: jobIdSchema, offset: z.number().int().min(0).max(2 ** 40) }).strict(),
    access: 'reports.read',
    summary: 'A part (base64, at most 512 KB) of a finished export, for a download in the browser.',
  }),
  'audit.verify': channel<AuditVerifyReport>()({
    input: z.object({}).strict(),
    access: 'reports.read',
    summary: 'Walk the audit trail\'s hash chain and check the signed checkpoints; the first broken link, if any (audited).',
  }),
  'audit.checkpoint': channel<AuditCheckpointInfo>()({
    input: z.object({}).strict(),
    access: 'reports.read',
    summary: 'Sign the audit chain\'s head now (head, count and time under a key that is not in the database).',
  }),
} as const satisfies ChannelMap;
