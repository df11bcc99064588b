import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Router, SessionSlot } from '../core/ipc/router';
import type { Logger } from '../core/log/logger';
import { CONTENT_SECURITY_POLICY } from '../core/csp';
import { resolveStaticFile } from '../core/static-files';
import { HTTP_STATUS, type WireResult } from '../../shared/errors';
import { isEventName, type EventName, type Events } from '../../shared/events';

/**
 * The browser host: the same renderer and the same contract as the Electron window, over HTTP on
 * 127.0.0.1. A random token minted per launch guards every request: the printed URL carries it,
 * and is taken once — the first request that presents it gets an HttpOnly cookie, after which the
 * link works only for a browser that already holds that cookie. From then on the cookie (or the
 * X-Desk-Token header) authenticates. Without it: 401, nothing runs. A used link without the
 * cookie: 403. The contract's endpoint takes JSON only (Content-Type: application/json; 415
 * otherwise, before the body is read).
 */
export interface HostOptions {
  router: Router;
  logger: Logger;
  rendererDir: string;
  port?: number;
  /** Only loopback addresses are accepted. */
  bindAddress?: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

// Browsers keep cookies per host, not per port: each launch names its cookies after its port, so
// two hosts on 127.0.0.1 never overwrite each other's.
const cookieNames = (port: number) => ({ host: `desk_host_${port}`, session: `desk_session_${port}`, client: `desk_client_${port}` });
const MAX_BODY = 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Cookies by name; one that cannot be decoded (another localhost app's) is skipped, not fatal. */
function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // not ours
    }
  }
  return out;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function cookie(name: string, value: string, maxAge?: number): string {
  return `${name}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/${maxAge !== undefined ? `; Max-Age=${maxAge}` : ''}`;
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const bind = opts.bindAddress ?? '127.0.0.1';
  if (!isLoopback(bind)) throw new Error(`The browser host binds to loopback only, not ${bind}`);
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url');
  const rendererRoot = path.resolve(opts.rendererDir);
  let names = cookieNames(0);
  const streams = new Map<string, Set<http.ServerResponse>>();
  let port = 0;
  /** The printed link has been exchanged for the cookie: the token in an address is not enough any more. */
  let linkUsed = false;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const origins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const emitTo = (clientId: string | undefined) => <E extends EventName>(event: E, payload: Events[E]) => {
    if (!clientId || !isEventName(event)) return;
    for (const res of streams.get(clientId) ?? []) res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  };

  const send = (res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  };

  const sendJson = (res: http.ServerResponse, result: WireResult<unknown>, cookies: string[], invokeMs?: number) => {
    const status = result.ok ? 200 : HTTP_STATUS[result.error.code];
    send(res, status, JSON.stringify(result), {
      'Content-Type': 'application/json; charset=utf-8',
      // How long the main process took (the browser shows it in its network timings).
      ...(invokeMs !== undefined ? { 'Server-Timing': `invoke;dur=${invokeMs.toFixed(2)}` } : {}),
      ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
    });
  };

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new Error('too large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const serveStatic = (res: http.ServerResponse, pathname: string) => {
    const file = resolveStaticFile(rendererRoot, pathname);
    if (!file) return send(res, 404, 'Not found', { 'Content-Type': 'text/plain; charset=utf-8' });
    fs.readFile(file, (err, data) => {
      if (err) {
        const missingBuild = file === path.join(rendererRoot, 'index.html');
        return send(res, 404, missingBuild ? 'MFA Desk: the renderer is not built. Run `npm run build`.' : 'Not found', {
          'Content-Type': 'text/plain; charset=utf-8',
        });
      }
      send(res, 200, data, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      return send(res, 421, 'Misdirected request', { 'Content-Type': 'text/plain; charset=utf-8' });
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const cookies = parseCookies(req.headers.cookie);

    const header = req.headers['x-desk-token'];
    const holdsToken = sameSecret(cookies[names.host], token) || sameSecret(typeof header === 'string' ? header : undefined, token);

    // The printed link: swap the token in the address for a cookie, then drop it from the address.
    // Only once: a link copied from the terminal, the history or a log after that opens nothing
    // unless the browser already holds this launch's cookie (its own tab opened again, a reload).
    const queryToken = url.searchParams.get('token');
    if (req.method === 'GET' && queryToken !== null) {
      if (!sameSecret(queryToken, token)) return send(res, 401, 'MFA Desk: this link is not valid for this launch.', { 'Content-Type': 'text/plain; charset=utf-8' });
      if (linkUsed && !holdsToken) {
        return send(res, 403, 'MFA Desk: this link has been used already. Go back to the browser tab it opened, or restart `desk serve` for a new link.', {
          'Content-Type': 'text/plain; charset=utf-8',
        });
      }
      linkUsed = true;
      url.searchParams.delete('token');
      const clientId = cookies[names.client] ?? crypto.randomBytes(16).toString('base64url');
      // Always a path on this host ("//evil.example/" would leave it).
      return send(res, 303, '', {
        Location: '/' + url.pathname.replace(/^\/+/, '') + (url.search || ''),
        'Set-Cookie': [cookie(names.host, token), cookie(names.client, clientId)],
      });
    }

    if (!holdsToken) {
      return send(res, 401, 'MFA Desk: open the address printed by `desk serve` (it carries this launch\'s token).', {
        'Content-Type': 'text/plain; charset=utf-8',
      });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) {
      return send(res, 403, 'Cross-origin requests are refused', { 'Content-Type': 'text/plain; charset=utf-8' });
    }

    if (url.pathname.startsWith('/api/invoke/')) {
      if (req.method !== 'POST') return send(res, 405, 'Use POST', { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
      // JSON only, said by its type (parameters such as charset allowed): a form post or a
      // text/plain "simple request" is refused before its body is read or anything runs.
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        res.setHeader('Connection', 'close');
        return send(res, 415, JSON.stringify({ ok: false, error: { code: 'VALIDATION', message: 'Send the call as JSON, with Content-Type: application/json.' } }), {
          'Content-Type': 'application/json; charset=utf-8',
        });
      }
      let channel: string;
      try {
        channel = decodeURIComponent(url.pathname.slice('/api/invoke/'.length));
      } catch {
        return sendJson(res, { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown channel' } }, []);
      }
      let payload: unknown;
      try {
        const raw = await readBody(req);
        payload = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        return sendJson(res, { ok: false, error: { code: 'VALIDATION', message: 'The request body must be JSON (at most 1 MB).' } }, []);
      }
      const setCookies: string[] = [];
      let sessionToken = cookies[names.session];
      const slot: SessionSlot = {
        get: () => sessionToken,
        set: (t) => {
          sessionToken = t;
          setCookies.push(t ? cookie(names.session, t) : cookie(names.session, '', 0));
        },
      };
      const started = performance.now();
      const result = await opts.router.invoke(channel, payload, { slot, emit: emitTo(cookies[names.client]) });
      return sendJson(res, result, setCookies, performance.now() - started);
    }

    if (url.pathname === '/api/events') {
      const clientId = cookies[names.client];
      if (!clientId) return send(res, 400, 'No client id', { 'Content-Type': 'text/plain; charset=utf-8' });
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      const set = streams.get(clientId) ?? new Set();
      set.add(res);
      streams.set(clientId, set);
      req.on('close', () => {
        set.delete(res);
        if (set.size === 0) streams.delete(clientId);
      });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', { 'Content-Type': 'text/plain; charset=utf-8' });
    return serveStatic(res, url.pathname);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error('browser host request failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong in MFA Desk.' } }), { 'Content-Type': 'application/json' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bind, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  names = cookieNames(port);
  const hostPart = bind.includes(':') ? `[${bind}]` : bind;
  const originUrl = `http://${hostPart}:${port}`;
  return {
    url: `${originUrl}/?token=${token}`,
    origin: originUrl,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const set of streams.values()) for (const r of set) r.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
