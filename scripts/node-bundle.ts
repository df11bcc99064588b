/**
 * Bundle TypeScript entry points for plain `node`, as `npm run build` bundles the main process:
 * ES modules for Node 20, the packages left outside (they resolve from the project's node_modules,
 * so the bundle is written inside the project, under node_modules/.cache/<cacheName>). The test
 * set-up bundles the `desk` command this way and the HR import benchmark its child process, each
 * with the import's reader thread beside it (`hr-read-worker.mjs`, where hr/reader.ts looks).
 * Returns the folder, a new one each time, for the caller to remove.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function bundleForNode(cacheName: string, entryPoints: Record<string, string>): Promise<string> {
  const cache = path.join(ROOT, 'node_modules', '.cache', cacheName);
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'bundle-'));
  try {
    await build({
      entryPoints: { ...entryPoints, 'hr-read-worker': path.join(ROOT, 'electron/core/hr/read-worker.ts') },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}
