import {
  test,
  expect,
  accountButton,
  addUser,
  callFromPage,
  findEmployeePage,
  goToSearch,
  openEmployee,
  resultsTable,
  seed,
  signedInOnSeed,
  Authenticator,
  PASSWORD,
} from './fixtures';
import type { EmployeePageData } from '../../shared/domain';

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

  // Signed in (an agent starts at the inbox): Ctrl+K goes to the search, whose box has focus; there is one skip link.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets', exact: true })).toHaveAttribute('aria-current', 'page');
  await kb.press('Control+k');
  const search = page.getByRole('searchbox', { name: 'Search employees' });
  await expect(search).toBeFocused();
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toHaveCount(1);
  await kb.type('an');
  const { table: results, buttons } = resultsTable(page);
  await expect(results.getByRole('row').nth(3)).toBeVisible();
  // Wait for the answer for "an" (until then the list is everyone, by name).
  const an = await callFromPage<{ count: number }>(page, 'employees.count', { query: 'an', filters: {} });
  await expect(page.getByRole('status').filter({ hasText: /match/ })).toHaveText(`${an.count} matches`);

  // ArrowDown moves into the results, then from row to row; ArrowUp back.
  await kb.press('ArrowDown');
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
  await expect(results.getByRole('button', { name, exact: true })).toBeFocused();
  // ArrowUp from the first row returns to the search box.
  await kb.press('Home');
  await kb.press('ArrowUp');
  await expect(search).toBeFocused();

  // Tab moves on to the filters, in order, all reachable by keyboard.
  await kb.press('Tab');
  await expect(page.getByLabel('Status', { exact: true })).toBeFocused();
  await kb.press('Tab');
  await expect(page.getByLabel('MFA state')).toBeFocused();
  await kb.press('Tab');
  await expect(page.getByLabel('Factor')).toBeFocused();
  await kb.press('Tab');
  await expect(page.getByLabel('Organisation')).toBeFocused();
  await kb.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'Pending registration' })).toBeFocused();
  await kb.press('Space');
  await expect(page.getByRole('checkbox', { name: 'Pending registration' })).toBeChecked();
  await kb.press('Space');
  await kb.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'Locked' })).toBeFocused();
  await kb.press('Tab');
  await expect(page.getByLabel('Sort by')).toBeFocused();
  // Then the column sort buttons, and the results' one tab stop.
  await kb.press('Tab');
  await expect(results.getByRole('button', { name: 'Name', exact: true })).toBeFocused();
  await kb.press('Enter');
  await expect(results.getByRole('columnheader', { name: 'Name', exact: true })).toHaveAttribute('aria-sort', 'ascending');

  // Ctrl+K returns to the search box; Shift+Tab from there reaches the header's account menu, which holds Sign out.
  await kb.press('Control+k');
  await expect(search).toBeFocused();
  await kb.press('Shift+Tab');
  await expect(accountButton(page)).toBeFocused();
  await kb.press('Enter');
  const signOutItem = page.getByRole('menuitem', { name: 'Sign out' });
  await expect(signOutItem).toBeVisible();
  for (let i = 0; i < 5 && !(await signOutItem.evaluate((el) => el.matches(':focus'))); i++) await kb.press('ArrowDown');
  await expect(signOutItem).toBeFocused();
  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('Ctrl+K focuses the search from the employee page; the keyboard alone gets to the next employee', async ({ page, desk }) => {
  await signedInOnSeed(page, desk, { employees: 600, seed: 8 }, { username: 'kit.agent', displayName: 'Kit Agent', role: 'agent' });
  await goToSearch(page);
  const kb = page.keyboard;
  const search = page.getByRole('searchbox', { name: 'Search employees' });
  const { table, buttons, container } = resultsTable(page);

  // Open someone, then Ctrl+K from the employee page.
  const first = await findEmployeePage<EmployeePageData>(page, { status: 'active' }, () => true);
  await openEmployee(page, first!.employee);
  await expect(page.getByRole('heading', { level: 2, name: 'Eligibility' })).toBeVisible();
  await kb.press('Control+k');
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
  await expect(search).toBeFocused();
  // What was there is selected, so typing replaces it.
  await expect(search).toHaveValue(first!.employee.employeeNumber);
  expect(await search.evaluate((el) => [(el as unknown as { selectionStart: number }).selectionStart, (el as unknown as { selectionEnd: number }).selectionEnd])).toEqual([0, first!.employee.employeeNumber.length]);

  // Cmd+K (Meta) works too, from anywhere in the app (here: the header's account button).
  await accountButton(page).focus();
  await kb.press('Meta+k');
  await expect(search).toBeFocused();

  // Keyboard only from here: a query of many matches, into the results, far down the list.
  await kb.press('Backspace');
  await kb.type('a');
  const expected = (await callFromPage<{ rows: Array<{ lastName: string; firstName: string }> }>(page, 'employees.search', { query: 'a', limit: 50 })).rows.map(
    (r) => `${r.lastName}, ${r.firstName}`,
  );
  expect(expected.length).toBe(50);
  await expect(buttons.first()).toHaveText(expected[0]!);
  await kb.press('ArrowDown');
  await expect(buttons.first()).toBeFocused();
  // 30 rows down: far past the rendered ones; the list scrolls so the active row is there and in view.
  for (let i = 0; i < 30; i++) await kb.press('ArrowDown');
  const focused = table.getByRole('button', { name: expected[30]!, exact: true });
  await expect(focused).toBeFocused();
  await expect(focused).toBeInViewport();
  await expect(focused).toHaveAttribute('tabindex', '0');
  expect(await container.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  // The first row is no longer rendered: the list is virtualised.
  await expect(table.getByRole('button', { name: expected[0]!, exact: true })).toHaveCount(0);
  await kb.press('PageUp');
  await expect(table.getByRole('button', { name: expected[20]!, exact: true })).toBeFocused();
  await kb.press('ArrowDown');
  await expect(table.getByRole('button', { name: expected[21]!, exact: true })).toBeFocused();

  // Enter opens that employee; Ctrl+K and back again; then Escape returns to the row.
  const [last, firstName] = expected[21]!.split(', ');
  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: `${firstName} ${last}` })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: `${firstName} ${last}` })).toBeFocused();
  await kb.press('Escape');
  await expect(table.getByRole('button', { name: expected[21]!, exact: true })).toBeFocused();
  await expect(table.getByRole('button', { name: expected[21]!, exact: true })).toBeInViewport();

  // End goes to the last loaded row; near the end the next page is fetched, so End again goes further,
  // until the last match.
  const total = (await callFromPage<{ count: number }>(page, 'employees.count', { query: 'a', filters: {} })).count;
  expect(total).toBeGreaterThan(50);
  const focusedRowIndex = () =>
    page.locator(':focus').evaluate((el) => Number(el.closest('tr')?.getAttribute('aria-rowindex')));
  await kb.press('End');
  expect(await focusedRowIndex()).toBeGreaterThanOrEqual(51);
  await expect
    .poll(async () => {
      await kb.press('End');
      return focusedRowIndex();
    })
    .toBe(total + 1);
  await expect(table).toHaveAttribute('aria-rowcount', String(total + 1));
});
