import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { tempDir } from '../support/targets';
import { hostListening } from '../support/child-process';

const root = path.resolve(__dirname, '../..');
const hasElectron = electronBinary() !== null;

describe('npm start', () => {
  it.skipIf(hasElectron)(
    'without Electron’s binary says so in one line and starts the browser host, printing its address',
    async () => {
      const dataDir = tempDir();
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.DESK_DATABASE_URL;
      delete env.DISPLAY;
      delete env.WAYLAND_DISPLAY;
      const child = spawn(process.execPath, ['scripts/start.mjs', '--data-dir', dataDir, '--no-open'], { cwd: root, env });
      const { url, output } = await hostListening(child);
      try {
        const out = output();
        const lines = out.split('\n').filter((l) => /Electron/.test(l));
        expect(lines).toEqual(["Electron's binary is not installed on this machine, so MFA Desk starts its browser host instead."]);
        expect(out).toContain('First run: open the address to create the first admin.');
        const u = new URL(url);
        const page = await fetch(u.origin + '/', { headers: { 'x-desk-token': u.searchParams.get('token')! } });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
        expect(fs.existsSync(path.join(dataDir, 'desk.sqlite'))).toBe(true);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
