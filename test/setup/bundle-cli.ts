/**
 * Vitest global set-up: bundles the `desk` command once, from source, as `npm run build` does (the
 * packages stay outside the bundle), so the many `desk` runs of the integration suite start as
 * users' runs do — in about a third of the time tsx needs to load the same sources each time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleForNode } from '../../scripts/node-bundle';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(__dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled `desk` command, for `node <file> ARGS`. */
    deskCli: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // With the HR import's reader thread beside it, where the import looks for it (hr/reader.ts).
  const dir = await bundleForNode('mfa-desk-test', { cli: path.join(ROOT, 'electron/cli/index.ts') });
  project.provide('deskCli', path.join(dir, 'cli.mjs'));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
