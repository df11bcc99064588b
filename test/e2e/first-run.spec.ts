import {
  test,
  expect,
  addUser,
  createFirstAdmin,
  signIn,
  signOut,
  expectAccessible,
  expectAccessibleAtBothSizes,
  PASSWORD,
  type DeskUser,
} from './fixtures';

test('first run: create the first admin, enrol the authenticator app, sign in and out', async ({ page, desk }) => {
  await page.goto(desk.url);
  await expect(page).toHaveTitle(/MFA Desk/);
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible();
  await expectAccessibleAtBothSizes(page, 'first run');

  // Mistakes are shown by the fields and in the alert.
  await page.getByLabel('Username').fill('ad');
  await page.getByLabel('Display name').fill('Ada Admin');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('different');
  await page.getByRole('button', { name: 'Create admin' }).click();
  await expect(page.getByRole('alert')).toContainText('Use at least 12 characters');
  await expect(page.getByLabel('Confirm password')).toHaveAccessibleDescription(/passwords do not match/);
  // Each problem sits under its own field, and the first of them has the focus.
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveAccessibleDescription(/Use 3–64 letters, digits, dots, dashes or underscores/);
  await expect(page.getByLabel('Username')).toBeFocused();
  await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(/Use at least 12 characters/);
  await expect(page.getByLabel('Display name')).not.toHaveAttribute('aria-invalid', 'true');
  await expectAccessibleAtBothSizes(page, 'first run with errors');

  const admin: DeskUser = await createFirstAdmin(page, { username: 'ada.admin', displayName: 'Ada Admin', password: PASSWORD });
  await expect(page.getByLabel('Username')).toHaveValue('ada.admin');
  await expect(page.getByRole('status')).toContainText('ada.admin has been created');
  await expectAccessible(page, 'sign in');

  // First sign-in enrols the authenticator app.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expect(page.getByText('ada.admin', { exact: false }).first()).toBeVisible();
  await expectAccessible(page, 'enrolment');

  // A wrong code is refused with a message.
  await page.getByLabel('Authenticator code').fill('000000');
  await page.getByRole('button', { name: 'Verify code and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('code is not right');

  await page.getByRole('button', { name: 'Start again' }).click();
  await signIn(page, admin);

  // Signed in: header with name and role; an empty database offers demo data.
  await expect(page.getByRole('banner')).toContainText('Ada Admin');
  await expect(page.getByRole('banner')).toContainText('Admin');
  await expect(page.getByText('The database has no employees yet. Load demo data?')).toBeVisible();
  await expectAccessible(page, 'signed in, empty database');

  await signOut(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue('ada.admin');

  // Second sign-in: password and the next code, no enrolment.
  await signIn(page, admin);
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
});

test('first run: an admin made elsewhere in the meantime is refused in plain words, and nothing else is created', async ({ page, desk }) => {
  await page.goto(desk.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible();
  // Someone creates the first admin from the command line while this form is open.
  await addUser(desk, { username: 'cli.admin', displayName: 'Cli Admin', role: 'admin', password: PASSWORD });
  await page.getByLabel('Username').fill('ada.admin');
  await page.getByLabel('Display name').fill('Ada Admin');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create admin' }).click();
  await expect(page.getByRole('alert')).toContainText('A desk user already exists; sign in instead');
  await expect(page.getByRole('alert')).not.toContainText('Some of the input is not valid');
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible();
  const r = await desk.runCli(['users', 'list']);
  expect(r.stdout).toContain('cli.admin');
  expect(r.stdout).not.toContain('ada.admin');
  await page.getByRole('alert').getByRole('button', { name: 'Go to sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});
