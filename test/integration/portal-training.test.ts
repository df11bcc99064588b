/**
 * The guards of the training pages (`desk portal --training`), on both databases: they start only
 * on 127.0.0.1 and only on a desk with demo data; they open demo employees only; a POST from
 * another origin, or a request under another host name (DNS rebinding), is refused and changes
 * nothing; the portal API beside them still needs its key. The pages themselves are walked in
 * Chromium by test/e2e/portal-training.spec.ts.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { startPortal, type RunningPortal } from '../../electron/portal/server';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import { fullSnapshot, makeEmployee, recordingLogger } from '../support/mfa-fixtures';
import { useLoopbackSmtp } from '../support/mail-fixture';

/** A raw request, so the Host and Origin headers are exactly what the test says. */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe.each(TARGETS)('training pages on $name', (target) => {
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  const logger = recordingLogger();
  let core: TestCore;
  let portal: RunningPortal;
  let demo: string;

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger });
    const deps = { db: core.db, clock, vault: core.vault, logger };
    // No demo data yet: refused.
    await expect(startPortal(deps, { training: true })).rejects.toThrow(/need demo employees/);
    await seedDemoData({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { employees: 20, seed: 3, deskUsers: false });
    await expect(startPortal(deps, { training: true, host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
    // Mail through a server elsewhere could reach the real-looking demo addresses: refused.
    await useLoopbackSmtp(deps, { userId: null, name: 'test' }, 2525, { host: 'smtp.example.org' });
    await expect(startPortal(deps, { training: true })).rejects.toThrow(/send mail only on this machine/);
    await useLoopbackSmtp(deps, { userId: null, name: 'test' }, 2525);
    portal = await startPortal(deps, { training: true });
    const row = await core.db('employees').where({ status: 'active', internet_access_approved: true }).whereNull('mfa_enabled_at').orderBy('id').first('username');
    demo = row.username as string;
  });
  afterAll(async () => {
    await portal?.close();
    await core?.dispose();
  });

  it('opens a demo employee’s MFA page, marked as training, with a strict CSP and no script', async () => {
    const r = await request(`${portal.url}/training/e/${demo}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('<strong>Training</strong>');
    expect(r.text).toContain('Choose a verification method');
    expect(r.text).not.toMatch(/<script/i);
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect((await request(`${portal.url}/`)).headers.location).toBe('/training/');
  });

  it('refuses an employee the demo loader did not make, without saying anything about them; a desk with one does not start them', async () => {
    const real = await makeEmployee(core);
    await expect(startPortal({ db: core.db, clock, vault: core.vault, logger }, { training: true })).rejects.toThrow(/only on a training desk/);
    const r = await request(`${portal.url}/training/e/${real.username}`);
    expect(r.status).toBe(404);
    expect(r.text).toContain('is not a demo employee');
    expect(r.text).not.toContain(real.emails[0]!.address);
    const before = await fullSnapshot(core.db);
    const post = await request(`${portal.url}/training/e/${real.username}/app`, {
      method: 'POST',
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(post.status).toBe(404);
    const open = await request(`${portal.url}/training/open?username=${real.username}`);
    expect([open.status, open.text.includes('aria-invalid="true"')]).toEqual([400, true]);
    expect(await fullSnapshot(core.db)).toEqual(before);
  });

  it('a POST from another origin, or any request under another host name, is refused and changes nothing', async () => {
    const before = await fullSnapshot(core.db);
    const port = new URL(portal.url).port;
    const crossSite = await request(`${portal.url}/training/e/${demo}/app`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(crossSite.status).toBe(403);
    const noOrigin = await request(`${portal.url}/training/e/${demo}/app`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(noOrigin.status).toBe(403);
    const rebound = await request(`${portal.url}/training/e/${demo}`, { headers: { Host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.text).not.toContain(demo);
    expect(await fullSnapshot(core.db)).toEqual(before);
    // The same origin works: the app's key is made (and audited as portal:training).
    const same = await request(`${portal.url}/training/e/${demo}/app`, {
      method: 'POST',
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(same.status).toBe(200);
    expect(same.text).toContain('If you cannot find the Hants account');
    const audit = await core.db('audit_events').where({ action: 'factor.registration_started' }).orderBy('seq', 'desc').first();
    expect(audit.actor_name).toBe('portal:training');
  });

  it('the API beside the pages still needs a key', async () => {
    const r = await request(`${portal.url}/v1/employees/${demo}/mfa`);
    expect(r.status).toBe(401);
  });
});
