import { generateSync } from 'otplib';
import type { RunningHost } from '../../electron/host/server';
import type { Clock } from '../../electron/core/clock';
import type { ChannelName, InputOf, ResultOf } from '../../shared/contract';
import type { WireResult } from '../../shared/errors';

/** A tiny cookie-keeping client for the browser host, as a browser would behave. */
export class HostClient {
  private cookies = new Map<string, string>();
  constructor(readonly host: RunningHost) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Follow the printed link once, as the user's browser does. */
  async open(): Promise<Response> {
    const res = await fetch(this.host.url, { redirect: 'manual' });
    this.keep(res);
    return res;
  }

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await fetch(this.host.origin + path, { ...init, headers, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  /** A call over HTTP: the status and the wire result the host answers with (typed from the contract for a channel it names). */
  invoke<K extends ChannelName>(channel: K, input: InputOf<K>): Promise<{ status: number; body: WireResult<ResultOf<K>> }>;
  invoke(channel: string, input: unknown): Promise<{ status: number; body: WireResult<unknown> }>;
  async invoke(channel: string, input: unknown): Promise<{ status: number; body: WireResult<unknown> }> {
    const res = await this.raw(`/api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as WireResult<unknown> };
  }

  /** The Cookie header this client would send (for raw node:http requests in tests). */
  cookieHeaderForTests(): string {
    return this.cookieHeader();
  }

  has(cookie: string): boolean {
    return this.cookies.has(cookie);
  }
}

export function secretFromUri(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret');
  if (!secret) throw new Error('no secret in otpauth URI');
  return secret;
}

export function totpAt(secret: string, clock: Clock, offsetSteps = 0): string {
  return generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + offsetSteps * 30 });
}

/**
 * Create the first admin (if needed), enrol their authenticator and sign in through the host.
 * Returns the TOTP secret so the caller can sign in again later.
 */
export async function signInAsFirstAdmin(
  client: HostClient,
  clock: Clock & { advance?(ms: number): void },
  username = 'admin.first',
  password = 'a-long-admin-password',
): Promise<string> {
  await client.invoke('auth.createFirstAdmin', { username, displayName: 'First Admin', password });
  const step = await client.invoke('auth.signIn', { username, password });
  if (!step.body.ok || step.body.value.step !== 'enrol') throw new Error('expected enrolment: ' + JSON.stringify(step.body));
  const secret = secretFromUri(step.body.value.otpauthUri);
  const done = await client.invoke('auth.completeSignIn', { challenge: step.body.value.challenge, code: totpAt(secret, clock) });
  if (!done.body.ok) throw new Error('sign-in failed: ' + JSON.stringify(done.body));
  return secret;
}
