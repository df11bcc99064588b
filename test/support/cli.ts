import { spawn } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import type { Scratch } from './targets';

const root = path.resolve(__dirname, '../..');

/** How to start `desk`: Node on the command bundled once for this test run (test/setup/bundle-cli.ts). */
export function deskCommand(args: string[]): [string, string[]] {
  return [process.execPath, [inject('deskCli'), ...args]];
}

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

/** Run the `desk` command, bundled from the sources under test. */
export function runDesk(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = deskCommand(args);
    const child = spawn(command, commandArgs, { env, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Spawn `desk` and kill it once it has reported `afterRows` rows imported. */
export function killDuring(env: NodeJS.ProcessEnv, args: string[], afterRows: number): Promise<{ stderr: string; killedAt: number | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = deskCommand(args);
    // Its own process group: whatever the command started dies with it.
    const child = spawn(command, commandArgs, { env, cwd: root, detached: true });
    let stderr = '';
    let killedAt: number | null = null;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (killedAt !== null) return;
      for (const m of stderr.matchAll(/import: ([\d,]+) \/ [\d,]+ rows/g)) {
        const rows = Number(m[1]!.replace(/,/g, ''));
        if (rows >= afterRows) {
          killedAt = rows;
          process.kill(-child.pid!, 'SIGKILL');
          break;
        }
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ stderr, killedAt, code }));
  });
}

/**
 * Spawn `desk` and kill it (SIGKILL, with whatever it started) as soon as `seen()`, asked every
 * 10 ms while it runs, returns a number (what was seen, as `killedAt`) rather than null: e.g.
 * batches committed, read from its database. Unlike killDuring it does not wait for a progress
 * line, which the command prints once a second: a fast machine can finish before the next. A
 * `seen()` that throws (the tables not made yet) is asked again; its last error is returned.
 */
export function killWhen(
  env: NodeJS.ProcessEnv,
  args: string[],
  seen: () => Promise<number | null>,
): Promise<{ stderr: string; killedAt: number | null; code: number | null; lastError: string | null }> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = deskCommand(args);
    const child = spawn(command, commandArgs, { env, cwd: root, detached: true });
    let stderr = '';
    let killedAt: number | null = null;
    let lastError: string | null = null;
    let closed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      closed = true;
      resolve({ stderr, killedAt, code, lastError });
    });
    const watch = async () => {
      while (!closed && killedAt === null) {
        const n = await seen().catch((err: unknown) => {
          lastError = err instanceof Error ? err.message : String(err);
          return null;
        });
        if (n !== null && !closed) {
          killedAt = n;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch (err) {
            // Gone already (exited between the look and the kill): 'close' tells the rest.
            if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
          }
        } else await new Promise((r) => setTimeout(r, 10));
      }
    };
    watch().catch(reject);
  });
}
