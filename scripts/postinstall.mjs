// npm install's last step for MFA Desk: fetch Electron's binary where that is possible (tolerating
// machines that cannot reach its download server) and build the app, so `desk` works at once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { electronBinary, projectRoot } from './electron-binary.mjs';

const electronDir = path.join(projectRoot, 'node_modules', 'electron');
const skip = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1' || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === 'true';

if (fs.existsSync(electronDir) && !electronBinary()) {
  if (skip) {
    console.log('MFA Desk: ELECTRON_SKIP_BINARY_DOWNLOAD is set; `npm start` will use the browser host.');
  } else {
    const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
      cwd: electronDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
      encoding: 'utf8',
    });
    if (r.status === 0 && electronBinary()) console.log('MFA Desk: Electron binary installed.');
    else {
      const why = (r.stderr || r.error?.message || 'no answer').split('\n').find((l) => l.trim()) ?? 'unknown error';
      console.log(`MFA Desk: Electron's binary could not be downloaded (${why.trim().slice(0, 160)}); \`npm start\` will use the browser host instead.`);
    }
  }
}

const viteBin = path.join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
if (fs.existsSync(viteBin)) {
  const b = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: projectRoot, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('MFA Desk: the build failed (see above).');
    process.exit(b.status ?? 1);
  }
  console.log('MFA Desk: built. Run `npm start`.');
}
