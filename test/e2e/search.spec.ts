import {
  test,
  expect,
  callFromPage,
  expectAccessible,
  findEmployeePage,
  goToSearch,
  openEmployee,
  resultsTable,
  signedInOnSeed,
  type SearchPageValue,
} from './fixtures';
import type { EmployeePageData, SearchCount } from '../../shared/domain';

const fmt = (n: number) => new Intl.NumberFormat('en-GB').format(n);
const countText = (c: SearchCount) => (c.capped ? `More than ${fmt(c.count)} matches` : c.count === 1 ? '1 match' : `${fmt(c.count)} matches`);

test('search by name, employee number, username and email, then open an employee', async ({ page, desk }) => {
  await signedInOnSeed(page, desk, { employees: 400, seed: 7 }, { username: 'sam.agent', displayName: 'Sam Agent', role: 'agent' });
  await goToSearch(page);

  // Pick a real employee with an email on record and a factor, through the same contract the renderer uses.
  const target = await findEmployeePage<EmployeePageData>(page, {}, (p) => p.employee.emails.length > 0 && p.employee.factors.length > 0);
  expect(target, 'an employee with emails and factors in the demo data').not.toBeNull();
  const e = target!.employee;
  const listedName = `${e.lastName}, ${e.firstName}`;

  const search = page.getByRole('searchbox', { name: 'Search employees' });
  await expect(search).toBeFocused();
  const { table: results, buttons } = resultsTable(page);
  const summary = page.getByRole('status').filter({ hasText: /match|Searching/ });

  // With nothing typed the list is everyone, by name.
  await expect(summary).toHaveText('400 matches');
  await expect(results).toHaveAttribute('aria-rowcount', '401');

  // Many matches: the count comes from employees.count.
  await search.fill('a');
  const many = await callFromPage<SearchCount>(page, 'employees.count', { query: 'a', filters: {} });
  await expect(summary).toHaveText(countText(many));
  await expect(buttons.first()).toBeVisible();
  await expectAccessible(page, 'search results');

  for (const query of [`${e.firstName} ${e.lastName}`, e.employeeNumber, e.username, e.emails[0]!.address]) {
    await search.fill(query);
    await expect(results.getByRole('button', { name: listedName, exact: true }).first()).toBeVisible();
  }
  // An exact key finds just that employee.
  await search.fill(e.employeeNumber);
  await expect(summary).toHaveText('1 match');
  await expect(results.getByRole('row')).toHaveCount(2);
  const row = results.getByRole('row', { name: new RegExp(e.employeeNumber) });
  await expect(row).toContainText(e.organisation);
  await expect(row).toContainText(e.status === 'active' ? 'Active' : 'Leaver');

  // Nothing found.
  await search.fill('zzqxv nobody');
  await expect(page.getByText('No employees match “zzqxv nobody”')).toBeVisible();
  await expect(results).toHaveCount(0);
  await expectAccessible(page, 'no matches');

  // Open the employee with a click.
  await search.fill(e.username);
  await results.getByRole('button', { name: listedName, exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: `${e.firstName} ${e.lastName}` })).toBeVisible();
  for (const h of ['Eligibility', 'Record', 'Emails on record', 'Factors', 'One-time codes', 'Mail log', 'Audit trail']) {
    await expect(page.getByRole('heading', { level: 2, name: h, exact: true })).toBeVisible();
  }
  const record = page.getByRole('region', { name: 'Record', exact: true });
  await expect(record).toContainText(e.employeeNumber);
  await expect(record).toContainText(e.username);
  await expect(record).toContainText(e.department);
  await expect(record).toContainText(`Internet access approved${e.internetAccessApproved ? 'Yes' : 'No'}`);
  const emails = page.getByRole('table', { name: 'Emails on record' });
  await expect(emails.getByRole('row')).toHaveCount(e.emails.length + 1);
  await expect(emails).toContainText(e.emails[0]!.address);
  if (e.mfaState === 'enabled') await expect(record).toContainText('Enabled since');
  const factors = page.getByRole('region', { name: 'Factors', exact: true });
  const app = e.factors.find((f) => f.type === 'authenticator_app' && f.state === 'active');
  const email = e.factors.find((f) => f.type === 'email' && f.state === 'active');
  if (app) await expect(factors).not.toContainText('No authenticator app registered.');
  else await expect(factors).toContainText('No authenticator app registered.');
  if (email) await expect(factors).toContainText(email.emailAddress!);
  else await expect(factors).toContainText('No email factor registered.');
  await expect(factors.getByRole('heading', { level: 3, name: 'Factor history' })).toBeVisible();
  await expectAccessible(page, 'employee page');

  // Back (Escape) returns to the same results, with the employee's row focused.
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue(e.username);
  await expect(results.getByRole('button', { name: listedName, exact: true }).first()).toBeFocused();
  await results.getByRole('button', { name: listedName, exact: true }).first().press('Enter');
  await page.getByRole('link', { name: 'Back to search' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
});

test('an employee without factors shows the empty messages', async ({ page, desk }) => {
  await signedInOnSeed(page, desk, { employees: 400, seed: 11 }, { username: 'em.agent', displayName: 'Em Agent', role: 'agent' });
  await goToSearch(page);
  const target = await findEmployeePage<EmployeePageData>(page, { mfa: 'not_registered' }, (p) => p.employee.factors.length === 0);
  expect(target, 'an employee without factors in the demo data').not.toBeNull();
  await openEmployee(page, target!.employee);
  await expect(page.getByRole('region', { name: 'Record', exact: true })).toContainText('Not registered');
  const factors = page.getByRole('region', { name: 'Factors', exact: true });
  await expect(factors).toContainText('No authenticator app registered.');
  await expect(factors).toContainText('No email factor registered.');
  await expect(factors).toContainText('No removed factors.');
});

test('search as you type keeps at most one request in flight and shows only the latest answer', async ({ page, desk }) => {
  await signedInOnSeed(page, desk, { employees: 300, seed: 5 }, { username: 'tia.agent', displayName: 'Tia Agent', role: 'agent' });
  await goToSearch(page);

  // A surname from the data, and what the server answers for it.
  const some = await callFromPage<SearchPageValue>(page, 'employees.search', { query: 'a', limit: 50 });
  const surname = (some.rows.find((r) => /^[a-z]{6,}$/i.test(r.lastName)) ?? some.rows.find((r) => /^[a-z]{3,}$/i.test(r.lastName)))!.lastName.toLowerCase();
  const expected = await callFromPage<SearchPageValue>(page, 'employees.search', { query: surname, limit: 50 });
  expect(expected.rows.length).toBeGreaterThan(0);
  const expectedNames = expected.rows.map((r) => `${r.lastName}, ${r.firstName}`);

  let inFlight = 0;
  let maxInFlight = 0;
  const sent: string[] = [];
  await page.route('**/api/invoke/employees.search', async (route) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    sent.push((JSON.parse(route.request().postData() ?? '{}') as { query: string }).query);
    await new Promise((r) => setTimeout(r, 700)); // a slow server
    const response = await route.fetch();
    inFlight -= 1;
    await route.fulfill({ response });
  });

  const search = page.getByRole('searchbox', { name: 'Search employees' });
  await search.pressSequentially(surname, { delay: 200 });
  await expect.poll(() => sent.at(-1)).toBe(surname);
  const { buttons } = resultsTable(page);
  // The table ends up showing exactly the answer for the final query, not an earlier one (the rows
  // rendered are the first ones of that answer: the list renders only what is in view).
  await expect
    .poll(async () => {
      const shown = await buttons.allTextContents();
      return shown.length > 0 && JSON.stringify(shown) === JSON.stringify(expectedNames.slice(0, shown.length));
    })
    .toBe(true);
  await expect(page.getByRole('status').filter({ hasText: /match/ })).toHaveText(
    expected.nextCursor === null ? (expected.rows.length === 1 ? '1 match' : `${expected.rows.length} matches`) : /matches/,
  );
  expect(maxInFlight).toBe(1);
  // A character every 200 ms against a 700 ms server: intermediate queries were dropped.
  expect(sent.length).toBeLessThan(surname.length);
});
