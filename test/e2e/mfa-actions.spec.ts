/**
 * The agent's main job, end to end in Chromium against `desk serve` (which delivers mail itself:
 * with no SMTP server set, each mail is written as an .eml file to the data directory's outbox
 * folder, where this test reads the code the "caller" reads back).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, findEmployeePage, goToSearch, invokeFromPage, openEmployee, seed, toast, signedInOnSeed } from './fixtures';
import type { EmployeePageData } from '../../shared/domain';

/** The .eml files the host has written so far. */
function emlFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(dir, f));
}

/** Wait for a new mail to `to` whose text matches `marker`, and return its 6-digit code. */
async function codeFromMail(dataDir: string, seen: Set<string>, to: string, marker: RegExp): Promise<string> {
  let code: string | null = null;
  await expect
    .poll(
      () => {
        for (const file of emlFiles(dataDir)) {
          if (seen.has(file)) continue;
          const raw = fs.readFileSync(file, 'utf8');
          // Quoted-printable soft line breaks joined, so the text reads as written.
          const text = raw.replace(/=\r?\n/g, '');
          if (!text.toLowerCase().includes(`to: ${to.toLowerCase()}`) || !marker.test(text)) continue;
          seen.add(file);
          code = /^\s+(\d{6})\s*$/m.exec(text)?.[1] ?? null;
          return code;
        }
        return null;
      },
      { timeout: 20_000, message: `a mail to ${to}` },
    )
    .not.toBeNull();
  return code!;
}

async function signedInAgent(page: Page, desk: Parameters<typeof seed>[0]) {
  await signedInOnSeed(page, desk, { employees: 400, seed: 31 }, { username: 'pat.agent', displayName: 'Pat Agent', role: 'agent' });
  await goToSearch(page);
}

test('an agent verifies the caller with an emailed code, re-registers their app, and sees it pending with its mail', async ({ page, desk }) => {
  await signedInAgent(page, desk);
  const target = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'authenticator_app', mfa: 'enabled', locked: false },
    (p) => p.employee.emails.length >= 1 && !p.employee.factors.some((f) => f.state === 'pending'),
  );
  expect(target, 'an employee with an authenticator app in the demo data').not.toBeNull();
  const e = target!.employee;
  const seen = new Set(emlFiles(desk.dataDir));
  await openEmployee(page, e);

  const help = page.getByRole('region', { name: 'Help this caller' });
  await help.getByLabel('Webchat ticket reference').fill('chat-7001');
  await expect(help).toContainText('Caller not verified for ticket chat-7001');
  // Nothing sensitive can be done yet: the button says why, and the main process refuses anyway.
  const reRegister = help.getByRole('button', { name: 'Re-register authenticator app (new or lost phone)' });
  await expect(reRegister).toHaveAttribute('aria-disabled', 'true');
  await expect(reRegister).toHaveAccessibleDescription('Verify the caller first.');
  const refused = await invokeFromPage(page, 'mfa.reRegister', {
    employeeId: e.id,
    ticketRef: 'chat-7001',
    factorType: 'authenticator_app',
    emailId: e.emails[0]!.id,
  });
  expect((refused.body as { error: { code: string } }).error.code).toBe('RULE_VIOLATION');

  // A wrong authenticator code verifies nothing (and says so under the field).
  const appCode = help.getByLabel('Or: the current code in the caller’s authenticator app');
  await appCode.fill('12345x');
  await help.getByRole('button', { name: 'Check authenticator code' }).click();
  await expect(appCode).toHaveAttribute('aria-invalid', 'true');
  await expect(appCode).toHaveAccessibleDescription(/Enter the 6-digit code/);
  await expect(help).toContainText('Caller not verified for ticket chat-7001');

  // Send an identity-check code to an address on record; the caller reads it back.
  const address = e.emails[0]!.address;
  if (e.emails.length > 1) await help.getByRole('radiogroup', { name: 'Send an identity-check code to' }).getByRole('radio', { name: address }).check();
  await help.getByRole('button', { name: 'Send identity-check code' }).click();
  await expect(toast(page, `Code sent to ${address[0]}•••@${address.split('@')[1]}`)).toBeInViewport();
  const code = await codeFromMail(desk.dataDir, seen, address, /read this code to the adviser/i);
  await help.getByLabel('Code the caller reads back').fill(code);
  await help.getByRole('button', { name: 'Check code', exact: true }).click();
  await expect(help.getByTestId('caller-verified')).toContainText('For ticket chat-7001, by an identity-check code sent by email');
  await expect(help.getByTestId('caller-verified')).toContainText('by pat.agent');

  // Re-register the app (new phone), after a confirmation: pending, a registration code by email, everyone told.
  await expect(reRegister).not.toHaveAttribute('aria-disabled', 'true');
  await reRegister.click();
  await page.getByRole('dialog', { name: 'Re-register the authenticator app?' }).getByRole('button', { name: 'Re-register authenticator app' }).click();
  await expect(toast(page, 'Authenticator app re-registration started')).toBeInViewport();
  const factors = page.getByRole('region', { name: 'Factors' });
  await expect(factors).toContainText(/Re-registration pending/i);
  await expect(page.getByRole('region', { name: 'One-time codes' })).toContainText('Registration');
  const mailLog = page.getByRole('region', { name: 'Mail log' });
  await expect(mailLog).toContainText('Registration code');
  await expect(mailLog).toContainText('Change confirmation');
  for (const m of e.emails) await expect(mailLog).toContainText(m.address);
  // MFA stays on.
  await expect(page.getByRole('region', { name: 'Record', exact: true })).toContainText('Enabled since');
  // The audit trail has each step against the ticket.
  const audit = page.getByRole('region', { name: 'Audit trail' });
  await expect(audit).toContainText('chat-7001');

  // The mails arrive: a registration code to the chosen address, a confirmation to every address.
  await codeFromMail(desk.dataDir, seen, address, /finish setting up multi-factor authentication/i);
  await expect.poll(() => emlFiles(desk.dataDir).filter((f) => /have changed/i.test(fs.readFileSync(f, 'utf8'))).length).toBeGreaterThanOrEqual(e.emails.length);
  await expect(mailLog).toBeVisible();
  await expectAccessible(page, 'employee page after re-registration');
});

test('a factor cannot be removed unless both are set up, and nothing turns MFA off', async ({ page, desk }) => {
  await signedInAgent(page, desk);
  const single = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', factor: 'authenticator_app', mfa: 'enabled' },
    (p) => p.employee.emails.length >= 1 && !p.employee.factors.some((f) => f.type === 'email' && f.state === 'active'),
  );
  expect(single, 'an employee with the app only').not.toBeNull();
  await openEmployee(page, single!.employee);
  const help = page.getByRole('region', { name: 'Help this caller' });
  await help.getByLabel('Webchat ticket reference').fill('chat-7002');
  // The only way to remove a method says why it cannot be done: no button removes anything here.
  const removeButtons = help.getByRole('button', { name: /Remove/ });
  await expect(removeButtons).toHaveCount(1);
  await expect(removeButtons).toHaveAttribute('aria-disabled', 'true');
  await expect(removeButtons).toHaveAccessibleDescription('A method can be removed only when both (app and email) are set up.');
  await expect(help.getByRole('button', { name: /turn off|disable/i })).toHaveCount(0);
  // Straight to the main process: refused, whatever the renderer shows.
  const app = single!.employee.factors.find((f) => f.type === 'authenticator_app' && f.state === 'active')!;
  const r = await invokeFromPage(page, 'mfa.removeFactor', { employeeId: single!.employee.id, ticketRef: 'chat-7002', factorId: app.id });
  expect((r.body as { error: { code: string } }).error.code).toBe('RULE_VIOLATION');
});
