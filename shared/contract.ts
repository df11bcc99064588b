/**
 * The one contract between the renderer and the main process (Electron IPC or the browser host).
 * Each channel names its input schema (parsed in the main process before any handler runs), its
 * result type, and who may call it. Main-side handlers are type-checked against this map and the
 * renderer client derives its types from it.
 */
import { z } from 'zod';
import { EMPLOYEE_STATUSES, FACTOR_FILTERS, MFA_STATES, SORT_KEYS } from './domain';
import type {
  AppStatus,
  AuditPage,
  DemoSeedResult,
  EmployeePageData,
  DeskRole,
  EmployeeDetail,
  SearchCount,
  SearchPage,
  SessionInfo,
  SignInStep,
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
export const totpCodeSchema = z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code');
const challengeSchema = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'Invalid sign-in challenge');
const empty = z.object({}).strict();
/** Ids are 32-bit integers on both databases. */
const employeeIdSchema = z.number().int().positive().max(2_147_483_647);

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
