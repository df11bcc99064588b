/**
 * The training copy of the portal's MFA pages (`desk portal --training`), in Chromium, as an agent
 * would walk a caller through them with a demo employee: register the authenticator app by reading
 * its QR code, register the email method with the code a real SMTP server on loopback receives,
 * sign in with each method, remove a method once both are set up; then the desk's employee page
 * shows those sign-ins. Every page says it is training, has no serious axe finding, and fits the
 * window at 1400x900 and 1024x700 (screenshots of each).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import jsQR from 'jsqr';
import { generateSync } from 'otplib';
import type { Page, TestInfo } from '@playwright/test';
import type { EmployeePageData } from '../../shared/domain';
import { startSmtpServer, type TestSmtpServer } from '../support/mail-server';
import { stopChild } from '../support/child-process';
import { test, expect, expectAccessibleAtBothSizes, findEmployeePage, setSetting, signedInOnSeed, ROOT } from './fixtures';

function startTraining(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'desk.js'), 'portal', '--training', '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /Training pages \(demo employees only\): (http:\/\/127\.0\.0\.1:\d+\/training\/)/.exec(out);
      if (m && out.includes('Press Ctrl+C to stop.')) resolve({ child, url: m[1]! });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('exit', (code) => reject(new Error(`desk portal --training exited (${code}): ${out}`)));
  });
}

/** The secret in the QR code the page shows, read from its pixels. */
async function secretFromQr(page: Page): Promise<string> {
  // The image's pixels as the browser decoded them, read back through a canvas.
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const pixels = await page.evaluate<{ width: number; height: number; data: number[] }>(`(() => {
    const img = document.querySelector('img[alt^="QR code"]');
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    return { width: canvas.width, height: canvas.height, data: Array.from(g.getImageData(0, 0, canvas.width, canvas.height).data) };
  })()`);
  const read = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
  expect(read, 'the QR code decodes').not.toBeNull();
  expect(read!.data).toMatch(/^otpauth:\/\/totp\/Hants:/);
  return new URL(read!.data).searchParams.get('secret')!;
}

async function codeMailTo(smtp: TestSmtpServer, address: string, subject: RegExp, after: number): Promise<string> {
  await expect.poll(() => smtp.received.slice(after).filter((m) => m.to.includes(address) && subject.test(m.subject)).length, { timeout: 20_000 }).toBe(1);
  const mail = smtp.received.slice(after).find((m) => m.to.includes(address) && subject.test(m.subject))!;
  return /\b(\d{6})\b/.exec(mail.text)![1]!;
}

/** Each training page: says it is training, accessible and inside the window at both sizes, and a screenshot of each. */
async function look(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await expect(page.getByRole('note').filter({ hasText: 'Training' })).toBeVisible();
  await expectAccessibleAtBothSizes(page, `training: ${name}`);
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: testInfo.outputPath(`training-${name}-${width}.png`) });
  }
}

test('training pages: app by QR, email by emailed code, sign-in with each, remove one; the desk sees the sign-ins', async ({ page, desk, context }, testInfo) => {
  test.setTimeout(300_000);
  await signedInOnSeed(page, desk, { employees: 300, seed: 7 }, { username: 'kim.agent', displayName: 'Kim Agent', role: 'agent' });
  const chosen = await findEmployeePage<EmployeePageData>(page, { status: 'active', mfa: 'not_registered' }, (p) => p.eligibility.canRegister && p.employee.emails.length >= 2);
  expect(chosen, 'a demo employee with two addresses who can register').not.toBeNull();
  const e = chosen!.employee;
  const preferred = e.emails.find((m) => m.usedForCodes) ?? e.emails[0]!;

  const smtp = await startSmtpServer();
  await setSetting(desk, 'smtp.host', '127.0.0.1');
  await setSetting(desk, 'smtp.port', String(smtp.port));
  await setSetting(desk, 'smtp.security', 'none');
  const training = await startTraining(desk.dataDir);
  const tp = await context.newPage();
  try {
    await tp.goto(training.url);
    await expect(tp.getByRole('heading', { level: 1, name: 'Training: choose a demo employee' })).toBeVisible();
    await look(tp, testInfo, 'choose-employee');
    await tp.getByLabel('Username of a demo employee').fill(e.username);
    await tp.getByRole('button', { name: 'Open their MFA pages' }).click();

    // Choose a method.
    await expect(tp.getByRole('heading', { level: 1, name: 'Multi-Factor Authentication' })).toBeVisible();
    await expect(tp.getByRole('heading', { name: 'Choose a verification method' })).toBeVisible();
    await look(tp, testInfo, 'choose-method');

    // Add under Authenticator app: the QR code, the tip, a wrong code said under the field, then the right one.
    await tp.getByRole('listitem').filter({ has: tp.getByRole('heading', { name: 'Authenticator app' }) }).getByRole('button', { name: 'Add' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Add an authenticator app' })).toBeVisible();
    await expect(tp.getByText('If you cannot find the Hants account, save your username and password in the Passwords app and try again.')).toBeVisible();
    const secret = await secretFromQr(tp);
    await look(tp, testInfo, 'add-app');
    const now = () => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });
    const right = now();
    await tp.getByLabel('Code from the app').fill(right === '000000' ? '111111' : '000000');
    await tp.getByRole('button', { name: 'Verify and finish' }).click();
    await expect(tp.getByText(/That code is not right\. .* 4 tries left\./)).toBeVisible();
    await expect(tp.getByLabel('Code from the app')).toHaveAttribute('aria-invalid', 'true');
    await look(tp, testInfo, 'add-app-wrong-code');
    // The page shows the same QR code again: the key did not change.
    expect(await secretFromQr(tp)).toBe(secret);
    const before = smtp.received.length;
    await tp.getByLabel('Code from the app').fill(now());
    await tp.getByRole('button', { name: 'Verify and finish' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Authenticator app added' })).toBeVisible();
    await expect(tp.getByText(`A confirmation has been emailed to all ${e.emails.length} addresses held on your record.`)).toBeVisible();
    await look(tp, testInfo, 'app-added');
    // Every address on record gets the confirmation.
    await expect.poll(() => smtp.received.slice(before).flatMap((m) => m.to).sort(), { timeout: 20_000 }).toEqual(e.emails.map((m) => m.address).sort());

    // The email method: the addresses on record, the preferred one chosen; the OTP page; the code from SMTP.
    await tp.getByRole('link', { name: 'Back to Multi-Factor Authentication' }).click();
    await expect(tp.getByRole('heading', { name: 'Update Details' })).toBeVisible();
    await look(tp, testInfo, 'update-details-app');
    await tp.getByRole('listitem').filter({ has: tp.getByRole('heading', { name: 'Email' }) }).getByRole('link', { name: 'Add' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Add an email address' })).toBeVisible();
    await expect(tp.getByRole('radio')).toHaveCount(e.emails.length);
    await expect(tp.getByRole('radio', { checked: true })).toHaveCount(1);
    await look(tp, testInfo, 'choose-email');
    const mailsBefore = smtp.received.length;
    await tp.getByRole('button', { name: 'Send code' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Enter the code we emailed you' })).toBeVisible();
    await expect(tp.getByText(/The OTP will time out after 20 minutes/)).toBeVisible();
    await expect(tp.getByText('If you do not receive the code, check your spam or junk folders.')).toBeVisible();
    await look(tp, testInfo, 'otp');
    const otp = await codeMailTo(smtp, preferred.address, /code to set up/i, mailsBefore);
    await tp.getByLabel('OTP').fill('12');
    await tp.getByRole('button', { name: 'Verify and finish' }).click();
    await expect(tp.getByText(/^Enter the 6-digit code/)).toBeVisible();
    await tp.getByLabel('OTP').fill(otp);
    await tp.getByRole('button', { name: 'Verify and finish' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Email added' })).toBeVisible();

    // Sign in with the app (the step the registration used is spent: wait for the next one).
    await tp.getByRole('link', { name: 'Back to Multi-Factor Authentication' }).click();
    await tp.getByRole('link', { name: 'Try signing in' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Sign in: verify it’s you' })).toBeVisible();
    await look(tp, testInfo, 'sign-in-choose');
    await tp.getByRole('radio', { name: 'Use the code from my authenticator app' }).check();
    await tp.getByRole('button', { name: 'Continue' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Sign in: enter your code' })).toBeVisible();
    const usedStep = Math.floor(Date.now() / 30_000);
    while (Math.floor(Date.now() / 30_000) === usedStep) await tp.waitForTimeout(500);
    await tp.getByLabel('Code from the authenticator app').fill(now());
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'You are signed in' })).toBeVisible();
    await expect(tp.getByText(/Signed in with the authenticator app/)).toBeVisible();

    // Sign in with email: the sign-in code from SMTP.
    await tp.goto(new URL(`e/${e.username}/sign-in`, training.url).href);
    await tp.getByRole('radio', { name: /Email a code to/ }).check();
    const signInMails = smtp.received.length;
    await tp.getByRole('button', { name: 'Continue' }).click();
    await expect(tp.getByText(/A sign-in code has been sent to .*valid for 20 minutes/)).toBeVisible();
    await look(tp, testInfo, 'sign-in-email-code');
    const signInCode = await codeMailTo(smtp, preferred.address, /code to sign in/i, signInMails);
    await tp.getByLabel('Code from the email').fill(signInCode);
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await expect(tp.getByText(/Signed in with the email/)).toBeVisible();
    await look(tp, testInfo, 'signed-in');

    // Remove a method now that both are set up; then the other cannot be removed.
    await tp.getByRole('link', { name: 'Back to Multi-Factor Authentication' }).click();
    await look(tp, testInfo, 'update-details-both');
    await tp.getByRole('listitem').filter({ has: tp.getByRole('heading', { name: /^Email/ }) }).getByRole('link', { name: 'Remove' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Remove the email method?' })).toBeVisible();
    await look(tp, testInfo, 'remove-confirm');
    await tp.getByRole('button', { name: 'Remove the email method' }).click();
    await expect(tp.getByRole('heading', { level: 1, name: 'Email removed' })).toBeVisible();
    await tp.getByRole('link', { name: 'Back to Multi-Factor Authentication' }).click();
    await expect(tp.getByRole('link', { name: 'Remove' })).toHaveCount(0);
    await expect(tp.getByText('Once enabled it cannot be turned off.', { exact: false })).toBeVisible();
  } finally {
    await tp.close();
    await stopChild(training.child);
    await smtp.close();
  }

  // The desk: both sign-ins, through the training integration, on the employee's page.
  await page.goto(`${desk.origin}/#/employees/${e.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `${e.firstName} ${e.lastName}` })).toBeVisible();
  const rows = page.getByRole('region', { name: 'Sign-in checks' }).getByRole('table', { name: 'Sign-in checks' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('Email');
  await expect(rows.nth(2)).toContainText('Authenticator app');
  for (const i of [1, 2]) {
    await expect(rows.nth(i)).toContainText('Accepted');
    await expect(rows.nth(i)).toContainText('through training');
  }
  await page.getByRole('region', { name: 'Sign-in checks' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('desk-sign-ins-after-training.png') });
});

test('the training pages refuse to start without demo data', async ({ desk }) => {
  const r = await desk.runCli(['portal', '--training', '--port', '0']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/The training pages need demo employees/);
});
