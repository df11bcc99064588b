import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Scratch } from './targets';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for a `desk` run against a data directory and, on PostgreSQL, a scratch schema. */
export function deskEnv(s: Pick<Scratch, 'databaseUrl' | 'schema'>, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DESK_DATA_DIR: dataDir };
  delete env.DESK_DATABASE_URL;
  delete env.DESK_DATABASE_SCHEMA;
  if (s.databaseUrl) {
    env.DESK_DATABASE_URL = s.databaseUrl;
    env.DESK_DATABASE_SCHEMA = s.schema;
  }
  return env;
}

/** Run the `desk` command from source (no build needed). */
export function runDesk(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(root, 'electron/cli/index.ts'), ...args], { env, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
