/**
 * The benchmark's browser host and who signs in to it: the app built when its sources are newer,
 * `node bin/desk.js serve` in its own process on the benchmark's data directory, and a desk user of
 * the benchmark's own (its password and authenticator key kept in the data directory) signed in
 * through the UI, as a person would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { generateSync } from 'otplib';
import type { DeskCore } from '../../electron/core/app';
import { createDeskUser, findDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { withoutDeskSettings } from '../../test/support/child-process';
import { REPO_ROOT } from './options';
import { log } from './stats';

const BIN = path.join(REPO_ROOT, 'bin', 'desk.js');
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;
const CREDENTIALS = 'bench-browser-user.json';

// ── Build ───────────────────────────────────────────────────────────────────────────────────────

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuild(build: boolean): string {
  const outputs = [path.join(REPO_ROOT, 'out', 'main', 'cli.js'), path.join(REPO_ROOT, 'out', 'renderer', 'index.html')];
  const missing = outputs.some((f) => !fs.existsSync(f));
  const builtAt = missing ? 0 : Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
  const sources = Math.max(...['renderer', 'shared', 'electron', 'resources'].map((d) => newestMtime(path.join(REPO_ROOT, d))));
  if (!missing && (sources <= builtAt || !build)) {
    return sources <= builtAt ? 'the build in out/ (up to date)' : 'the existing build in out/ (--no-build; the sources are newer)';
  }
  if (!build) throw new Error('The app is not built (out/ is missing) and --no-build was given. Run `npx electron-vite build`.');
  log('building the app (electron-vite build) for the browser part…');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed (exit ${r.status})`);
  return 'a fresh build (electron-vite build in this run)';
}

// ── The desk user ───────────────────────────────────────────────────────────────────────────────

export interface Credentials {
  username: string;
  password: string;
  secret?: string;
  lastStep?: number;
}

export async function credentials(core: DeskCore, dataDir: string): Promise<{ creds: Credentials; save: () => void }> {
  const file = path.join(dataDir, CREDENTIALS);
  let creds: Credentials | null;
  try {
    creds = JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  } catch {
    creds = null;
  }
  if (!creds) creds = { username: `bench.browser.${crypto.randomBytes(3).toString('hex')}`, password: crypto.randomBytes(18).toString('base64url') };
  const c = creds;
  const save = () => fs.writeFileSync(file, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  if (!(await findDeskUser(core.db, c.username))) {
    await createDeskUser({ db: core.db, clock: core.clock }, { userId: null, name: 'bench' }, { username: c.username, displayName: 'Benchmark Browser Agent', role: 'agent', password: c.password });
    delete c.secret;
    delete c.lastStep;
  }
  save();
  return { creds: c, save };
}

// ── The browser host ────────────────────────────────────────────────────────────────────────────

export async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--no-open'], {
    cwd: REPO_ROOT,
    env: withoutDeskSettings(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the host running if the benchmark itself is stopped (Ctrl+C, a closed pipe).
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`desk serve printed no address within 60 s.\n${out}\n${err}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = URL_LINE.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`desk serve exited (${code}) before printing its address.\n${out}\n${err}`));
    });
  });
  return { child, url, stderr: () => err };
}

export async function signIn(page: Page, creds: Credentials, save: () => void): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Username').fill(creds.username);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const codeField = page.getByLabel('Authenticator code');
  await codeField.waitFor({ timeout: 30_000 });
  const enrol = page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' });
  if (await enrol.isVisible()) {
    const toggle = page.getByRole('button', { name: "Can't scan? Enter this key" });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const key = page.locator('code.secret-key');
    await key.waitFor();
    creds.secret = ((await key.textContent()) ?? '').replace(/\s+/g, '');
    delete creds.lastStep;
    save();
  }
  if (!creds.secret) throw new Error(`The benchmark user ${creds.username} is enrolled but its key is not in ${CREDENTIALS}; remove that file to make a new user.`);
  // A code is accepted once: never reuse the step of an earlier run.
  let step = Math.floor(Date.now() / 30_000);
  if (creds.lastStep !== undefined && creds.lastStep >= step) {
    if (creds.lastStep === step) step = step + 1; // one step of drift is allowed
    else {
      log('  waiting for a fresh authenticator step…');
      while (Math.floor(Date.now() / 30_000) < creds.lastStep) await new Promise((r) => setTimeout(r, 1000));
      step = creds.lastStep + 1;
    }
  }
  creds.lastStep = step;
  save();
  await codeField.fill(generateSync({ secret: creds.secret, epoch: step * 30 }));
  await codeField.press('Enter');
  await page.getByRole('banner').getByRole('button', { name: /^Account: / }).waitFor({ timeout: 30_000 });
  // Agents start at the ticket inbox: the look-up is a key away (Ctrl+K), as for a person.
  await page.keyboard.press('Control+k');
  await page.getByRole('searchbox', { name: 'Search employees' }).waitFor({ timeout: 30_000 });
}
