import {
  test,
  expect,
  accountButton,
  addUser,
  expectAccessible,
  expectAccessibleAtBothSizes,
  setSetting,
  signIn,
  signOut,
  PASSWORD,
} from './fixtures';

test('an enrolled desk user signs in with password and authenticator code', async ({ page, desk }) => {
  const admin = await addUser(desk, { username: 'grace.admin', displayName: 'Grace Hopper', role: 'admin', password: PASSWORD });
  const agent = await addUser(desk, { username: 'alan.agent', displayName: 'Alan Turing', role: 'agent', password: PASSWORD });
  void admin;

  await page.goto(desk.url);
  // The first sign-in enrols the app.
  await signIn(page, agent);
  await expect(page.getByRole('banner')).toContainText('Alan Turing');
  await expect(page.getByRole('banner')).toContainText('Agent');
  // An agent starts at the tickets.
  await expect(page).toHaveURL(/#\/tickets$/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' })).toHaveAttribute('aria-current', 'page');
  // An agent on an empty database is told who can fill it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
  await expect(page.getByText('No employees yet', { exact: true })).toBeVisible();
  await expect(page.getByText(/An admin can load demo data/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load demo data' })).toHaveCount(0);
  await expectAccessible(page, 'agent, empty database');
  await signOut(page);
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  await expectAccessibleAtBothSizes(page, 'sign in with a notice');

  // A wrong password is refused in the alert region.
  await page.getByLabel('Username').fill(agent.username);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.getByLabel('Password')).toBeFocused();
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expectAccessible(page, 'sign in with an error');

  // An empty field is said under that field, and nothing is sent.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Enter your password');

  // The right password leads to the code step: no QR code this time.
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authenticator code');
  await expect(code).toBeVisible();
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toHaveCount(0);
  // A code pasted with a space between its halves fits the field.
  expect(Number(await code.getAttribute('maxlength'))).toBeGreaterThanOrEqual(7);
  await expectAccessibleAtBothSizes(page, 'authenticator code');
  // Too few digits are said under the field, before anything is sent.
  await code.fill('12 34');
  await page.getByRole('button', { name: 'Verify code' }).click();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(code).toHaveAccessibleDescription(/Enter the 6 digits your authenticator app shows/);
  const digits = await agent.authenticator!.code();
  await code.fill(`${digits.slice(0, 3)} ${digits.slice(3)}`);
  await page.getByRole('button', { name: 'Verify code' }).click();
  await expect(accountButton(page)).toBeVisible();
  // Back where the agent was when they signed out.
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
});

test('the session locks after the idle time: the screen locks and the session ends in the main process', async ({ page, desk }) => {
  await setSetting(desk, 'session.idleMinutes', '1');
  const user = await addUser(desk, { username: 'idle.admin', displayName: 'Ida Idle', role: 'admin', password: PASSWORD });
  await page.clock.install();
  await page.goto(desk.url);
  await signIn(page, user);

  // Every call the page makes from now on.
  const calls: Array<{ channel: string }> = [];
  page.on('request', (r) => {
    const m = /\/api\/invoke\/([^/?]+)/.exec(r.url());
    if (m) calls.push({ channel: decodeURIComponent(m[1]!) });
  });

  await page.clock.fastForward('00:40');
  await expect(accountButton(page)).toBeVisible();
  await page.clock.fastForward('00:25');

  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Your session was locked after 1 minute without activity.');
  await expect(page.getByLabel('Username')).toHaveValue('idle.admin');
  await expectAccessible(page, 'locked session');

  // One sign-out ended the session in the main process; no keep-alive once locked.
  await expect.poll(() => calls.filter((c) => c.channel === 'auth.signOut').length).toBe(1);
  await page.getByLabel('Password').click();
  await page.keyboard.type('typing on the lock screen');
  await page.clock.fastForward('02:00');
  await page.keyboard.press('End');
  expect(calls.filter((c) => c.channel === 'app.status')).toEqual([]);

  // A reload does not step past the lock: the session is gone.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  const res = await page.evaluate(async () => {
    const r = await fetch('/api/invoke/employees.search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'smith' }),
    });
    return (await r.json()) as { ok: boolean; error?: { code: string } };
  });
  expect(res).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
});

test('an active user is kept signed in by at most one app.status a minute', async ({ page, desk }) => {
  await setSetting(desk, 'session.idleMinutes', '3');
  const user = await addUser(desk, { username: 'busy.admin', displayName: 'Bea Busy', role: 'admin', password: PASSWORD });
  await page.clock.install();
  await page.goto(desk.url);
  await signIn(page, user);
  const statusCalls: number[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/invoke/app.status')) statusCalls.push(Date.now());
  });
  // Five minutes of activity, a key press every 10 seconds (page time).
  for (let i = 0; i < 30; i++) {
    await page.clock.fastForward('00:10');
    await page.keyboard.press('Shift');
  }
  await expect(accountButton(page)).toBeVisible();
  await expect.poll(() => statusCalls.length).toBeGreaterThanOrEqual(4);
  expect(statusCalls.length).toBeLessThanOrEqual(5);
});

test('a page that lost its host token says where to get a valid address', async ({ page, desk, context }) => {
  await addUser(desk, { username: 'tok.admin', displayName: 'Tok Admin', role: 'admin', password: PASSWORD });
  await page.goto(desk.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await context.clearCookies();
  await page.getByLabel('Username').fill('tok.admin');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('This page needs the address printed by `desk serve`.');
  await expectAccessible(page, 'host token lost');
});
