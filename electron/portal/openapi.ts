/**
 * The portal API's OpenAPI 3.1 document, generated from the zod schemas the service itself checks
 * requests with (shared/portal-api.ts), by zod's own JSON Schema output (draft 2020-12, which is
 * OpenAPI 3.1's schema dialect). Served at /v1/openapi.json.
 */
import { z } from 'zod';
import { PORTAL_ROUTES, portalErrorSchema, type PortalRoute } from '../../shared/portal-api';
import { PRODUCT_NAME, VERSION } from '../core/version';

const REF = (id: string) => `#/components/schemas/${id}`;

type JsonSchema = Record<string, unknown>;

/** A schema as the document refers to it: by reference when it has an id, else inline. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: REF(id) };
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const REASON: Record<number, string> = {
  400: 'The request is not valid: nothing was changed.',
  401: 'No valid portal key (Authorization: Bearer …): nothing is said about any employee.',
  404: 'No such employee (or route).',
  409: 'A conflicting request (for example an Idempotency-Key reused with another body).',
  422: 'Refused by an MFA rule; the message says which, in plain words.',
  429: 'Too many requests for this key: wait for Retry-After seconds.',
};

function operation(route: PortalRoute): JsonSchema {
  const error = { content: { 'application/json': { schema: { $ref: REF('Error') } } } };
  const parameters = route.params
    ? Object.entries(route.params.shape).map(([name, schema]) => ({ name, in: 'path', required: true, schema: schemaOf(schema as z.ZodType, 'input') }))
    : [];
  const responses: Record<string, unknown> = {
    200: { description: 'Done.', content: { 'application/json': { schema: schemaOf(route.response, 'output') } } },
  };
  for (const status of [...route.refusals, 401, 429].sort((a, b) => a - b)) {
    responses[status] = {
      description: REASON[status] ?? 'Refused.',
      ...error,
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of PORTAL_ROUTES as readonly PortalRoute[]) (paths[route.path] ??= {})[route.method] = operation(route);
  // Every schema with an id (the responses' shapes and Error) becomes a component.
  const { schemas } = z.toJSONSchema(z.globalRegistry, { io: 'output', uri: REF, unrepresentable: 'any' }) as { schemas: Record<string, JsonSchema> };
  const components = Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, ...s }]) => [id, s]));
  void portalErrorSchema; // registered by its import: the shape of every refusal
  return {
    openapi: '3.1.0',
    info: {
      title: `${PRODUCT_NAME} portal API`,
      version: VERSION,
      description:
        'What the employee self-service portal calls for multi-factor authentication. Every request carries an integration key (Authorization: Bearer …); the portal names the employee by username, having checked their password.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ portalKey: [] }],
    paths,
    components: { schemas: components, securitySchemes: { portalKey: { type: 'http', scheme: 'bearer', description: 'A key from `desk portal keys add NAME` or Settings.' } } },
  };
}
