/**
 * The same first-run screen in the real Electron window. Runs only where Electron's binary is
 * installed (npm install may have been unable to download it); reported as skipped otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { ROOT } from './fixtures';

function electronBinary(): { path: string | null; reason: string } {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathTxt)) return { path: null, reason: `Electron binary not installed: ${pathTxt} is missing` };
  const bin = path.join(dir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim());
  if (!fs.existsSync(bin)) return { path: null, reason: `Electron binary not installed: ${bin} does not exist` };
  return { path: bin, reason: '' };
}

const binary = electronBinary();

test.describe('Electron window', () => {
  test.skip(binary.path === null, binary.reason);

  test('opens on the first-run screen with a fresh data directory; the page has only the preload\'s object, no Node', async () => {
    const mainJs = path.join(ROOT, 'out', 'main', 'index.js');
    expect(fs.existsSync(mainJs), 'the app is built (npx electron-vite build)').toBe(true);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-desk-electron-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DESK_DATABASE_URL') env[k] = v;
    env.DESK_DATA_DIR = dataDir;
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [...(process.platform === 'linux' ? ['--no-sandbox'] : []), mainJs],
      cwd: ROOT,
      env,
    });
    try {
      const window = await app.firstWindow();
      await expect(window.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible({ timeout: 30_000 });
      await expect(window.getByLabel('Username')).toBeVisible();
      await expect(window).toHaveTitle(/MFA Desk/);
      // The page has the preload's one object and nothing of Node; it comes from app://.
      const page = await window.evaluate(() => {
        const w = globalThis as unknown as Record<string, unknown>;
        const desk = w['desk'] as object | undefined;
        return {
          protocol: (w['location'] as { protocol: string }).protocol,
          keys: desk ? Object.keys(desk).sort() : null,
          node: [typeof w['require'], typeof w['process'], typeof w['module'], typeof w['Buffer']],
        };
      });
      expect(page).toEqual({ protocol: 'app:', keys: ['invoke', 'on'], node: ['undefined', 'undefined', 'undefined', 'undefined'] });
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
