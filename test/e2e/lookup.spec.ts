/**
 * The look-up at scale: filters and column sorts done by the main process, the count, and keyset
 * paging into a virtualised list.
 */
import type { Page, Request } from '@playwright/test';
import {
  test,
  expect,
  callFromPage,
  expectAccessible,
  expectNoSidewaysScroll,
  goToSearch,
  resultsTable,
  seed,
  signedInOnSeed,
  type SearchPageValue,
} from './fixtures';
import type { SearchCount } from '../../shared/domain';

const fmt = (n: number) => new Intl.NumberFormat('en-GB').format(n);
const countText = (c: SearchCount) => {
  if (c.capped) return `More than ${fmt(c.count)} matches`;
  return c.count === 1 ? '1 match' : `${fmt(c.count)} matches`;
};
const listed = (r: { lastName: string; firstName: string }) => `${r.lastName}, ${r.firstName}`;

interface SentSearch {
  query: string;
  filters: Record<string, unknown>;
  sort: { by: string; dir: string };
  limit: number;
  cursor: string | null;
}

/** Every employees.search the renderer sends, in order. */
function recordSearches(page: Page): SentSearch[] {
  const sent: SentSearch[] = [];
  page.on('request', (r: Request) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/invoke/employees.search')) sent.push(JSON.parse(r.postData() ?? '{}') as SentSearch);
  });
  return sent;
}

async function signedInAgent(page: Page, desk: Parameters<typeof seed>[0], employees: number, seedValue: number) {
  await signedInOnSeed(page, desk, { employees: employees, seed: seedValue }, { username: 'lou.agent', displayName: 'Lou Agent', role: 'agent' });
  // Agents land on the inbox: the look-up is one click away.
  await goToSearch(page);
}

test('filters are labelled controls and are applied by the main process', async ({ page, desk }) => {
  await signedInAgent(page, desk, 400, 9);
  const sent = recordSearches(page);
  const { table, buttons } = resultsTable(page);
  const summary = page.getByRole('status').filter({ hasText: /match|Searching/ });
  await expect(summary).toHaveText('400 matches');
  const server = (filters: Record<string, unknown>) =>
    Promise.all([
      callFromPage<SearchPageValue>(page, 'employees.search', { query: '', filters, sort: { by: 'name', dir: 'asc' }, limit: 50 }),
      callFromPage<SearchCount>(page, 'employees.count', { query: '', filters }),
    ]);

  // Status: leavers only.
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Leaver' });
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ status: 'leaver' });
  let [rows, count] = await server({ status: 'leaver' });
  expect(count.count).toBeGreaterThan(0);
  await expect(summary).toHaveText(countText(count));
  await expect(buttons.first()).toHaveText(listed(rows.rows[0]!));
  await expect(table.getByRole('row').filter({ hasText: 'Active' })).toHaveCount(0);
  await expect(table.getByRole('row').filter({ hasText: 'Leaver' }).first()).toBeVisible();

  // Leavers cannot be pending registration: nothing matches both.
  await page.getByLabel('MFA state').selectOption({ label: 'Pending' });
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ status: 'leaver', mfa: 'pending' });
  await expect(page.getByText('No employees match these filters')).toBeVisible();
  await expect(table).toHaveCount(0);
  await expectAccessible(page, 'look-up with filters and no match');

  // Clear filters: everyone again, and the search box has focus.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(summary).toHaveText('400 matches');
  await expect(page.getByRole('searchbox', { name: 'Search employees' })).toBeFocused();
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('');

  // Factor: both.
  await page.getByLabel('Factor').selectOption({ label: 'Both' });
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ factor: 'both' });
  [rows, count] = await server({ factor: 'both' });
  await expect(summary).toHaveText(countText(count));
  await expect(buttons.first()).toHaveText(listed(rows.rows[0]!));
  expect(rows.rows.every((r) => r.hasApp && r.hasEmail)).toBe(true);
  await page.getByLabel('Factor').selectOption({ label: 'Any factor' });

  // Organisation: the list comes from employees.organisations.
  const organisations = await callFromPage<string[]>(page, 'employees.organisations', {});
  const orgSelect = page.getByLabel('Organisation');
  await expect(orgSelect.locator('option')).toHaveCount(organisations.length + 1);
  const org = organisations[1]!;
  await orgSelect.selectOption({ label: org });
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ organisation: org });
  [rows, count] = await server({ organisation: org });
  await expect(summary).toHaveText(countText(count));
  await expect(buttons.first()).toHaveText(listed(rows.rows[0]!));
  const orgCells = await table.getByRole('row').filter({ has: page.getByRole('rowheader') }).allTextContents();
  expect(orgCells.length).toBeGreaterThan(0);
  for (const text of orgCells) expect(text).toContain(org);
  await orgSelect.selectOption({ label: 'Any organisation' });

  // Checkboxes: pending registration, locked.
  await page.getByRole('checkbox', { name: 'Pending registration' }).check();
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ pendingRegistration: true });
  [rows, count] = await server({ pendingRegistration: true });
  expect(count.count).toBeGreaterThan(0);
  await expect(summary).toHaveText(countText(count));
  await expect(buttons.first()).toHaveText(listed(rows.rows[0]!));
  await expect(table.getByRole('row').filter({ hasText: 'Not registered' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Pending registration' }).uncheck();

  await page.getByRole('checkbox', { name: 'Locked' }).check();
  await expect.poll(() => sent.at(-1)?.filters).toEqual({ locked: true });
  [rows, count] = await server({ locked: true });
  await expect(summary).toHaveText(count.count === 0 ? 'No employees match these filters' : countText(count));
  if (rows.rows[0]) await expect(buttons.first()).toHaveText(listed(rows.rows[0]));
  await expectAccessible(page, 'look-up with filters');
});

test('column headers sort in the main process; relevance is the default with a query', async ({ page, desk }) => {
  await signedInAgent(page, desk, 400, 4);
  const sent = recordSearches(page);
  const { table, buttons } = resultsTable(page);
  const search = page.getByRole('searchbox', { name: 'Search employees' });
  const sortBy = page.getByLabel('Sort by');
  const header = (name: string) => table.getByRole('columnheader', { name, exact: true });
  const sortButton = (name: string) => table.getByRole('button', { name, exact: true });
  const server = (query: string, sort: { by: string; dir: string }) =>
    callFromPage<SearchPageValue>(page, 'employees.search', { query, filters: {}, sort, limit: 50 });

  // Nothing typed: everyone by name; relevance is not offered.
  await expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
  await expect(sortBy).toHaveValue('name:asc');
  await expect(sortBy.locator('option', { hasText: 'Relevance' })).toHaveCount(0);

  // With a query, relevance is the default and no column claims the order.
  await search.fill('an');
  await expect.poll(() => sent.at(-1)).toMatchObject({ query: 'an', sort: { by: 'relevance', dir: 'asc' } });
  await expect(sortBy).toHaveValue('relevance:asc');
  await expect(table.locator('[aria-sort]')).toHaveCount(0);
  let expected = await server('an', { by: 'relevance', dir: 'asc' });
  await expect(buttons.first()).toHaveText(listed(expected.rows[0]!));

  // Employee number: ascending, then descending.
  await sortButton('Employee number').click();
  await expect.poll(() => sent.at(-1)).toMatchObject({ query: 'an', sort: { by: 'employeeNumber', dir: 'asc' }, cursor: null });
  await expect(header('Employee number')).toHaveAttribute('aria-sort', 'ascending');
  await expect(sortBy).toHaveValue('employeeNumber:asc');
  expected = await server('an', { by: 'employeeNumber', dir: 'asc' });
  await expect(buttons.first()).toHaveText(listed(expected.rows[0]!));
  const ascending = expected.rows.map((r) => r.employeeNumber);
  expect([...ascending].sort()).toEqual(ascending);

  await sortButton('Employee number').click();
  await expect.poll(() => sent.at(-1)?.sort).toEqual({ by: 'employeeNumber', dir: 'desc' });
  await expect(header('Employee number')).toHaveAttribute('aria-sort', 'descending');
  await expect(header('Name')).not.toHaveAttribute('aria-sort', /.*/);
  expected = await server('an', { by: 'employeeNumber', dir: 'desc' });
  await expect(buttons.first()).toHaveText(listed(expected.rows[0]!));
  await expect(table.getByRole('row').nth(1)).toContainText(expected.rows[0]!.employeeNumber);

  // Organisation from the header, then status Z to A from the Sort by list.
  await sortButton('Organisation').click();
  await expect.poll(() => sent.at(-1)?.sort).toEqual({ by: 'organisation', dir: 'asc' });
  expected = await server('an', { by: 'organisation', dir: 'asc' });
  await expect(buttons.first()).toHaveText(listed(expected.rows[0]!));
  await sortBy.selectOption({ label: 'Status, leavers first' });
  await expect.poll(() => sent.at(-1)?.sort).toEqual({ by: 'status', dir: 'desc' });
  await expect(header('Status')).toHaveAttribute('aria-sort', 'descending');
  expected = await server('an', { by: 'status', dir: 'desc' });
  await expect(buttons.first()).toHaveText(listed(expected.rows[0]!));

  // Back to relevance from the list.
  await sortBy.selectOption({ label: 'Relevance (best match first)' });
  await expect.poll(() => sent.at(-1)?.sort).toEqual({ by: 'relevance', dir: 'asc' });
  await expect(table.locator('[aria-sort]')).toHaveCount(0);
  await expectAccessible(page, 'sorted results');
});

test('the count says how many match, and "More than 10,000" past the cap; it is asked for once the first page is in', async ({ page, desk }) => {
  await signedInAgent(page, desk, 12_000, 2);
  const summary = page.getByRole('status').filter({ hasText: /match|Searching/ });
  await expect(summary).toHaveText('More than 10,000 matches');
  const { table } = resultsTable(page);
  await expect(table).toHaveAttribute('aria-rowcount', '-1');

  const some = await callFromPage<SearchPageValue>(page, 'employees.search', { query: '', filters: { status: 'leaver' }, limit: 5 });
  const surname = some.rows[0]!.lastName;
  const count = await callFromPage<SearchCount>(page, 'employees.count', { query: surname, filters: {} });
  expect(count.capped).toBe(false);

  // A slow search: the count waits for the first page (the rows come first, nothing competes).
  // The search is held until the test has seen the busy state, so no timing decides what it sees.
  let searchPending = 0;
  let countSentDuringSearch = false;
  let countsSent = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route('**/api/invoke/employees.search', async (route) => {
    searchPending += 1;
    await released;
    const response = await route.fetch();
    searchPending -= 1;
    await route.fulfill({ response });
  });
  await page.route('**/api/invoke/employees.count', async (route) => {
    if (searchPending > 0) countSentDuringSearch = true;
    countsSent += 1;
    await route.continue();
  });
  const before = await resultsTable(page).buttons.first().textContent();
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(surname);
  // While the new search runs, the previous rows stay, dimmed and marked busy, and the count line
  // says the search is running (they are never presented as the answer).
  await expect(summary).toHaveText('Searching…');
  await expect(table).toHaveAttribute('aria-busy', 'true');
  await expect(resultsTable(page).buttons.first()).toHaveText(before!);
  expect(countsSent).toBe(0);
  release();
  await expect(summary).toHaveText(countText(count));
  await expect(table).not.toHaveAttribute('aria-busy', /.*/);
  expect(countsSent).toBeGreaterThan(0);
  expect(countSentDuringSearch).toBe(false);
  if (count.count <= 50) await expect(table).toHaveAttribute('aria-rowcount', String(count.count + 1));
});

test('scrolling loads the next keyset page into a virtualised list', async ({ page, desk }) => {
  await signedInAgent(page, desk, 1200, 6);
  const sent = recordSearches(page);
  // Every row the renderer has loaded, in order, and each page's cursor.
  const loaded: string[] = [];
  const cursors: Array<string | null> = [];
  // Responses are handled one after another, in the order they arrive.
  let chain = Promise.resolve();
  page.on('response', (res) => {
    if (!res.url().endsWith('/api/invoke/employees.search')) return;
    const req = JSON.parse(res.request().postData() ?? '{}') as SentSearch;
    // Only the list this test scrolls: everyone, by name Z to A.
    if (req.query !== '' || req.sort.by !== 'name' || req.sort.dir !== 'desc') return;
    const json = res.json() as Promise<{ ok: boolean; value?: SearchPageValue }>;
    chain = chain.then(async () => {
      const body = await json;
      if (!body.ok || !body.value) return;
      if (req.cursor === null) {
        loaded.length = 0;
        cursors.length = 0;
      }
      loaded.push(...body.value.rows.map(listed));
      cursors.push(body.value.nextCursor);
    });
  });
  const { table, buttons, container } = resultsTable(page);
  const summary = page.getByRole('status').filter({ hasText: /match|Searching/ });
  // Start from a fresh first page so every response is recorded.
  await page.getByRole('button', { name: 'Name', exact: true }).click(); // Z to A
  await expect(summary).toHaveText('1,200 matches');
  await expect(table).toHaveAttribute('aria-rowcount', '1201');
  await expect.poll(() => loaded.length).toBe(50);
  await expect(buttons.first()).toHaveText(loaded[0]!);

  // Scroll to the end of what is loaded, again and again: more pages arrive.
  for (let i = 0; i < 20 && loaded.length < 200; i++) {
    await container.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const before = loaded.length;
    await expect.poll(() => loaded.length, { timeout: 5_000 }).toBeGreaterThan(before).catch(() => undefined);
  }
  expect(loaded.length).toBeGreaterThanOrEqual(200);

  // Each next page was asked for with the previous page's cursor, the same query, filters and sort.
  const pages = sent.filter((s) => s.query === '' && s.sort.by === 'name' && s.sort.dir === 'desc');
  expect(pages.length).toBeGreaterThanOrEqual(4);
  for (let i = 1; i < pages.length; i++) {
    expect(pages[i]!.cursor).not.toBeNull();
    expect(pages[i]!.filters).toEqual({});
  }
  expect(pages.slice(1).map((p) => p.cursor)).toEqual(cursors.slice(0, pages.length - 1));

  // Rows beyond the first 50 are shown, in the server's order.
  await container.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const lastLoaded = loaded.length;
  const lastRow = table.locator(`tr[aria-rowindex="${lastLoaded + 1}"]`);
  await expect(lastRow).toBeVisible();
  await expect(lastRow.getByRole('button')).toHaveText(loaded[lastLoaded - 1]!);
  const shownIndexes = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))));
  expect(Math.max(...shownIndexes)).toBeGreaterThan(51);

  // Virtualised: the DOM holds far fewer rows than are loaded.
  const domRows = await table.locator('tbody tr').count();
  expect(domRows).toBeGreaterThan(5);
  expect(domRows).toBeLessThan(60);
  expect(domRows * 3).toBeLessThan(loaded.length);

  // Back to the top: the first row is rendered again, and the middle ones are not.
  await container.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(buttons.first()).toHaveText(loaded[0]!);
  await expect(table.locator('tr[aria-rowindex="120"]')).toHaveCount(0);
  await expectAccessible(page, 'long list of results');
});

test('performance marks: query sent, then rows painted once the new rows are in the DOM', async ({ page, desk }) => {
  // Record each desk mark with what the results show at that very moment.
  await page.addInitScript({
    content: `
      window.deskMarks = [];
      const original = performance.mark.bind(performance);
      performance.mark = (name, options) => {
        if (String(name).startsWith('desk:')) {
          const first = document.querySelector('[data-testid="results"] [role="rowheader"] button');
          window.deskMarks.push({ name, query: options && options.detail ? options.detail.query : null, first: first ? first.textContent : null });
        }
        return original(name, options);
      };
    `,
  });
  await signedInAgent(page, desk, 300, 12);
  const some = await callFromPage<SearchPageValue>(page, 'employees.search', { query: '', filters: { status: 'leaver' }, limit: 5 });
  const surname = some.rows[0]!.lastName;
  const expected = await callFromPage<SearchPageValue>(page, 'employees.search', { query: surname, limit: 50 });
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(surname);
  await expect(resultsTable(page).buttons.first()).toHaveText(listed(expected.rows[0]!));
  type Mark = { name: string; query: string | null; first: string | null };
  const marks = () => page.evaluate(() => (globalThis as unknown as { deskMarks: Mark[] }).deskMarks);
  await expect.poll(async () => (await marks()).filter((m) => m.query === surname).map((m) => m.name)).toEqual(['desk:query-sent', 'desk:rows-painted']);
  const painted = (await marks()).find((m) => m.name === 'desk:rows-painted' && m.query === surname)!;
  expect(painted.first).toBe(listed(expected.rows[0]!));
});

test('the look-up with results at 1400x900 and 1024x700: accessible, and never wider than the window', async ({ page, desk }) => {
  await signedInAgent(page, desk, 300, 13);
  const summary = page.getByRole('status').filter({ hasText: /match|Searching/ });
  await page.getByRole('searchbox', { name: 'Search employees' }).fill('a');
  const count = await callFromPage<SearchCount>(page, 'employees.count', { query: 'a', filters: {} });
  await expect(summary).toHaveText(countText(count));
  const { table, buttons } = resultsTable(page);
  for (const size of [
    { width: 1400, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    await expect(buttons.first()).toBeVisible();
    await expectAccessible(page, `look-up with results at ${size.width}x${size.height}`);
    await expectNoSidewaysScroll(page, `look-up with results at ${size.width}x${size.height}`);
    // Dense rows: at most 40 px each.
    const heights = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(5);
    expect(Math.max(...heights)).toBeLessThanOrEqual(40);
  }
});
