/**
 * Tickets end to end in Chromium against `desk serve`, at 1024x700: keyboard only from the New
 * ticket shortcut to a resolved ticket (open it, link the employee, verify the caller, re-register
 * their app after a confirmation, resolve), then "wasn't me" from the change reference in the
 * confirmation mail, typed into the search box. Each result is in view when it comes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, callFromPage, findEmployeePage, toast, signedInOnSeed } from './fixtures';
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

/** The mails the employee page lists (queued, sent or failed), through the contract. */
async function mailCount(page: Page, employeeId: number): Promise<number> {
  const p = await callFromPage<EmployeePageData>(page, 'employees.page', { employeeId });
  return p.mails.length;
}

test('keyboard only: New ticket, link the employee, verify the caller, re-register their app, resolve; then "wasn\'t me" from the mail', async ({ page, desk }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await signedInOnSeed(page, desk, { employees: 300, seed: 41 }, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent' });
  // Agents start at the inbox, most urgent first; the shortcut shown is the one a browser leaves free.
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets' })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('button', { name: /New ticket/ })).toContainText('Alt+N');
  const target = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'authenticator_app', mfa: 'enabled', locked: false },
    (p) => p.employee.emails.length === 1 && p.eligibility.canRegister && !p.employee.factors.some((f) => f.state === 'pending'),
  );
  expect(target, 'an employee with an authenticator app and one address').not.toBeNull();
  const e = target!.employee;
  const address = e.emails[0]!.address;
  const masked = `${address[0]}•••@${address.split('@')[1]}`;
  const seen = new Set(emlTexts(desk.dataDir, new Set()).map((m) => m.file));
  const kb = page.keyboard;

  // Alt+N from anywhere: the dialog opens with the reference field focused.
  await kb.press('Alt+n');
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

  // The ticket page: three panes; the work in the middle shows only this category's actions.
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-9001' })).toBeFocused();
  await expect(toast(page, 'Ticket chat-9001 is open')).toBeInViewport();
  const checklist = page.getByRole('region', { name: 'Checklist: New or lost phone' });
  await expect(checklist).toContainText('Authenticator app: active');
  const help = page.getByRole('region', { name: 'Help this caller' });
  const reRegister = help.getByRole('button', { name: 'Re-register authenticator app (new or lost phone)' });
  await expect(reRegister).toHaveAttribute('aria-disabled', 'true');
  await expect(reRegister).toHaveAccessibleDescription('Verify the caller first.');
  // Unlocking is not part of a new or lost phone: it is not offered at all.
  await expect(help.locator('[data-action="unlock"]')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'The employee' })).toContainText(`${e.firstName} ${e.lastName}`);

  // Verify: an identity-check code to the address on record, read back by the caller. At
  // 1024x700 the verification is in view without scrolling, and so is each answer.
  const send = help.getByRole('button', { name: 'Send identity-check code' });
  await expect(send).toBeInViewport();
  await tabTo(page, send);
  await kb.press('Enter');
  await expect(toast(page, `Code sent to ${masked}`)).toBeInViewport();
  const identity = await mailTo(desk.dataDir, seen, address, /read this code to the adviser/i);
  const code = /^\s+(\d{6})\s*$/m.exec(identity)![1]!;
  // The code field comes first (and has the focus); "Send another code" is out of the way below it.
  const codeField = help.getByLabel('Code the caller reads back');
  await expect(codeField).toBeFocused();
  await expect(codeField).toBeInViewport();
  // A wrong code is said under the field.
  await kb.type(code === '000000' ? '111111' : '000000');
  await kb.press('Enter');
  await expect(codeField).toHaveAttribute('aria-invalid', 'true');
  await expect(codeField).toHaveAccessibleDescription(/wrong|not right|does not match/i);
  // Pasted as it is read out, with a space: accepted.
  await codeField.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await kb.press('Enter');
  await expect(help.getByTestId('caller-verified')).toContainText('For ticket chat-9001');
  await expect(toast(page, 'The code is right')).toBeInViewport();
  await expect(reRegister).not.toHaveAttribute('aria-disabled', 'true');

  // Re-register the app: a dialog first says what happens and who gets mail; nothing is sent before it is confirmed.
  const mailsBefore = await mailCount(page, e.id);
  await tabTo(page, reRegister);
  await kb.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Re-register the authenticator app?' });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('The authenticator app on the old phone stops working now.');
  await expect(confirm).toContainText(masked);
  await expect(confirm).toContainText('The one address on record is told about the change');
  // A destructive dialog opens on Cancel: Enter alone never wipes anything.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect(await mailCount(page, e.id)).toBe(mailsBefore);
  await tabTo(page, confirm.getByRole('button', { name: 'Re-register authenticator app' }));
  await kb.press('Enter');
  await expect(confirm).toBeHidden();
  await expect(toast(page, 'Authenticator app re-registration started')).toBeInViewport();
  const confirmation = await mailTo(desk.dataDir, seen, address, /CHG-\d+-[0-9A-F]{6}/);
  const changeRef = /CHG-\d+-[0-9A-F]{6}/.exec(confirmation)![0];
  expect(await mailCount(page, e.id)).toBeGreaterThan(mailsBefore);
  // It cannot be sent twice: the registration waiting now is restarted, not wiped again.
  await expect(reRegister).toHaveAttribute('aria-disabled', 'true');
  await expect(reRegister).toHaveAccessibleDescription(/already waiting/);

  // The canned replies are filled in, with the address masked and no code.
  const replies = page.getByRole('region', { name: 'Replies to paste into the webchat' });
  await expect(replies).toContainText(masked);
  await expect(replies).not.toContainText(code);

  // Resolve: a note is needed, and its absence is said under the field.
  await tabTo(page, page.getByRole('button', { name: 'Resolve…' }));
  await kb.press('Enter');
  const resolve = page.getByRole('dialog', { name: 'Resolve ticket chat-9001' });
  const note = resolve.getByLabel('Resolution note');
  await expect(note).toBeFocused();
  await kb.press('Tab');
  await kb.press('Tab');
  await expect(resolve.getByRole('button', { name: 'Resolve ticket' })).toBeFocused();
  await kb.press('Enter');
  await expect(note).toHaveAttribute('aria-invalid', 'true');
  await expect(note).toHaveAccessibleDescription(/Write the resolution note/);
  await note.focus();
  await kb.type('New phone: app re-registered after an identity check.');
  await tabTo(page, resolve.getByRole('button', { name: 'Resolve ticket' }));
  await kb.press('Enter');
  await expect(page.getByTestId('ticket-status')).toHaveText('Resolved');
  await expect(toast(page, 'Ticket chat-9001 is resolved')).toBeInViewport();
  const trail = page.getByRole('region', { name: 'What happened on this ticket' });
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
  await expect(page.getByRole('region', { name: 'What happened on this ticket' })).toContainText(/Ticket opened/i);
  // Back and Forward move between the two tickets' addresses.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Ticket chat-9002');
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-9002' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-9002' })).toBeVisible();
});
