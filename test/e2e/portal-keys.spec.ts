/**
 * An admin makes, rolls over and revokes the portal integration keys in Settings: a key is shown
 * once with a copy button; a refusal is said under the Integration field; revoking asks first and
 * names the key; the screen is accessible and fits at 1400x900 and 1024x700.
 */
import { test, expect, addUser, expectAccessibleAtBothSizes, invokeFromPage, openAdminPlace, signIn, toast, PASSWORD } from './fixtures';

test('an admin makes a portal key, sees it once, rolls it over, and revokes the old one after a confirmation', async ({ page, desk }, testInfo) => {
  const admin = await addUser(desk, { username: 'ada.admin', displayName: 'Ada Admin', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, admin);
  await openAdminPlace(page, 'Settings');
  const region = page.getByRole('region', { name: 'Portal integrations' });
  await expect(region).toContainText('No portal keys yet.');
  const field = region.getByRole('textbox', { name: 'Integration' });
  const make = region.getByRole('button', { name: 'Make a key' });

  // Nothing typed, then a name the main process refuses: said under the field, which takes the focus.
  await make.click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/Enter the integration’s name/);
  await field.fill('ESR portal!');
  await make.click();
  await expect(field).toHaveAccessibleDescription(/Use 2–40 lower-case letters, digits or dashes/);
  await expect(field).toBeFocused();
  await expect(region).toContainText('No portal keys yet.');

  await field.fill('esr-portal');
  await make.click();
  const shown = page.getByRole('region', { name: 'New portal key' });
  await expect(shown).toBeVisible();
  const key = (await shown.locator('code').first().textContent()) ?? '';
  expect(key).toMatch(/^mdk_[A-Za-z0-9_-]{43}$/);
  await expect(toast(page, /A key for esr-portal is made/)).toBeVisible();
  const rows = region.getByRole('table', { name: 'Portal keys' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText(`${key.slice(0, 12)}…`);
  await expect(rows.nth(1)).toContainText('Live');
  await expect(rows.nth(1)).toContainText('by ada.admin');
  await expectAccessibleAtBothSizes(page, 'settings with a new portal key');
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await region.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath(`portal-keys-${width}.png`) });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await shown.getByRole('button', { name: 'I have stored it' }).click();
  await expect(shown).toHaveCount(0);
  // Nothing on the page holds the key any more; the desk keeps only its hash.
  await expect(page.locator('body')).not.toContainText(key);

  // The replacement, then a third: refused under the field, in the main process's words.
  await field.fill('esr-portal');
  await make.click();
  await expect(rows).toHaveCount(3);
  await page.getByRole('region', { name: 'New portal key' }).getByRole('button', { name: 'I have stored it' }).click();
  await field.fill('esr-portal');
  await make.click();
  await expect(field).toHaveAccessibleDescription(/already has 2 live keys/);
  await expect(rows).toHaveCount(3);

  // Revoke the first key: the dialog names it and says the other keeps working.
  await region.getByRole('button', { name: `Revoke esr-portal’s key ${key.slice(0, 12)}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke esr-portal’s key?' });
  await expect(dialog).toContainText('The integration’s other live key keeps working.');
  await page.screenshot({ path: testInfo.outputPath('portal-keys-revoke-1400.png') });
  await dialog.getByRole('button', { name: `Revoke ${key.slice(0, 12)}…` }).click();
  await expect(dialog).toHaveCount(0);
  await expect(toast(page, `esr-portal’s key ${key.slice(0, 12)}… is revoked.`)).toBeVisible();
  await expect(rows.filter({ hasText: key.slice(0, 12) })).toContainText('Revoked');

  const listed = await desk.runCli(['portal', 'keys', 'list']);
  expect(listed.stdout).toMatch(new RegExp(`esr-portal\\s+${key.slice(0, 12).replace(/[-_]/g, '\\$&')}….*revoked .* by ada\\.admin`));
});

test('only admins have the portal keys, and the main process refuses them to others', async ({ page, desk }) => {
  const agent = await addUser(desk, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, agent);
  await expect(page.getByRole('navigation', { name: 'Main' })).not.toContainText('Settings');
  const refused = await invokeFromPage(page, 'portal.keys.add', { integration: 'sneaky' });
  expect(refused).toMatchObject({ status: 403, body: { ok: false, error: { code: 'FORBIDDEN' } } });
  expect((await desk.runCli(['portal', 'keys', 'list'])).stdout).toContain('No portal keys yet.');
});
