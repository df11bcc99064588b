import { test, expect, addUser, seed, Authenticator, PASSWORD } from './fixtures';

test('keyboard only: from sign-in to an employee page and back', async ({ page, desk }) => {
  await seed(desk, 300, 3);
  const agent = await addUser(desk, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  const kb = page.keyboard;

  // The username field has focus on arrival.
  await expect(page.getByLabel('Username')).toBeFocused();
  await kb.type(agent.username);
  await kb.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await kb.type(agent.password);
  await kb.press('Enter');

  // Enrolment: the code field has focus; Shift+Tab reaches "Can't scan? Enter this key".
  const codeField = page.getByLabel('Authenticator code');
  await expect(codeField).toBeFocused();
  await kb.press('Shift+Tab');
  const toggle = page.getByRole('button', { name: "Can't scan? Enter this key" });
  await expect(toggle).toBeFocused();
  await kb.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const key = (await page.locator('code.secret-key').textContent()) ?? '';
  const app = new Authenticator(key.replace(/\s+/g, ''));
  await kb.press('Tab');
  await expect(codeField).toBeFocused();
  await kb.type(await app.code());
  await kb.press('Enter');

  // Signed in: the search box has focus.
  const search = page.getByRole('searchbox', { name: 'Search employees' });
  await expect(search).toBeFocused();
  await kb.type('an');
  const results = page.getByRole('table', { name: 'Search results' });
  await expect(results.getByRole('row').nth(3)).toBeVisible();

  // ArrowDown moves into the results, then from row to row; ArrowUp back.
  await kb.press('ArrowDown');
  const buttons = results.getByRole('button');
  await expect(buttons.nth(0)).toBeFocused();
  await kb.press('ArrowDown');
  await kb.press('ArrowDown');
  await expect(buttons.nth(2)).toBeFocused();
  await kb.press('ArrowUp');
  await expect(buttons.nth(1)).toBeFocused();
  // Only the active row is in the tab order.
  await expect(buttons.nth(1)).toHaveAttribute('tabindex', '0');
  await expect(buttons.nth(0)).toHaveAttribute('tabindex', '-1');
  const name = (await buttons.nth(1).textContent()) ?? '';
  const [last, first] = name.split(', ');

  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: `${first} ${last}` })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Record', exact: true })).toBeVisible();

  // Escape goes back to the results with the same row focused.
  await kb.press('Escape');
  await expect(results.getByRole('button', { name })).toBeFocused();
  // ArrowUp from the first row returns to the search box.
  await kb.press('Home');
  await kb.press('ArrowUp');
  await expect(search).toBeFocused();

  // Tab order reaches the header's Sign out via Shift+Tab.
  await kb.press('Shift+Tab');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeFocused();
  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});
