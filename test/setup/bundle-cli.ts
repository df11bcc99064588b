/**
 * Vitest global set-up: bundles the `desk` command once, from source, as `npm run build` does (the
 * packages stay outside the bundle), so the many `desk` runs of the integration suite start as
 * users' runs do — in about a third of the time tsx needs to load the same sources each time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(__dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled `desk` command, for `node <file> ARGS`. */
    deskCli: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // Inside the project, so that the packages left outside resolve from its node_modules.
  const cache = path.join(ROOT, 'node_modules', '.cache', 'mfa-desk-test');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'cli-'));
  const outfile = path.join(dir, 'cli.mjs');
  // With the HR import's reader thread beside it, where the import looks for it (hr/reader.ts).
  await build({
    entryPoints: { cli: path.join(ROOT, 'electron/cli/index.ts'), 'hr-read-worker': path.join(ROOT, 'electron/core/hr/read-worker.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  project.provide('deskCli', outfile);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
