/** Webchat tickets, the managers' task queue, the ticket report and the canned replies. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { employeeIdSchema, noTextControls, periodSchema, rowIdSchema, CONTROL_REFUSED, ticketRefSchema } from '../schemas';
import { TICKET_CATEGORIES, TICKET_STATUSES, type CannedReplyTemplate, type ChangeReferenceMatch, type ManagerTaskView, type TicketDetail, type TicketListPage, type TicketReport } from '../domain';

/** A ticket's free text (notes, resolution note, a task for a manager): tabs and line breaks allowed. */
const ticketTextSchema = (min: number, what: string, max = 4000) =>
  z
    .string()
    .trim()
    .min(min, min > 0 ? `Write ${what} (at least ${min} characters)` : undefined)
    .max(max, `Keep ${what} under ${max.toLocaleString('en-GB')} characters`)
    .refine(noTextControls, CONTROL_REFUSED);
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


/** A change to one ticket: its id and what the change needs. */
const onTicket = <S extends z.ZodRawShape>(shape: S) => z.object({ ticketId: ticketIdSchema, ...shape }).strict();

/** A channel on one ticket that answers with the ticket as it now stands. */
const ticketChannel = <I extends z.ZodType>(input: I, summary: string) => channel<TicketDetail>()({ input, access: 'callers.help', summary });

export const ticketsChannels = {
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
    access: 'callers.help',
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
    access: 'callers.help',
    summary: "Open a ticket for a webchat (the platform's chat id as its reference); you are its assignee (audited).",
  }),
  'tickets.get': ticketChannel(onTicket({}), "A ticket with the actions taken on it, its tasks, the caller's verification, its category's checklist and canned replies."),
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
    access: 'callers.help',
    summary: "Change a ticket's category, employee, status (open or waiting on the employee), assignee or notes (audited).",
  }),
  'tickets.waitOnManager': ticketChannel(onTicket({ description: ticketTextSchema(10, 'what the manager should do', 500) }), "The ticket waits on a manager: a task goes to the managers' queue; it comes back when the manager saves the record (audited)."),
  'tickets.resolve': ticketChannel(onTicket({ note: ticketTextSchema(5, 'the resolution note') }), 'Resolve a ticket with a resolution note (audited).'),
  'tickets.reopen': ticketChannel(onTicket({ reason: ticketTextSchema(5, 'why it is reopened', 1000) }), 'Reopen a resolved ticket, with the reason (audited and counted).'),
  'tickets.findChange': channel<ChangeReferenceMatch>()({
    input: z.object({ text: z.string().trim().min(1).max(200) }).strict(),
    access: 'callers.help',
    summary: 'The audit event a change reference from a confirmation mail (CHG-… or REC-…) points at, and its employee.',
  }),
  'tickets.openFromChange': channel<TicketDetail>()({
    input: z.object({ changeReference: z.string().trim().min(1).max(200), reference: ticketRefSchema }).strict(),
    access: 'callers.help',
    summary: '"Wasn\'t me": open a "change not made by me" ticket on the exact event the reference points at (or the one open already).',
  }),
  'tasks.list': channel<ManagerTaskView[]>()({
    input: z.object({ status: z.enum(['open', 'done']).default('open') }).strict(),
    access: 'records.correct',
    summary: "The managers' queue: tasks tickets wait on (oldest first), or the latest done.",
  }),
  'tickets.report': channel<TicketReport>()({
    input: periodSchema,
    access: 'reports.read',
    summary: 'Tickets opened in a period by category and status, reopened, and the median time to resolve.',
  }),
  'tickets.reportCsv': channel<{ csv: string; fileName: string }>()({
    input: periodSchema,
    access: 'reports.read',
    summary: 'The ticket report as a CSV file (audited).',
  }),
  'replies.get': channel<CannedReplyTemplate[]>()({
    input: empty,
    access: 'desk.administer',
    summary: 'The canned reply templates per ticket category.',
  }),
  'replies.update': channel<CannedReplyTemplate[]>()({
    input: z.object({ replies: z.array(cannedReplyInputSchema).max(100) }).strict(),
    access: 'desk.administer',
    summary: 'Replace the canned reply templates (placeholders only for facts, never a code; audited).',
  }),
} as const satisfies ChannelMap;
