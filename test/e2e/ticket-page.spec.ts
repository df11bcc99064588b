/**
 * Every action the ticket page offers answers where the eye is, at 1024x700: its result (a toast,
 * or a message under the field it concerns) is in the viewport when it comes; the irreversible
 * ones ask first, and nothing is mailed before they are confirmed; the page never scrolls sideways.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, addUser, callFromPage, findEmployeePage, seed, signIn, toast, PASSWORD, type Desk } from './fixtures';
import type { EmployeePageData, TicketDetail } from '../../shared/domain';

/** The identity-check code in the newest mail to `to` (the outbox the browser host writes). */
async function identityCode(dataDir: string, to: string, after: number): Promise<string> {
  let code: string | null = null;
  await expect
    .poll(
      () => {
        const dir = path.join(dataDir, 'outbox');
        if (!fs.existsSync(dir)) return null;
        for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.eml'))) {
          const file = path.join(dir, f);
          if (fs.statSync(file).mtimeMs < after) continue;
          const text = fs.readFileSync(file, 'utf8').replace(/=\r?\n/g, '');
          if (!text.toLowerCase().includes(`to: ${to.toLowerCase()}`) || !/read this code to the adviser/i.test(text)) continue;
          code = /^\s+(\d{6})\s*$/m.exec(text)?.[1] ?? null;
        }
        return code;
      },
      { timeout: 20_000, message: `an identity-check mail to ${to}` },
    )
    .not.toBeNull();
  return code!;
}

async function mailCount(page: Page, employeeId: number): Promise<number> {
  return (await callFromPage<EmployeePageData>(page, 'employees.page', { employeeId })).mails.length;
}

async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
}

async function setUp(desk: Desk) {
  await seed(desk, 300, 41);
  const kim = await addUser(desk, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent', password: PASSWORD });
  const sam = await addUser(desk, { username: 'sam.super', displayName: 'Sam Supervisor', role: 'supervisor', password: PASSWORD });
  return { kim, sam };
}

test('each action on the ticket page answers in view, the irreversible ones after a confirmation', async ({ page, desk, context }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { kim, sam } = await setUp(desk);
  await page.setViewportSize({ width: 1024, height: 700 });

  // Sam (standing in) opens the ticket; Kim takes it over.
  await page.goto(desk.url);
  await signIn(page, sam);
  const found = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'both', mfa: 'enabled', locked: false },
    (p) => p.eligibility.canRegister && p.employee.emails.length >= 1 && !p.employee.factors.some((f) => f.state === 'pending'),
  );
  expect(found, 'an employee with both methods').not.toBeNull();
  const e = found!.employee;
  const ticket = await callFromPage<TicketDetail>(page, 'tickets.create', { reference: 'chat-5001', category: 'other', employeeId: e.id });
  await page.getByRole('banner').getByRole('button', { name: /^Account: / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await signIn(page, kim);
  await page.goto(`${desk.origin}/#/tickets/${ticket.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-5001' })).toBeVisible();
  for (const pane of ['The ticket', 'The work', 'The employee']) await expect(page.getByRole('region', { name: pane })).toBeVisible();
  await noSidewaysScroll(page);

  // The ticket itself.
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(toast(page, 'The ticket is assigned to you.')).toBeInViewport();
  await page.getByLabel('Category').selectOption('code_not_received');
  await expect(toast(page, 'Category: Code not received')).toBeInViewport();
  await expect(page.getByRole('region', { name: 'Checklist: Code not received' })).toBeVisible();
  await page.getByLabel('Category').selectOption('other');
  await expect(toast(page, 'Category: Other')).toBeInViewport();
  await page.getByLabel('Notes').fill('Caller on webchat; phone lost on the train.');
  await page.getByRole('button', { name: 'Save notes' }).click();
  await expect(toast(page, 'Notes saved.')).toBeInViewport();
  await page.getByRole('button', { name: /^Copy “/ }).first().click();
  await expect(toast(page, 'Copied: paste it into the webchat.')).toBeInViewport();
  await page.getByRole('button', { name: 'Waiting on employee' }).click();
  await expect(toast(page, 'The ticket waits on the employee.')).toBeInViewport();
  await expect(page.getByTestId('ticket-status')).toHaveText('Waiting on employee');
  await page.getByRole('button', { name: 'Back to open' }).click();
  await expect(toast(page, 'The ticket is open again.')).toBeInViewport();

  // Verify the caller; a wrong code is said under the field, in view.
  const help = page.getByRole('region', { name: 'Help this caller' });
  const sentAt = Date.now();
  await help.getByRole('button', { name: 'Send identity-check code' }).click();
  await expect(toast(page, 'Identity-check code sent')).toBeInViewport();
  const code = await identityCode(desk.dataDir, (e.emails.find((m) => m.usedForCodes) ?? e.emails[0])!.address, sentAt - 1000);
  const field = help.getByLabel('Code the caller reads back');
  await field.fill(code === '999999' ? '888888' : '999999');
  await help.getByRole('button', { name: 'Check code', exact: true }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(help.getByText(/That code is not right/)).toBeInViewport();
  await field.fill(`${code.slice(0, 3)}-${code.slice(3)}`);
  await help.getByRole('button', { name: 'Check code', exact: true }).click();
  await expect(toast(page, 'The code is right')).toBeInViewport();

  // Nothing is locked for this employee: unlocking says why it cannot be done.
  await expect(help.getByRole('button', { name: 'Unlock codes' })).toHaveAccessibleDescription('Nothing is locked: no wrong codes are counted.');

  // Remove the email method: asked first; nothing is mailed until it is confirmed.
  let mails = await mailCount(page, e.id);
  await help.getByRole('button', { name: 'Remove email factor' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove the email method?' });
  await expect(remove).toBeVisible();
  expect(await mailCount(page, e.id)).toBe(mails);
  await remove.getByRole('button', { name: 'Remove email method' }).click();
  await expect(toast(page, 'Method removed')).toBeInViewport();
  expect(await mailCount(page, e.id)).toBeGreaterThan(mails);

  // Re-register the app: asked first (and cancelling changes nothing), then a waiting registration
  // gets a fresh code instead of a second re-registration.
  mails = await mailCount(page, e.id);
  await help.getByRole('button', { name: 'Re-register authenticator app (new or lost phone)' }).click();
  const reRegister = page.getByRole('dialog', { name: 'Re-register the authenticator app?' });
  await reRegister.getByRole('button', { name: 'Cancel' }).click();
  await expect(reRegister).toBeHidden();
  expect(await mailCount(page, e.id)).toBe(mails);
  await help.getByRole('button', { name: 'Re-register authenticator app (new or lost phone)' }).click();
  await reRegister.getByRole('button', { name: 'Re-register authenticator app' }).click();
  await expect(toast(page, 'Authenticator app re-registration started')).toBeInViewport();
  await help.getByRole('button', { name: 'Send a new registration code' }).click();
  await expect(toast(page, 'Registration code sent')).toBeInViewport();

  // Resolve and reopen (a reason is needed, and said under its field).
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const resolve = page.getByRole('dialog', { name: 'Resolve ticket chat-5001' });
  await resolve.getByLabel('Resolution note').fill('App re-registered; the email method removed at the caller’s request.');
  await resolve.getByRole('button', { name: 'Resolve ticket' }).click();
  await expect(toast(page, 'Ticket chat-5001 is resolved.')).toBeInViewport();
  await page.getByRole('button', { name: 'Reopen…' }).click();
  const reopen = page.getByRole('dialog', { name: 'Reopen ticket chat-5001' });
  await reopen.getByLabel('Why it is reopened').fill('x');
  await reopen.getByRole('button', { name: 'Reopen ticket' }).click();
  await expect(reopen.getByLabel('Why it is reopened')).toHaveAttribute('aria-invalid', 'true');
  await expect(reopen.getByLabel('Why it is reopened')).toHaveAccessibleDescription(/Write why it is reopened/);
  await reopen.getByLabel('Why it is reopened').fill('The caller came back: the new code did not arrive.');
  await reopen.getByRole('button', { name: 'Reopen ticket' }).click();
  await expect(toast(page, 'Ticket chat-5001 is open again.')).toBeInViewport();

  // A manager task: the ticket waits on a manager and cannot be resolved until the record is saved.
  await page.getByRole('button', { name: 'Ask a manager to correct the record…' }).click();
  const ask = page.getByRole('dialog', { name: 'Ask a manager' });
  await ask.getByRole('button', { name: 'Wait on manager' }).click();
  await expect(toast(page, 'A task went to the managers’ queue')).toBeInViewport();
  await expect(page.getByTestId('ticket-status')).toHaveText('Waiting on manager');
  await expect(page.getByRole('button', { name: 'Resolve…' })).toHaveAccessibleDescription(/A manager task on this ticket is still open/);
  await expect(page.getByRole('region', { name: 'The ticket' })).toContainText('Reopened');
  await expect(page.getByRole('region', { name: 'The ticket' })).toContainText('once');
  await noSidewaysScroll(page);
});

test('a supervisor links the employee on the ticket, overrides the verification after a confirmation and unlocks their codes', async ({ page, desk }) => {
  const { sam } = await setUp(desk);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(desk.url);
  await signIn(page, sam);
  const found = await findEmployeePage<EmployeePageData>(page, { locked: true }, (p) => p.employee.emails.length >= 1);
  expect(found, 'an employee whose codes are locked').not.toBeNull();
  const e = found!.employee;
  const ticket = await callFromPage<TicketDetail>(page, 'tickets.create', { reference: 'chat-5002', category: 'other' });
  await page.goto(`${desk.origin}/#/tickets/${ticket.id}`);
  const person = page.getByRole('region', { name: 'The employee' });
  await person.getByLabel('Employee', { exact: true }).fill(e.employeeNumber);
  await person.getByRole('button', { name: new RegExp(`^Link ${e.firstName} ${e.lastName}`) }).click();
  await expect(toast(page, `${e.firstName} ${e.lastName} is linked to this ticket.`)).toBeInViewport();
  await expect(person).toContainText(e.employeeNumber);

  const help = page.getByRole('region', { name: 'Help this caller' });
  await help.getByText('Supervisor override').click();
  const override = help.getByRole('button', { name: 'Override verification' });
  // Without a reason the override says why it cannot be done yet.
  await expect(override).toHaveAttribute('aria-disabled', 'true');
  await help.getByLabel('Why the caller cannot be verified another way').fill('The caller lost their phone and the address on record is closed.');
  await override.click();
  const confirm = page.getByRole('dialog', { name: 'Override the caller verification?' });
  await expect(confirm).toContainText('The caller lost their phone');
  await confirm.getByRole('button', { name: 'Override verification' }).click();
  await expect(toast(page, 'Verification overridden for this ticket')).toBeInViewport();
  await expect(help.getByTestId('caller-verified')).toContainText('a supervisor’s override');
  await help.getByRole('button', { name: 'Unlock codes' }).click();
  await expect(toast(page, 'Codes unlocked')).toBeInViewport();
  await expect(help.getByRole('button', { name: 'Unlock codes' })).toHaveAttribute('aria-disabled', 'true');
});
