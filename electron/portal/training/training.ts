/**
 * `desk portal --training`: the training copy of the portal's MFA pages, on 127.0.0.1 only, for
 * demo employees only. Each page calls the portal API's own routes in-process (the same
 * validation, handlers and rules, acting as portal:training), so what an agent sees here is what
 * the portal's integration gets. Plain HTML forms: no script, a strict CSP, and a POST from any
 * other origin is refused (a page elsewhere cannot drive it).
 */
import type http from 'node:http';
import { z } from 'zod';
import { DeskError, HTTP_STATUS, type WireError } from '../../../shared/errors';
import {
  appEnrolmentSchema,
  emailCodeSentSchema,
  PORTAL_METHODS,
  signInChallengedSchema,
  type PortalAppEnrolment,
  type PortalEmailCodeSent,
  type PortalMethod,
  type PortalMethodRemoved,
  type PortalMfaStatus,
  type PortalRegistered,
  type SignInChallenged,
  type SignInVerdict,
} from '../../../shared/portal-api';
import { usernameSchema } from '../../../shared/schemas';
import { demoEmployeesToTry, demoRanges, isDemoEmployee } from '../../core/demo/demo-employees';
import { getSetting } from '../../core/settings/settings.service';
import { dispatch, type PortalDeps } from '../dispatch';
import type { Html } from './html';
import { TRAINING_CSS } from './style';
import * as pages from './pages';

export const TRAINING_INTEGRATION = 'training';
const ROOT = pages.TRAINING_ROOT;
const MAX_FORM = 64 * 1024;

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CSP,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // Same-origin, so that a form sends its Origin (with no-referrer a POST's Origin is "null").
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

type Result<T> = { ok: true; data: T } | { ok: false; error: WireError; status: number };

/** One call to the portal API's route, in-process. */
async function api<T>(deps: PortalDeps, method: string, pathname: string, body?: unknown): Promise<Result<T>> {
  try {
    const a = await dispatch(deps, { method, pathname, readBody: () => Promise.resolve(body), integration: TRAINING_INTEGRATION, keyId: null });
    const parsed = JSON.parse(a.text) as unknown;
    return a.status === 200 ? { ok: true, data: parsed as T } : { ok: false, error: (parsed as { error: WireError }).error, status: a.status };
  } catch (err) {
    if (err instanceof DeskError) return { ok: false, error: err.toWire(), status: HTTP_STATUS[err.code] };
    throw err;
  }
}

/** The words for a field: a validation problem's own message, without "and N more". */
function fieldError(error: WireError): string {
  const issues = (error.details?.['issues'] as Array<{ message: string }> | undefined) ?? [];
  return issues[0]?.message ?? error.message;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM) throw new DeskError('VALIDATION', 'The form is too large.');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A value this site wrote into a hidden field, read back for showing again (never trusted for a check). */
function hidden<T>(schema: z.ZodType<T>, text: string | null): T | null {
  if (!text) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function respond(res: http.ServerResponse, status: number, page: Html): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(page.text);
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

/** Whether a request names this service itself (not a DNS name pointed at it: rebinding). */
function sameSite(req: http.IncomingMessage, port: number): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!hosts.includes(req.headers.host ?? '')) return false;
  // Every browser sends Origin with a form's POST: one without it, or from elsewhere, is refused.
  const origin = req.headers.origin;
  if (req.method !== 'GET' && req.method !== 'HEAD' && !hosts.some((h) => origin === `http://${h}`)) return false;
  return true;
}

export function isTrainingPath(pathname: string): boolean {
  return pathname === '/' || pathname === ROOT || pathname.startsWith(`${ROOT}/`);
}

/** Answer one request for the training pages. */
export async function answerTraining(deps: PortalDeps, port: number, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://training.invalid');
  const method = req.method ?? 'GET';
  if (!sameSite(req, port)) return respond(res, 403, pages.problemPage('Not allowed', 'The training pages answer only this machine, at 127.0.0.1.'));
  if (url.pathname === '/' || url.pathname === ROOT) return redirect(res, `${ROOT}/`);
  if (method === 'GET' && url.pathname === `${ROOT}/training.css`) {
    res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    res.end(TRAINING_CSS);
    return;
  }
  const ranges = await demoRanges(deps.db);
  if (method === 'GET' && url.pathname === `${ROOT}/`) return respond(res, 200, pages.pickPage(await demoEmployeesToTry(deps.db, ranges)));
  if (method === 'GET' && url.pathname === `${ROOT}/open`) {
    const typed = (url.searchParams.get('username') ?? '').trim();
    const parsed = usernameSchema.safeParse(typed);
    const problem = !parsed.success ? 'Enter a username, for example jane.doe.' : await notDemo(deps, ranges, parsed.data);
    if (problem) return respond(res, 400, pages.pickPage(await demoEmployeesToTry(deps.db, ranges), problem, typed));
    return redirect(res, `${ROOT}/e/${encodeURIComponent(parsed.data!)}`);
  }

  const m = new RegExp(`^${ROOT}/e/([^/]+)(/.*)?$`).exec(url.pathname);
  if (!m) return respond(res, 404, pages.problemPage('Page not found', `There is no page ${url.pathname} in the training copy.`));
  let username: string;
  try {
    username = decodeURIComponent(m[1]!);
  } catch {
    return respond(res, 404, pages.problemPage('Page not found', `There is no page ${url.pathname} in the training copy.`));
  }
  const rest = m[2] ?? '';
  const problem = await notDemo(deps, ranges, username);
  if (problem) return respond(res, 404, pages.problemPage('Not a demo employee', problem));
  const form = method === 'POST' ? await readForm(req) : new URLSearchParams();
  const v1 = `/v1/employees/${encodeURIComponent(username)}`;
  const status = async () => {
    const s = await api<PortalMfaStatus>(deps, 'GET', `${v1}/mfa`);
    if (!s.ok) throw new DeskError(s.error.code, s.error.message);
    return s.data;
  };
  const route = `${method} ${rest}`;

  switch (route) {
    case 'GET ':
    case 'GET /':
      return respond(res, 200, pages.mfaPage(await status()));

    case 'POST /app': {
      const code = form.get('code');
      const r = await api<PortalAppEnrolment>(deps, 'POST', `${v1}/mfa/app`, code === null ? {} : { code });
      if (r.ok) return respond(res, 200, pages.appAddPage(username, r.data));
      if (r.error.details?.['needsCode'] === true) return respond(res, 200, pages.appCodeNeededPage(username, r.error.message));
      if (code !== null) return respond(res, r.status, pages.appCodeNeededPage(username, 'Enter the registration code Shared Services emailed you.', fieldError(r.error)));
      return respond(res, r.status, pages.mfaPage(await status(), undefined, r.error.message));
    }
    case 'POST /app/activate': {
      const enrolment = hidden(appEnrolmentSchema.refine((e) => e.qrCode.startsWith('data:image/png;base64,') && e.otpauthUri.startsWith('otpauth://')), form.get('enrolment'));
      const r = await api<PortalRegistered>(deps, 'POST', `${v1}/mfa/app/activate`, { code: form.get('code') ?? '' });
      if (r.ok) return respond(res, 200, pages.registeredPage(username, r.data));
      if (enrolment) return respond(res, r.status, pages.appAddPage(username, enrolment, fieldError(r.error)));
      return respond(res, r.status, pages.mfaPage(await status(), undefined, r.error.message));
    }

    case 'GET /email':
      return respond(res, 200, pages.emailChoosePage(await status()));
    case 'POST /email': {
      const r = await api<PortalEmailCodeSent>(deps, 'POST', `${v1}/mfa/email`, { emailId: Number(form.get('emailId') ?? '') || 0 });
      if (r.ok) return respond(res, 200, pages.otpPage(username, r.data));
      const message = r.error.code === 'VALIDATION' ? 'Select an email address.' : r.error.message;
      return respond(res, r.status, pages.emailChoosePage(await status(), message));
    }
    case 'POST /email/activate': {
      const sent = hidden(emailCodeSentSchema, form.get('sent'));
      const r = await api<PortalRegistered>(deps, 'POST', `${v1}/mfa/email/activate`, { code: form.get('code') ?? '' });
      if (r.ok) return respond(res, 200, pages.registeredPage(username, r.data));
      if (sent) return respond(res, r.status, pages.otpPage(username, sent, fieldError(r.error)));
      return respond(res, r.status, pages.mfaPage(await status(), undefined, r.error.message));
    }

    case 'GET /sign-in':
      return respond(res, 200, pages.signInChoosePage(await status()));
    case 'POST /sign-in': {
      const r = await api<SignInChallenged>(deps, 'POST', `${v1}/sign-in/challenge`, { method: form.get('method') ?? '' });
      if (r.ok) return respond(res, 200, pages.signInCodePage(username, r.data));
      const message = r.error.code === 'VALIDATION' ? 'Choose how to verify.' : r.error.message;
      return respond(res, r.status, pages.signInChoosePage(await status(), message));
    }
    case 'POST /sign-in/verify': {
      const challenge = hidden(signInChallengedSchema, form.get('challenge'));
      if (!challenge) return respond(res, 400, pages.signInChoosePage(await status(), 'Choose how to verify, then enter the code.'));
      const r = await api<SignInVerdict>(deps, 'POST', `${v1}/sign-in/verify`, { method: challenge.method, code: form.get('code') ?? '' });
      if (!r.ok) return respond(res, r.status, pages.signInCodePage(username, challenge, fieldError(r.error)));
      if (r.data.result === 'accepted') return respond(res, 200, pages.signedInPage(username, r.data));
      if (r.data.result === 'wrong') return respond(res, 200, pages.signInCodePage(username, challenge, r.data.message));
      return respond(res, 200, pages.signInEndedPage(username, r.data));
    }
  }

  const removal = /^\/remove\/(\w+)$/.exec(rest);
  const which = removal && (PORTAL_METHODS as readonly string[]).includes(removal[1]!) ? (removal[1] as PortalMethod) : null;
  if (which && method === 'GET') return respond(res, 200, pages.removeConfirmPage(username, which));
  if (which && method === 'POST') {
    const r = await api<PortalMethodRemoved>(deps, 'DELETE', `${v1}/mfa/${which}`);
    if (r.ok) return respond(res, 200, pages.removedPage(username, r.data));
    return respond(res, r.status, pages.removeConfirmPage(username, which, r.error.message));
  }
  return respond(res, 404, pages.problemPage('Page not found', `There is no page ${url.pathname} in the training copy.`, username));
}

/** Why the training pages will not open this username, or null when it is a demo employee. */
async function notDemo(deps: PortalDeps, ranges: Awaited<ReturnType<typeof demoRanges>>, username: string): Promise<string | null> {
  const row = await deps.db('employees').where({ username: username.toLowerCase() }).first<{ id: number } | undefined>('id');
  // One answer for a real employee and for nobody: the pages say nothing about who exists.
  if (!row || !isDemoEmployee(ranges, Number(row.id))) return `${username} is not a demo employee: the training pages open only employees the demo loader made.`;
  return null;
}

/**
 * Refused unless this is a training desk: it holds demo employees and no one else, and its mail
 * stays on this machine (no SMTP server, so mail is written to the outbox folder, or one on
 * loopback, such as a mail catcher). The demo addresses look real; no training mail may reach one.
 */
export async function assertTrainingData(deps: PortalDeps): Promise<void> {
  const ranges = await demoRanges(deps.db);
  if (ranges.length === 0) {
    throw new DeskError('RULE_VIOLATION', 'The training pages need demo employees, and this desk has none: load some with `desk seed --employees 300` first (on a desk for training, not a live one).');
  }
  const others = deps.db('employees');
  for (const r of ranges) others.whereNotBetween('id', [r.fromEmployeeId, r.fromEmployeeId + r.count - 1]);
  const other = await others.first<{ id: number } | undefined>('id');
  if (other) {
    throw new DeskError('RULE_VIOLATION', 'The training pages run only on a training desk, and this desk holds employees that are not demo data: use a data folder of its own (desk seed on a new --data-dir).');
  }
  const smtpHost = String(await getSetting(deps.db, 'smtp.host')).trim().toLowerCase();
  if (smtpHost !== '' && !['127.0.0.1', 'localhost', '::1', '[::1]'].includes(smtpHost)) {
    throw new DeskError(
      'RULE_VIOLATION',
      `The training pages send mail only on this machine, and this desk sends through ${smtpHost}: clear smtp.host (mail is then written to the outbox folder) or point it at a mail catcher on 127.0.0.1.`,
    );
  }
}

