import { test, expect, addUser, callFromPage, expectAccessible, signIn, PASSWORD } from './fixtures';

test('an admin loads demo data into an empty database', async ({ page, desk }) => {
  const admin = await addUser(desk, { username: 'dee.admin', displayName: 'Dee Admin', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);

  await expect(page.getByText('The database has no employees yet. Load demo data?')).toBeVisible();
  const count = page.getByLabel('Number of demo employees');
  await expect(count).toHaveValue('1000');
  await expectAccessible(page, 'demo data offer');

  await count.fill('0');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(count).toHaveAccessibleDescription(/whole number from 1 to 200,000/);

  await count.fill('3000');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  const progress = page.getByRole('progressbar', { name: 'Demo data loading progress' });
  // The bar is shown while loading; it may be quick, so look for either it or the result.
  await expect(progress.or(page.getByText('Loaded 3,000 demo employees.'))).toBeVisible();
  await expect(page.getByText('Loaded 3,000 demo employees. Search for someone to begin.')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('searchbox', { name: 'Search employees' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Load demo data' })).toHaveCount(0);
  await expectAccessible(page, 'after demo data');

  // The list shows everyone at once; a search narrows it, with the count from the main process.
  await expect(page.getByRole('status').filter({ hasText: /match/ })).toHaveText('3,000 matches');
  await page.getByRole('searchbox', { name: 'Search employees' }).fill('a');
  const matches = await callFromPage<{ count: number }>(page, 'employees.count', { query: 'a', filters: {} });
  await expect(page.getByRole('status').filter({ hasText: /match/ })).toHaveText(
    `${new Intl.NumberFormat('en-GB').format(matches.count)} matches`,
  );
});
