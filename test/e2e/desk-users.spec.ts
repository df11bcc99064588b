import {
  test,
  expect,
  addUser,
  callFromPage,
  expectAccessible,
  expectAccessibleAtBothSizes,
  openAdminPlace,
  readEnrolmentKey,
  recordCalls,
  signIn,
  toast,
  Authenticator,
  PASSWORD,
} from './fixtures';

interface DeskUserRow {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
}

async function deskUser(page: Parameters<typeof callFromPage>[0], username: string): Promise<DeskUserRow> {
  const list = await callFromPage<DeskUserRow[]>(page, 'desk.users.list', {});
  const found = list.find((u) => u.username === username);
  if (!found) throw new Error(`no desk user ${username}`);
  return found;
}

test('an admin adds a desk user, who replaces the temporary password at the first sign-in; then disables them', async ({ page, desk, browser }) => {
  test.slow(); // two desks, an enrolment and several accessibility checks
  const admin = await addUser(desk, { username: 'grace.admin', displayName: 'Grace Hopper', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);

  await openAdminPlace(page, 'Desk users');
  await expect(page.getByRole('heading', { level: 1, name: 'Desk users' })).toBeFocused();
  await expect(page.getByRole('row', { name: /grace\.admin/ })).toContainText('Admin');
  await page.getByLabel('Username').fill('nina.agent');
  await page.getByLabel('Full name').fill('Nina Agent');
  await page.getByLabel('Role', { exact: true }).selectOption('agent');
  await page.getByRole('button', { name: 'Add desk user' }).click();
  const shown = page.getByRole('region', { name: 'Temporary password' });
  await expect(shown).toContainText('Temporary password for nina.agent');
  await expect(shown).toContainText('must replace it with their own password at their first sign-in');
  await expect(shown.getByRole('button', { name: 'Copy the temporary password' })).toBeVisible();
  const temporary = (await shown.locator('code').textContent())!.trim();
  expect(temporary).toMatch(/^[A-Za-z0-9_-]{20}$/);
  const row = page.getByRole('row', { name: /nina\.agent/ });
  await expect(row).toContainText('Temporary password');
  await expect(toast(page, 'nina.agent is added as an agent.')).toBeVisible();
  await expectAccessible(page, 'desk users');

  // Nina, on her own desk: the temporary password, then her own, then the authenticator app.
  const other = await browser.newContext();
  // The printed link is taken once: Nina's window is given this launch's host cookie (not the
  // admin's session), as a second window of the browser that opened the link would have it.
  await other.addCookies((await page.context().cookies()).filter((c) => c.name.startsWith('desk_host_')));
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

  // The admin comes back to the list: Nina's password is her own now.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
  await openAdminPlace(page, 'Desk users');
  await expect(row).not.toContainText('Temporary password');

  // Disabling asks first; cancelling changes nothing.
  const setEnabled = recordCalls(page, 'desk.users.setEnabled');
  await row.getByRole('button', { name: 'Actions for nina.agent' }).click();
  await page.getByRole('menuitem', { name: 'Disable…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disable nina.agent?' });
  await expect(dialog).toContainText('Nina Agent (nina.agent) cannot sign in until an admin enables them again. Their sessions end now.');
  await expectAccessible(page, 'disable dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(setEnabled).toEqual([]);
  expect((await deskUser(page, 'nina.agent')).disabled).toBe(false);
  await expect(row).toContainText('Active');

  // Confirmed with a double click: sent once. Her desk is back at sign-in.
  await row.getByRole('button', { name: 'Actions for nina.agent' }).click();
  await page.getByRole('menuitem', { name: 'Disable…' }).click();
  await dialog.getByRole('button', { name: 'Disable nina.agent' }).dblclick();
  await expect(toast(page, 'nina.agent is disabled.')).toBeVisible();
  await expect(dialog).toBeHidden();
  expect(setEnabled).toHaveLength(1);
  await expect(row).toContainText('Disabled');
  expect((await deskUser(page, 'nina.agent')).disabled).toBe(true);
  await nina.reload();
  await expect(nina.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await nina.getByLabel('Username').fill('nina.agent');
  await nina.getByLabel('Password').fill('ninas own long password');
  await nina.getByRole('button', { name: 'Sign in' }).click();
  await expect(nina.getByRole('alert')).toHaveText('Wrong username or password');
  await other.close();

  // The only admin cannot disable themselves: the refusal says so, on their own row.
  const self = page.getByRole('row', { name: /grace\.admin/ });
  await expect(page.getByText('There is one active admin.')).toBeVisible();
  await self.getByRole('button', { name: 'Actions for grace.admin' }).click();
  await page.getByRole('menuitem', { name: 'Disable…' }).click();
  const selfDialog = page.getByRole('dialog', { name: 'Disable grace.admin?' });
  await expect(selfDialog).toContainText('This is your own account');
  await selfDialog.getByRole('button', { name: 'Disable grace.admin' }).click();
  const refusal = toast(page, 'last active admin');
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('You cannot do this to your own account');
  await expect(self).toContainText('Active');
  expect((await deskUser(page, 'grace.admin')).disabled).toBe(false);
});

test('a role change and a password reset are confirmed first and sent once; the screen fits both window sizes', async ({ page, desk }) => {
  test.slow(); // accessibility checks at two sizes
  const admin = await addUser(desk, { username: 'grace.admin', displayName: 'Grace Hopper', role: 'admin', password: PASSWORD });
  await addUser(desk, { username: 'sam.agent', displayName: 'Sam Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);
  await openAdminPlace(page, 'Desk users');
  await expectAccessibleAtBothSizes(page, 'desk users');
  const row = page.getByRole('row', { name: /sam\.agent/ });
  const rowHeight = (await row.boundingBox())!.height;
  expect(rowHeight).toBeLessThanOrEqual(40);

  // Change role: the dialog names the person and what happens; cancelling changes nothing.
  const setRole = recordCalls(page, 'desk.users.setRole');
  await row.getByRole('button', { name: 'Actions for sam.agent' }).click();
  await page.getByRole('menuitem', { name: 'Change role…' }).click();
  const roleDialog = page.getByRole('dialog', { name: 'Change the role of sam.agent?' });
  await expect(roleDialog).toContainText('Sam Agent (sam.agent) is an agent now. Their sessions end when the role changes');
  await expect(roleDialog.getByRole('button', { name: 'Change role of sam.agent' })).toHaveAttribute('aria-disabled', 'true');
  await roleDialog.getByRole('radio', { name: 'Supervisor' }).check();
  await expectAccessible(page, 'role dialog');
  await roleDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(roleDialog).toBeHidden();
  expect(setRole).toEqual([]);
  expect((await deskUser(page, 'sam.agent')).role).toBe('agent');

  await row.getByRole('button', { name: 'Actions for sam.agent' }).click();
  await page.getByRole('menuitem', { name: 'Change role…' }).click();
  await roleDialog.getByRole('radio', { name: 'Supervisor' }).check();
  await roleDialog.getByRole('button', { name: 'Make sam.agent a supervisor' }).dblclick();
  await expect(toast(page, 'sam.agent is now a supervisor.')).toBeVisible();
  expect(setRole).toHaveLength(1);
  await expect(row).toContainText('Supervisor');
  expect((await deskUser(page, 'sam.agent')).role).toBe('supervisor');

  // Reset password: confirmed, then the temporary password shows once in the same dialog.
  const reset = recordCalls(page, 'desk.users.resetPassword');
  await row.getByRole('button', { name: 'Actions for sam.agent' }).click();
  await page.getByRole('menuitem', { name: 'Reset password…' }).click();
  const resetDialog = page.getByRole('dialog', { name: 'Reset the password of sam.agent?' });
  await expect(resetDialog).toContainText('Their sessions end now; they sign in with a temporary password shown to you once');
  await resetDialog.getByRole('button', { name: 'Reset password of sam.agent' }).dblclick();
  const shown = resetDialog.getByRole('region', { name: 'Temporary password' });
  await expect(shown).toContainText('Temporary password for sam.agent');
  expect((await shown.locator('code').textContent())!.trim()).toMatch(/^[A-Za-z0-9_-]{20}$/);
  expect(reset).toHaveLength(1);
  await shown.getByRole('button', { name: 'I have passed it on' }).click();
  await expect(resetDialog).toBeHidden();
  await expect(row).toContainText('Temporary password');
  expect((await deskUser(page, 'sam.agent')).mustChangePassword).toBe(true);
});
