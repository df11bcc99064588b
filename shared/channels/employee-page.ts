/** The employee page: record, eligibility, factors, codes, mail log and audit trail in one view. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { employeeIdSchema } from '../schemas';
import type { AuditPage, EmployeePageData } from '../domain';

export const employeePageChannels = {
  'employees.page': channel<EmployeePageData>()({
    input: z.object({ employeeId: employeeIdSchema }).strict(),
    access: 'employees.read',
    summary: 'The employee page in one round trip: record, eligibility, factors, latest codes, mail log, first page of the audit trail.',
  }),
  'employees.audit': channel<AuditPage>()({
    input: z.object({ employeeId: employeeIdSchema, cursor: z.string().max(100).nullable().default(null) }).strict(),
    access: 'employees.read',
    summary: "The next page of an employee's audit trail, newest first.",
  }),
} as const satisfies ChannelMap;
