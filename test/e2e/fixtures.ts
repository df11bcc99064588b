/**
 * Playwright fixtures for MFA Desk: every test gets a fresh data directory and its own browser host
 * (`node bin/desk.js serve --data-dir DIR --port 0 --no-open`), killed after the test. Helpers sign
 * in through the UI the way a person would (finding controls by role and accessible name) and
 * compute authenticator codes with otplib from the key the enrolment screen shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { generateSync } from 'otplib';
import { runToEnd, stopChild, withoutDeskSettings } from '../support/child-process';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'desk.js');
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Desk {
  /** The printed address, carrying this launch's token. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  dataDir: string;
  /** Run `node bin/desk.js ARGS --data-dir DIR` against the same data directory. */
  runCli(args: string[], opts?: { input?: string }): Promise<CliResult>;
}

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`desk serve printed no address within ${timeoutMs} ms.\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
    const finish = (e: Error | null, url?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve(url!);
    };
    const onOut = (d: Buffer) => {
      out += d.toString('utf8');
      const m = URL_LINE.exec(out);
      if (m) finish(null, m[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`desk serve exited (${code}) before printing its address.\nstdout: ${out}\nstderr: ${err}`));
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('exit', onExit);
  });
}

/** What a spec may set with test.use(). */
export interface DeskOptions {
  /**
   * The desk's clock starts at this ISO time (DESK_CLOCK_START for `desk serve` and the CLI), so
   * the dates a screenshot shows do not move from day to day. Authenticator codes follow it.
   */
  clockStart: string | undefined;
}

/** The desk's clock minus this process's (authenticator codes are checked on the desk's clock). */
let deskClockOffsetMs = 0;

export const test = base.extend<{ desk: Desk } & DeskOptions>({
  clockStart: [undefined, { option: true }],
  desk: async ({ clockStart }, use, testInfo) => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-desk-e2e-'));
    const env = withoutDeskSettings();
    if (clockStart) env.DESK_CLOCK_START = clockStart;
    deskClockOffsetMs = clockStart ? Date.parse(clockStart) - Date.now() : 0;
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--no-open'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString('utf8')));
    try {
      const url = await waitForUrl(child, 30_000);
      const desk: Desk = {
        url,
        origin: new URL(url).origin,
        dataDir,
        runCli: (args, opts) => runToEnd(process.execPath, [BIN, ...args, '--data-dir', dataDir], { cwd: ROOT, env, input: opts?.input }),
      };
      await use(desk);
    } finally {
      deskClockOffsetMs = 0;
      await stopChild(child);
      if (log.trim() && testInfo.status !== testInfo.expectedStatus) await testInfo.attach('desk serve stderr', { body: log });
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  },
});

export { expect };

// ── Authenticator codes ─────────────────────────────────────────────────────────────────────────

const PERIOD = 30;

/** The `secret` of an otpauth:// URI, or the key itself (spaces removed). */
export function secretOf(uriOrSecret: string): string {
  if (uriOrSecret.startsWith('otpauth://')) {
    const secret = new URL(uriOrSecret).searchParams.get('secret');
    if (!secret) throw new Error('The otpauth URI has no secret');
    return secret;
  }
  return uriOrSecret.replace(/\s+/g, '');
}

/** An authenticator app for one desk user. A code is accepted only once per 30-second step. */
export class Authenticator {
  private lastStep: number | null = null;
  constructor(readonly secret: string) {}

  /**
   * A code the server will accept now: the current step's, or — when that step was used already —
   * the next step's (the server allows one step of drift), or it waits for a fresh step.
   */
  async code(): Promise<string> {
    for (;;) {
      const current = Math.floor((Date.now() + deskClockOffsetMs) / 1000 / PERIOD);
      const step = this.lastStep === null || this.lastStep < current ? current : this.lastStep + 1;
      if (step <= current + 1) {
        this.lastStep = step;
        return generateSync({ secret: this.secret, epoch: step * PERIOD });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// ── Desk users and demo data via the CLI ────────────────────────────────────────────────────────

export interface DeskUser {
  username: string;
  password: string;
  displayName: string;
  role: 'agent' | 'manager' | 'supervisor' | 'admin';
  /** Set once the user has enrolled (see signIn). */
  authenticator?: Authenticator;
}

export async function addUser(desk: Desk, user: Omit<DeskUser, 'authenticator'>): Promise<DeskUser> {
  const r = await desk.runCli(['users', 'add', '--username', user.username, '--role', user.role, '--name', user.displayName, '--password-stdin'], {
    input: user.password + '\n',
  });
  if (r.code !== 0) throw new Error(`desk users add failed (${r.code}): ${r.stderr || r.stdout}`);
  return { ...user };
}

/** The usual opening: `desk seed` with this many employees, a desk user of the test's own, signed in. */
export async function signedInOnSeed(
  page: Page,
  desk: Desk,
  data: { employees: number; seed: number },
  user: Omit<DeskUser, 'password' | 'authenticator'>,
): Promise<DeskUser> {
  await seed(desk, data.employees, data.seed);
  const added = await addUser(desk, { ...user, password: PASSWORD });
  await page.goto(desk.url);
  await signIn(page, added);
  return added;
}

/** `desk seed`: demo employees, and the demo desk users with their printed passwords. */
export async function seed(desk: Desk, employees: number, seedValue = 1): Promise<DeskUser[]> {
  const r = await desk.runCli(['seed', '--employees', String(employees), '--seed', String(seedValue)]);
  if (r.code !== 0) throw new Error(`desk seed failed (${r.code}): ${r.stderr || r.stdout}`);
  const users: DeskUser[] = [];
  for (const m of r.stdout.matchAll(/^\s*(agent|manager|supervisor|admin)\s+username\s+(\S+)\s+password\s+(\S+)/gm)) {
    users.push({ role: m[1] as DeskUser['role'], username: m[2]!, password: m[3]!, displayName: m[2]! });
  }
  return users;
}

export async function setSetting(desk: Desk, key: string, value: string): Promise<void> {
  const r = await desk.runCli(['settings', 'set', key, value]);
  if (r.code !== 0) throw new Error(`desk settings set failed (${r.code}): ${r.stderr || r.stdout}`);
}

// ── UI steps ────────────────────────────────────────────────────────────────────────────────────

/** Create the first admin on the first-run screen (the page must show it). */
export async function createFirstAdmin(page: Page, user: Omit<DeskUser, 'authenticator' | 'role'>): Promise<DeskUser> {
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Display name').fill(user.displayName);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByLabel('Confirm password').fill(user.password);
  await page.getByRole('button', { name: 'Create admin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  return { ...user, role: 'admin' };
}

/** Read the key from "Can't scan? Enter this key" on the enrolment screen. */
export async function readEnrolmentKey(page: Page): Promise<string> {
  const toggle = page.getByRole('button', { name: "Can't scan? Enter this key" });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const key = page.locator('code.secret-key');
  await expect(key).toBeVisible();
  return secretOf((await key.textContent()) ?? '');
}

/**
 * Sign in through the UI: username and password, then the authenticator code — enrolling the app
 * first if this is the user's first sign-in. Ends on the signed-in screen.
 */
export async function signIn(page: Page, user: DeskUser): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const enrolHeading = page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' });
  const codeField = page.getByLabel('Authenticator code');
  await expect(codeField).toBeVisible();
  if (await enrolHeading.isVisible()) {
    user.authenticator = new Authenticator(await readEnrolmentKey(page));
  }
  if (!user.authenticator) throw new Error(`${user.username} has no enrolled authenticator in this test`);
  await codeField.fill(await user.authenticator.code());
  await codeField.press('Enter');
  await expect(accountButton(page)).toBeVisible();
}

/** The header's account menu button ("Account: <name>, <role>"): it holds Sign out. */
export function accountButton(page: Page) {
  return page.getByRole('banner').getByRole('button', { name: /^Account: / });
}

/** Sign out from the account menu in the header, as a person would. */
export async function signOut(page: Page): Promise<void> {
  await accountButton(page).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

type RunningAnimation = { playState: string; effect: { getTiming(): { iterations?: number } } | null };

/** True once no finite animation or transition is running (an endless one, a spinner, does not count). */
function settled(page: Page): Promise<boolean> {
  return page.locator('html').evaluate((html) => html.ownerDocument.getAnimations().every((a: RunningAnimation) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
}

/** Axe on the current screen: no serious or critical violations. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Check the screen as it settles, not half-way through a transition: a menu that is closing
  // behind a dialog it opened is briefly a menu without items.
  await expect.poll(() => settled(page)).toBe(true);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `accessibility violations on ${screen}`,
  ).toEqual([]);
}

/** Call the contract from the page, as the renderer does (cookies included). */
export async function invokeFromPage(page: Page, channel: string, input: unknown): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ([ch, body]) => {
      const res = await fetch('/api/invoke/' + encodeURIComponent(ch), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      });
      return { status: res.status, body: (await res.json()) };
    },
    [channel, input] as const,
  );
}

export const PASSWORD = 'correct horse battery staple';

/** Call the contract from the page and return its value (throws on an error answer). */
export async function callFromPage<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const r = await invokeFromPage(page, channel, input);
  const body = r.body as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${channel} failed (${r.status}): ${JSON.stringify(body.error)}`);
  return body.value as T;
}

export interface SearchPageValue {
  rows: Array<{
    id: number;
    employeeNumber: string;
    firstName: string;
    lastName: string;
    organisation: string;
    status: 'active' | 'leaver';
    mfaState: 'not_registered' | 'pending' | 'enabled';
    pendingRegistration: boolean;
    locked: boolean;
    hasApp: boolean;
    hasEmail: boolean;
  }>;
  nextCursor: string | null;
}

/**
 * The first employee (by name) matching these filters whose employee page passes `accept`,
 * looked up through employees.search and employees.page from the page, as the renderer would.
 */
export async function findEmployeePage<P extends { employee: { id: number } }>(
  page: Page,
  filters: Record<string, unknown>,
  accept: (p: P) => boolean,
  max = 400,
): Promise<P | null> {
  let cursor: string | null = null;
  let seen = 0;
  do {
    const res: SearchPageValue = await callFromPage(page, 'employees.search', { query: '', filters, sort: { by: 'name', dir: 'asc' }, limit: 100, cursor });
    for (const row of res.rows) {
      const p = await callFromPage<P>(page, 'employees.page', { employeeId: row.id });
      if (accept(p)) return p;
      if (++seen >= max) return null;
    }
    cursor = res.nextCursor;
  } while (cursor);
  return null;
}

/** The results table and the employee-name buttons in its rows (not the column sort buttons). */
export function resultsTable(page: Page) {
  const table = page.getByRole('table', { name: 'Search results' });
  return { table, buttons: table.getByRole('rowheader').getByRole('button'), container: page.getByTestId('results') };
}

/** Find an employee by number in the look-up and open their page with a click. */
export async function openEmployee(page: Page, e: { employeeNumber: string; firstName: string; lastName: string }): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search employees' }).fill(e.employeeNumber);
  await resultsTable(page).table.getByRole('button', { name: `${e.lastName}, ${e.firstName}`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${e.firstName} ${e.lastName}` })).toBeVisible();
}

/** A toast (Mantine notification) with this text: success and information are a status, warnings and failures an alert. */
export function toast(page: Page, text: string | RegExp) {
  return page.locator('.mantine-Notification-root').filter({ hasText: text });
}

/** The .eml files in the data directory's outbox (mail written there when no SMTP host is set). */
export async function outboxFiles(dataDir: string): Promise<string[]> {
  try {
    return (await fs.readdir(path.join(dataDir, 'outbox'))).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

/** The page scrolls no further sideways than the window is wide (no horizontal scroll). */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow, `${screen} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

// ── Admin places (appended for the admin screens) ────────────────────────────────────────────────

/** Open an admin place (Desk users, HR import, Settings) from the header's Admin (or More) menu. */
export async function openAdminPlace(page: Page, place: 'Desk users' | 'HR import' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^(Admin|More)$/ }).click();
  await page.getByRole('menuitem', { name: place }).click();
  await expect(page.getByRole('heading', { level: 1, name: place })).toBeVisible();
}

/** Axe and no sideways scroll at 1400x900 and at 1024x700 (the viewport is left at 1024x700). */
export async function expectAccessibleAtBothSizes(page: Page, screen: string): Promise<void> {
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await expectAccessible(page, `${screen} at ${width}x${height}`);
    await expectNoSidewaysScroll(page, `${screen} at ${width}x${height}`);
  }
}

/** Every call the page makes to `channel` from now on (their inputs). */
export function recordCalls(page: Page, channel: string): unknown[] {
  const calls: unknown[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith(`/api/invoke/${encodeURIComponent(channel)}`)) calls.push(r.postDataJSON());
  });
  return calls;
}

/** Go to the employee look-up from the header's Search (sign-in lands on the inbox or the tasks), and wait for its box. */
export async function goToSearch(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Find an employee' })).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search employees' })).toBeVisible();
}
