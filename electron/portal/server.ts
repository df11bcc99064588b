/**
 * `desk portal`: the portal API over HTTP (JSON, /v1), for the employee self-service portal. It
 * keeps nothing between requests (every fact is in the database), so several instances can run
 * behind a load balancer on one PostgreSQL database. Every request but the OpenAPI document needs
 * a live integration key (Authorization: Bearer …); without one: 401, and nothing about any
 * employee. Then the key's rate (429 with Retry-After), the route, its input (400, nothing
 * changed), and the call, which acts as `portal:<integration>` in the audit trail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { DeskError, HTTP_STATUS, type WireError } from '../../shared/errors';
import { PORTAL_ROUTES, type PortalMethod, type PortalRoute, type signInVerifyBodySchema } from '../../shared/portal-api';
import { plainIssueMessage, validationIssues, validationSummary } from '../../shared/validation';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log/logger';
import type { Vault } from '../core/secrets/vault';
import type { Knex } from 'knex';
import { authenticatePortalKey, portalActor } from '../core/portal/keys.service';
import { portalMfaStatus } from '../core/portal/api.service';
import { verifySignIn } from '../core/portal/signin.service';
import { activateOwnMethod, removeOwnMethod, startOwnApp, startOwnEmail } from '../core/portal/methods.service';
import { claimRequest, releaseRequest, requestHash, settleRequest } from '../core/portal/idempotency';
import { mailQueued } from '../core/handler';
import type { Actor } from '../core/audit/audit.service';
import { openApiDocument } from './openapi';
import { RateLimiter } from './rate-limit';

export interface PortalDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
  logger: Logger;
  /** Mail was committed to the outbox: deliver it soon (the core's sender). */
  onMailQueued?: () => void;
}

export interface PortalOptions {
  /** 127.0.0.1 unless told otherwise; TLS is the reverse proxy's job. */
  host?: string;
  port?: number;
  /** Per key and per instance (default DEFAULT_REQUESTS_PER_SECOND). */
  requestsPerSecond?: number;
}

export interface RunningPortal {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_REQUESTS_PER_SECOND = 50;
const MAX_BODY = 64 * 1024;

/** What a route's handler gets: its checked path parameters and body, and who acts. */
interface Call {
  params: Record<string, unknown>;
  body: unknown;
  actor: Actor;
  integration: string;
}

type Handler = (deps: PortalDeps, call: Call) => Promise<unknown>;

/** Each route of PORTAL_ROUTES, answered by the core. */
const HANDLERS: Record<(typeof PORTAL_ROUTES)[number]['operationId'], Handler> = {
  getMfa: (deps, { params, actor }) => portalMfaStatus(deps, actor, { username: params.username as string }),
  startApp: (deps, { params, body, actor }) => startOwnApp(deps, actor, { username: params.username as string, code: (body as { code?: string }).code }),
  activateApp: async (deps, { params, body, actor }) =>
    mailQueued(deps, await activateOwnMethod(deps, actor, { username: params.username as string, method: 'app', code: (body as { code: string }).code })),
  startEmail: async (deps, { params, body, actor }) =>
    mailQueued(deps, await startOwnEmail(deps, actor, { username: params.username as string, emailId: (body as { emailId: number }).emailId })),
  activateEmail: async (deps, { params, body, actor }) =>
    mailQueued(deps, await activateOwnMethod(deps, actor, { username: params.username as string, method: 'email', code: (body as { code: string }).code })),
  removeMethod: async (deps, { params, actor }) =>
    mailQueued(deps, await removeOwnMethod(deps, actor, { username: params.username as string, method: params.method as PortalMethod })),
  verifySignIn: (deps, { params, body, actor, integration }) =>
    verifySignIn(deps, actor, { integration, username: params.username as string, ...(body as z.output<typeof signInVerifyBodySchema>) }),
};

const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, ...headers });
  res.end(text);
}

function refuse(res: http.ServerResponse, error: WireError, status = HTTP_STATUS[error.code], headers: Record<string, string> = {}): void {
  send(res, status, { error }, headers);
}

/** The route a method and path name, with the path's parameters (still unchecked). */
function match(method: string, pathname: string): { route: PortalRoute; raw: Record<string, string> } | 'no-route' | 'no-method' {
  let pathMatched = false;
  for (const route of PORTAL_ROUTES as readonly PortalRoute[]) {
    const names: string[] = [];
    const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
    const m = pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method.toUpperCase() !== method) continue;
    const raw: Record<string, string> = {};
    names.forEach((n, i) => {
      raw[n] = decodeURIComponent(m[i + 1]!);
    });
    return { route, raw };
  }
  return pathMatched ? 'no-method' : 'no-route';
}

/** A zod refusal in the contract's shape: its first problem in words, every issue by path. */
function invalid(error: z.ZodError): WireError {
  const issues = validationIssues(error);
  return { code: 'VALIDATION', message: validationSummary(issues), details: { issues } };
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new DeskError('VALIDATION', 'Send the body as JSON (Content-Type: application/json).');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new DeskError('VALIDATION', `The body is larger than ${MAX_BODY / 1024} KB.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new DeskError('VALIDATION', 'The body is not valid JSON.');
  }
}

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

async function answer(deps: PortalDeps, limiter: RateLimiter, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://portal.invalid');
  const method = req.method ?? 'GET';
  if (method === 'GET' && url.pathname === '/v1/openapi.json') return send(res, 200, openApiDocument());

  const key = await authenticatePortalKey(deps, bearer(req));
  if (!key) {
    return refuse(res, { code: 'UNAUTHENTICATED', message: 'A live portal key is needed: Authorization: Bearer <key>.' }, 401, { 'WWW-Authenticate': 'Bearer realm="mfa-desk-portal"' });
  }
  const wait = limiter.take(key.keyId, deps.clock.now().getTime());
  if (wait > 0) {
    return refuse(res, { code: 'UNAVAILABLE', message: `Too many requests for this key: try again in ${wait} s.`, details: { retryAfterSeconds: wait } }, 429, { 'Retry-After': String(wait) });
  }

  const found = match(method, url.pathname);
  if (found === 'no-route') return refuse(res, { code: 'NOT_FOUND', message: `There is no ${url.pathname} in the portal API (see /v1/openapi.json).` });
  if (found === 'no-method') return refuse(res, { code: 'NOT_FOUND', message: `${url.pathname} does not answer ${method}.` }, 405);
  const { route, raw: rawParams } = found;

  const params = route.params ? route.params.safeParse(rawParams, { error: plainIssueMessage }) : { success: true as const, data: {} };
  if (!params.success) return refuse(res, invalid(params.error));
  let body: unknown = undefined;
  let raw: unknown = undefined;
  if (route.body) {
    raw = await readJson(req);
    const parsed = route.body.safeParse(raw, { error: plainIssueMessage });
    if (!parsed.success) return refuse(res, invalid(parsed.error));
    body = parsed.data;
  }
  const call = { params: params.data, body, actor: portalActor(key.integration), integration: key.integration };
  const run = () => HANDLERS[route.operationId as keyof typeof HANDLERS](deps, call);
  const idempotencyKey = req.headers['idempotency-key'];
  if (!route.idempotent || typeof idempotencyKey !== 'string') return send(res, 200, await run());

  // A request that sends mail, with an Idempotency-Key: the first answer is kept and replayed.
  const claim = await claimRequest(deps, { portalKeyId: key.keyId, idempotencyKey, requestHash: requestHash(method, url.pathname, raw) });
  if (claim.kind === 'replay') return sendText(res, claim.status, claim.body, { 'Idempotent-Replayed': 'true' });
  try {
    const text = JSON.stringify(await run());
    await settleRequest(deps.db, claim.id, 200, text);
    return sendText(res, 200, text);
  } catch (err) {
    // A refusal is the answer to this request, kept like any other; a failure lets the key go.
    if (err instanceof DeskError && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL') {
      const text = JSON.stringify({ error: err.toWire() });
      await settleRequest(deps.db, claim.id, HTTP_STATUS[err.code], text);
      return sendText(res, HTTP_STATUS[err.code], text);
    }
    await releaseRequest(deps.db, claim.id);
    throw err;
  }
}

export async function startPortal(deps: PortalDeps, options: PortalOptions = {}): Promise<RunningPortal> {
  const limiter = new RateLimiter(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
  const server = http.createServer((req, res) => {
    answer(deps, limiter, req, res).catch((err: unknown) => {
      if (err instanceof DeskError) return refuse(res, err.toWire());
      // Nothing of an unexpected failure leaves the service but its code; the log has the message.
      deps.logger.error('portal: request failed', { path: (req.url ?? '').split('?')[0], error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) refuse(res, { code: 'INTERNAL', message: 'Something went wrong in the desk; it is in the desk’s log.' });
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
