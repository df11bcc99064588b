/**
 * One desk as people find it in the middle of a working day, made the same way every time: the
 * demo employees (seed 41) on a clock that starts at a fixed moment, a desk user for each role, and
 * tickets in each state the inbox shows. The visual snapshots and the documentation's screenshots
 * (test/e2e/workspace.spec.ts, test/e2e/docs-screenshots.spec.ts) are taken of it.
 */
import type { Page } from '@playwright/test';
import type { EmployeePageData, TicketDetail } from '../../shared/domain';
import { addUser, callFromPage, expect, findEmployeePage, seed, signIn, signOut, type Desk, type DeskUser, PASSWORD } from './fixtures';

/** Monday 2 November 2026, 09:30 UK time (GMT): the moment the scene's clock starts at. */
export const SCENE_CLOCK = '2026-11-02T09:30:00.000Z';

export interface Scene {
  users: Record<'agent' | 'manager' | 'supervisor' | 'admin', DeskUser>;
  /** The ticket an agent is working: a new phone, the employee linked, notes written. */
  working: TicketDetail;
  /** Its employee: both methods, two addresses on record. */
  employee: EmployeePageData['employee'];
  /** A ticket waiting on a manager (the email on record), with its task in the managers' queue. */
  waiting: TicketDetail;
}

const USERS = {
  agent: { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent' },
  manager: { username: 'mo.manager', displayName: 'Mo Manager', role: 'manager' },
  supervisor: { username: 'sam.super', displayName: 'Sam Supervisor', role: 'supervisor' },
  admin: { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin' },
} as const;

/** Build the scene on a fresh desk (the spec must `test.use({ clockStart: SCENE_CLOCK })`); ends signed in as the agent. */
export async function buildScene(page: Page, desk: Desk): Promise<Scene> {
  await seed(desk, 300, 41);
  const users = {} as Scene['users'];
  for (const [role, u] of Object.entries(USERS) as Array<[keyof typeof USERS, (typeof USERS)[keyof typeof USERS]]>) {
    users[role] = await addUser(desk, { ...u, password: PASSWORD });
  }
  await page.goto(desk.url);
  await signIn(page, users.agent);

  const both = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'both', mfa: 'enabled', locked: false },
    (p) => p.employee.emails.length === 2 && p.eligibility.canRegister && !p.employee.factors.some((f) => f.state === 'pending'),
  );
  const pending = await findEmployeePage<EmployeePageData>(page, { pendingRegistration: true }, (p) => p.employee.emails.length >= 1);
  const noEmail = await findEmployeePage<EmployeePageData>(page, { status: 'active', mfa: 'not_registered' }, (p) => p.employee.emails.length >= 1);
  expect(both && pending && noEmail, 'the demo data has the employees the scene needs').toBeTruthy();

  const create = (input: Record<string, unknown>) => callFromPage<TicketDetail>(page, 'tickets.create', input);
  const resolved = await create({ reference: 'chat-20409', category: 'code_expired', employeeId: pending!.employee.id });
  await callFromPage(page, 'tickets.resolve', { ticketId: resolved.id, note: 'Talked them through starting again; the new code arrived within a minute.' });
  const waiting = await create({ reference: 'chat-20410', category: 'email_on_record', employeeId: noEmail!.employee.id });
  await callFromPage(page, 'tickets.waitOnManager', { ticketId: waiting.id, description: `Correct the work email on record for ${noEmail!.employee.firstName} ${noEmail!.employee.lastName}: the caller says it changed in October.` });
  await create({ reference: 'chat-20412', category: 'code_not_received', employeeId: pending!.employee.id });
  await create({ reference: 'chat-20413', category: 'other' });
  const working = await create({
    reference: 'chat-20411',
    category: 'new_or_lost_phone',
    employeeId: both!.employee.id,
    notes: 'Lost their phone on the train on Friday; now on a new phone with the same number.',
  });
  const scene = { users, working, employee: both!.employee, waiting: await callFromPage<TicketDetail>(page, 'tickets.get', { ticketId: waiting.id }) };
  // What the page loaded before the tickets existed is read again.
  await page.reload();
  await expect(page.getByRole('banner').getByRole('button', { name: /^Account: / })).toBeVisible();
  return scene;
}

/** Sign out and in as another of the scene's desk users. */
export async function switchTo(page: Page, user: DeskUser): Promise<void> {
  await signOut(page);
  await signIn(page, user);
}
