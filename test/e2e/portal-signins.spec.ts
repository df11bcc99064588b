/**
 * The desk sees the portal: an employee registers their authenticator app (through `desk
 * selfservice`, the portal's stand-in for registration), then signs in through `desk portal` —
 * once with a right code, once with a wrong one — and the agent finds both checks on the
 * employee's page, with the integration that asked. Accessible and inside the window at both sizes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { generateSync } from 'otplib';
import type { EmployeePageData } from '../../shared/domain';
import { stopChild } from '../support/child-process';
import { test, expect, expectAccessibleAtBothSizes, findEmployeePage, signedInOnSeed, ROOT } from './fixtures';

test('sign-ins checked through the portal are listed on the employee page', async ({ page, desk }, testInfo) => {
  test.setTimeout(180_000);
  await signedInOnSeed(page, desk, { employees: 300, seed: 7 }, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent' });
  const chosen = await findEmployeePage<EmployeePageData>(page, { status: 'active', mfa: 'not_registered' }, (p) => p.eligibility.canRegister);
  expect(chosen, 'an employee who can register').not.toBeNull();
  const e = chosen!.employee;

  // Registration, as the portal does it today: the app's key from the otpauth URI, then a code.
  const started = await desk.runCli(['selfservice', 'app', 'start', '--employee', String(e.id)]);
  expect(started.code, started.stderr).toBe(0);
  const secret = new URL(/otpauth URI \(shown once; it holds the key\): (\S+)/.exec(started.stdout)![1]!).searchParams.get('secret')!;
  const codeNow = () => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });
  const confirmed = await desk.runCli(['selfservice', 'app', 'confirm', '--employee', String(e.id), '--code', codeNow()]);
  expect(confirmed.code, confirmed.stderr).toBe(0);

  const made = await desk.runCli(['portal', 'keys', 'add', 'esr-portal']);
  const key = /: (mdk_[\w-]{43})\n/.exec(made.stdout)![1]!;
  const portal = spawn(process.execPath, [path.join(ROOT, 'bin', 'desk.js'), 'portal', '--data-dir', desk.dataDir, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      portal.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /portal API: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out);
        if (m && out.includes('Press Ctrl+C to stop.')) resolve(m[1]!);
      });
      portal.on('exit', (code) => reject(new Error(`desk portal exited (${code}): ${out}`)));
    });
    const verify = async (code: string) => {
      const r = await fetch(`${url}/v1/employees/${e.username}/sign-in/verify`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: 'authenticator_app', code }),
      });
      return ((await r.json()) as { result: string }).result;
    };
    // The step the registration used is spent: wait for the next one, then sign in.
    const usedStep = Math.floor(Date.now() / 30_000);
    while (Math.floor(Date.now() / 30_000) === usedStep) await new Promise((r) => setTimeout(r, 500));
    const right = codeNow();
    expect(await verify(right)).toBe('accepted');
    expect(await verify(right === '000000' ? '111111' : '000000')).toBe('wrong');
  } finally {
    await stopChild(portal);
  }

  await page.goto(`${desk.origin}/#/employees/${e.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `${e.firstName} ${e.lastName}` })).toBeVisible();
  const checks = page.getByRole('region', { name: 'Sign-in checks' });
  const rows = checks.getByRole('table', { name: 'Sign-in checks' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('Wrong code');
  await expect(rows.nth(2)).toContainText('Accepted');
  for (const i of [1, 2]) {
    await expect(rows.nth(i)).toContainText('Authenticator app');
    await expect(rows.nth(i)).toContainText('through esr-portal');
  }
  // The app's "last used" comes from the accepted sign-in.
  await expect(page.getByRole('region', { name: 'Factors' })).toContainText(/Last used/i);
  await expectAccessibleAtBothSizes(page, 'employee page with sign-in checks');
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await checks.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath(`sign-in-checks-${width}.png`) });
  }
});
