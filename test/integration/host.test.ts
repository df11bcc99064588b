import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { startHost, type RunningHost } from '../../electron/host/server';
import type { Router } from '../../electron/core/ipc/router';
import { HostClient, secretFromUri, signInAsFirstAdmin, totpAt } from '../support/http';
import { refusalOf, valueOf } from '../support/call-as';
import { snapshot } from '../support/snapshot';
import { openTestCore, tempDir, TARGETS, type TestCore } from '../support/targets';

describe.each(TARGETS)('browser host on $name', (target) => {
  let adminSecret: string | null = null;
  /** The first admin is created by the first test that needs one; later tests sign in again. */
  async function signInAsFirstAdminIfNeeded(client: HostClient): Promise<void> {
    if (adminSecret === null) {
      adminSecret = await signInAsFirstAdmin(client, clock, 'host.admin', 'host-admin-password');
      return;
    }
    clock.advance(30_000); // a fresh code step
    const step = await client.invoke('auth.signIn', { username: 'host.admin', password: 'host-admin-password' });
    const done = await client.invoke('auth.completeSignIn', { challenge: valueOf(step.body).challenge, code: totpAt(adminSecret, clock) });
    if (!done.body.ok) throw new Error(JSON.stringify(done.body));
  }
  let core: TestCore;
  let host: RunningHost;
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const rendererDir = tempDir('desk-renderer-');
  const JSON_TYPE = { 'content-type': 'application/json' };
  /**
   * Another window of the browser that opened the printed link: it holds the launch cookie, so the
   * link (taken once) opens for it again and it gets its own client id; no session yet.
   */
  async function browserWithLaunchCookie(): Promise<HostClient> {
    const client = new HostClient(host);
    const res = await client.raw(`/?token=${host.token}`, { headers: { cookie: `desk_host_${host.port}=${encodeURIComponent(host.token)}` } });
    expect(res.status).toBe(303);
    return client;
  }

  beforeAll(async () => {
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>MFA Desk</title>');
    fs.mkdirSync(path.join(rendererDir, 'assets'));
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    core = await openTestCore(target, { clock });
    host = await startHost({ router: core.router, logger: core.logger, rendererDir });
  });
  afterAll(async () => {
    await host?.close();
    await core?.dispose();
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  it('binds to loopback only, on a random port', async () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.port).toBeGreaterThan(0);
    await expect(startHost({ router: core.router, logger: core.logger, rendererDir, bindAddress: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('refuses every request without the launch token, and touches nothing', async () => {
    const before = await snapshot(core.db);
    const page = await fetch(host.origin + '/');
    expect(page.status).toBe(401);
    const call = await fetch(host.origin + '/api/invoke/auth.createFirstAdmin', {
      method: 'POST',
      body: JSON.stringify({ username: 'mallory', displayName: 'M', password: 'a-long-enough-password' }),
    });
    expect(call.status).toBe(401);
    const wrong = await fetch(host.origin + '/api/invoke/app.status', { method: 'POST', headers: { 'x-desk-token': 'nope' } });
    expect(wrong.status).toBe(401);
    const badLink = await fetch(host.origin + '/?token=guess', { redirect: 'manual' });
    expect(badLink.status).toBe(401);
    expect(badLink.headers.get('set-cookie')).toBeNull();
    expect(await snapshot(core.db)).toEqual(before);
  });

  it('swaps the token in the printed link for an HttpOnly cookie and drops it from the address', async () => {
    const client = new HostClient(host);
    const res = await client.open();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookies = res.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(new RegExp(`desk_host_${host.port}=[^;]+; HttpOnly; SameSite=Strict`));
    const page = await client.raw('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('MFA Desk');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const asset = await client.raw('/assets/app.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('accepts the token as a header too', async () => {
    const res = await fetch(host.origin + '/api/invoke/app.status', { method: 'POST', headers: { 'x-desk-token': host.token, ...JSON_TYPE }, body: '{}' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, value: { productName: 'MFA Desk', database: target.name, session: null } });
    // How long the main process took, for the browser's network timings (and the benchmark).
    expect(res.headers.get('server-timing')).toMatch(/^invoke;dur=\d+\.\d{2}$/);
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign origins', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example:80', 'x-desk-token': host.token } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    const cross = await fetch(host.origin + '/api/invoke/app.status', {
      method: 'POST',
      headers: { 'x-desk-token': host.token, origin: 'http://evil.example' },
      body: '{}',
    });
    expect(cross.status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    const client = await browserWithLaunchCookie();
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json', '/%00index.html']) {
      const res = await client.raw(p);
      expect([400, 404]).toContain(res.status);
    }
  });

  it('carries the whole first-run and sign-in flow over the same contract, with the session in a cookie', async () => {
    const client = await browserWithLaunchCookie();
    const status = await client.invoke('app.status', {});
    expect(valueOf(status.body).needsFirstAdmin).toBe(true);
    const secret = await signInAsFirstAdmin(client, clock, 'host.admin', 'host-admin-password');
    adminSecret = secret;
    expect(client.has(`desk_session_${host.port}`)).toBe(true);
    const after = await client.invoke('app.status', {});
    expect(valueOf(after.body).session).toMatchObject({ username: 'host.admin', role: 'admin', idleMinutes: 15 });
    expect(JSON.stringify(after.body)).not.toContain(secret);

    // A second browser without the session cookie is not signed in.
    const other = await browserWithLaunchCookie();
    expect(refusalOf((await other.invoke('employees.search', { query: 'smith' })).body).code).toBe('UNAUTHENTICATED');

    // Sign in again later: the code step, not enrolment; an idle session locks.
    clock.advance(16 * 60_000);
    const locked = await client.invoke('employees.search', { query: 'smith' });
    expect(locked.status).toBe(401);
    expect(refusalOf(locked.body)).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'idle' } });
    const step = await client.invoke('auth.signIn', { username: 'host.admin', password: 'host-admin-password' });
    expect(valueOf(step.body).step).toBe('totp');
    const done = await client.invoke('auth.completeSignIn', { challenge: valueOf(step.body).challenge, code: totpAt(secret, clock) });
    expect(done.body.ok).toBe(true);
    expect((await client.invoke('employees.search', { query: 'smith' })).body.ok).toBe(true);

    const out = await client.invoke('auth.signOut', {});
    expect(out.body).toEqual({ ok: true, value: null });
    expect(client.has(`desk_session_${host.port}`)).toBe(false);
    expect(refusalOf((await client.invoke('employees.search', { query: 'smith' })).body).code).toBe('UNAUTHENTICATED');

    const actions = (await core.db('audit_events').select('action', 'result').orderBy('id')).map((r) => `${r.action}:${r.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'desk_user.created:ok',
        'desk_user.totp_enrolled:ok',
        'desk_user.signin:ok',
        'desk_user.session_locked:ok',
        'desk_user.signout:ok',
      ]),
    );
    void secretFromUri;
  });

  it('copes with what other localhost apps and old tabs leave behind', async () => {
    // A cookie from another app on 127.0.0.1 that is not valid percent-encoding.
    const odd = await fetch(host.origin + '/api/invoke/app.status', {
      method: 'POST',
      headers: { 'x-desk-token': host.token, cookie: 'other=100%; theirs=%E0%A4%A', ...JSON_TYPE },
      body: '{}',
    });
    expect(odd.status).toBe(200);
    // A stale host cookie (from an earlier launch on this port) does not hide a valid header.
    const stale = await fetch(host.origin + '/api/invoke/app.status', {
      method: 'POST',
      headers: { 'x-desk-token': host.token, cookie: `desk_host_${host.port}=old-launch`, ...JSON_TYPE },
      body: '{}',
    });
    expect(stale.status).toBe(200);
    // A channel name that is not valid percent-encoding is an unknown channel, not a crash.
    const bad = await fetch(host.origin + '/api/invoke/%E0%A4%A', { method: 'POST', headers: { 'x-desk-token': host.token, ...JSON_TYPE }, body: '{}' });
    expect(bad.status).toBe(404);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    // The token exchange only ever redirects to a path on this host.
    const redirect = await fetch(`${host.origin}/.//evil.example/?token=${host.token}`, {
      redirect: 'manual',
      headers: { cookie: `desk_host_${host.port}=${encodeURIComponent(host.token)}` },
    });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toMatch(/^\/(?!\/)/);
  });

  it('pushes progress events to the browser that asked, over server-sent events', async () => {
    const client = await browserWithLaunchCookie();
    await signInAsFirstAdminIfNeeded(client);
    const http = await import('node:http');
    const cookie = client.cookieHeaderForTests();
    const received: string[] = [];
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: host.port, path: '/api/events', headers: { cookie } }, resolve);
      req.on('error', reject);
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => received.push(d));
    const loaded = await client.invoke('demo.load', { employees: 2500, seed: 3 });
    expect(loaded.body).toMatchObject({ ok: true, value: { employees: 2500 } });
    await new Promise((r) => setTimeout(r, 100));
    stream.destroy();
    const events = received
      .join('')
      .split('\n\n')
      .filter((e) => e.startsWith('event: progress'))
      .map((e) => JSON.parse(e.split('\ndata: ')[1]!) as { task: string; done: number; total: number });
    expect(events.map((e) => e.done)).toEqual([1000, 2000, 2500]);
    expect(events.every((e) => e.task === 'demo.load' && e.total === 2500)).toBe(true);
    // Without the host token the stream is refused.
    const refused = await fetch(host.origin + '/api/events');
    expect(refused.status).toBe(401);
  });

  it('answers errors with the closed set of codes and HTTP statuses, never a stack', async () => {
    const client = await browserWithLaunchCookie();
    const unknown = await client.invoke('no.suchChannel', {});
    expect(unknown.status).toBe(404);
    expect(refusalOf(unknown.body).code).toBe('NOT_FOUND');
    const notJson = await client.raw('/api/invoke/app.status', { method: 'POST', headers: JSON_TYPE, body: '{not json' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
    const get = await client.raw('/api/invoke/app.status');
    expect(get.status).toBe(405);
    const conflict = await client.invoke('auth.createFirstAdmin', { username: 'second.admin', displayName: 'Second', password: 'another-long-password' });
    expect(conflict.status).toBe(409);
    expect(JSON.stringify(conflict.body)).not.toMatch(/at .*\.ts:\d+/);
  });
  it('takes the printed link once; after that only a browser holding its cookie, or the header, gets in', async () => {
    const fresh = await startHost({ router: core.router, logger: core.logger, rendererDir });
    try {
      const first = await fetch(fresh.url, { redirect: 'manual' });
      expect(first.status).toBe(303);
      const launchCookie = first.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .find((c) => c.startsWith(`desk_host_${fresh.port}=`))!;
      expect(launchCookie).toBeDefined();

      // The same link again without the cookie (copied from the terminal, the history, a log, or
      // opened in another browser): refused, and no cookie is handed out.
      for (const link of [fresh.url, `${fresh.origin}/assets/app.js?token=${fresh.token}`, `${fresh.origin}/?page=2&token=${fresh.token}`]) {
        const again = await fetch(link, { redirect: 'manual' });
        expect(again.status, link).toBe(403);
        expect(again.headers.get('set-cookie')).toBeNull();
        expect(again.headers.get('x-content-type-options')).toBe('nosniff');
        expect(await again.text()).toMatch(/used already/);
      }
      // A stale cookie from another launch does not count.
      expect((await fetch(fresh.url, { redirect: 'manual', headers: { cookie: `desk_host_${fresh.port}=old-launch` } })).status).toBe(403);
      // A wrong token is still 401; a POST is never let in by a token in its address.
      expect((await fetch(`${fresh.origin}/?token=guess`, { redirect: 'manual' })).status).toBe(401);
      const post = await fetch(`${fresh.origin}/api/invoke/app.status?token=${fresh.token}`, { method: 'POST', headers: JSON_TYPE, body: '{}' });
      expect(post.status).toBe(401);

      // The browser that opened it: the link opens again with its cookie (the first tab reloaded
      // or the link opened in a new tab), and the cookie alone opens every page.
      const reopened = await fetch(fresh.url, { redirect: 'manual', headers: { cookie: launchCookie } });
      expect(reopened.status).toBe(303);
      expect(reopened.headers.get('location')).toBe('/');
      expect((await fetch(fresh.origin + '/', { headers: { cookie: launchCookie } })).status).toBe(200);
      const viaCookie = await fetch(fresh.origin + '/api/invoke/app.status', { method: 'POST', headers: { cookie: launchCookie, ...JSON_TYPE }, body: '{}' });
      expect(viaCookie.status).toBe(200);
      // And the header, as before.
      expect((await fetch(fresh.origin + '/', { headers: { 'x-desk-token': fresh.token } })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('takes calls only as JSON: any other Content-Type is 415 with a JSON error, before anything is read or run', async () => {
    let calls = 0;
    const router = { invoke: () => ((calls += 1), Promise.resolve({ ok: true as const, value: null })) } as unknown as Router;
    const fake = await startHost({ router, logger: core.logger, rendererDir });
    try {
      const headers = { 'x-desk-token': fake.token };
      const post = (type: string | null, body: string = '{}') =>
        fetch(`${fake.origin}/api/invoke/auth.createFirstAdmin`, {
          method: 'POST',
          headers: type === null ? headers : { ...headers, 'content-type': type },
          body,
        });
      for (const type of [
        null,
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/json',
        'application/jsonp',
        'application/json-patch+json',
        '',
      ]) {
        // fetch gives a string body text/plain when no type is set: strip it with a Blob without one.
        const res = type === null ? await fetch(`${fake.origin}/api/invoke/auth.createFirstAdmin`, { method: 'POST', headers, body: new Blob(['{}']) }) : await post(type);
        expect(res.status, String(type)).toBe(415);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await res.json()).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'Send the call as JSON, with Content-Type: application/json.' } });
      }
      // A body that is not even JSON is refused for its type first (nothing is parsed).
      expect((await post('text/plain', '{not json')).status).toBe(415);
      expect(calls).toBe(0);
      for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON ; charset=UTF-8']) {
        const res = await post(type);
        expect(res.status, type).toBe(200);
      }
      expect(calls).toBe(3);
    } finally {
      await fake.close();
    }
  });
});
