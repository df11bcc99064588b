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
import { DeskError, HTTP_STATUS, type WireError } from '../../shared/errors';
import { authenticatePortalKey } from '../core/portal/keys.service';
import { dispatch, type PortalDeps } from './dispatch';
import { openApiDocument } from './openapi';
import { RateLimiter } from './rate-limit';
import { answerTraining, assertTrainingData, isTrainingPath } from './training/training';
import { problemPage } from './training/pages';

const trainingProblem = (message: string) => problemPage('Something went wrong', message).text;

export type { PortalDeps } from './dispatch';

export interface PortalOptions {
  /** 127.0.0.1 unless told otherwise; TLS is the reverse proxy's job. */
  host?: string;
  port?: number;
  /** Per key and per instance (default DEFAULT_REQUESTS_PER_SECOND). */
  requestsPerSecond?: number;
  /** Also serve the training copy of the portal's MFA pages at /training (127.0.0.1 and demo data only). */
  training?: boolean;
}

export interface RunningPortal {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_REQUESTS_PER_SECOND = 50;
const MAX_BODY = 64 * 1024;
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
  const idempotencyKey = req.headers['idempotency-key'];
  const answered = await dispatch(deps, {
    method,
    pathname: url.pathname,
    readBody: () => readJson(req),
    integration: key.integration,
    keyId: key.keyId,
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
  });
  return sendText(res, answered.status, answered.text, answered.headers);
}

export async function startPortal(deps: PortalDeps, options: PortalOptions = {}): Promise<RunningPortal> {
  const limiter = new RateLimiter(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
  const host = options.host ?? '127.0.0.1';
  if (options.training) {
    if (host !== '127.0.0.1') throw new DeskError('VALIDATION', 'The training pages are served on 127.0.0.1 only: leave out --host.', { field: 'host' });
    await assertTrainingData(deps);
  }
  let port = 0;
  const server = http.createServer((req, res) => {
    if (options.training && isTrainingPath(new URL(req.url ?? '/', 'http://portal.invalid').pathname)) {
      answerTraining(deps, port, req, res).catch((err: unknown) => {
        const message = err instanceof DeskError ? err.message : 'Something went wrong in the desk; it is in the desk’s log.';
        if (!(err instanceof DeskError)) deps.logger.error('portal training: request failed', { path: (req.url ?? '').split('?')[0], error: err instanceof Error ? err.message : String(err) });
        if (res.headersSent) return void res.destroy();
        res.writeHead(err instanceof DeskError ? HTTP_STATUS[err.code] : 500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(trainingProblem(message));
      });
      return;
    }
    answer(deps, limiter, req, res).catch((err: unknown) => {
      if (err instanceof DeskError) return refuse(res, err.toWire());
      // Nothing of an unexpected failure leaves the service but its code; the log has the message.
      deps.logger.error('portal: request failed', { path: (req.url ?? '').split('?')[0], error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) refuse(res, { code: 'INTERNAL', message: 'Something went wrong in the desk; it is in the desk’s log.' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
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
