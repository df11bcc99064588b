/**
 * An admin imports the HR extract from the app: a dry run first (nothing saved), then the import,
 * with the counts and the report of rejected rows; the new employees are found by the search.
 */
import { test, expect, addUser, expectAccessible, signIn, PASSWORD } from './fixtures';

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

test('an admin checks, then imports the HR extract, and finds the new employees', async ({ page, desk }) => {
  const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
  const rows = Array.from({ length: 25 }, (_, i) => person(i + 1));
  const csv = csvOf([...rows, { ...person(50), employee_number: '12AB' }]);
  await page.goto(desk.url);
  await signIn(page, admin);
  await page.getByRole('button', { name: 'HR import' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'HR import' })).toBeVisible();

  const file = { name: 'extract.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') };
  await page.getByLabel('HR extract (CSV)').setInputFiles(file);
  await expect(page.getByLabel(/Dry run/)).toBeChecked();
  await page.getByRole('button', { name: 'Check the file' }).click();
  const progress = page.getByRole('region', { name: 'Import progress' });
  await expect(progress.getByRole('status')).toContainText('Dry run finished: 26 rows', { timeout: 30_000 });
  await expect(progress).toContainText('Nothing was saved.');
  const result = progress.getByRole('table', { name: 'Result' });
  await expect(result.getByRole('row', { name: /New employees/ })).toContainText('25');
  await expect(result.getByRole('row', { name: /Rejected rows/ })).toContainText('1');
  await expect(page.getByRole('link', { name: 'Download the report of rejected rows and conflicts' })).toBeVisible();
  await expectAccessible(page, 'HR import, dry run done');

  await page.getByLabel(/Dry run/).uncheck();
  await page.getByLabel('HR extract (CSV)').setInputFiles(file);
  await page.getByLabel(/Dry run/).uncheck();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(progress.getByRole('status')).toContainText('Import finished: 26 rows', { timeout: 30_000 });
  await expect(progress.getByRole('table', { name: 'Result' }).getByRole('row', { name: /New employees/ })).toContainText('25');

  await page.getByRole('button', { name: 'Back to search' }).click();
  const someone = rows[3]!;
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(someone.employee_number!);
  await expect(page.getByRole('button', { name: `${someone.last_name}, ${someone.first_name}`, exact: true })).toBeVisible();
});

test('only admins have HR import', async ({ page, desk }) => {
  const manager = await addUser(desk, { username: 'max.manager', displayName: 'Max Manager', role: 'manager', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, manager);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'HR import' })).toHaveCount(0);
});
