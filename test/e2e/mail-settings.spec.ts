/**
 * An admin sets up mail in Settings and sends a test mail, received by a real SMTP server on
 * loopback; the password is never shown again; agents have no Settings.
 */
import { test, expect, addUser, expectAccessible, signIn, PASSWORD } from './fixtures';
import { startSmtpServer } from '../support/mail-server';

test('an admin sets the SMTP server, the password stays hidden, and a test mail arrives', async ({ page, desk }) => {
  const smtp = await startSmtpServer();
  try {
    const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
    await page.goto(desk.url);
    await signIn(page, admin);
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    // Where the data key is: the browser host keeps it in the 0600 key file, which is as meant.
    await expect(page.getByRole('region', { name: 'Data key' })).toContainText('the key file');
    await expect(page.getByRole('region', { name: 'Data key' }).getByRole('status')).toHaveCount(0);
    const mail = page.getByRole('region', { name: 'Mail (SMTP)' });
    await expect(mail.getByLabel('Host')).toHaveValue('');
    await expect(mail).toContainText('No password is stored.');

    // No server yet: the test mail goes to the outbox folder.
    await mail.getByLabel('Send a test mail to').fill('someone@example.org');
    await mail.getByRole('button', { name: 'Send test mail' }).click();
    await expect(mail).toContainText('Sent (outbox folder): No SMTP server is set');

    // A bad port is refused at the field, nothing saved.
    await mail.getByLabel('Port').fill('0');
    await mail.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(mail.getByRole('alert')).toContainText('not valid');
    await expect(mail.getByLabel('Port')).toHaveAttribute('aria-invalid', 'true');

    await mail.getByLabel('Host').fill('127.0.0.1');
    await mail.getByLabel('Port').fill(String(smtp.port));
    await mail.getByLabel('Security').selectOption('none');
    await mail.getByLabel('Password', { exact: true }).fill('e2e-smtp-secret');
    await mail.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(mail.getByRole('status').first()).toContainText(`Saved. Mail goes out through 127.0.0.1:${smtp.port}.`);
    await expect(mail.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(mail).toContainText('A password is stored (it is never shown).');
    expect(await page.content()).not.toContain('e2e-smtp-secret');

    await mail.getByRole('button', { name: 'Send test mail' }).click();
    await expect(mail).toContainText(/Sent \(SMTP\): 250 /);
    await expect.poll(() => smtp.received.filter((m) => m.to.includes('someone@example.org')).length).toBe(1);
    await expectAccessible(page, 'settings');
  } finally {
    await smtp.close();
  }
});

test('agents have no Settings', async ({ page, desk }) => {
  const agent = await addUser(desk, { username: 'pat.agent', displayName: 'Pat Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, agent);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Settings' })).toHaveCount(0);
});
