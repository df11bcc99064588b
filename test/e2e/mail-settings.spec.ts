/**
 * An admin sets up mail in Settings and sends a test mail, received by a real SMTP server on
 * loopback; the password is never shown again; a wrong port or From is said under its field; the
 * canned replies' problems sit under the reply they concern; agents have no Settings.
 */
import path from 'node:path';
import {
  test,
  expect,
  accountButton,
  addUser,
  callFromPage,
  expectAccessible,
  expectAccessibleAtBothSizes,
  openAdminPlace,
  signIn,
  toast,
  PASSWORD,
} from './fixtures';
import { startSmtpServer } from '../support/mail-server';

interface SmtpView {
  host: string;
  port: number;
  from: string;
  passwordSet: boolean;
}

test('an admin sets the SMTP server, the password stays hidden, and a test mail arrives', async ({ page, desk }) => {
  const smtp = await startSmtpServer();
  try {
    const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
    await page.goto(desk.url);
    await signIn(page, admin);
    await openAdminPlace(page, 'Settings');
    // Where the data key is: the browser host keeps it in the 0600 key file, which is as meant.
    const dataKey = page.getByRole('region', { name: 'Data key' });
    await expect(dataKey).toContainText("a key file readable by this computer's user only");
    await expect(dataKey.locator('[data-local-path]')).toHaveText(path.join(desk.dataDir, 'secret.key'));
    await expect(dataKey.getByRole('status')).toHaveCount(0);
    const mail = page.getByRole('region', { name: 'Mail (SMTP)' });
    await expect(mail.getByLabel('Host')).toHaveValue('');
    await expect(mail).toContainText('No password is stored.');
    await expectAccessibleAtBothSizes(page, 'settings');

    // No server yet: the test mail goes to the outbox folder.
    const testMail = page.getByRole('region', { name: 'Send a test mail' });
    await testMail.getByLabel('Send a test mail to').fill('someone@example.org');
    await testMail.getByRole('button', { name: 'Send test mail' }).click();
    await expect(testMail).toContainText('Sent (outbox folder): No SMTP server is set');

    // A bad port is refused at the field, nothing saved.
    await mail.getByLabel('Port').fill('0');
    await mail.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(mail.getByLabel('Port')).toHaveAttribute('aria-invalid', 'true');
    await expect(mail.getByLabel('Port')).toHaveAccessibleDescription(/Enter a port from 1 to 65,535/);
    await expect(mail.getByLabel('Port')).toBeFocused();
    expect((await callFromPage<SmtpView>(page, 'smtp.get', {})).port).toBe(587);

    // A From that is not an address: the main process's words, under From; nothing saved.
    await mail.getByLabel('Port').fill('2525');
    await mail.getByLabel('From').fill('the desk');
    await mail.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(mail.getByLabel('From')).toHaveAttribute('aria-invalid', 'true');
    await expect(mail.getByLabel('From')).toHaveAccessibleDescription(/Enter an address, or a name and <address>/);
    await expect(mail.getByLabel('Port')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Some of the input is not valid')).toHaveCount(0);
    expect(await callFromPage<SmtpView>(page, 'smtp.get', {})).toMatchObject({ port: 587, from: 'Shared Services <no-reply@mfa-desk.local>' });
    await expectAccessibleAtBothSizes(page, 'settings with field errors');

    await mail.getByLabel('From').fill('Shared Services <desk@example.org>');
    await mail.getByLabel('Host').fill('127.0.0.1');
    await mail.getByLabel('Port').fill(String(smtp.port));
    await mail.getByLabel('Security').selectOption('none');
    await mail.getByLabel('Password', { exact: true }).fill('e2e-smtp-secret');
    await mail.getByRole('button', { name: 'Save mail settings' }).click();
    const saved = toast(page, `Saved. Mail goes out through 127.0.0.1:${smtp.port}.`);
    await expect(saved).toBeVisible();
    await expect(saved).toHaveAttribute('data-kind', 'success');
    await expect(mail.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(mail).toContainText('A password is stored (it is never shown).');
    expect(await page.content()).not.toContain('e2e-smtp-secret');
    expect(await callFromPage<SmtpView>(page, 'smtp.get', {})).toMatchObject({ host: '127.0.0.1', port: smtp.port, passwordSet: true });

    await testMail.getByRole('button', { name: 'Send test mail' }).click();
    await expect(testMail).toContainText(/Sent \(SMTP\): 250 /);
    await expect.poll(() => smtp.received.filter((m) => m.to.includes('someone@example.org')).length).toBe(1);
    await expectAccessible(page, 'settings');
  } finally {
    await smtp.close();
  }
});

test('a canned reply the main process refuses shows its problem under that reply', async ({ page, desk }) => {
  const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);
  await openAdminPlace(page, 'Settings');
  const replies = page.getByRole('region', { name: 'Canned replies' });
  const before = await callFromPage<Array<{ text: string }>>(page, 'replies.get', {});
  await replies.getByRole('button', { name: /^Reply 4:/ }).click();
  const text = replies.getByLabel('Text of reply 4');
  await text.fill('Your code is 123456.');
  await replies.getByRole('button', { name: 'Save canned replies' }).click();
  await expect(text).toHaveAttribute('aria-invalid', 'true');
  await expect(text).toHaveAccessibleDescription(/six or more digits/);
  await expect(text).toBeFocused();
  expect(await callFromPage(page, 'replies.get', {})).toEqual(before);
  await expectAccessibleAtBothSizes(page, 'settings, a refused reply');

  await text.fill('Hello {{firstName}}, your new code is on its way to {{maskedEmail}}.');
  await replies.getByRole('button', { name: 'Save canned replies' }).click();
  await expect(toast(page, /^Canned replies saved/)).toBeVisible();
  const after = await callFromPage<Array<{ text: string }>>(page, 'replies.get', {});
  expect(after[3]!.text).toBe('Hello {{firstName}}, your new code is on its way to {{maskedEmail}}.');
});

test('agents have no Settings', async ({ page, desk }) => {
  const agent = await addUser(desk, { username: 'pat.agent', displayName: 'Pat Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, agent);
  await expect(accountButton(page)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Settings' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await page.evaluate("window.location.hash = '#/admin/settings'");
  await expect(page.getByRole('heading', { level: 1, name: 'There is nothing at this address' })).toBeVisible();
});
