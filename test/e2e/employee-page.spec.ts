/**
 * The employee page, from one employees.page round trip: eligibility in plain words, factors and
 * their history, one-time codes with a live countdown on the main process's clock, the mail log and
 * the audit trail with older events a page at a time.
 */
import type { Page } from '@playwright/test';
import {
  test,
  expect,
  callFromPage,
  expectAccessible,
  expectNoSidewaysScroll,
  findEmployeePage,
  goToSearch,
  openEmployee,
  seed,
  signedInOnSeed,
} from './fixtures';
import type { AuditPage, EmployeePageData, OneTimeCodeView } from '../../shared/domain';
import { auditActionLabel } from '../../shared/audit-actions';
import { codeStatus } from '../../shared/codes';

async function signedInAgent(page: Page, desk: Parameters<typeof seed>[0], employees: number, seedValue: number) {
  await signedInOnSeed(page, desk, { employees: employees, seed: seedValue }, { username: 'pat.agent', displayName: 'Pat Agent', role: 'agent' });
  await goToSearch(page);
}

const SECTIONS = ['Eligibility', 'Record', 'Emails on record', 'Factors', 'Sign-in checks', 'One-time codes', 'Mail log', 'Audit trail'];

test('eligibility in plain words: a leaver, someone without internet access, and someone who can register', async ({ page, desk }) => {
  await signedInAgent(page, desk, 600, 21);
  const eligibility = page.getByRole('region', { name: 'Eligibility' });
  const loads: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/invoke/employees.')) loads.push(r.url().split('/').pop()!);
  });

  // A leaver.
  const leaver = await findEmployeePage<EmployeePageData>(page, { status: 'leaver' }, () => true);
  expect(leaver, 'a leaver in the demo data').not.toBeNull();
  await openEmployee(page, leaver!.employee);
  loads.length = 0;
  for (const h of SECTIONS) await expect(page.getByRole('heading', { level: 2, name: h, exact: true })).toBeVisible();
  await expect(eligibility).toContainText('Cannot register for MFA:');
  await expect(eligibility).toContainText('leavers cannot register for MFA.');
  for (const r of leaver!.eligibility.reasons) await expect(eligibility).toContainText(r.message);
  // The header has the employee's number, organisation and status.
  const summary = page.getByRole('main').locator('dl').first();
  await expect(summary).toContainText(leaver!.employee.employeeNumber);
  await expect(summary).toContainText(leaver!.employee.organisation);
  await expect(summary).toContainText('Leaver');
  await expectAccessible(page, 'employee page, leaver');

  // Someone whose internet access is not approved.
  await page.getByRole('link', { name: 'Back to search' }).click();
  const offline = await findEmployeePage<EmployeePageData>(
    page,
    { status: 'active', mfa: 'not_registered' },
    (p) => p.eligibility.reasons.some((r) => r.code === 'internet_not_approved'),
  );
  expect(offline, 'an employee without internet access in the demo data').not.toBeNull();
  loads.length = 0;
  await openEmployee(page, offline!.employee);
  await expect(eligibility).toContainText('Cannot register for MFA:');
  await expect(eligibility).toContainText('Internet access for ESR is not approved: it must be approved before registering for MFA.');
  await expect(page.getByRole('region', { name: 'Record', exact: true })).toContainText('Internet access approvedNo');
  // One round trip for the whole page (the search for the number aside).
  await expect.poll(() => loads.filter((l) => l === 'employees.page').length).toBe(1);
  expect(loads.filter((l) => l === 'employees.get' || l === 'employees.audit')).toEqual([]);

  // Someone who can register with either factor.
  await page.getByRole('link', { name: 'Back to search' }).click();
  const eligible = await findEmployeePage<EmployeePageData>(page, { status: 'active', mfa: 'not_registered' }, (p) => p.eligibility.canUseEmail);
  await openEmployee(page, eligible!.employee);
  await expect(eligibility).toContainText('Can register for MFA with the authenticator app or email.');
  await expect(eligibility).not.toContainText('Cannot');
});

test('a pending registration shows its code with a status, attempts left and the factor waiting', async ({ page, desk }) => {
  await signedInAgent(page, desk, 600, 22);
  const pending = await findEmployeePage<EmployeePageData>(page, { pendingRegistration: true }, (p) => p.codes.length > 0);
  expect(pending, 'a pending registration with a code in the demo data').not.toBeNull();
  await openEmployee(page, pending!.employee);
  const codes = page.getByRole('table', { name: 'One-time codes' });
  const code = pending!.codes[0]!;
  const row = codes.getByRole('row', { name: /Registration/ });
  await expect(row).toContainText(code.recipient);
  const st = codeStatus(code, new Date());
  if (st.state === 'active') await expect(row.getByRole('timer')).toHaveText(/^Expires in \d+:\d\d$/);
  else await expect(row).toContainText(st.label);
  await expect(row).toContainText(`${st.attemptsLeft} of ${code.maxAttempts}`);
  await expect(page.getByRole('region', { name: 'Factors', exact: true })).toContainText(/Registration pending|Not verified yet/);
  await expectAccessible(page, 'employee page, pending registration');
});

test('the code countdown follows the main process clock and ticks every second', async ({ page, desk }) => {
  await signedInAgent(page, desk, 300, 23);
  const target = await findEmployeePage<EmployeePageData>(page, { pendingRegistration: true }, (p) => p.codes.length > 0);
  expect(target).not.toBeNull();
  // The main process's clock is two hours behind this machine's: a code with ten minutes left by
  // its clock would look long expired by this one's.
  const serverNow = Date.now() - 2 * 60 * 60_000;
  const live: OneTimeCodeView = {
    ...target!.codes[0]!,
    issuedAt: new Date(serverNow - 10 * 60_000).toISOString(),
    expiresAt: new Date(serverNow + 10 * 60_000).toISOString(),
    consumedAt: null,
    supersededAt: null,
    lockedAt: null,
    attempts: 2,
  };
  await page.route('**/api/invoke/employees.page', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { ok: true; value: EmployeePageData };
    body.value.serverTime = new Date(serverNow).toISOString();
    body.value.codes = [live];
    await route.fulfill({ response, json: body });
  });
  await openEmployee(page, target!.employee);
  const timer = page.getByRole('region', { name: 'One-time codes' }).getByRole('timer');
  await expect(timer).toHaveText(/^Expires in (10:00|9:5\d)$/);
  await expect(timer).toHaveAttribute('aria-live', 'off');
  const first = await timer.textContent();
  await expect(timer).not.toHaveText(first!, { timeout: 5_000 });
  await expect(page.getByRole('table', { name: 'One-time codes' })).toContainText('3 of 5');
});

test('the mail log shows what was sent, to whom and what the mail server answered', async ({ page, desk }) => {
  await signedInAgent(page, desk, 600, 24);
  const withMail = await findEmployeePage<EmployeePageData>(page, { mfa: 'enabled' }, (p) => p.mails.length > 0, 600);
  expect(withMail, 'an employee with mail in the demo data').not.toBeNull();
  await openEmployee(page, withMail!.employee);
  const log = page.getByRole('table', { name: 'Mail log' });
  await expect(log.getByRole('row')).toHaveCount(withMail!.mails.length + 1);
  const mail = withMail!.mails[0]!;
  await expect(log).toContainText(mail.recipient);
  await expect(log).toContainText('Change confirmation');
  await expect(log).toContainText('Sent');
  if (mail.smtpResponse) await expect(log).toContainText(mail.smtpResponse);
  await expectAccessible(page, 'employee page, mail log');
});

test('the audit trail lists newest first and loads older events a page at a time', async ({ page, desk }) => {
  await signedInAgent(page, desk, 600, 25);
  const target = await findEmployeePage<EmployeePageData>(page, { factor: 'both' }, (p) => p.audit.rows.length >= 2);
  expect(target, 'an employee with two audit events').not.toBeNull();
  const all = target!.audit.rows;
  expect(all.map((a) => a.id)).toEqual([...all.map((a) => a.id)].sort((a, b) => b - a));
  // The real trail is one page; the main process's audit channel answers for it too.
  const real = await callFromPage<AuditPage>(page, 'employees.audit', { employeeId: target!.employee.id, cursor: null });
  expect(real.rows.map((a) => a.id)).toEqual(all.map((a) => a.id));
  expect(real.nextCursor).toBeNull();
  // Split it in two pages: the first page shows only the newest event, and the rest comes from
  // employees.audit with the cursor the first page gave (opaque to the renderer).
  const CURSOR = 'page-two-cursor';
  await page.route('**/api/invoke/employees.page', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { ok: true; value: EmployeePageData };
    body.value.audit = { rows: body.value.audit.rows.slice(0, 1), nextCursor: CURSOR };
    await route.fulfill({ response, json: body });
  });
  const auditCalls: unknown[] = [];
  await page.route('**/api/invoke/employees.audit', async (route) => {
    auditCalls.push(JSON.parse(route.request().postData() ?? '{}'));
    await new Promise((r) => setTimeout(r, 300));
    await route.fulfill({ json: { ok: true, value: { rows: all.slice(1), nextCursor: null } } });
  });
  await openEmployee(page, target!.employee);
  const trail = page.getByRole('table', { name: 'Audit trail' });
  await expect(trail.getByRole('row')).toHaveCount(2);
  await expect(trail.getByRole('row').nth(1)).toContainText(all[0]!.actor);
  // The action in words (the catalogue's name for it, never the stored action).
  expect(all[0]!.action).toBe('factor.registered');
  await expect(trail.getByRole('row').nth(1)).toContainText(auditActionLabel(all[0]!.action));
  await expect(trail.getByRole('row').nth(1)).not.toContainText(all[0]!.action);
  await expect(trail.getByRole('row').nth(1)).toContainText('Factor type:');
  await expect(trail.getByRole('row').nth(1)).toContainText('Done');

  await page.getByRole('button', { name: 'Show older events' }).click();
  await expect(trail.getByRole('row')).toHaveCount(all.length + 1);
  expect(auditCalls).toEqual([{ employeeId: target!.employee.id, cursor: CURSOR }]);
  await expect(trail.getByRole('row').nth(2)).toContainText(all[1]!.actor);
  await expect(page.getByRole('button', { name: 'Show older events' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Audit trail' }).getByRole('status')).toContainText('That is the whole audit trail.');
  await expect(page.getByText(/the whole audit trail is shown/)).toBeFocused();
  await expectAccessible(page, 'employee page, audit trail');

  // Escape still goes back to the search.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
});

test('the employee page at 1400x900 and 1024x700: accessible, two columns, never wider than the window', async ({ page, desk }) => {
  await signedInAgent(page, desk, 300, 41);
  const target = await findEmployeePage<EmployeePageData>(
    page,
    { factor: 'both' },
    (p) => p.mails.length > 0 && p.audit.rows.length >= 2 && p.employee.emails.length > 1,
    600,
  );
  expect(target, 'an employee with mail, audit events and two addresses in the demo data').not.toBeNull();
  await openEmployee(page, target!.employee);
  await expect(page.getByRole('table', { name: 'Mail log' })).toBeVisible();
  for (const size of [
    { width: 1400, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    await expectAccessible(page, `employee page at ${size.width}x${size.height}`);
    await expectNoSidewaysScroll(page, `employee page at ${size.width}x${size.height}`);
    // Two columns from 1024 px: "Help this caller" sits beside the eligibility, not below the whole record.
    const eligibility = await page.getByRole('region', { name: 'Eligibility' }).boundingBox();
    const help = await page.getByRole('region', { name: 'Help this caller' }).boundingBox();
    expect(help!.x).toBeGreaterThan(eligibility!.x + eligibility!.width - 1);
    expect(Math.abs(help!.y - eligibility!.y)).toBeLessThan(5);
    // Every section is one click away: the section links reach the audit trail.
    await page.getByRole('navigation', { name: 'Sections of this page' }).getByRole('button', { name: 'Audit trail' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Audit trail' })).toBeFocused();
    await expect(page.getByRole('heading', { level: 2, name: 'Audit trail' })).toBeInViewport();
  }
});
