/**
 * Sign-in with the email method through `desk portal`, over real HTTP on both databases with a
 * real SMTP server on loopback: the challenge sends one sign-in code (however often it is
 * retried with its Idempotency-Key) to the address the method was set up with; the code is
 * accepted once, wrong codes are counted, an expired or used code is said as such; ten wrong codes
 * in a row lock the employee's codes; every check is kept for the desk and audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { CLI_ACTOR } from '../../electron/core/audit/audit.service';
import { addPortalKey } from '../../electron/core/portal/keys.service';
import { confirmAppRegistration, confirmEmailRegistration, requestEmailCode, startAppRegistration } from '../../electron/core/mfa/selfservice.service';
import { createMailSender } from '../../electron/core/mail/sender';
import { employeePage } from '../../electron/core/employee-page/employee-page.service';
import { startPortal, type RunningPortal } from '../../electron/portal/server';
import type { PortalMfaStatus, SignInChallenged, SignInVerdict } from '../../shared/portal-api';
import { startSmtpServer, type TestSmtpServer } from '../support/mail-server';
import { useLoopbackSmtp } from '../support/mail-fixture';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import { appCode, fullSnapshot, latestCode, makeEmployee, MIN, recordingLogger, secretFromUri, wrong } from '../support/mfa-fixtures';

const START = '2026-02-02T08:00:00.000Z';

describe.each(TARGETS)('sign-in by email through the portal API on $name', (target) => {
  const clock = new ManualClock(START);
  const logger = recordingLogger();
  let core: TestCore;
  let portal: RunningPortal;
  let smtp: TestSmtpServer;
  let key: string;

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger });
    smtp = await startSmtpServer();
    await useLoopbackSmtp({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, smtp.port);
    portal = await startPortal({ db: core.db, clock, vault: core.vault, logger }, { requestsPerSecond: 1000 });
    key = (await addPortalKey(core, CLI_ACTOR, { integration: 'esr-portal' })).key;
  });
  afterAll(async () => {
    await portal?.close();
    await smtp?.close();
    await core?.dispose();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(portal.url + path, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const verify = async (username: string, code: string) => (await (await post(`/v1/employees/${username}/sign-in/verify`, { method: 'email', code })).json()) as SignInVerdict;
  const challenge = (username: string, idempotencyKey?: string) =>
    post(`/v1/employees/${username}/sign-in/challenge`, { method: 'email' }, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});

  /** An employee whose email method is set up with their second (home) address. */
  async function withEmailMethod() {
    const e = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
    await confirmEmailRegistration(core, { employeeId: e.id, code: await latestCode(core, e.id) });
    return e;
  }

  async function deliver(): Promise<void> {
    const sender = createMailSender({ db: core.db, clock, vault: core.vault, logger, dataDir: core.scratch.dataDir, pollMs: 60_000 });
    try {
      await sender.drainOnce();
    } finally {
      await sender.stop();
    }
  }

  it('the challenge mails one sign-in code to the method’s address; the code is accepted once; "last used" is set; all kept and audited', async () => {
    const e = await withEmailMethod();
    const home = e.emails[1]!.address;
    const first = await challenge(e.username, 'signin-1');
    expect(first.status).toBe(200);
    const firstText = await first.text();
    const sent = JSON.parse(firstText) as SignInChallenged;
    expect(sent).toEqual({
      method: 'email',
      sent: true,
      address: `${home[0]}•••@home.example.net`,
      expiresAt: new Date(clock.now().getTime() + 20 * MIN).toISOString(),
      lifetimeMinutes: 20,
      message: expect.stringMatching(/valid for 20 minutes.*spam or junk/),
    });
    // Retried with its key: the same answer, and no second mail.
    const retried = await challenge(e.username, 'signin-1');
    expect([retried.headers.get('idempotent-replayed'), await retried.text()]).toEqual(['true', firstText]);
    expect(await core.db('mail_outbox').where({ employee_id: e.id, template: 'sign_in_code' })).toHaveLength(1);

    await deliver();
    const mails = smtp.received.filter((m) => m.to.includes(home) && /code to sign in/i.test(m.subject));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toMatch(/20 minutes/);
    expect(mails[0]!.text).toMatch(/webchat/i);
    const code = /\b(\d{6})\b/.exec(mails[0]!.text)![1]!;
    // The mail went to the method's address only; the code is nowhere in plain columns.
    expect(smtp.received.filter((m) => m.to.includes(e.emails[0]!.address) && /code to sign in/i.test(m.subject))).toHaveLength(0);
    expect(JSON.stringify(await core.db('mail_outbox').where({ employee_id: e.id, template: 'sign_in_code' }))).not.toContain(code);
    expect(JSON.stringify(await core.db('one_time_codes').where({ employee_id: e.id }))).not.toContain(code);

    clock.advance(2 * MIN);
    expect(await verify(e.username, wrong(code))).toMatchObject({ result: 'wrong', method: 'email', attemptsLeft: 4 });
    expect(await verify(e.username, code)).toEqual({ result: 'accepted', method: 'email', attemptsLeft: 5, message: 'The code is right.', checkedAt: clock.now().toISOString() });
    const reused = await verify(e.username, code);
    expect(reused).toMatchObject({ result: 'expired', attemptsLeft: 0, message: expect.stringMatching(/already been used.*Ask for a new code/) });

    const status = (await (await fetch(`${portal.url}/v1/employees/${e.username}/mfa`, { headers: { Authorization: `Bearer ${key}` } })).json()) as PortalMfaStatus;
    expect(status.methods.find((m) => m.type === 'email')).toMatchObject({ lastUsedAt: clock.now().toISOString(), locked: false });
    const kept = await core.db('signin_verifications').where({ employee_id: e.id }).orderBy('id').select('method', 'result', 'integration');
    expect(kept).toEqual(['wrong', 'accepted', 'expired'].map((result) => ({ method: 'email', result, integration: 'esr-portal' })));
    const audit = (await core.db('audit_events').where({ employee_id: e.id }).where('action', 'like', 'signin.%').orWhere({ employee_id: e.id, action: 'code.rejected' }).orderBy('seq'))
      .map((r) => [r.action, r.actor_name]);
    expect(audit).toEqual([
      ['signin.code_sent', 'portal:esr-portal'],
      ['code.rejected', 'portal:esr-portal'],
      ['signin.verified', 'portal:esr-portal'],
      ['signin.refused', 'portal:esr-portal'],
    ]);
    const page = await employeePage(core.db, clock, e.id);
    expect(page.signIns.map((c) => [c.method, c.result])).toEqual([
      ['email', 'expired'],
      ['email', 'accepted'],
      ['email', 'wrong'],
    ]);
  });

  it('a code past its 20 minutes is expired, and a new challenge replaces the last code', async () => {
    const e = await withEmailMethod();
    expect((await challenge(e.username)).status).toBe(200);
    const old = await latestCode(core, e.id, 'sign_in_code');
    expect((await challenge(e.username)).status).toBe(200);
    // Only the newest code is looked at: the replaced one is a wrong code.
    if (old !== (await latestCode(core, e.id, 'sign_in_code'))) expect(await verify(e.username, old)).toMatchObject({ result: 'wrong', attemptsLeft: 4 });
    const current = await latestCode(core, e.id, 'sign_in_code');
    clock.advance(20 * MIN);
    expect(await verify(e.username, current)).toMatchObject({ result: 'expired', message: expect.stringMatching(/expired at .* valid for 20 minutes\)\. Ask for a new code\./) });
  });

  it('ten wrong codes in a row lock the employee’s codes: said at sign-in, shown as locked, and no new code is sent', async () => {
    const e = await withEmailMethod();
    const verdicts: SignInVerdict[] = [];
    for (const round of [1, 2]) {
      expect((await challenge(e.username)).status, `challenge ${round}`).toBe(200);
      const code = await latestCode(core, e.id, 'sign_in_code');
      for (let i = 0; i < 5; i++) verdicts.push(await verify(e.username, wrong(code)));
    }
    // The fifth wrong try ends a code (expired: ask for a new one); ten in a row lock the employee's codes.
    expect(verdicts.map((v) => v.result)).toEqual([...Array(4).fill('wrong'), 'expired', ...Array(4).fill('wrong'), 'locked']);
    expect(verdicts[4]!.message).toBe('That code is not right, and after 5 wrong tries it no longer works. Ask for a new code.');
    expect(verdicts[9]!.message).toMatch(/Contact Shared Services by webchat/);
    const status = (await (await fetch(`${portal.url}/v1/employees/${e.username}/mfa`, { headers: { Authorization: `Bearer ${key}` } })).json()) as PortalMfaStatus;
    expect(status.methods.find((m) => m.type === 'email')).toMatchObject({ locked: true });
    expect(await verify(e.username, '123456')).toMatchObject({ result: 'locked', attemptsLeft: 0 });
    const before = await fullSnapshot(core.db);
    const refused = await challenge(e.username);
    expect([refused.status, ((await refused.json()) as { error: { code: string; message: string } }).error]).toEqual([
      422,
      { code: 'RULE_VIOLATION', message: 'Emailed codes are locked for this account after too many wrong codes. Contact Shared Services by webchat to have it unlocked.', details: { method: 'email', locked: true } },
    ]);
    expect(await fullSnapshot(core.db)).toEqual(before);
  });

  it('without an email method, before any challenge, with bad input or for nobody: a typed refusal and nothing written', async () => {
    const bare = await makeEmployee(core);
    const e = await withEmailMethod();
    const before = await fullSnapshot(core.db);
    const cases: Array<[Response, number, string]> = [
      [await challenge(bare.username), 422, 'RULE_VIOLATION'],
      [await post(`/v1/employees/${e.username}/sign-in/challenge`, { method: 'sms' }), 400, 'VALIDATION'],
      [await post(`/v1/employees/${e.username}/sign-in/challenge`, {}), 400, 'VALIDATION'],
      [await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'email', code: '123456' }), 422, 'RULE_VIOLATION'],
      [await post(`/v1/employees/${e.username}/sign-in/verify`, { method: 'email', code: '12x456' }), 400, 'VALIDATION'],
      [await post('/v1/employees/no.such.person/sign-in/challenge', { method: 'email' }), 404, 'NOT_FOUND'],
    ];
    for (const [r, status, code] of cases) expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    expect(await fullSnapshot(core.db)).toEqual(before);
  });

  it('the challenge for the authenticator app sends nothing, says where the code is, and is audited', async () => {
    const e = await makeEmployee(core);
    const started = await startAppRegistration(core, { employeeId: e.id });
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secretFromUri(started.otpauthUri), clock) });
    const mails = await core.db('mail_outbox').where({ employee_id: e.id }).count({ n: '*' }).first();
    const r = await post(`/v1/employees/${e.username}/sign-in/challenge`, { method: 'authenticator_app' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ method: 'authenticator_app', sent: false, address: null, expiresAt: null, lifetimeMinutes: null, message: expect.stringMatching(/authenticator app/) });
    expect(await core.db('mail_outbox').where({ employee_id: e.id }).count({ n: '*' }).first()).toEqual(mails);
    const last = await core.db('audit_events').where({ employee_id: e.id }).orderBy('seq', 'desc').first();
    expect([last.action, last.actor_name]).toEqual(['signin.challenged', 'portal:esr-portal']);
  });
});
