/**
 * Webchat tickets through the contract, on sqlite and PostgreSQL: "wasn't me" from a change
 * confirmation that a real SMTP server on loopback received (the reference parsed out of the
 * received mail) to a ticket on the exact audit event and the secure path; the checklist and the
 * actions of every category on the facts; the managers' task round trip; resolve and reopen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKET_CATEGORIES, type TicketCategory, type TicketDetail } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';
import { createMailSender } from '../../electron/core/mail/sender';
import { useLoopbackSmtp } from '../support/mail-fixture';
import { confirmAppRegistration, confirmEmailRegistration, requestEmailCode, startAppRegistration } from '../../electron/core/mfa/selfservice.service';
import { startSmtpServer, type TestSmtpServer } from '../support/mail-server';
import { OUTBOX_BODY_PURPOSE } from '../../electron/core/mail/outbox';
import { challengeSignIn } from '../../electron/core/portal/signin.service';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import { callAs, type Caller } from '../support/call-as';
import type { ResultOf } from '../../shared/contract';
import { appCode, deskUser, expectWireRefusedUnchanged, latestCode, makeEmployee, MIN, nextStep, outbox, secretFromUri, type DeskUserFixture, type EmployeeFixture } from '../support/mfa-fixtures';

const START = '2026-04-01T08:00:00.000Z';

describe.each(TARGETS)('webchat tickets on $name', (target) => {
  const clock = new ManualClock(START);
  let core: TestCore;
  let srv: TestSmtpServer;
  const users = {} as Record<'agent' | 'manager' | 'supervisor', DeskUserFixture>;
  const as = (who: keyof typeof users): Caller => callAs(core, users[who]);
  let agent: Caller;
  let refNo = 0;
  const ref = () => `chat-${target.name}-${++refNo}`;
  const open = (category: TicketCategory, employeeId?: number): Promise<TicketDetail> =>
    agent.ok('tickets.create', { reference: ref(), category, ...(employeeId ? { employeeId } : {}) });
  const action = (t: TicketDetail, kind: string) => t.guidance!.actions.find((a) => a.kind === kind)!;
  const item = (t: TicketDetail, id: string) => t.guidance!.checklist.find((i) => i.id === id);

  /** The code in the newest queued (not yet delivered, so still sealed in the outbox) mail of a template. */
  async function queuedCode(employeeId: number, template: string): Promise<string> {
    const row = await core
      .db<{ id: number; employee_id: number; template: string; status: string; body_text: string }>('mail_outbox')
      .where({ employee_id: employeeId, template, status: 'queued' })
      .orderBy('id', 'desc')
      .first('body_text');
    return /^\s+(\d{6})\s*$/m.exec(core.vault.open(row!.body_text, OUTBOX_BODY_PURPOSE))![1]!;
  }
  /** Verify the caller on the ticket with an identity-check code read back from its mail. */
  async function verify(t: TicketDetail, e: EmployeeFixture): Promise<void> {
    await agent.ok('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: t.reference, emailId: e.emails[0]!.id });
    const code = await queuedCode(e.id, 'identity_check_code');
    await agent.ok('mfa.checkIdentityCode', { employeeId: e.id, ticketRef: t.reference, code });
  }
  async function deliver(): Promise<void> {
    const sender = createMailSender({ db: core.db, clock, vault: core.vault, logger: silentLogger, dataDir: core.scratch.dataDir, pollMs: 60_000 });
    try {
      await sender.drainOnce();
    } finally {
      await sender.stop();
    }
  }
  /** An employee with the authenticator app registered on the portal (MFA enabled). */
  async function withApp(opts: Parameters<typeof makeEmployee>[1] = {}): Promise<EmployeeFixture> {
    const e = await makeEmployee(core, opts);
    const enrol = await startAppRegistration(core, { employeeId: e.id, code: null });
    await confirmAppRegistration(core, { employeeId: e.id, code: appCode(secretFromUri(enrol.otpauthUri), clock) });
    nextStep(clock);
    return e;
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    users.agent = await deskUser(core, 'agent.tickets', 'agent');
    users.manager = await deskUser(core, 'manager.tickets', 'manager');
    users.supervisor = await deskUser(core, 'supervisor.tickets', 'supervisor');
    agent = as('agent');
    srv = await startSmtpServer();
    await useLoopbackSmtp({ db: core.db, clock, vault: core.vault }, { userId: users.supervisor.id, name: 'supervisor.tickets' }, srv.port);
  });
  afterAll(async () => {
    await srv?.close();
    await core?.dispose();
  });

  it('"wasn\'t me": the reference in the received confirmation opens a ticket on the exact event, and the secure path re-registers the factor and tells every address', async () => {
    const e = await makeEmployee(core);
    // The employee (or someone else) sets up the email method on the portal: every address is told.
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[1]!.id });
    await confirmEmailRegistration(core, { employeeId: e.id, code: await latestCode(core, e.id) });
    await deliver();
    const received = srv.received.filter((m) => m.to.some((a) => a.toLowerCase() === e.emails[0]!.address.toLowerCase()) && /CHG-/.test(m.text));
    expect(received).toHaveLength(1);
    const changeRef = /CHG-\d+-[0-9A-F]{6}/.exec(received[0]!.text)![0];
    const event = (await core.db<{ id: number; employee_id: number; details: string; action: string }>('audit_events').where({ employee_id: e.id }).where('details', 'like', `%${changeRef}%`).first('id', 'action'))!;

    const found = await agent.ok('tickets.findChange', { text: `Hi, I got this: ${changeRef.toLowerCase()} but it was not me` });
    expect(found).toMatchObject({ reference: changeRef, employee: { id: e.id }, event: { id: Number(event.id), action: event.action }, ticketId: null });

    const t: TicketDetail = await agent.ok('tickets.openFromChange', { changeReference: changeRef, reference: ref() });
    expect(t).toMatchObject({ category: 'change_not_made_by_me', employee: { id: e.id }, linkedEvent: { id: Number(event.id) }, status: 'open', assignee: { id: users.agent.id } });
    expect(item(t, 'event')!.text).toContain(changeRef);
    expect(item(t, 'reregister')!.text).toBe('Re-register the email method (the changed factor).');
    expect(action(t, 'reRegisterEmail')).toEqual({ kind: 'reRegisterEmail', enabled: false, reason: 'Verify the caller first.' });
    expect(action(t, 'removeFactor').enabled).toBe(false);
    // Asked again (another agent pasting the same mail): the same open ticket.
    expect((await agent.ok('tickets.openFromChange', { changeReference: changeRef, reference: ref() })).id).toBe(t.id);
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.findChange', { text: 'CHG-999999-ABCDEF' }), 'NOT_FOUND');
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.openFromChange', { changeReference: 'not a reference', reference: ref() }), 'VALIDATION');

    await verify(t, e);
    const verified: TicketDetail = await agent.ok('tickets.get', { ticketId: t.id });
    expect(verified.verification?.ticketRef).toBe(t.reference);
    expect(item(verified, 'verify')!.state).toBe('done');
    expect(action(verified, 'reRegisterEmail')).toMatchObject({ enabled: true, reason: null });
    const before = srv.received.length;
    const rr = await agent.ok('mfa.reRegister', { employeeId: e.id, ticketRef: t.reference, factorType: 'email', emailId: e.emails[0]!.id });
    await deliver();
    const told = srv.received.slice(before).filter((m) => m.text.includes(rr.reference));
    expect(told.flatMap((m) => m.to).map((a) => a.toLowerCase()).sort()).toEqual(e.emails.map((m) => m.address.toLowerCase()).sort());
    const after: TicketDetail = await agent.ok('tickets.get', { ticketId: t.id });
    expect(after.actions.map((a) => a.action)).toEqual(['ticket.opened', 'caller.identity_code_sent', 'caller.verified', 'factor.reregistration_started']);
    expect(after.actions.every((a) => a.ticketRef === t.reference)).toBe(true);
  });

  it('every category has its checklist with the facts looked up, and only the actions the rules allow', async () => {
    // Code not received: the last code mail, delivered by the real server, and its answer.
    const a = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: a.id, emailId: a.emails[0]!.id });
    const code = await queuedCode(a.id, 'registration_code');
    await deliver();
    expect(srv.received.some((m) => m.text.includes(code))).toBe(true);
    let t = await open('code_not_received', a.id);
    expect(item(t, 'last-code-mail')).toMatchObject({ state: 'info' });
    expect(item(t, 'last-code-mail')!.text).toMatch(new RegExp(`registration code to ${a.emails[0]!.address.replace(/[.]/g, '\\.')}.*delivered.*250`));
    expect(item(t, 'spam')!.text).toBe('Ask them to check their spam or junk folders.');
    expect(action(t, 'restartRegistration')).toMatchObject({ enabled: false, reason: 'Verify the caller first.' });
    expect(action(t, 'reRegisterApp').reason).toMatch(/Not part of this kind of problem/);
    expect(t.replies.map((r) => r.text).join('\n')).toContain(`a•••@work.example.org`);
    for (const r of t.replies) expect(r.text).not.toContain(code);
    await verify(t, a);
    t = await agent.ok('tickets.get', { ticketId: t.id });
    expect(action(t, 'restartRegistration').enabled).toBe(true);
    expect(action(t, 'verify')).toMatchObject({ enabled: false, reason: 'The caller is verified on this ticket.' });

    // Code expired: the latest code and its expiry on the injected clock.
    t = await open('code_expired', (await makeEmployee(core)).id);
    const b = t.employee!.id;
    await requestEmailCode(core, { employeeId: b, emailId: (await outboxFreeEmail(b)) });
    clock.advance(21 * MIN);
    t = await agent.ok('tickets.get', { ticketId: t.id });
    expect(item(t, 'code')).toMatchObject({ state: 'warning' });
    expect(item(t, 'code')!.text).toMatch(/expired at \d\d:\d\d\b/);
    expect(t.guidance!.summary).toContain('20 minutes');

    // New or lost phone / cannot find the account: the app's state; re-register it once verified.
    const c = await withApp();
    t = await open('new_or_lost_phone', c.id);
    expect(item(t, 'app')!.text).toMatch(/^Authenticator app: active since/);
    expect(action(t, 'reRegisterApp').reason).toBe('Verify the caller first.');
    t = await open('account_not_in_app', c.id);
    expect(item(t, 'account')!.text).toBe('Ask them to look for the account named "Hants" in the app.');
    expect(t.replies.some((r) => r.text.includes('account named Hants'))).toBe(true);

    // No email or wrong email: agents cannot change the record; a manager can.
    const d = await makeEmployee(core, { emails: [] });
    t = await open('email_on_record', d.id);
    expect(item(t, 'emails')).toMatchObject({ state: 'warning', text: 'No email address on record.' });
    expect(action(t, 'waitOnManager').enabled).toBe(true);
    expect(action(t, 'verify').reason).toMatch(/Not part of this kind of problem/);

    // Left the trust: leavers cannot register; nothing to re-register.
    const leaver = await makeEmployee(core, { leaver: true });
    t = await open('left_the_trust', leaver.id);
    expect(item(t, 'status')!.text).toBe('Left on 31 December 2025: leavers cannot register.');
    expect(t.guidance!.checklist.some((i) => i.id === 'eligibility-leaver' && i.state === 'warning')).toBe(true);
    expect(t.guidance!.actions.filter((x) => x.enabled).map((x) => x.kind)).toEqual(['waitOnManager']);

    // Internet access not approved: nothing to do at the desk.
    const offline = await makeEmployee(core, { internet: false });
    t = await open('internet_not_approved', offline.id);
    expect(item(t, 'internet')).toMatchObject({ state: 'warning', text: 'Internet access for ESR is not approved.' });
    expect(t.guidance!.actions.filter((x) => x.enabled)).toEqual([]);

    // Wants to turn MFA off: it cannot be; one of two methods may go, once verified.
    const f = await withApp();
    await requestEmailCode(core, { employeeId: f.id, emailId: f.emails[0]!.id });
    await confirmEmailRegistration(core, { employeeId: f.id, code: await latestCode(core, f.id) });
    t = await open('turn_mfa_off', f.id);
    expect(item(t, 'explain')!.text).toMatch(/^MFA is enabled since .*: it cannot be turned off or reverted\.$/);
    expect(item(t, 'remove')!.text).toMatch(/^Both methods are set up/);
    expect(action(t, 'removeFactor').reason).toBe('Verify the caller first.');
    await verify(t, f);
    t = await agent.ok('tickets.get', { ticketId: t.id });
    expect(action(t, 'removeFactor')).toMatchObject({ enabled: true });
    expect(action(t, 'reRegisterApp').reason).toMatch(/Not part of this kind of problem/);
    const one = await withApp();
    t = await open('turn_mfa_off', one.id);
    expect(item(t, 'remove')!.text).toMatch(/^Only one method is set up/);

    // Other: every action, by the rules alone.
    t = await open('other', one.id);
    expect(t.guidance!.actions.map((x) => x.reason)).not.toContain('Not part of this kind of problem (change the category if needed).');
    // No employee linked: no checklist yet, but the general replies.
    t = await open('other');
    expect(t.guidance).toBeNull();
    expect(t.replies.length).toBeGreaterThan(0);
    // Every category was covered above or in the "wasn't me" test.
    expect(TICKET_CATEGORIES.length).toBe(10);

    async function outboxFreeEmail(employeeId: number): Promise<number> {
      const row = await core.db<{ id: number; employee_id: number }>('employee_emails').where({ employee_id: employeeId }).orderBy('id').first('id');
      return Number(row!.id);
    }
  });

  it('waiting on a manager: the task is in the queue, the ticket cannot be resolved, and saving the record closes the task and returns the ticket', async () => {
    const e = await makeEmployee(core);
    const t = await open('email_on_record', e.id);
    const waiting: TicketDetail = await agent.ok('tickets.waitOnManager', { ticketId: t.id, description: 'Correct the work email on record' });
    expect(waiting.status).toBe('waiting_manager');
    const queue = await as('manager').ok('tasks.list', { status: 'open' });
    expect(queue.filter((q) => q.ticketId === t.id)).toMatchObject([{ ticketRef: t.reference, employee: { id: e.id }, status: 'open', createdBy: 'agent.tickets' }]);
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.resolve', { ticketId: t.id, note: 'Sorted out' }), 'RULE_VIOLATION', /manager task/);
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.waitOnManager', { ticketId: t.id, description: 'Another task for the manager' }), 'CONFLICT');
    expect((await as('agent').call('tasks.list', { status: 'open' })).ok).toBe(false);

    const record = await as('manager').ok('employees.get', { employeeId: e.id });
    const saved = await as('manager').ok('records.updateEmails', {
      employeeId: e.id,
      ticketRef: t.reference,
      version: record.version,
      emails: [{ id: record.emails[0]!.id, kind: 'work', address: `fixed.${e.id}@work.example.org` }, record.emails[1]!],
    });
    expect(saved.tasksClosed).toBe(1);
    expect((await as('manager').ok('tasks.list', { status: 'open' })).some((q) => q.ticketId === t.id)).toBe(false);
    const done = (await as('manager').ok('tasks.list', { status: 'done' })).find((q) => q.ticketId === t.id);
    expect(done).toMatchObject({ status: 'done', closedBy: 'manager.tickets' });
    const back: TicketDetail = await agent.ok('tickets.get', { ticketId: t.id });
    expect(back).toMatchObject({ status: 'open', assignee: { id: users.agent.id } });
    expect(back.actions.map((a) => a.action)).toEqual(['ticket.opened', 'ticket.waiting_manager', 'employee.emails_changed', 'manager_task.done', 'ticket.returned']);
    await agent.ok('tickets.resolve', { ticketId: t.id, note: 'The manager corrected the address.' });
  });

  it('resolving needs a note; a resolved ticket takes no action until reopened (audited, counted); a ticket is about one employee', async () => {
    const e = await makeEmployee(core);
    const other = await makeEmployee(core);
    const t = await open('code_not_received', e.id);
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.resolve', { ticketId: t.id, note: ' ' }), 'VALIDATION');
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.sendIdentityCode', { employeeId: other.id, ticketRef: t.reference, emailId: other.emails[0]!.id }), 'RULE_VIOLATION', /about another employee/);
    await expectWireRefusedUnchanged(core.db, () => as('manager').call('tickets.create', { reference: ref(), category: 'other' }), 'FORBIDDEN');
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.create', { reference: t.reference, category: 'other' }), 'CONFLICT');
    const resolved: TicketDetail = await agent.ok('tickets.resolve', { ticketId: t.id, note: 'Found in the junk folder.' });
    expect(resolved).toMatchObject({ status: 'resolved', resolutionNote: 'Found in the junk folder.', sla: 'ok' });
    await expectWireRefusedUnchanged(core.db, () => agent.call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: t.reference, emailId: e.emails[0]!.id }), 'RULE_VIOLATION', /reopen it first/);
    await expectWireRefusedUnchanged(core.db, () => agent.call('tickets.update', { ticketId: t.id, notes: 'late note' }), 'RULE_VIOLATION');
    const reopened: TicketDetail = await agent.ok('tickets.reopen', { ticketId: t.id, reason: 'The code still did not arrive' });
    expect(reopened).toMatchObject({ status: 'open', reopenedCount: 1, resolvedAt: null });
    const row = await core.db('audit_events').where({ ticket_ref: t.reference, action: 'ticket.reopened' }).first('details');
    expect(JSON.parse(String(row.details))).toMatchObject({ reason: 'The code still did not arrive', reopenedCount: 1, previousResolution: 'Found in the junk folder.' });
    // The SLA on the injected clock: amber from three quarters of 30 minutes, red past it.
    const s = await open('other', other.id);
    clock.advance(23 * MIN);
    expect((await agent.ok('tickets.get', { ticketId: s.id })).sla).toBe('warn');
    clock.advance(8 * MIN);
    const late = await agent.ok('tickets.list', { status: 'open', query: s.reference });
    expect(late.rows).toMatchObject([{ id: s.id, sla: 'breached', ageMinutes: 31 }]);
    expect(late.counts.open).toBeGreaterThanOrEqual(2);
  });

  it('two desks opening the same new reference at once for two employees: one ticket, the other is told it is about another employee', async () => {
    const e = await makeEmployee(core);
    const f = await makeEmployee(core);
    const reference = ref();
    const [a, b] = await Promise.all([
      agent.call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef: reference, emailId: e.emails[0]!.id }),
      as('supervisor').call('mfa.sendIdentityCode', { employeeId: f.id, ticketRef: reference, emailId: f.emails[0]!.id }),
    ]);
    const results = [a, b].map((r) => (r.ok ? 'ok' : r.error.code)).sort();
    expect(results, JSON.stringify([a, b])).toEqual(['RULE_VIOLATION', 'ok']);
    expect(await core.db('tickets').where({ reference })).toHaveLength(1);
    expect(await core.db('audit_events').where({ ticket_ref: reference, action: 'ticket.opened' })).toHaveLength(1);
    expect(await core.db('audit_events').where({ ticket_ref: reference, action: 'caller.identity_code_sent' })).toHaveLength(1);
  });

  it('the inbox pages by keyset, filters mine and by reference, and the report counts categories, reopenings and the median', async () => {
    const mine = await Promise.all(Array.from({ length: 7 }, (_v, i) => agent.ok('tickets.create', { reference: `page-${target.name}-${i}`, category: 'other' })));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const p: ResultOf<'tickets.list'> = await agent.ok('tickets.list', { status: 'all', mine: true, query: `page-${target.name}-`, cursor, limit: 3 });
      expect(p.rows.length).toBeLessThanOrEqual(3);
      seen.push(...p.rows.map((r) => r.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen.sort((x, y) => x - y)).toEqual(mine.map((m) => m.id).sort((x, y) => x - y));
    // None of the agent's tickets is the supervisor's. (Only these: the test before may have left the
    // supervisor a ticket of their own, when their desk won the race to open the shared reference.)
    const sup = await as('supervisor').ok('tickets.list', { status: 'all', mine: true, query: `page-${target.name}-` });
    expect(sup.rows).toEqual([]);

    const day = clock.now().toISOString().slice(0, 10);
    const report = await as('supervisor').ok('tickets.report', { from: day, to: day });
    expect(report.opened).toBe(report.byCategory.reduce((n, c) => n + c.count, 0));
    expect(report.byCategory.find((c) => c.category === 'other')!.count).toBeGreaterThanOrEqual(7);
    expect(report.reopened).toBeGreaterThanOrEqual(1);
    const csv = await as('supervisor').ok('tickets.reportCsv', { from: day, to: day });
    expect(csv.csv).toContain(`total,opened,${report.opened}\r\n`);
    expect((await agent.call('tickets.report', { from: day, to: day })).ok).toBe(false);
    const dashboard = await as('supervisor').ok('audit.dashboard', { from: day, to: day });
    expect(dashboard.tickets).toEqual(report);
  });

  it('admins edit the canned replies; a code-like number or an unknown placeholder is refused and nothing changes', async () => {
    const admin = await deskUser(core, 'admin.tickets', 'admin');
    const { call, ok } = callAs(core, admin);
    const list = await ok('replies.get', {});
    const mine = { id: 'my-reply', category: 'code_not_received' as const, title: 'Mine', text: 'Hello {{firstName}}, the code went to {{maskedEmail}}.' };
    await expectWireRefusedUnchanged(core.db, () => call('replies.update', { replies: [...list, { ...mine, text: 'Your code is 123456' }] }), 'VALIDATION', /six or more digits/);
    await expectWireRefusedUnchanged(core.db, () => call('replies.update', { replies: [...list, { ...mine, text: 'Code {{code}}' }] }), 'VALIDATION', /Unknown placeholder/);
    await expectWireRefusedUnchanged(core.db, () => agent.call('replies.update', { replies: [] }), 'FORBIDDEN');
    await ok('replies.update', { replies: [...list, mine] });
    const e = await makeEmployee(core, { firstName: 'Jo' });
    const t = await open('code_not_received', e.id);
    expect(t.replies.find((r) => r.id === 'my-reply')!.text).toBe(`Hello Jo, the code went to a•••@work.example.org.`);
    expect(await outbox(core, e.id)).toEqual([]);
  });

  it('"code not received" and "code expired" about a sign-in code: the sign-in code mail and the portal’s sign-in page', async () => {
    const e = await makeEmployee(core);
    await requestEmailCode(core, { employeeId: e.id, emailId: e.emails[0]!.id });
    await confirmEmailRegistration(core, { employeeId: e.id, code: await latestCode(core, e.id) });
    clock.advance(MIN);
    await challengeSignIn(core, { userId: null, name: 'portal:esr-portal' }, { integration: 'esr-portal', username: e.username, method: 'email' });
    const notReceived = await open('code_not_received', e.id);
    expect(item(notReceived, 'last-code-mail')?.text).toMatch(/^Last code mail: sign in code to /);
    expect(item(notReceived, 'code')?.text).toMatch(/valid until/);
    expect(item(notReceived, 'signin')?.text).toBe("A sign-in code: they ask for a new one on the portal's sign-in page (valid 20 minutes).");
    clock.advance(21 * MIN);
    const expired = await open('code_expired', e.id);
    expect(item(expired, 'code')).toMatchObject({ state: 'warning' });
    expect(item(expired, 'restart')?.text).toBe("They ask for a new sign-in code on the portal's sign-in page (valid 20 minutes).");
  });
});
