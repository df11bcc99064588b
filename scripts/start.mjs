// `npm start`: build, then open the Electron window, or the browser host where Electron's binary
// is not installed. Extra arguments (e.g. -- --data-dir DIR) are passed on.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { electronBinary, projectRoot } from './electron-binary.mjs';

const args = process.argv.slice(2);
const viteBin = path.join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const build = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: projectRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const bin = electronBinary();
let child;
if (bin) {
  const dataDir = args.indexOf('--data-dir');
  const env = { ...process.env };
  if (dataDir >= 0 && args[dataDir + 1]) env.DESK_DATA_DIR = path.resolve(args[dataDir + 1]);
  child = spawn(bin, [projectRoot], { stdio: 'inherit', env });
} else {
  console.log("Electron's binary is not installed on this machine, so MFA Desk starts its browser host instead.");
  child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'desk.js'), 'serve', ...args], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
