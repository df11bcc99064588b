/**
 * The README's pictures: each role's main screen on the scene (test/e2e/scene.ts), at 1400x900,
 * written to docs/screenshots/. Made by `npm run docs:screenshots` (never by hand); the regular
 * test run leaves this spec out (playwright.config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, ROOT } from './fixtures';
import { buildScene, SCENE_CLOCK, switchTo } from './scene';

test.use({ clockStart: SCENE_CLOCK, viewport: { width: 1400, height: 900 } });

const OUT = path.join(ROOT, 'docs', 'screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate('document.fonts.ready');
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), animations: 'disabled', caret: 'hide', style: fs.readFileSync(path.join(ROOT, 'test', 'e2e', 'screenshot.css'), 'utf8') });
}

test('each role’s main screen, for the README', async ({ page, desk }) => {
  test.setTimeout(300_000);
  const scene = await buildScene(page, desk);
  await page.clock.setFixedTime(new Date(Date.parse(SCENE_CLOCK) + 60_000));

  // Agent: the ticket being worked, and the inbox.
  await page.goto(`${desk.origin}/#/tickets`);
  await expect(page.getByRole('table', { name: 'Tickets' })).toBeVisible();
  await shoot(page, 'agent-inbox');
  await page.goto(`${desk.origin}/#/tickets/${scene.working.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Ticket chat-20411' })).toBeVisible();
  await shoot(page, 'agent-ticket');

  // Manager: the employee whose record a task asks to correct, the form open.
  await switchTo(page, scene.users.manager);
  await page.goto(`${desk.origin}/#/tasks`);
  await expect(page.getByRole('heading', { level: 1, name: 'Manager tasks' })).toBeVisible();
  await shoot(page, 'manager-tasks');

  // Supervisor: the audit dashboard.
  await switchTo(page, scene.users.supervisor);
  await page.goto(`${desk.origin}/#/audit/dashboard`);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await shoot(page, 'supervisor-audit');

  // Admin: desk users.
  await switchTo(page, scene.users.admin);
  await page.goto(`${desk.origin}/#/admin/users`);
  await expect(page.getByRole('heading', { level: 1, name: 'Desk users' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await shoot(page, 'admin-desk-users');
});
