/**
 * Managers fix the emails on record, end to end in Chromium against `desk serve` (which writes
 * each mail as an .eml file to the data directory's outbox folder when no SMTP server is set):
 * a manager corrects an address (after being told someone else changed the record first), the
 * confirmations go to the old and the new address and show in the mail log; an agent sees the
 * controls disabled with the reason, and the main process refuses them anyway.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  test,
  expect,
  callFromPage,
  expectAccessible,
  findEmployeePage,
  goToSearch,
  invokeFromPage,
  openEmployee,
  toast,
  signedInOnSeed,
  type Desk,
} from './fixtures';
import type { EmployeePageData } from '../../shared/domain';

/** The text of every .eml file the host has written so far (soft line breaks joined). */
function mails(dataDir: string): string[] {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, ''));
}

async function signedIn(page: Page, desk: Desk, role: 'manager' | 'agent') {
  await signedInOnSeed(page, desk, { employees: 200, seed: 41 }, { username: `sam.${role}`, displayName: `Sam ${role}`, role });
  await goToSearch(page);
}

/**
 * Save: a confirmation dialog first says exactly which addresses get the confirmation mail (every
 * address, old and new); its button sends the change.
 */
async function confirmSave(page: Page, recipients: string[]) {
  const dialog = page.getByRole('dialog', { name: 'Save the emails on record?' });
  await expect(dialog).toBeVisible();
  const listed = dialog.getByTestId('confirmation-recipients').getByRole('listitem');
  await expect(listed).toHaveCount(recipients.length);
  for (const r of recipients) await expect(listed.filter({ hasText: r })).toHaveCount(1);
  await dialog.getByRole('button', { name: `Save and send ${recipients.length === 1 ? '1 confirmation' : `${recipients.length} confirmations`}` }).click();
  await expect(dialog).toHaveCount(0);
}


/** An active employee with exactly one work address and no email method (so no re-registration is needed). */
async function someone(page: Page): Promise<EmployeePageData> {
  const p = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active' },
    (x) => x.employee.emails.filter((m) => m.kind === 'work').length === 1 && !x.employee.factors.some((f) => f.type === 'email' && f.state !== 'removed'),
  );
  expect(p, 'such an employee in the demo data').not.toBeNull();
  return p!;
}

test('a manager corrects a work address; a stale edit is refused first; the confirmations go to the old and the new address', async ({ page, desk }) => {
  await signedIn(page, desk, 'manager');
  const target = await someone(page);
  const e = target.employee;
  const work = e.emails.find((m) => m.kind === 'work')!;
  const fixed = `corrected.${e.employeeNumber}@nhs.net`;
  await openEmployee(page, e);

  const section = page.getByRole('region', { name: 'Emails on record' });
  await expect(section.getByRole('table', { name: 'Emails on record' })).toContainText(work.address);
  await section.getByRole('button', { name: 'Change emails on record' }).click();
  const form = section.getByRole('form', { name: 'Change emails on record' });
  await expect(form).toContainText(`Changing record version ${e.version}`);
  await expect(form.getByLabel('Work address', { exact: true })).toHaveValue(work.address);
  await expectAccessible(page, 'changing the emails on record');

  // Meanwhile another desk changes the record (codes to the work address): this edit is now stale.
  await callFromPage(page, 'records.updateEmails', {
    employeeId: e.id,
    ticketRef: 'OTHER-DESK-1',
    version: e.version,
    emails: e.emails.map((m) => ({ id: m.id, kind: m.kind, address: m.address, usedForCodes: m.id === work.id })),
  });
  await form.getByLabel('Work address', { exact: true }).fill(fixed);
  await form.getByLabel('Webchat ticket reference').fill('chat-9001');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await confirmSave(page, [fixed, ...e.emails.map((m) => m.address)]);
  const alert = form.getByRole('alert');
  await expect(alert).toContainText('Someone else changed this record: the emails on record are now');
  await expect(alert).toContainText('reload and try again');
  await form.getByRole('button', { name: 'Reload the record' }).click();

  // Again, on the record as it is now.
  await section.getByRole('button', { name: 'Change emails on record' }).click();
  await expect(form).toContainText(`Changing record version ${e.version + 1}`);
  // A bad address is refused before anything is sent.
  await form.getByLabel('Work address', { exact: true }).fill('someone@nhs.net,boss@nhs.net');
  await form.getByLabel('Webchat ticket reference').fill('chat-9001');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form).toContainText('no commas');
  await expect(form.getByLabel('Work address', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  // The message sits under the field and describes it.
  await expect(form.getByLabel('Work address', { exact: true })).toHaveAccessibleDescription(/no commas/);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await form.getByLabel('Work address', { exact: true }).fill(fixed);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await confirmSave(page, [fixed, ...e.emails.map((m) => m.address)]);

  const status = toast(page, `The emails on record were changed (record version ${e.version + 2})`);
  await expect(status).toBeVisible();
  await expect(status).toBeInViewport();
  await expect(status).toContainText('old and new');
  await expect(status).toContainText(/reference REC-/);
  await expect(form).toHaveCount(0);
  const table = section.getByRole('table', { name: 'Emails on record' });
  await expect(table).toContainText(fixed);
  await expect(table).not.toContainText(work.address);
  await expect(page.getByRole('region', { name: 'Record', exact: true })).toContainText(`Record version${e.version + 2}`);

  // The mail log lists a confirmation to the old and the new address (and any other on record).
  const mailLog = page.getByRole('region', { name: 'Mail log' });
  for (const address of [fixed, ...e.emails.map((m) => m.address)]) {
    await expect(mailLog.getByRole('row').filter({ hasText: address }).filter({ hasText: 'Record change confirmation' }).first()).toBeVisible();
  }
  const audit = page.getByRole('region', { name: 'Audit trail' });
  await expect(audit).toContainText('Emails on record changed');
  await expect(audit).toContainText('chat-9001');

  // And the mails are delivered (as .eml files here): old and new address, no code.
  await expect
    .poll(() => {
      const got = mails(desk.dataDir).filter((m) => m.includes('The email addresses on your record have changed') && m.includes(fixed));
      return [fixed, work.address].every((a) => got.some((m) => m.toLowerCase().includes(`to: ${a.toLowerCase()}`)));
    }, { timeout: 20_000 })
    .toBe(true);
  for (const m of mails(desk.dataDir).filter((x) => x.includes(`corrected from ${work.address} to ${fixed}`))) {
    expect(m).not.toMatch(/^\s+\d{6}\s*$/m);
  }
  // An address on another employee's record: refused naming them, then confirmed with a reason.
  const other = await findEmployeePage<EmployeePageData>(page, { status: 'active' }, (x) => x.employee.id !== e.id && x.employee.emails.length > 0);
  const theirs = other!.employee.emails[0]!.address;
  await section.getByRole('button', { name: 'Change emails on record' }).click();
  if (e.emails.some((m) => m.kind === 'personal')) await form.getByLabel('Personal address', { exact: true }).fill(theirs);
  else {
    await form.getByRole('button', { name: 'Add a personal address' }).click();
    await form.getByLabel('Personal address', { exact: true }).fill(theirs);
  }
  await form.getByLabel('Webchat ticket reference').fill('chat-9003');
  await form.getByRole('button', { name: 'Save changes' }).click();
  // Told: the work address, their address (new here) and any personal address it replaces.
  const told = [...new Set([fixed, theirs, ...e.emails.filter((m) => m.kind === 'personal').map((m) => m.address)].map((a) => a.toLowerCase()))];
  await confirmSave(page, told);
  await expect(form.getByRole('alert')).toContainText(`${theirs} is also on the record of employee ${other!.employee.employeeNumber}`);
  await expect(form).toContainText(`employee ${other!.employee.employeeNumber} (${other!.employee.firstName} ${other!.employee.lastName})`);
  await expectAccessible(page, 'confirming an address that another employee has');
  await form.getByLabel('I checked: the address is right for this employee too').check();
  await form.getByLabel('Reason for going ahead').fill('Shared mailbox confirmed by the line manager');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await confirmSave(page, told);
  await expect(toast(page, `The emails on record were changed (record version ${e.version + 3})`)).toBeInViewport();
  await expect(table).toContainText(theirs);

  // The search finds the employee by the new address.
  await page.getByRole('link', { name: 'Back to search' }).click();
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(fixed);
  await expect(page.getByRole('table', { name: 'Search results' })).toContainText(e.employeeNumber);
});

test('an agent sees the controls disabled with the reason, and the main process refuses them', async ({ page, desk }) => {
  await signedIn(page, desk, 'agent');
  const target = await someone(page);
  const e = target.employee;
  await openEmployee(page, e);
  const section = page.getByRole('region', { name: 'Emails on record' });
  const button = section.getByRole('button', { name: 'Change emails on record' });
  await expect(button).toBeDisabled();
  await expect(section).toContainText('Only managers and admins can change the emails on record');
  await expect(button).toHaveAccessibleDescription('Only managers and admins can change the emails on record.');
  const refused = await invokeFromPage(page, 'records.updateEmails', {
    employeeId: e.id,
    ticketRef: 'chat-9002',
    version: e.version,
    emails: [],
  });
  expect((refused.body as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  await expectAccessible(page, 'employee page for an agent');
});

test('removing the address the email method uses needs the method re-registered to another address in the same change; MFA stays enabled', async ({ page, desk }) => {
  await signedIn(page, desk, 'manager');
  const target = await findEmployeePage<EmployeePageData>(page, { status: 'active', factor: 'email', locked: false }, (x) => {
    const work = x.employee.emails.filter((m) => m.kind === 'work');
    const method = x.employee.factors.find((f) => f.type === 'email' && f.state === 'active');
    return (
      x.employee.emails.length === 2 &&
      work.length === 1 &&
      method?.emailAddress === work[0]!.address &&
      !x.employee.factors.some((f) => f.state === 'pending') &&
      !x.eligibility.reasons.some((r) => r.blocks)
    );
  });
  expect(target, 'an employee whose email method uses their work address').not.toBeNull();
  const e = target!.employee;
  const work = e.emails.find((m) => m.kind === 'work')!;
  const personal = e.emails.find((m) => m.kind === 'personal')!;
  await openEmployee(page, e);

  const section = page.getByRole('region', { name: 'Emails on record' });
  await section.getByRole('button', { name: 'Change emails on record' }).click();
  const form = section.getByRole('form', { name: 'Change emails on record' });
  await form.getByRole('button', { name: 'Remove work address' }).click();
  const group = form.getByRole('group', { name: 'Re-register the email method to' });
  await expect(group).toContainText(`The email method uses ${work.address}, which this change removes or corrects`);
  await form.getByLabel('Webchat ticket reference').fill('chat-9100');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form).toContainText('Choose the address to re-register the email method to');
  await expectAccessible(page, 'removing the address the email method uses');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await group.getByRole('radio', { name: personal.address }).check();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await confirmSave(page, [personal.address, work.address]);

  const saved = toast(page, `A registration code for the email method was sent to ${personal.address}`);
  await expect(saved).toBeVisible();
  await expect(saved).toBeInViewport();
  await expect(section.getByRole('table', { name: 'Emails on record' })).not.toContainText(work.address);
  await expect(page.getByRole('region', { name: 'Factors', exact: true })).toContainText(`Not verified yet: a code was sent to ${personal.address}`);
  await expect(page.getByRole('region', { name: 'Record', exact: true })).toContainText('Enabled since');
  const mailLog = page.getByRole('region', { name: 'Mail log' });
  await expect(mailLog.getByRole('row').filter({ hasText: personal.address }).filter({ hasText: 'Registration code' }).first()).toBeVisible();
  await expect(mailLog.getByRole('row').filter({ hasText: work.address }).filter({ hasText: 'Record change confirmation' }).first()).toBeVisible();
});
