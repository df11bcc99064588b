/**
 * One request through the portal API's contract, whoever sends it: `desk portal` over HTTP (after
 * the key and the rate), or the training pages in-process. The route, its checked path and body
 * (400 and nothing changed when either is wrong), its handler in the core acting as
 * portal:<integration>, and the Idempotency-Key record of a request that sends mail.
 */
import type { Knex } from 'knex';
import type { z } from 'zod';
import { DeskError, HTTP_STATUS, type WireError } from '../../shared/errors';
import { PORTAL_ROUTES, type PortalMethod, type PortalRoute, type signInChallengeBodySchema, type signInVerifyBodySchema } from '../../shared/portal-api';
import { plainIssueMessage, validationIssues, validationSummary } from '../../shared/validation';
import type { Actor } from '../core/audit/audit.service';
import type { Clock } from '../core/clock';
import { mailQueued } from '../core/handler';
import type { Logger } from '../core/log/logger';
import { portalMfaStatus } from '../core/portal/api.service';
import { claimRequest, releaseRequest, requestHash, settleRequest } from '../core/portal/idempotency';
import { portalActor } from '../core/portal/keys.service';
import { activateOwnMethod, removeOwnMethod, startOwnApp, startOwnEmail } from '../core/portal/methods.service';
import { challengeSignIn, verifySignIn } from '../core/portal/signin.service';
import type { Vault } from '../core/secrets/vault';

export interface PortalDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
  logger: Logger;
  /** Mail was committed to the outbox: deliver it soon (the core's sender). */
  onMailQueued?: () => void;
}


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
  challengeSignIn: async (deps, { params, body, actor, integration }) =>
    mailQueued(deps, await challengeSignIn(deps, actor, { integration, username: params.username as string, ...(body as z.output<typeof signInChallengeBodySchema>) })),
  verifySignIn: (deps, { params, body, actor, integration }) =>
    verifySignIn(deps, actor, { integration, username: params.username as string, ...(body as z.output<typeof signInVerifyBodySchema>) }),
};

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
      // A broken %-escape is left as it came; the parameter's schema then refuses it (400).
      raw[n] = safeDecode(m[i + 1]!);
    });
    return { route, raw };
  }
  return pathMatched ? 'no-method' : 'no-route';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A zod refusal in the contract's shape: its first problem in words, every issue by path. */
function invalid(error: z.ZodError): WireError {
  const issues = validationIssues(error);
  return { code: 'VALIDATION', message: validationSummary(issues), details: { issues } };
}

/** A request the portal's contract answers, from HTTP or from the training pages in-process. */
export interface PortalRequest {
  method: string;
  pathname: string;
  /** The JSON body, read only when the route takes one. */
  readBody: () => Promise<unknown>;
  integration: string;
  /** The key that asked (null for the training pages, which keep no idempotency record). */
  keyId: number | null;
  idempotencyKey?: string | undefined;
}

export interface PortalAnswer {
  status: number;
  /** The JSON text of the answer. */
  text: string;
  headers: Record<string, string>;
}

const answerOf = (status: number, body: unknown, headers: Record<string, string> = {}): PortalAnswer => ({ status, text: JSON.stringify(body), headers });
const refusal = (error: WireError, status = HTTP_STATUS[error.code], headers: Record<string, string> = {}): PortalAnswer => answerOf(status, { error }, headers);

/**
 * One request through the contract: its route, its checked path and body (400 and nothing changed
 * when either is wrong), its handler acting as portal:<integration>, and, for a request that sends
 * mail with an Idempotency-Key, the first answer kept and replayed. A DeskError from the handler
 * is thrown for the caller to answer in the contract's shape.
 */
export async function dispatch(deps: PortalDeps, req: PortalRequest): Promise<PortalAnswer> {
  const found = match(req.method, req.pathname);
  if (found === 'no-route') return refusal({ code: 'NOT_FOUND', message: `There is no ${req.pathname} in the portal API (see /v1/openapi.json).` });
  if (found === 'no-method') return refusal({ code: 'NOT_FOUND', message: `${req.pathname} does not answer ${req.method}.` }, 405);
  const { route, raw: rawParams } = found;

  const params = route.params ? route.params.safeParse(rawParams, { error: plainIssueMessage }) : { success: true as const, data: {} };
  if (!params.success) return refusal(invalid(params.error));
  let body: unknown = undefined;
  let raw: unknown = undefined;
  if (route.body) {
    raw = await req.readBody();
    const parsed = route.body.safeParse(raw, { error: plainIssueMessage });
    if (!parsed.success) return refusal(invalid(parsed.error));
    body = parsed.data;
  }
  const call = { params: params.data, body, actor: portalActor(req.integration), integration: req.integration };
  const run = () => HANDLERS[route.operationId as keyof typeof HANDLERS](deps, call);
  if (!route.idempotent || req.keyId === null || req.idempotencyKey === undefined) return answerOf(200, await run());

  // A request that sends mail, with an Idempotency-Key: the first answer is kept and replayed.
  const claim = await claimRequest(deps, { portalKeyId: req.keyId, idempotencyKey: req.idempotencyKey, requestHash: requestHash(req.method, req.pathname, raw) });
  if (claim.kind === 'replay') return { status: claim.status, text: claim.body, headers: { 'Idempotent-Replayed': 'true' } };
  try {
    const text = JSON.stringify(await run());
    await settleRequest(deps.db, claim, 200, text);
    return { status: 200, text, headers: {} };
  } catch (err) {
    // A refusal is the answer to this request, kept like any other; a failure lets the key go.
    if (err instanceof DeskError && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL') {
      const text = JSON.stringify({ error: err.toWire() });
      await settleRequest(deps.db, claim, HTTP_STATUS[err.code], text);
      return { status: HTTP_STATUS[err.code], text, headers: {} };
    }
    await releaseRequest(deps.db, claim);
    throw err;
  }
}
