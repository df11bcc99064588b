/**
 * The audit trail proves itself, end to end in Chromium against `desk serve`: a supervisor verifies
 * the chain (intact), someone deletes an event with the sqlite3 shell behind the desk's back, and
 * the next check names the event where the trail breaks. Agents have no Audit screen, and the main
 * process refuses them anyway.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, addUser, expectAccessible, invokeFromPage, seed, signIn, PASSWORD } from './fixtures';

test('a supervisor verifies the audit trail, signs a checkpoint, and is told where it was tampered with', async ({ page, desk }) => {
  await seed(desk, 50, 7);
  const supervisor = await addUser(desk, { username: 'sue.supervisor', displayName: 'Sue Supervisor', role: 'supervisor', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, supervisor);

  await page.getByRole('button', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeFocused();
  // The dashboard: the last 30 days to start with, drawn as charts with their numbers in words.
  const perDay = page.getByRole('figure', { name: 'Actions per day' });
  await expect(perDay).toContainText(/\d[\d,]* in all/);
  await expect(perDay.locator('svg.recharts-surface')).toBeVisible();
  for (const title of ['One-time codes by the day they were issued', 'Re-registrations by reason', 'Mail failures per day', 'Actions per actor']) {
    await expect(page.getByRole('figure', { name: title })).toBeVisible();
  }
  await expect(page.getByRole('figure', { name: 'Actions per actor' })).toContainText('sue.supervisor');

  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  const result = page.getByTestId('audit-verify-result');
  await expect(result).toContainText('Intact.');
  await expect(result).toContainText(/every link holds/);
  await expectAccessible(page, 'the audit screen');

  // The events table: the check just made is there; filter down to it.
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(page.getByRole('status').filter({ hasText: /^\d[\d,]* events$/ })).toBeVisible();
  const filters = page.getByRole('form', { name: 'Filter audit events' });
  await filters.getByLabel('Who').fill('sue.supervisor');
  await filters.getByLabel('Action').fill('audit.');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(page.getByRole('status').filter({ hasText: /events?$/ })).toHaveText('1 event');
  await expect(events.getByRole('row')).toHaveCount(2);
  await expect(events).toContainText('sue.supervisor');
  await expect(events).toContainText('intact: yes');
  // A bad filter is refused with the reason, beside the field.
  await filters.getByLabel('Action').fill('DROP TABLE');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not valid' })).toBeVisible();
  await expect(filters).toContainText('Use an action such as factor.removed');
  // Export what the filter shows: written in the main process, then offered as a download.
  await filters.getByLabel('Action').fill('audit.');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(page.getByRole('status').filter({ hasText: /events?$/ })).toHaveText('1 event');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const link = page.getByRole('link', { name: /^Download audit-\d{8}-\d{4}\.csv$/ });
  await expect(link).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('seq,occurred_at,actor,employee_id,employee_number,ticket_ref,action,result,details');
  expect(lines[1]).toContain(',sue.supervisor,,,,audit.verified,ok,');
  expect(lines).toContain('# rows,1');
  expect(lines.some((l) => /^# chain head,\d+,[0-9a-f]{64}$/.test(l))).toBe(true);
  expect(lines).toContain(`# filter,"{""actor"":""sue.supervisor"",""action"":""audit.""}"`);
  await filters.getByRole('button', { name: 'Clear' }).click();
  // Sorted by who, A to Z, in the main process.
  await events.getByRole('button', { name: /Who/ }).click();
  await expect(events.getByRole('columnheader', { name: /Who/ })).toHaveAttribute('aria-sort', 'ascending');

  await page.getByRole('button', { name: 'Sign checkpoint' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Checkpoint signed' })).toContainText(/events, head #\d+/);

  // Event 3 disappears, the way someone with the database file would do it.
  execFileSync('sqlite3', [path.join(desk.dataDir, 'desk.sqlite')], { input: 'DROP TRIGGER audit_events_no_delete;\nDELETE FROM audit_events WHERE seq = 3;\n' });
  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Broken at event #3' })).toContainText('Events were deleted');
});

test('agents have no Audit screen, and the main process refuses its calls', async ({ page, desk }) => {
  await seed(desk, 10, 3);
  const agent = await addUser(desk, { username: 'al.agent', displayName: 'Al Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, agent);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Audit' })).toHaveCount(0);
  for (const channel of ['audit.verify', 'audit.checkpoint']) {
    const res = await invokeFromPage(page, channel, {});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
});
