/**
 * The audit trail proves itself, end to end in Chromium against `desk serve`: a supervisor verifies
 * the chain (intact), someone deletes an event with the sqlite3 shell behind the desk's back, and
 * the next check names the event where the trail breaks. The Audit screen has a tab per task, each
 * at its own address; the dashboard's period and the events' filter put the main process's
 * objections under the fields they name; the events table never makes the window scroll sideways.
 * Agents have no Audit screen, and the main process refuses them anyway.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { eventHash } from '../../electron/core/audit/chain';
import { test, expect, accountButton, callFromPage, expectAccessible, invokeFromPage, toast, signedInOnSeed, type Desk } from './fixtures';

const WIDE = { width: 1400, height: 900 };
const NARROW = { width: 1024, height: 700 };

async function supervisorOnAudit(page: Page, desk: Desk, employees = 50, seedValue = 7) {
  const supervisor = await signedInOnSeed(page, desk, { employees: employees, seed: seedValue }, { username: 'sue.supervisor', displayName: 'Sue Supervisor', role: 'supervisor' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeFocused();
  return supervisor;
}

function auditTab(page: Page, name: 'Dashboard' | 'Events' | 'Integrity'): Locator {
  return page.getByRole('tab', { name });
}

/** The events' count line ("12 events"), whatever it says now. */
function countLine(page: Page): Locator {
  return page.getByTestId('audit-events-count');
}

/** Choose an action in the filter's picker by its name, as a person would: type part of it, pick it. */
async function pickAction(filters: Locator, name: string) {
  const picker = filters.getByLabel('Action', { exact: true });
  await picker.click();
  await picker.fill(name.slice(0, 8));
  await filters.page().getByRole('option', { name, exact: true }).click();
  await expect(picker).toHaveValue(name);
}

/** Type a day into a DD/MM/YYYY field and close its calendar. */
async function typeDay(field: Locator, ukDay: string) {
  await field.click();
  await field.fill(ukDay);
  await field.press('Escape');
  await expect(field).toHaveValue(ukDay);
}

function noHorizontalScroll(page: Page) {
  return page.locator('html').evaluate((html) => html.scrollWidth <= html.ownerDocument.defaultView!.innerWidth);
}

test('a supervisor verifies the audit trail, signs a checkpoint, and is told where it was tampered with', async ({ page, desk }) => {
  test.slow(); // the whole story in one test: dashboard, verify, filter, export, sort, sign, tamper
  await supervisorOnAudit(page, desk);
  await expect(auditTab(page, 'Dashboard')).toHaveAttribute('aria-selected', 'true');

  // The dashboard: the last 30 days to start with, drawn as charts with their numbers in words.
  const perDay = page.getByRole('figure', { name: 'Actions per day' });
  await expect(perDay).toContainText(/\d[\d,]* in all/);
  await expect(perDay.locator('svg.recharts-surface')).toBeVisible();
  for (const title of ['One-time codes by the day they were issued', 'Re-registrations by reason', 'Mail failures per day', 'Actions per actor']) {
    await expect(page.getByRole('figure', { name: title })).toBeVisible();
  }
  await expect(page.getByRole('figure', { name: 'Actions per actor' })).toContainText('sue.supervisor');

  await auditTab(page, 'Integrity').click();
  await expect(page).toHaveURL(/#\/audit\/integrity$/);
  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  const result = page.getByTestId('audit-verify-result');
  await expect(result).toContainText('Intact.');
  await expect(result).toContainText(/every link holds/);
  await expectAccessible(page, 'the audit screen');

  // The events table: the check just made is there; filter down to it.
  await auditTab(page, 'Events').click();
  await expect(page).toHaveURL(/#\/audit\/events$/);
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(page.getByRole('status').filter({ hasText: /^\d[\d,]* events$/ })).toBeVisible();
  const filters = page.getByRole('form', { name: 'Filter audit events' });
  await filters.getByLabel('Who').fill('sue.supervisor');
  await pickAction(filters, 'Audit trail (all)');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(page.getByRole('status').filter({ hasText: /events?$/ })).toHaveText('1 event');
  await expect(events.getByRole('row')).toHaveCount(2);
  await expect(events).toContainText('sue.supervisor');
  await expect(events).toContainText('Audit trail verified');
  await expect(events).toContainText('Intact: yes');

  // A bad filter is refused with the reason, beside the field it names; the count says so instead of counting forever.
  const employeeNumber = filters.getByLabel('Employee number');
  await employeeNumber.fill('1234');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(employeeNumber).toHaveAttribute('aria-invalid', 'true');
  await expect(employeeNumber).toHaveAccessibleDescription(/An employee number has 8 digits/);
  await expect(employeeNumber).toBeFocused();
  await expect(countLine(page)).toContainText('Not counted');
  await expect(countLine(page)).not.toContainText('Counting');
  await expect(page.getByText(/Some of the input/)).toHaveCount(0);
  // An action that is not one is refused by the main process too, whatever sends it.
  const refused = await invokeFromPage(page, 'audit.report', { filter: { action: 'DROP TABLE' } });
  expect(refused.body).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { issues: [{ path: 'filter.action', message: expect.stringContaining('Use an action such as factor.removed') }] } } });

  // Export what the filter shows: written in the main process, then offered as a download.
  await employeeNumber.fill('');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(employeeNumber).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('status').filter({ hasText: /events?$/ })).toHaveText('1 event');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const link = page.getByRole('link', { name: /^Download audit-\d{8}-\d{4}\.csv$/ });
  await expect(link).toBeVisible();
  await expect(toast(page, /Exported 1 event: audit-\d{8}-\d{4}\.csv is ready to download/)).toBeInViewport();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('seq,occurred_at,actor,employee_id,employee_number,ticket_ref,action,result,details');
  expect(lines[1]).toContain(',sue.supervisor,,,,audit.verified,ok,');
  expect(lines).toContain('# rows,1');
  expect(lines.some((l) => /^# chain head,\d+,[0-9a-f]{64}$/.test(l))).toBe(true);
  expect(lines).toContain(`# filter,"{""actor"":""sue.supervisor"",""action"":""audit.""}"`);
  await filters.getByRole('button', { name: 'Clear' }).click();
  await expect(filters.getByLabel('Who')).toHaveValue('');
  // Sorted by who, A to Z, in the main process.
  await events.getByRole('button', { name: /Who/ }).click();
  await expect(events.getByRole('columnheader', { name: /Who/ })).toHaveAttribute('aria-sort', 'ascending');

  await auditTab(page, 'Integrity').click();
  await page.getByRole('button', { name: 'Sign checkpoint' }).click();
  await expect(page.getByRole('tabpanel').getByRole('status').filter({ hasText: 'Checkpoint signed' })).toContainText(/events, head #\d+/);

  // Event 3 disappears, the way someone with the database file would do it.
  execFileSync('sqlite3', [path.join(desk.dataDir, 'desk.sqlite')], { input: 'DROP TRIGGER audit_events_no_delete;\nDELETE FROM audit_events WHERE seq = 3;\n' });
  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Broken at event #3' })).toContainText('Events were deleted');
  await expect(result).toContainText('Event 3 is missing');
});

test('an event written into the database outside the desk is named as such, at its own number', async ({ page, desk }) => {
  await supervisorOnAudit(page, desk, 20, 3);
  await auditTab(page, 'Integrity').click();
  // A correctly chained event after the head, with a made-up signature: what someone with the file could add.
  const file = path.join(desk.dataDir, 'desk.sqlite');
  const head = execFileSync('sqlite3', ['-separator', '|', file, 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1']).toString().trim().split('|');
  const seq = Number(head[0]) + 1;
  const forged = {
    occurred_at: '2026-03-02T09:00:07.000Z', actor_user_id: null, actor_name: 'ada.admin', employee_id: null, ticket_ref: null,
    action: 'desk_user.role_changed', result: 'ok', details: '{"username":"eve","from":"agent","to":"admin"}',
  };
  const hash = eventHash(seq, forged, head[1]!);
  execFileSync('sqlite3', [file], {
    input: `INSERT INTO audit_events (occurred_at, actor_name, action, result, details, seq, prev_hash, hash, mac) VALUES ('${forged.occurred_at}', 'ada.admin', '${forged.action}', 'ok', '${forged.details}', ${seq}, '${head[1]}', '${hash}', '${'0'.repeat(64)}');\n`,
  });
  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  const alert = page.getByRole('alert').filter({ hasText: `Broken at event #${seq.toLocaleString('en-GB')}` });
  await expect(alert).toContainText('Events were written or rewritten outside MFA Desk');
  await expect(alert).toContainText(`Event ${seq} is not signed with this desk's key`);
  await expect(alert).toBeInViewport();
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    expect(await noHorizontalScroll(page)).toBe(true);
    if (process.env.DESK_LOOK) await page.screenshot({ path: path.join(process.env.DESK_LOOK, `integrity-forged-${size.width}.png`) });
  }
});

for (const size of [WIDE, NARROW]) {
  test(`every tab passes axe and stays inside the window at ${size.width}x${size.height}`, async ({ page, desk }) => {
    await page.setViewportSize(size);
    await supervisorOnAudit(page, desk, 30, 5);
    for (const [name, address] of [
      ['Dashboard', 'dashboard'],
      ['Events', 'events'],
      ['Integrity', 'integrity'],
    ] as const) {
      await auditTab(page, name).click();
      // The first address, #/audit, is the dashboard too.
      await expect(page).toHaveURL(new RegExp(address === 'dashboard' ? '#/audit(/dashboard)?$' : `#/audit/${address}$`));
      await expect(auditTab(page, name)).toHaveAttribute('aria-selected', 'true');
      if (name === 'Dashboard') await expect(page.getByRole('figure', { name: 'Actions per day' })).toBeVisible();
      if (name === 'Events') await expect(page.getByRole('status').filter({ hasText: /^\d[\d,]* events$/ })).toBeVisible();
      if (name === 'Integrity') {
        await page.getByRole('button', { name: 'Verify audit trail' }).click();
        await expect(page.getByTestId('audit-verify-result')).toContainText('Intact.');
      }
      expect(await noHorizontalScroll(page), `no sideways scroll on ${name} at ${size.width} px`).toBe(true);
      await expectAccessible(page, `the audit ${name} tab at ${size.width}x${size.height}`);
    }
  });
}

test('each tab has its own address: Back, Forward and reload land on it; the ticket report downloads', async ({ page, desk }) => {
  await supervisorOnAudit(page, desk, 10, 5);
  // The tabs are links to their addresses; the arrow keys move between them too.
  await expect(auditTab(page, 'Events')).toHaveAttribute('href', '#/audit/events');
  await expect(auditTab(page, 'Integrity')).toHaveAttribute('href', '#/audit/integrity');
  await auditTab(page, 'Dashboard').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/#\/audit\/events$/);
  await expect(auditTab(page, 'Events')).toBeFocused();
  await expect(auditTab(page, 'Events')).toHaveAttribute('aria-selected', 'true');
  await auditTab(page, 'Dashboard').click();
  await expect(page).toHaveURL(/#\/audit\/dashboard$/);
  await auditTab(page, 'Events').click();
  await expect(page).toHaveURL(/#\/audit\/events$/);
  await auditTab(page, 'Integrity').click();
  await expect(page).toHaveURL(/#\/audit\/integrity$/);
  await auditTab(page, 'Dashboard').click();
  await expect(page).toHaveURL(/#\/audit\/dashboard$/);

  // Back: the integrity, then the events; Forward: the integrity again; reload keeps the tab.
  await page.goBack();
  await expect(page).toHaveURL(/#\/audit\/integrity$/);
  await expect(auditTab(page, 'Integrity')).toHaveAttribute('aria-selected', 'true');
  await page.goBack();
  await expect(page).toHaveURL(/#\/audit\/events$/);
  await expect(auditTab(page, 'Events')).toHaveAttribute('aria-selected', 'true');
  await page.goForward();
  await expect(auditTab(page, 'Integrity')).toHaveAttribute('aria-selected', 'true');
  await page.goBack();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await expect(auditTab(page, 'Events')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();

  // The ticket report of the dashboard's period comes as a CSV file, with a toast.
  await auditTab(page, 'Dashboard').click();
  await expect(page.getByRole('figure', { name: 'Actions per day' })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export ticket report (CSV)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  expect(fs.readFileSync(await download.path(), 'utf8').length).toBeGreaterThan(0);
  await expect(toast(page, 'Ticket report exported')).toBeInViewport();
});

test('an impossible period is refused under the "To" field: no stale chart, no validator words', async ({ page, desk }) => {
  await supervisorOnAudit(page, desk, 10, 2);
  const period = page.getByRole('form', { name: 'Dashboard period' });
  await expect(page.getByRole('figure', { name: 'Actions per day' })).toBeVisible();
  const from = period.getByLabel('From', { exact: true });
  const to = period.getByLabel('To', { exact: true });

  // The first day after the last.
  await typeDay(from, '10/12/2025');
  await typeDay(to, '01/12/2025');
  await period.getByRole('button', { name: 'Show period' }).click();
  await expect(to).toHaveAttribute('aria-invalid', 'true');
  await expect(to).toHaveAccessibleDescription(/The first day comes after the last/);
  await expect(from).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('figure', { name: 'Actions per day' })).toHaveCount(0);
  await expect(page.getByText(/Some of the input|YYYY-MM-DD/)).toHaveCount(0);

  // More than a year.
  await typeDay(from, '01/01/2024');
  await typeDay(to, '31/03/2025');
  await period.getByRole('button', { name: 'Show period' }).click();
  await expect(to).toHaveAttribute('aria-invalid', 'true');
  await expect(to).toHaveAccessibleDescription(/Choose at most a year/);
  await expect(page.getByRole('figure', { name: 'Actions per day' })).toHaveCount(0);

  // A right period: the charts come back, for those days (3 December, not 12 March).
  await typeDay(from, '03/12/2025');
  await typeDay(to, '05/12/2025');
  await period.getByRole('button', { name: 'Show period' }).click();
  await expect(to).not.toHaveAttribute('aria-invalid', 'true');
  await expect(period).toContainText('3 Dec 2025 to 5 Dec 2025');
  await expect(page.getByRole('figure', { name: 'Actions per day' })).toBeVisible();

  // The events' filter maps its issue paths (filter.to) to its own fields the same way.
  await auditTab(page, 'Events').click();
  const filters = page.getByRole('form', { name: 'Filter audit events' });
  await typeDay(filters.getByLabel('From', { exact: true }), '10/12/2025');
  await typeDay(filters.getByLabel('To', { exact: true }), '01/12/2025');
  await filters.getByRole('button', { name: 'Show events' }).click();
  await expect(filters.getByLabel('To', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(filters.getByLabel('To', { exact: true })).toHaveAccessibleDescription(/The first day comes after the last/);
  await expect(countLine(page)).not.toContainText('Counting');
});

test('picking an action by its name filters the events, and the count settles', async ({ page, desk }) => {
  await supervisorOnAudit(page, desk, 20, 3);
  await auditTab(page, 'Events').click();
  const filters = page.getByRole('form', { name: 'Filter audit events' });
  const events = page.getByRole('table', { name: 'Audit events' });
  const sent: unknown[] = [];
  page.on('request', (req) => {
    if (req.url().endsWith('/api/invoke/audit.report')) sent.push(JSON.parse(req.postData() ?? '{}'));
  });

  // One action, by its name: the key goes to the main process, never typed by anyone.
  await pickAction(filters, 'Signed in');
  await filters.getByRole('button', { name: 'Show events' }).click();
  const signins = await callFromPage<{ count: number }>(page, 'audit.reportCount', { filter: { action: 'desk_user.signin' } });
  expect(signins.count).toBeGreaterThan(0);
  await expect(countLine(page)).toHaveText(signins.count === 1 ? '1 event' : `${signins.count} events`);
  await expect(events.getByRole('row')).toHaveCount(signins.count + 1);
  for (const cell of await events.getByRole('row').locator('td:nth-child(3)').all()) await expect(cell).toHaveText('Signed in');
  expect(sent.some((b) => (b as { filter?: { action?: string } }).filter?.action === 'desk_user.signin')).toBe(true);

  // A whole family: its key with a trailing dot.
  await pickAction(filters, 'Desk users and sign-in (all)');
  await filters.getByRole('button', { name: 'Show events' }).click();
  const family = await callFromPage<{ count: number }>(page, 'audit.reportCount', { filter: { action: 'desk_user.' } });
  await expect(countLine(page)).toHaveText(family.count === 1 ? '1 event' : `${family.count} events`);
  expect(family.count).toBeGreaterThan(signins.count);
  expect(sent.some((b) => (b as { filter?: { action?: string } }).filter?.action === 'desk_user.')).toBe(true);
});

test('many events and a 4,000-character note: the table stays inside the window at 1024 px', async ({ page, desk }) => {
  await page.setViewportSize(NARROW);
  await supervisorOnAudit(page, desk, 300, 41);
  // A real ticket, resolved with the longest note the desk takes (with a 300-character unbroken run).
  const words = Array.from({ length: 900 }, (_, i) => (i === 40 ? 'x'.repeat(300) : 'note')).join(' ');
  const note = words.slice(0, 4000);
  expect(note.length).toBe(4000);
  const ticket = await callFromPage<{ id: number }>(page, 'tickets.create', { reference: 'WEB-LONG-NOTE', category: 'other' });
  await callFromPage(page, 'tickets.resolve', { ticketId: ticket.id, note });

  await auditTab(page, 'Events').click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(page.getByRole('status').filter({ hasText: /^\d[\d,]* events$/ })).toBeVisible();
  await expect(events.getByRole('row')).toHaveCount(51);
  await page.getByRole('button', { name: 'Show more events' }).click();
  await expect(events.getByRole('row')).toHaveCount(101);
  expect(await noHorizontalScroll(page)).toBe(true);
  const box = await events.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(NARROW.width);

  // The note folds; Show all opens it, and the window still does not scroll sideways.
  const row = events.getByRole('row').filter({ hasText: 'Ticket resolved' }).filter({ hasText: 'WEB-LONG-NOTE' });
  await expect(row).toHaveCount(1);
  const folded = (await row.boundingBox())!.height;
  expect(folded).toBeLessThan(120);
  await row.getByRole('button', { name: /Show all details of event/ }).click();
  await expect.poll(async () => (await row.boundingBox())!.height).toBeGreaterThan(folded * 3);
  expect(await noHorizontalScroll(page)).toBe(true);

  // Times are UK dates and times, with how long ago on hover.
  const firstTime = events.getByRole('row').nth(1).locator('time');
  await expect(firstTime).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/);
  await firstTime.hover();
  await expect(page.getByRole('tooltip')).toHaveText(/(just now|min ago|today at) · event #\d+/);

  // A row whose details are short is at most 40 px tall.
  const signin = events.getByRole('row').filter({ hasText: 'Signed in' }).first();
  expect((await signin.boundingBox())!.height).toBeLessThanOrEqual(40);
  await expectAccessible(page, 'the audit events with a long note at 1024 px');
});

test('agents have no Audit screen, and the main process refuses its calls', async ({ page, desk }) => {
  await signedInOnSeed(page, desk, { employees: 10, seed: 3 }, { username: 'al.agent', displayName: 'Al Agent', role: 'agent' });
  await expect(accountButton(page)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Audit' })).toHaveCount(0);
  // Its address leads nowhere for them.
  await page.goto(page.url().replace(/#.*$/, '#/audit/events'));
  await expect(page.getByRole('heading', { level: 1, name: 'There is nothing at this address' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' })).toHaveCount(0);
  for (const channel of ['audit.verify', 'audit.checkpoint']) {
    const res = await invokeFromPage(page, channel, {});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
});
