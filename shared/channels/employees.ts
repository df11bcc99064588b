/** Looking employees up and reading their page. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { employeeIdSchema, noControls, CONTROL_REFUSED } from '../schemas';
import { EMPLOYEE_STATUSES, FACTOR_FILTERS, MFA_STATES, SORT_KEYS, type EmployeeDetail, type SearchCount, type SearchPage } from '../domain';

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
      .refine(noControls, CONTROL_REFUSED)
      .optional(),
    pendingRegistration: z.boolean().optional(),
    locked: z.boolean().optional(),
  })
  .strict();


export const employeesChannels = {
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
    access: 'employees.read',
    summary:
      'Find employees by name, employee number, username or any email on record, filtered and sorted in the database, one keyset page at a time.',
  }),
  'employees.count': channel<SearchCount>()({
    input: z.object({ query: z.string().max(200).default(''), filters: searchFiltersSchema.default({}) }).strict(),
    access: 'employees.read',
    summary: 'How many employees a search matches (counting stops at 10,000).',
  }),
  'employees.organisations': channel<string[]>()({
    input: empty,
    access: 'employees.read',
    summary: 'Every organisation, for the look-up filter.',
  }),
  'employees.get': channel<EmployeeDetail>()({
    input: z.object({ employeeId: employeeIdSchema }).strict(),
    access: 'employees.read',
    summary: "An employee's record, emails on record, MFA state and factors.",
  }),
} as const satisfies ChannelMap;
