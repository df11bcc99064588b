import { test, expect, addUser, expectAccessible, readEnrolmentKey, signIn, Authenticator, PASSWORD } from './fixtures';

test('an admin adds a desk user, who replaces the temporary password at the first sign-in; then disables them', async ({ page, desk, browser }) => {
  const admin = await addUser(desk, { username: 'grace.admin', displayName: 'Grace Hopper', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);

  await page.getByRole('button', { name: 'Desk users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Desk users' })).toBeFocused();
  await expect(page.getByRole('row', { name: /grace\.admin/ })).toContainText('Admin');
  await page.getByLabel('Username').fill('nina.agent');
  await page.getByLabel('Full name').fill('Nina Agent');
  await page.getByLabel('Role', { exact: true }).selectOption('agent');
  await page.getByRole('button', { name: 'Add desk user' }).click();
  const shown = page.getByRole('region', { name: 'Temporary password' });
  await expect(shown).toContainText('Temporary password for nina.agent');
  const temporary = (await shown.locator('code').textContent())!.trim();
  expect(temporary).toMatch(/^[A-Za-z0-9_-]{20}$/);
  const row = page.getByRole('row', { name: /nina\.agent/ });
  await expect(row).toContainText('temporary password');
  await expectAccessible(page, 'desk users');

  // Nina, on her own desk: the temporary password, then her own, then the authenticator app.
  const other = await browser.newContext();
  const nina = await other.newPage();
  await nina.goto(desk.url);
  await nina.getByLabel('Username').fill('nina.agent');
  await nina.getByLabel('Password').fill(temporary);
  await nina.getByRole('button', { name: 'Sign in' }).click();
  await expect(nina.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await expectAccessible(nina, 'choose a new password');
  await nina.getByLabel('New password', { exact: true }).fill('ninas own long password');
  await nina.getByLabel('New password again').fill('ninas own long password');
  await nina.getByRole('button', { name: 'Save password and continue' }).click();
  await expect(nina.getByRole('heading', { level: 1, name: 'Set up your authenticator app' })).toBeVisible();
  const app = new Authenticator(await readEnrolmentKey(nina));
  await nina.getByLabel('Authenticator code').fill(await app.code());
  await nina.getByLabel('Authenticator code').press('Enter');
  await expect(nina.getByRole('banner')).toContainText('Nina Agent');

  // The admin disables her (a second click confirms); her desk is back at sign-in.
  await page.getByRole('button', { name: 'Back to search' }).click();
  await page.getByRole('button', { name: 'Desk users' }).click();
  await expect(row).not.toContainText('temporary password');
  await row.getByRole('button', { name: 'Disable nina.agent' }).click();
  await page.getByRole('region', { name: 'Confirm the change' }).getByRole('button', { name: 'Disable nina.agent' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'nina.agent is disabled.' })).toBeVisible();
  await expect(row).toContainText('Disabled');
  await nina.reload();
  await expect(nina.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await nina.getByLabel('Username').fill('nina.agent');
  await nina.getByLabel('Password').fill('ninas own long password');
  await nina.getByRole('button', { name: 'Sign in' }).click();
  await expect(nina.getByRole('alert')).toHaveText('Wrong username or password');
  await other.close();

  // The only admin cannot disable themselves.
  await page.getByRole('row', { name: /grace\.admin/ }).getByRole('button', { name: 'Disable grace.admin' }).click();
  await page.getByRole('region', { name: 'Confirm the change' }).getByRole('button', { name: 'Disable grace.admin' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'last active admin' })).toBeVisible();
  await expect(page.getByRole('row', { name: /grace\.admin/ })).toContainText('Active');
});
