/**
 * Tickets end to end in Chromium against `desk serve`: keyboard only from Ctrl+N to a resolved
 * ticket (open it, link the employee, verify the caller, re-register their app, resolve), then
 * "wasn't me" from the change reference in the confirmation mail, typed into the search box.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, addUser, findEmployeePage, seed, signIn, PASSWORD } from './fixtures';
import type { EmployeePageData } from '../../shared/domain';

function emlTexts(dataDir: string, seen: Set<string>): Array<{ file: string; text: string }> {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml') && !seen.has(f))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, '') }));
}

/** Wait for a new mail to `to` matching `marker`; return its text. */
async function mailTo(dataDir: string, seen: Set<string>, to: string, marker: RegExp): Promise<string> {
  let found: string | null = null;
  await expect
    .poll(
      () => {
        for (const m of emlTexts(dataDir, seen)) {
          if (!m.text.toLowerCase().includes(`to: ${to.toLowerCase()}`) || !marker.test(m.text)) continue;
          seen.add(m.file);
          found = m.text;
          return true;
        }
        return false;
      },
      { timeout: 20_000, message: `a mail to ${to}` },
    )
    .toBe(true);
  return found!;
}

/** Press Tab until `target` has the focus (keyboard only, as a user would). */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

test('keyboard only: Ctrl+N, link the employee, verify the caller, re-register their app, resolve; then "wasn\'t me" from the mail', async ({ page, desk }) => {
  await seed(desk, 300, 41);
  const agent = await addUser(desk, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, agent);
  const target = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'authenticator_app', mfa: 'enabled', locked: false },
    (p) => p.employee.emails.length === 1 && p.eligibility.canRegister && !p.employee.factors.some((f) => f.state === 'pending'),
  );
  expect(target, 'an employee with an authenticator app and one address').not.toBeNull();
  const e = target!.employee;
  const address = e.emails[0]!.address;
  const seen = new Set(emlTexts(desk.dataDir, new Set()).map((m) => m.file));
  const kb = page.keyboard;

  // Ctrl+N from anywhere: the dialog opens with the reference field focused.
  await kb.press('Control+n');
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Webchat reference')).toBeFocused();
  await kb.type('chat-9001');
  await tabTo(page, dialog.getByLabel('Category'));
  await kb.type('New or');
  await expect(dialog.getByLabel('Category')).toHaveValue('new_or_lost_phone');
  await tabTo(page, dialog.getByLabel('Employee', { exact: true }));
  await kb.type(e.employeeNumber);
  const link = dialog.getByRole('button', { name: new RegExp(`^Link ${e.firstName} ${e.lastName} \\(${e.employeeNumber}`) });
  await expect(link).toBeVisible();
  await tabTo(page, link);
  await kb.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Open ticket' })).toBeFocused();
  await kb.press('Enter');

  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-9001' })).toBeFocused();
  const checklist = page.getByRole('region', { name: 'Checklist: New or lost phone' });
  await expect(checklist).toContainText('Authenticator app: active');
  await expect(checklist.locator('[data-action="reRegisterApp"]')).toContainText('Verify the caller first.');
  await expect(checklist.locator('[data-action="unlock"]')).toHaveAttribute('data-enabled', 'false');

  // Verify: an identity-check code to the address on record, read back by the caller.
  const help = page.getByRole('region', { name: 'Help this caller' });
  await tabTo(page, help.getByRole('button', { name: 'Send identity-check code' }));
  await kb.press('Enter');
  await expect(help.getByRole('status')).toContainText(`An identity-check code was sent to ${address}`);
  const identity = await mailTo(desk.dataDir, seen, address, /read this code to the adviser/i);
  const code = /^\s+(\d{6})\s*$/m.exec(identity)![1]!;
  await tabTo(page, help.getByLabel('Code the caller reads back'));
  await kb.type(code);
  await kb.press('Enter');
  await expect(help).toContainText('Caller verified for ticket chat-9001');
  await expect(checklist.locator('[data-action="reRegisterApp"]')).toHaveAttribute('data-enabled', 'true');

  // Act: re-register the app.
  const reRegister = help.getByRole('button', { name: 'Re-register authenticator app (new or lost phone)' });
  await expect(reRegister).toBeEnabled();
  await tabTo(page, reRegister);
  await kb.press('Enter');
  await expect(help.getByRole('status')).toContainText('Authenticator app re-registration started');
  const confirmation = await mailTo(desk.dataDir, seen, address, /CHG-\d+-[0-9A-F]{6}/);
  const changeRef = /CHG-\d+-[0-9A-F]{6}/.exec(confirmation)![0];

  // The canned replies are filled in, with the address masked and no code.
  const replies = page.getByRole('region', { name: 'Canned replies' });
  await expect(replies).toContainText(`${address[0]}•••@${address.split('@')[1]}`);
  await expect(replies).not.toContainText(code);

  // Resolve: a note is needed.
  await tabTo(page, page.getByLabel('Resolution note'));
  await kb.type('New phone: app re-registered after an identity check.');
  await tabTo(page, page.getByRole('button', { name: 'Resolve ticket' }));
  await kb.press('Enter');
  await expect(page.getByTestId('ticket-status')).toHaveText('Resolved');
  const trail = page.getByRole('region', { name: 'Actions taken on this ticket' });
  for (const text of ['Ticket opened', 'Caller verified', 'Re-registration started', 'Ticket resolved']) await expect(trail).toContainText(new RegExp(text, 'i'));

  // "Wasn't me": the reference from the mail, typed into the search box (Ctrl+K).
  await kb.press('Control+k');
  await expect(page.getByRole('searchbox', { name: 'Search employees' })).toBeFocused();
  await kb.type(changeRef.toLowerCase());
  const offer = page.getByRole('button', { name: 'Open a “change not made by me” ticket' });
  await expect(offer).toBeVisible();
  await tabTo(page, offer);
  await kb.press('Enter');
  const dialog2 = page.getByRole('dialog', { name: 'New ticket' });
  await expect(dialog2.getByLabel(/Change reference/)).toHaveValue(changeRef);
  await kb.type('chat-9002');
  await tabTo(page, dialog2.getByRole('button', { name: 'Open ticket' }));
  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-9002' })).toBeVisible();
  const linked = page.getByRole('region', { name: 'The change the employee did not make' });
  await expect(linked).toContainText(changeRef);
  await expect(page.getByRole('region', { name: 'Checklist: Change not made by me' })).toContainText('Re-register the authenticator app (the changed factor)');
  await expect(page.getByRole('region', { name: 'Actions taken on this ticket' })).toContainText(/Ticket opened/i);
});
