/**
 * The portal API's shapes (`desk portal`, /v1): the one description from which the service checks
 * what it is sent, types what it answers, and generates its OpenAPI 3.1 document. The portal has
 * checked the employee's username and password already; it names the employee by username.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { EMAIL_KINDS, FACTOR_TYPES } from './types/employees';
import { usernameSchema } from './schemas';

export const PORTAL_API_VERSION = 'v1';

export const portalErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'Plain English, meant for the person at the portal.' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every refusal, with one of a closed set of codes.' });

export const eligibilityReasonSchema = z.object({
  code: z.enum(['leaver', 'internet_not_approved', 'no_email', 'mfa_enabled']),
  message: z.string(),
  blocks: z.boolean().meta({ description: 'Whether this stops registration altogether.' }),
});

export const portalMethodSchema = z
  .object({
    type: z.enum(FACTOR_TYPES),
    state: z.enum(['pending', 'active']),
    registeredAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().meta({ description: 'The last accepted code at sign-in or when the desk checked it.' }),
    locked: z.boolean().meta({ description: 'Too many wrong codes: Shared Services unlocks it.' }),
    address: z.string().nullable().meta({ description: 'The email method: the masked address its codes go to.' }),
    canRemove: z.boolean().meta({ description: 'A method can be removed only when both are set up.' }),
  })
  .meta({ id: 'Method' });

export const portalMfaStatusSchema = z
  .object({
    username: z.string(),
    canRegister: z.boolean(),
    reasons: z.array(eligibilityReasonSchema),
    mfaEnabled: z.boolean(),
    mfaEnabledAt: z.string().nullable(),
    canTurnOff: z.literal(false).meta({ description: 'Once MFA is enabled it cannot be turned off.' }),
    emails: z.array(
      z.object({
        id: z.number().int(),
        kind: z.enum(EMAIL_KINDS),
        address: z.string().meta({ description: 'Masked: j•••@example.org.' }),
        receivesCodes: z.boolean(),
      }),
    ),
    methods: z.array(portalMethodSchema),
    webchatUrl: z.string().meta({ description: 'Where the employee reaches Shared Services.' }),
  })
  .meta({ id: 'MfaStatus' });
export type PortalMfaStatus = z.infer<typeof portalMfaStatusSchema>;

export const employeePathSchema = z.object({ username: usernameSchema });

/** One route of the API: what it takes, what it answers, and the refusals it can give. */
export interface PortalRoute {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI's form: /v1/employees/{username}/mfa. */
  path: string;
  operationId: string;
  summary: string;
  params?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  /** The HTTP statuses of its refusals besides 401 and 429, which every route can give. */
  refusals: readonly number[];
}

export const PORTAL_ROUTES = [
  {
    method: 'get',
    path: '/v1/employees/{username}/mfa',
    operationId: 'getMfa',
    summary:
      'Whether the employee can register and why not; the addresses on record (masked); their methods with state, registered, last used and locked; whether each can be removed. MFA cannot be turned off.',
    params: employeePathSchema,
    response: portalMfaStatusSchema,
    refusals: [400, 404],
  },
] as const satisfies readonly PortalRoute[];
