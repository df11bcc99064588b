/**
 * An admin imports the HR extract from the app: a dry run first (nothing saved), then the import,
 * with the counts and the report of rejected rows; the new employees are found by the search.
 */
import type { Page } from '@playwright/test';
import {
  test,
  expect,
  accountButton,
  addUser,
  callFromPage,
  expectAccessible,
  expectAccessibleAtBothSizes,
  openAdminPlace,
  recordCalls,
  signIn,
  PASSWORD,
} from './fixtures';

const COLUMNS = ['employee_number', 'first_name', 'last_name', 'username', 'organisation', 'department', 'job_title', 'status', 'leaving_date', 'internet_access_approved', 'work_email', 'personal_email'];
const FIRST = ['Amara', 'Bilal', 'Chloe', 'Dylan', 'Esme'];
const LAST = ['Quenby', 'Rowntree', "O'Hara", 'Sefton', 'Tillotson'];

function person(i: number): Record<string, string> {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const slug = `${first}.${last.replace(/[^A-Za-z]/g, '')}${i}`.toLowerCase();
  return {
    employee_number: String(70_000_000 + i * 37),
    first_name: first,
    last_name: last,
    username: slug.replace('.', ''),
    organisation: 'Hampshire Hospitals NHS Foundation Trust',
    department: 'Pharmacy, Outpatients', // a comma: quoted
    job_title: 'Pharmacist',
    status: 'active',
    leaving_date: '',
    internet_access_approved: 'yes',
    work_email: `${slug}@hhft.nhs.uk`,
    personal_email: '',
  };
}

function csvOf(rows: Array<Record<string, string>>): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return '\uFEFF' + [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => field(r[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

/** Choose a file in the "HR extract (CSV)" field, through the file chooser it opens. */
async function chooseFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'HR extract (CSV)' }).click();
  await (await chooser).setFiles(file);
}

async function employeeCount(page: Page): Promise<number> {
  const res = await callFromPage<{ rows: unknown[] }>(page, 'employees.search', { query: '', filters: {}, sort: { by: 'name', dir: 'asc' }, limit: 100 });
  return res.rows.length;
}

test('an admin checks, then imports the HR extract, and finds the new employees', async ({ page, desk }) => {
  test.slow(); // two imports and accessibility checks at two sizes
  const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
  const rows = Array.from({ length: 25 }, (_, i) => person(i + 1));
  const csv = csvOf([...rows, { ...person(50), employee_number: '12AB' }]);
  await page.goto(desk.url);
  await signIn(page, admin);
  await openAdminPlace(page, 'HR import');
  await expectAccessibleAtBothSizes(page, 'HR import');

  const file = { name: 'extract.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') };
  const starts = recordCalls(page, 'hr.import.start');
  await chooseFile(page, file);
  await expect(page.getByRole('radio', { name: /dry run/i })).toBeChecked();
  await page.getByRole('button', { name: 'Check the file' }).click();
  const progress = page.getByRole('region', { name: 'Import progress' });
  await expect(progress.getByRole('status')).toContainText('Dry run finished: 26 rows', { timeout: 30_000 });
  await expect(progress).toContainText('Nothing was saved.');
  expect(starts).toEqual([expect.objectContaining({ dryRun: true })]);
  const result = progress.getByRole('table', { name: 'Result' });
  await expect(result.getByRole('row', { name: /New employees/ })).toContainText('25');
  await expect(result.getByRole('row', { name: /Rejected rows/ })).toContainText('1');
  await expect(page.getByRole('link', { name: 'Download the report of rejected rows and conflicts' })).toBeVisible();
  expect(await employeeCount(page)).toBe(0);
  await expectAccessibleAtBothSizes(page, 'HR import, dry run done');

  // The real import asks first, with what the dry run found; cancelling changes nothing.
  await page.getByRole('radio', { name: 'Import', exact: true }).check();
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import extract.csv?' });
  await expect(dialog).toContainText('The dry run of extract.csv read 26 rows.');
  await expect(dialog).toContainText('25 new employees are added');
  await expect(dialog).toContainText('1 row is rejected and left out');
  await expect(dialog).toContainText('No one gets mail.');
  await expectAccessible(page, 'HR import confirmation');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(starts).toHaveLength(1);
  expect(await employeeCount(page)).toBe(0);

  // Confirmed with a double click: one import.
  await page.getByRole('button', { name: 'Import…' }).click();
  await dialog.getByRole('button', { name: 'Import 26 rows' }).dblclick();
  await expect(progress.getByRole('status')).toContainText('Import finished: 26 rows', { timeout: 30_000 });
  await expect(progress.getByRole('table', { name: 'Result' }).getByRole('row', { name: /New employees/ })).toContainText('25');
  expect(starts).toEqual([expect.objectContaining({ dryRun: true }), expect.objectContaining({ dryRun: false })]);
  expect(await employeeCount(page)).toBe(25);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
  const someone = rows[3]!;
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(someone.employee_number!);
  await expect(page.getByRole('button', { name: `${someone.last_name}, ${someone.first_name}`, exact: true })).toBeVisible();
});

test('an empty or malformed file is refused in plain words under the file field', async ({ page, desk }) => {
  const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);
  await openAdminPlace(page, 'HR import');
  const field = page.getByRole('button', { name: 'HR extract (CSV)' });

  // No file yet.
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/Choose the HR extract first/);

  // An empty file.
  await chooseFile(page, { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/empty\.csv is empty/);
  await expect(page.getByText('Some of the input is not valid')).toHaveCount(0);

  // A CSV without the HR columns: the main process says what is wrong with it.
  await chooseFile(page, { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from('name,age\r\nSam,41\r\n') });
  await page.getByRole('button', { name: 'Check the file' }).click();
  const progress = page.getByRole('region', { name: 'Import progress' });
  await expect(progress.getByRole('status')).toContainText('Dry run stopped. Nothing was saved.', { timeout: 30_000 });
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/header row/);
  await expect(page.getByText('Some of the input is not valid')).toHaveCount(0);
  await expectAccessibleAtBothSizes(page, 'HR import, file refused');
  expect(await employeeCount(page)).toBe(0);
});

test('only admins have HR import', async ({ page, desk }) => {
  const manager = await addUser(desk, { username: 'max.manager', displayName: 'Max Manager', role: 'manager', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, manager);
  await expect(accountButton(page)).toBeVisible();
  await expect(page.getByRole('link', { name: 'HR import' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'HR import' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^(Admin|More)$/ })).toHaveCount(0);
  // Its address leads nowhere for a manager, and the main process refuses the channel.
  await page.evaluate("window.location.hash = '#/admin/import'");
  await expect(page.getByRole('heading', { level: 1, name: 'There is nothing at this address' })).toBeVisible();
  await expect(callFromPage(page, 'hr.upload.begin', { name: 'x.csv', size: 10 })).rejects.toThrow(/FORBIDDEN/);
});
