// `npm run docs:screenshots`: build the app, then take the README's pictures of each role's main
// screen with the e2e fixtures (test/e2e/docs-screenshots.spec.ts) into docs/screenshots/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './electron-binary.mjs';

fs.mkdirSync(path.join(projectRoot, 'docs', 'screenshots'), { recursive: true });
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [path.join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn']);
run(path.join(projectRoot, 'node_modules', '.bin', 'playwright'), ['test', 'test/e2e/docs-screenshots.spec.ts', '--reporter=list'], { DESK_DOCS_SCREENSHOTS: '1' });
console.log('Screenshots written to docs/screenshots/.');
