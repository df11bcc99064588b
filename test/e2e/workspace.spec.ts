/**
 * The screens people sit in, looked at the way a person would, at 1400x900 and 1024x700:
 *  - axe finds no serious or critical violation (every rule, the WCAG 2.0/2.1/2.2 A and AA ones included);
 *  - the page never scrolls sideways;
 *  - each matches its committed picture (Playwright's toHaveScreenshot), with the live times and the
 *    temporary data directory's path masked.
 * The desk's clock starts at a fixed moment (test.use clockStart), so the dates shown are the same
 * on every run; the pictures live in test/e2e/workspace.spec.ts-snapshots/ and are made again with
 * `npx playwright test test/e2e/workspace.spec.ts --update-snapshots` after a deliberate change.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, expectNoSidewaysScroll, signIn, signOut, ROOT } from './fixtures';
import { buildScene, SCENE_CLOCK, switchTo } from './scene';

test.use({ clockStart: SCENE_CLOCK });

const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** Times that move while the test runs ("just now", countdowns) are masked; toasts and the caret are hidden. */
async function look(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    // The pointer rests in a corner (no hover state), and layout, fonts and transitions settle.
    await page.mouse.move(0, 0);
    await page.evaluate('document.fonts.ready');
    await page.waitForTimeout(350);
    await expectNoSidewaysScroll(page, `${name} at ${size.width}x${size.height}`);
    await expectAccessible(page, `${name} at ${size.width}x${size.height}`);
    await expect(page).toHaveScreenshot(`${name}-${size.width}.png`, {
      // Live times, and this run's own data directory (a random temporary name).
      mask: [page.locator('[data-live-time], [role="timer"], time, [data-local-path]')],
      stylePath: path.join(ROOT, 'test', 'e2e', 'screenshot.css'),
    });
  }
  await page.setViewportSize(SIZES[0]);
}

test('every main screen, for every role, at both sizes', async ({ page, desk }) => {
  test.setTimeout(300_000);
  const scene = await buildScene(page, desk);
  // The browser's own clock stands still at the scene's moment (the desk's runs on from it).
  await page.clock.setFixedTime(new Date(Date.parse(SCENE_CLOCK) + 60_000));
  await signOut(page);
  await look(page, 'sign-in');
  await signIn(page, scene.users.agent);

  // Agent: the inbox, New ticket with its list of employees, the ticket being worked, the look-up, the employee.
  await page.goto(`${desk.origin}/#/tickets`);
  await expect(page.getByRole('table', { name: 'Tickets' })).toBeVisible();
  await look(page, 'tickets-inbox');
  await page.keyboard.press('Alt+n');
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  await dialog.getByLabel('Employee', { exact: true }).fill(scene.employee.lastName);
  await expect(dialog.getByRole('list', { name: 'Matching employees' })).toBeVisible();
  await look(page, 'new-ticket');
  await page.keyboard.press('Escape');
  await page.goto(`${desk.origin}/#/tickets/${scene.working.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-20411' })).toBeVisible();
  await look(page, 'ticket-page');
  await page.goto(`${desk.origin}/#/search`);
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(scene.employee.lastName);
  await expect(page.getByRole('table', { name: 'Search results' })).toBeVisible();
  await look(page, 'search');
  await page.goto(`${desk.origin}/#/employees/${scene.employee.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `${scene.employee.firstName} ${scene.employee.lastName}` })).toBeVisible();
  await look(page, 'employee-page');

  // Manager: the queue.
  await switchTo(page, scene.users.manager);
  await page.goto(`${desk.origin}/#/tasks`);
  await expect(page.getByRole('heading', { level: 1, name: 'Manager tasks' })).toBeVisible();
  await look(page, 'manager-tasks');

  // Supervisor: the audit dashboard, events and integrity.
  await switchTo(page, scene.users.supervisor);
  for (const tab of ['dashboard', 'events', 'integrity'] as const) {
    await page.goto(`${desk.origin}/#/audit/${tab}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await page.waitForLoadState('networkidle');
    await look(page, `audit-${tab}`);
  }

  // Admin: desk users, HR import, settings.
  await switchTo(page, scene.users.admin);
  for (const [route, heading, name] of [
    ['admin/users', 'Desk users', 'desk-users'],
    ['admin/import', 'HR import', 'hr-import'],
    ['admin/settings', 'Settings', 'settings'],
  ] as const) {
    await page.goto(`${desk.origin}/#/${route}`);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await page.waitForLoadState('networkidle');
    await look(page, name);
  }
  await signOut(page);
});
