/**
 * The portal API (issue 20, first part): integration keys (made once, kept as a hash, two live at
 * most, revoked by hint, audited) and `desk portal` over real HTTP on both databases — 401 without
 * a live key and nothing about any employee, 429 with Retry-After, the employee's MFA status in
 * the guides' words, typed refusals that change nothing, and an OpenAPI 3.1 document that
 * validates and lists every route.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ManualClock } from '../../electron/core/clock';
import { CLI_ACTOR } from '../../electron/core/audit/audit.service';
import { addPortalKey, hashPortalKey, listPortalKeys, revokePortalKey } from '../../electron/core/portal/keys.service';
import { confirmAppRegistration, confirmEmailRegistration, requestEmailCode, startAppRegistration } from '../../electron/core/mfa/selfservice.service';
import { startPortal, type RunningPortal } from '../../electron/portal/server';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import { auditDashboard } from '../../electron/core/dashboard/dashboard.service';
import { PORTAL_ROUTES, type PortalMfaStatus, type SignInVerdict } from '../../shared/portal-api';
import { generateSync } from 'otplib';
import { REMOVE_NEEDS_BOTH } from '../../electron/core/mfa/removal';
import { createMailSender } from '../../electron/core/mail/sender';
import { startSmtpServer } from '../support/mail-server';
import { useLoopbackSmtp } from '../support/mail-fixture';
import { openTestCore, scratch, TARGETS, type Scratch, type TestCore } from '../support/targets';
import { deskCommand, deskEnv, runDesk } from '../support/cli';
import { stopChild } from '../support/child-process';
import { appCode, fullSnapshot, latestCode, makeEmployee, nextStep, recordingLogger, refusal, secretFromUri } from '../support/mfa-fixtures';

const START = '2026-01-05T09:00:00.000Z';

interface Refusal {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
/** The parts of the OpenAPI document the test reads. */
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
}

describe.each(TARGETS)('portal API on $name', (target) => {
  const clock = new ManualClock(START);
  const logger = recordingLogger();
  let core: TestCore;
  let portal: RunningPortal;
  let key: string;

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger });
    portal = await startPortal({ db: core.db, clock, vault: core.vault, logger }, { requestsPerSecond: 1000 });
    key = (await addPortalKey(core, CLI_ACTOR, { integration: 'esr-portal' })).key;
  });
  afterAll(async () => {
    await portal?.close();
    await core?.dispose();
  });

  const get = (path: string, token: string | null = key, headers: Record<string, string> = {}) =>
    fetch(portal.url + path, { headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers } });

  it('a key is shown once and stored only as its hash; at most two live keys per integration; revoking one of two needs its hint', async () => {
    const first = await addPortalKey(core, CLI_ACTOR, { integration: 'kiosk' });
    expect(first.key).toMatch(/^mdk_[A-Za-z0-9_-]{43}$/);
    expect(first.portalKey).toMatchObject({ integration: 'kiosk', hint: first.key.slice(0, 12), createdBy: 'cli', lastUsedAt: null, revokedAt: null });
    const stored = await core.db('portal_keys').where({ id: first.portalKey.id }).first();
    expect(stored.key_hash).toBe(hashPortalKey(first.key));
    expect(JSON.stringify(await core.db('portal_keys').select())).not.toContain(first.key);
    expect(JSON.stringify(await core.db('audit_events').select())).not.toContain(first.key);

    const second = await addPortalKey(core, CLI_ACTOR, { integration: 'kiosk' });
    const before = await fullSnapshot(core.db);
    const third = await refusal(() => addPortalKey(core, CLI_ACTOR, { integration: 'kiosk' }));
    expect(third).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringContaining(`already has 2 live keys (${first.portalKey.hint}, ${second.portalKey.hint})`) });
    const which = await refusal(() => revokePortalKey(core, CLI_ACTOR, { integration: 'kiosk' }));
    expect(which).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('say which to revoke by its hint') });
    expect(await refusal(() => revokePortalKey(core, CLI_ACTOR, { integration: 'nobody' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fullSnapshot(core.db)).toEqual(before);
    expect((await listPortalKeys(core.db)).filter((k) => k.integration === 'kiosk' && !k.revokedAt)).toHaveLength(2);

    const revoked = await revokePortalKey(core, { userId: null, name: 'admin.one' }, { integration: 'kiosk', hint: first.portalKey.hint });
    expect(revoked).toMatchObject({ hint: first.portalKey.hint, revokedAt: START, revokedBy: 'admin.one' });
    // The rotation is done: a new key can be added again.
    await addPortalKey(core, CLI_ACTOR, { integration: 'kiosk' });
    const listed = await listPortalKeys(core.db);
    expect(listed.filter((k) => k.integration === 'kiosk').map((k) => k.revokedAt === null)).toEqual([true, true, false]);
    const actions = (await core.db('audit_events').where('action', 'like', 'portal_key.%').orderBy('seq')).map((r) => [r.action, r.actor_name]);
    expect(actions).toEqual([
      ['portal_key.created', 'cli'],
      ['portal_key.created', 'cli'],
      ['portal_key.created', 'cli'],
      ['portal_key.revoked', 'admin.one'],
      ['portal_key.created', 'cli'],
    ]);
  });

  it('no key, a wrong key, a malformed header or a revoked key: 401, the same answer, and nothing about the employee', async () => {
    const e = await makeEmployee(core);
    const spare = await addPortalKey(core, CLI_ACTOR, { integration: 'spare' });
    await revokePortalKey(core, CLI_ACTOR, { integration: 'spare' });
    const answers = [
      await get(`/v1/employees/${e.username}/mfa`, null),
      await get(`/v1/employees/${e.username}/mfa`, 'mdk_' + 'A'.repeat(43)),
      await get(`/v1/employees/${e.username}/mfa`, spare.key),
      await get(`/v1/employees/${e.username}/mfa`, null, { Authorization: `Basic ${Buffer.from(`x:${key}`).toString('base64')}` }),
      await get('/v1/employees/nobody.here/mfa', null),
      await get('/v1/no/such/route', null),
    ];
    for (const r of answers) {
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await r.text();
      expect(JSON.parse(body)).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'A live portal key is needed: Authorization: Bearer <key>.' } });
      expect(body).not.toContain(e.username);
    }
  });

  it('the employee’s methods, eligibility and addresses, masked, with what can be removed; MFA cannot be turned off', async () => {
    const e = await makeEmployee(core, { emails: ['Pat.Smith@work.example.org', 'pat@home.example.net'] });
    const fresh = await (await get(`/v1/employees/${e.username}/mfa`)).json();
    expect(fresh).toEqual({
      username: e.username,
      canRegister: true,
      reasons: [],
      mfaEnabled: false,
      mfaEnabledAt: null,
      canTurnOff: false,
      emails: [
        { id: e.emails[0]!.id, kind: 'work', address: 'P•••@work.example.org', receivesCodes: false },
        { id: e.emails[1]!.id, kind: 'personal', address: 'p•••@home.example.net', receivesCodes: false },
      ],
      methods: [],
      webchatUrl: expect.stringMatching(/^https:\/\//),
    });

    // Both methods set up, the way the portal does it.
    const app = await startAppRegistration(core, { employeeId: e.id });
    const secret = secretFromUri(app.otpauthUri);
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) });
    nextStep(clock);
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
    await confirmEmailRegistration(core, { employeeId: e.id, code: await latestCode(core, e.id) });

    const r = await get(`/v1/employees/${e.username.toUpperCase()}/mfa`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const status = await r.json();
    expect(status).toMatchObject({
      mfaEnabled: true,
      mfaEnabledAt: START,
      canTurnOff: false,
      reasons: [{ code: 'mfa_enabled', blocks: false, message: 'MFA has been enabled since 5 January 2026: it cannot be turned off.' }],
      methods: [
        { type: 'authenticator_app', state: 'active', registeredAt: START, locked: false, address: null, canRemove: true },
        { type: 'email', state: 'active', locked: false, address: 'p•••@home.example.net', canRemove: true },
      ],
    });
    expect(JSON.stringify(status)).not.toMatch(/pat@home|Pat\.Smith|otpauth|secret/i);
  });

  it('a leaver and someone without internet access are told why they cannot register', async () => {
    const leaver = await makeEmployee(core, { leaver: true, internet: false });
    const status = (await (await get(`/v1/employees/${leaver.username}/mfa`)).json()) as PortalMfaStatus;
    expect(status.canRegister).toBe(false);
    expect(status.reasons.map((x) => x.code)).toEqual(['leaver', 'internet_not_approved']);
    expect(status.reasons[0]!.message).toBe('Left on 31 December 2025: leavers cannot register for MFA.');
  });

  it('bad input and unknown things are refused in one JSON shape, and change nothing', async () => {
    const before = await fullSnapshot(core.db);
    const bad = await get('/v1/employees/x!/mfa');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'VALIDATION', message: expect.stringMatching(/^Use 3–64 letters/), details: { issues: [{ path: 'username', message: expect.stringMatching(/^Use 3–64/) }] } } });
    const unknown = await get('/v1/employees/no.such.person/mfa');
    expect([unknown.status, ((await unknown.json()) as Refusal).error]).toEqual([404, { code: 'NOT_FOUND', message: 'There is no employee with the username no.such.person.', details: { field: 'username' } }]);
    const route = await get('/v1/elsewhere');
    expect([route.status, ((await route.json()) as Refusal).error.code]).toEqual([404, 'NOT_FOUND']);
    const method = await fetch(`${portal.url}/v1/employees/someone/mfa`, { method: 'PUT', headers: { Authorization: `Bearer ${key}` } });
    expect(method.status).toBe(405);
    expect(await fullSnapshot(core.db)).toEqual(before);
  });

  it('each key has its own rate: past it, 429 with Retry-After, and the next second it works again', async () => {
    const slow = await startPortal({ db: core.db, clock, vault: core.vault, logger }, { requestsPerSecond: 3 });
    try {
      const e = await makeEmployee(core);
      const other = (await addPortalKey(core, CLI_ACTOR, { integration: 'rate-other' })).key;
      const call = (token: string) => fetch(`${slow.url}/v1/employees/${e.username}/mfa`, { headers: { Authorization: `Bearer ${token}` } });
      // The clock stands still: no refill between these requests.
      for (let i = 0; i < 3; i++) expect((await call(key)).status).toBe(200);
      const limited = await call(key);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(((await limited.json()) as Refusal).error).toMatchObject({ code: 'UNAVAILABLE', details: { retryAfterSeconds: 1 } });
      expect((await call(other)).status).toBe(200);
      clock.advance(1000);
      expect((await call(key)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  it('notes a key’s last use at most once a minute', async () => {
    const made = await addPortalKey(core, CLI_ACTOR, { integration: 'last-used' });
    const lastUsed = async () => (await core.db('portal_keys').where({ id: made.portalKey.id }).first()).last_used_at as unknown;
    await get('/v1/employees/nobody.at.all/mfa', made.key);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    clock.advance(30_000);
    await get('/v1/employees/nobody.at.all/mfa', made.key);
    expect(await lastUsed()).toEqual(first);
    clock.advance(31_000);
    await get('/v1/employees/nobody.at.all/mfa', made.key);
    expect(await lastUsed()).not.toEqual(first);
  });

  const post = (path: string, body: unknown, token: string = key, type = 'application/json') =>
    fetch(portal.url + path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  /** An employee with an active authenticator app, and its secret. */
  async function withApp(): Promise<{ username: string; id: number; secret: string }> {
    const e = await makeEmployee(core);
    const started = await startAppRegistration(core, { employeeId: e.id });
    const secret = secretFromUri(started.otpauthUri);
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secret, clock) });
    nextStep(clock);
    return { username: e.username, id: e.id, secret };
  }
  /** The current code, made by otplib rather than the desk's own TOTP code. */
  const otplibCode = (secret: string) => generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

  it('sign-in with the authenticator app: accepted once per step, "last used" set, kept for the desk and audited as the integration', async () => {
    const e = await withApp();
    const registered = Number((await core.db('audit_events').max({ seq: 'seq' }).first())!.seq);
    const code = otplibCode(e.secret);
    const ok = await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'authenticator_app', code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: 'accepted', method: 'authenticator_app', attemptsLeft: 5, message: 'The code is right.', checkedAt: clock.now().toISOString() });
    const again = (await (await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'authenticator_app', code })).json()) as SignInVerdict;
    expect(again).toMatchObject({ result: 'wrong', attemptsLeft: 4, message: expect.stringContaining('already been used') });

    const status = (await (await get(`/v1/employees/${e.username}/mfa`)).json()) as PortalMfaStatus;
    expect(status.methods[0]).toMatchObject({ type: 'authenticator_app', lastUsedAt: clock.now().toISOString(), locked: false });
    const kept = await core.db('signin_verifications').where({ employee_id: e.id }).orderBy('id').select('method', 'result', 'integration');
    expect(kept).toEqual([
      { method: 'authenticator_app', result: 'accepted', integration: 'esr-portal' },
      { method: 'authenticator_app', result: 'wrong', integration: 'esr-portal' },
    ]);
    const audit = (await core.db('audit_events').where({ employee_id: e.id }).where('seq', '>', registered).orderBy('seq')).map((r) => [r.action, r.actor_name, r.result]);
    expect(audit).toEqual([
      ['signin.verified', 'portal:esr-portal', 'ok'],
      ['factor.code_rejected', 'portal:esr-portal', 'refused'],
      // Reading the status is a call of the portal too, and audited as such.
      ['portal.status_read', 'portal:esr-portal', 'ok'],
    ]);
    expect(JSON.stringify(await core.db('audit_events').where({ employee_id: e.id }))).not.toContain(code);

    // The desk's employee page lists them, newest first, with the integration that asked.
    const page = await employeePage(core.db, clock, e.id);
    expect(page.signIns.map((c) => [c.method, c.result, c.integration])).toEqual([
      ['authenticator_app', 'wrong', 'esr-portal'],
      ['authenticator_app', 'accepted', 'esr-portal'],
    ]);
    expect(page.signInsMore).toBe(false);
    expect(page.employee.factors.find((f) => f.type === 'authenticator_app')).toMatchObject({ lastUsedAt: clock.now().toISOString() });

    // The supervisors' dashboard counts them by day and result.
    const day = clock.now().toISOString().slice(0, 10);
    const dashboard = await auditDashboard(core.db, clock, { from: day, to: day });
    expect(dashboard.signInsPerDay).toEqual([{ day, accepted: 1, wrong: 1, locked: 0, expired: 0 }]);
    expect(dashboard.totals.signIns).toBe(2);
  });

  it('five wrong codes lock the app; a locked app is said, and kept, without checking the code', async () => {
    const e = await withApp();
    const right = otplibCode(e.secret);
    const wrongCode = right === '000000' ? '111111' : '000000';
    const answers: SignInVerdict[] = [];
    for (let i = 0; i < 5; i++) answers.push((await (await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'authenticator_app', code: wrongCode })).json()) as SignInVerdict);
    expect(answers.map((a) => [a.result, a.attemptsLeft])).toEqual([
      ['wrong', 4],
      ['wrong', 3],
      ['wrong', 2],
      ['wrong', 1],
      ['locked', 0],
    ]);
    expect(answers[4]!.message).toMatch(/Contact Shared Services by webchat/);
    const after = (await (await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'authenticator_app', code: right })).json()) as SignInVerdict;
    expect(after).toMatchObject({ result: 'locked', attemptsLeft: 0 });
    const status = (await (await get(`/v1/employees/${e.username}/mfa`)).json()) as PortalMfaStatus;
    expect(status.methods[0]).toMatchObject({ locked: true, lastUsedAt: null });
    const actions = (await core.db('audit_events').where({ employee_id: e.id }).orderBy('seq', 'desc').limit(2)).map((r) => r.action);
    expect(actions).toEqual(['portal.status_read', 'signin.refused']);
  });

  it('a sign-in check with bad input, for someone without an app, or for nobody: a typed refusal, nothing written', async () => {
    const e = await makeEmployee(core);
    const before = await fullSnapshot(core.db);
    const signins = await core.db('signin_verifications').count({ n: '*' }).first();
    const verify = (body: unknown, type?: string) => post(`/v1/employees/${e.username}/sign-in/verify`, body, key, type);
    const cases: Array<[Response, number, string]> = [
      [await verify({ method: 'authenticator_app', code: '12345' }), 400, 'VALIDATION'],
      [await verify({ method: 'sms', code: '123456' }), 400, 'VALIDATION'],
      [await verify({ method: 'authenticator_app', code: '123456', extra: 1 }), 400, 'VALIDATION'],
      [await verify('{"method":', 'application/json'), 400, 'VALIDATION'],
      [await verify('method=authenticator_app', 'application/x-www-form-urlencoded'), 400, 'VALIDATION'],
      [await verify({ method: 'authenticator_app', code: '123456' }), 422, 'RULE_VIOLATION'],
      [await post('/v1/employees/no.such.person/sign-in/verify', { method: 'authenticator_app', code: '123456' }), 404, 'NOT_FOUND'],
    ];
    for (const [r, status, code] of cases) expect([r.status, ((await r.json()) as Refusal).error.code]).toEqual([status, code]);
    expect(await fullSnapshot(core.db)).toEqual(before);
    expect(await core.db('signin_verifications').count({ n: '*' }).first()).toEqual(signins);
  });

  const del = (path: string) => fetch(portal.url + path, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });

  it('removing a method: only when both are set up; every address on record gets the confirmation over real SMTP; MFA stays enabled', async () => {
    const srv = await startSmtpServer();
    try {
      await useLoopbackSmtp({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, srv.port);
      const e = await makeEmployee(core, { emails: ['sam.both@work.example.org', 'sam@home.example.net'] });
      const app = await startAppRegistration(core, { employeeId: e.id });
      await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secretFromUri(app.otpauthUri), clock) });
      nextStep(clock);

      // Only the app so far: nothing can be removed, and nothing changes.
      const before = await fullSnapshot(core.db);
      const alone = await del(`/v1/employees/${e.username}/mfa/app`);
      expect([alone.status, ((await alone.json()) as Refusal).error]).toEqual([422, { code: 'RULE_VIOLATION', message: REMOVE_NEEDS_BOTH }]);
      const none = await del(`/v1/employees/${e.username}/mfa/email`);
      expect([none.status, ((await none.json()) as Refusal).error.message]).toEqual([422, 'No email method is set up, so there is nothing to remove.']);
      const bad = await del(`/v1/employees/${e.username}/mfa/sms`);
      expect([bad.status, ((await bad.json()) as Refusal).error.code]).toEqual([400, 'VALIDATION']);
      expect(await fullSnapshot(core.db)).toEqual(before);

      await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
      await confirmEmailRegistration(core, { employeeId: e.id, code: await latestCode(core, e.id) });
      const r = await del(`/v1/employees/${e.username}/mfa/email`);
      expect(r.status).toBe(200);
      const removed = (await r.json()) as { removed: string; reference: string; confirmations: number; mfaEnabled: boolean };
      expect(removed).toEqual({ removed: 'email', reference: expect.stringMatching(/^CHG-/), confirmations: 2, mfaEnabled: true });

      const status = (await (await get(`/v1/employees/${e.username}/mfa`)).json()) as PortalMfaStatus;
      expect(status.methods.map((m) => [m.type, m.state, m.canRemove])).toEqual([['authenticator_app', 'active', false]]);
      expect(status).toMatchObject({ mfaEnabled: true, canTurnOff: false });
      const last = await del(`/v1/employees/${e.username}/mfa/app`);
      expect(last.status).toBe(422);

      const audit = await core.db('audit_events').where({ employee_id: e.id, action: 'factor.removed' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_name: 'portal:esr-portal', ticket_ref: null });
      expect(JSON.parse(String(audit[0].details))).toMatchObject({ factorType: 'email', reference: removed.reference, confirmations: 2, via: 'portal' });

      const sender = createMailSender({ db: core.db, clock, vault: core.vault, logger, dataDir: core.scratch.dataDir, pollMs: 60_000 });
      try {
        await sender.drainOnce();
      } finally {
        await sender.stop();
      }
      const got = srv.received.filter((m) => m.text.includes(removed.reference));
      expect(got.flatMap((m) => m.to).sort()).toEqual(['sam.both@work.example.org', 'sam@home.example.net']);
      for (const m of got) {
        expect(m.text).toContain('The email address sam@home.example.net was removed as a way to receive one-time codes.');
        expect(m.text).toMatch(/webchat/i);
      }
    } finally {
      await srv.close();
    }
  });

  const postWith = (path: string, body: unknown, idempotencyKey: string) =>
    fetch(portal.url + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify(body),
    });

  it('registration through the API: the app by QR code, the email by an emailed code; a retried request with its Idempotency-Key is answered again and sends nothing', async () => {
    const e = await makeEmployee(core, { emails: ['rae.reg@work.example.org', 'rae@home.example.net'] });
    const base = `/v1/employees/${e.username}/mfa`;
    const started = await post(`${base}/app`, {});
    expect(started.status).toBe(200);
    const enrolment = (await started.json()) as { otpauthUri: string; qrCode: string; issuer: string; account: string };
    expect(enrolment).toMatchObject({ issuer: 'Hants', account: e.username, otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\/Hants:/) });
    const png = Buffer.from(enrolment.qrCode.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const secret = secretFromUri(enrolment.otpauthUri);

    const outboxCount = async () => Number(((await core.db('mail_outbox').where({ employee_id: e.id }).count({ n: '*' }).first()) as { n: number | string }).n);
    const code = otplibCode(secret);
    const first = await postWith(`${base}/app/activate`, { code }, 'activate-app-1');
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toEqual({ registered: 'authenticator_app', reference: expect.stringMatching(/^CHG-/), mfaEnabledAt: clock.now().toISOString(), confirmations: 2 });
    const mails = await outboxCount();
    expect(mails).toBe(2);
    const again = await postWith(`${base}/app/activate`, { code }, 'activate-app-1');
    expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([200, 'true', firstBody]);
    expect(await outboxCount()).toBe(mails);
    const other = await postWith(`${base}/app/activate`, { code: '000000' }, 'activate-app-1');
    expect([other.status, ((await other.json()) as Refusal).error.code]).toEqual([409, 'CONFLICT']);
    const already = await post(`${base}/app`, {});
    expect([already.status, ((await already.json()) as Refusal).error.message]).toEqual([422, expect.stringMatching(/already set up/)]);

    // The email method: a code to the chosen address, once however often the request is retried.
    nextStep(clock);
    const sent = await postWith(`${base}/email`, { emailId: e.emails[1]!.id }, 'email-1');
    const sentBody = await sent.text();
    expect([sent.status, JSON.parse(sentBody)]).toEqual([200, { address: 'r•••@home.example.net', expiresAt: new Date(clock.now().getTime() + 20 * 60_000).toISOString(), lifetimeMinutes: 20 }]);
    const resent = await postWith(`${base}/email`, { emailId: e.emails[1]!.id }, 'email-1');
    expect([resent.headers.get('idempotent-replayed'), await resent.text()]).toEqual(['true', sentBody]);
    const codeMails = await core.db('mail_outbox').where({ employee_id: e.id, template: 'registration_code' });
    expect(codeMails).toHaveLength(1);
    const emailed = await latestCode(core, e.id);
    const done = await postWith(`${base}/email/activate`, { code: emailed }, 'email-activate-1');
    expect([done.status, ((await done.json()) as { registered: string }).registered]).toEqual([200, 'email']);

    const status = (await (await get(base)).json()) as PortalMfaStatus;
    expect(status.methods.map((m) => [m.type, m.state, m.canRemove])).toEqual([
      ['authenticator_app', 'active', true],
      ['email', 'active', true],
    ]);
    // What is kept to answer retries holds no code, no key and no full address.
    const kept = JSON.stringify(await core.db('portal_requests').select());
    for (const secretText of [code, emailed, secret, 'rae@home.example.net']) expect(kept).not.toContain(secretText);
    const audit = (await core.db('audit_events').where({ employee_id: e.id, action: 'factor.registered' })).map((r) => r.actor_name);
    expect(audit).toEqual(['portal:esr-portal', 'portal:esr-portal']);
  });

  it('a leaver cannot register through the API, in the guide’s words, and a bad Idempotency-Key is refused', async () => {
    const leaver = await makeEmployee(core, { leaver: true });
    const r = await post(`/v1/employees/${leaver.username}/mfa/app`, {});
    expect([r.status, ((await r.json()) as Refusal).error.message]).toEqual([422, expect.stringContaining('leavers cannot register for MFA')]);
    const e = await makeEmployee(core);
    const bad = await postWith(`/v1/employees/${e.username}/mfa/email`, { emailId: e.emails[0]!.id }, 'has a space');
    expect([bad.status, ((await bad.json()) as Refusal).error.code]).toEqual([400, 'VALIDATION']);
    expect(await core.db('mail_outbox').where({ employee_id: e.id })).toEqual([]);
  });

  it('serves an OpenAPI 3.1 document, without a key, that validates and lists every route with its refusals', async () => {
    const r = await get('/v1/openapi.json', null);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as OpenApi;
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    for (const route of PORTAL_ROUTES) {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '401', '429', ...route.refusals.map(String)]));
    }
    expect(doc.components.schemas.MfaStatus!.properties.canTurnOff).toEqual(expect.objectContaining({ const: false }));
    expect(doc.paths['/v1/employees/{username}/mfa']!.get!.parameters![0]).toMatchObject({ name: 'username', in: 'path', required: true, schema: { type: 'string' } });
  });
});

describe.each(TARGETS)('desk portal and desk portal keys on $name', (target) => {
  let s: Scratch;
  beforeAll(() => {
    s = scratch(target);
  });
  afterAll(async () => {
    await s?.cleanup();
  });
  const desk = (args: string[]) => runDesk(deskEnv(s, s.dataDir), args);

  it('keys are made, listed and revoked from the command line; the service answers with them and stops on SIGTERM', async () => {
    const made = await desk(['portal', 'keys', 'add', 'ESR-Portal']);
    expect(made.code, made.stderr).toBe(0);
    const key = /: (mdk_[\w-]{43})\n/.exec(made.stdout)?.[1];
    expect(key).toBeDefined();
    const second = await desk(['portal', 'keys', 'add', 'esr-portal']);
    expect(second.code).toBe(0);
    const which = await desk(['portal', 'keys', 'revoke', 'esr-portal']);
    expect([which.code, which.stderr]).toEqual([1, expect.stringMatching(/has 2 live keys .*say which to revoke by its hint/)]);
    expect((await desk(['portal', 'keys', 'add', 'Not a name'])).code).toBe(2);
    expect((await desk(['portal', 'keys', 'revoke', 'esr-portal', '--key', 'nope'])).code).toBe(2);

    const [command, args] = deskCommand(['portal', '--port', '0']);
    const child = spawn(command, args, { env: deskEnv(s, s.dataDir), stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString('utf8');
          const m = /portal API: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out);
          if (m && out.includes('Press Ctrl+C to stop.')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`desk portal exited (${code}): ${out}`)));
      });
      const answer = await fetch(`${url}/v1/employees/nobody.here/mfa`, { headers: { Authorization: `Bearer ${key}` } });
      expect([answer.status, ((await answer.json()) as Refusal).error.code]).toEqual([404, 'NOT_FOUND']);
      expect((await fetch(`${url}/v1/employees/nobody.here/mfa`)).status).toBe(401);
      expect((await fetch(`${url}/v1/openapi.json`)).status).toBe(200);
    } finally {
      await stopChild(child);
    }
    expect(child.exitCode).toBe(0);

    const hint = key!.slice(0, 12);
    const revoked = await desk(['portal', 'keys', 'revoke', 'esr-portal', '--key', hint]);
    expect([revoked.code, revoked.stdout]).toEqual([0, `Revoked esr-portal’s key ${hint}; its requests are refused from now on.\n`]);
    const list = await desk(['portal', 'keys', 'list']);
    expect(list.stdout).toMatch(new RegExp(`esr-portal +${hint.replace(/[-_]/g, '\\$&')}… +made .* by cli; revoked .* by cli`));
    expect(list.stdout).toMatch(/esr-portal +mdk_\S+… +made .* by cli; live, last used never/);
    expect(list.stdout).not.toContain(key);
  });
});
