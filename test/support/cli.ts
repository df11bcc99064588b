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

/**
 * `desk` started in a process group of its own, so that a SIGKILL takes whatever it started with it;
 * its stderr gathered, `onStderr` given all of it so far on each piece. `kill()` tolerates a
 * process that has just exited; `done` settles once it has closed (or failed to start).
 */
function spawnKillable(env: NodeJS.ProcessEnv, args: string[], onStderr: (all: string) => void = () => undefined) {
  const [command, commandArgs] = deskCommand(args);
  const child = spawn(command, commandArgs, { env, cwd: root, detached: true });
  let stderr = '';
  let closed = false;
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr(stderr);
  });
  child.stdout.resume();
  const done = new Promise<{ stderr: string; code: number | null }>((resolve, reject) => {
    child.on('error', (err) => {
      closed = true;
      reject(err);
    });
    child.on('close', (code) => {
      closed = true;
      resolve({ stderr, code });
    });
  });
  // Awaited by the caller once it stops watching; a failure to start is not unhandled meanwhile.
  done.catch(() => undefined);
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch (err) {
      // Gone already (exited between the look and the kill): `done` tells the rest.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  return { done, kill, isClosed: () => closed };
}

/** Spawn `desk` and kill it once it has reported `afterRows` rows imported. */
export async function killDuring(env: NodeJS.ProcessEnv, args: string[], afterRows: number): Promise<{ stderr: string; killedAt: number | null; code: number | null }> {
  let killedAt: number | null = null;
  const run = spawnKillable(env, args, (stderr) => {
    if (killedAt !== null) return;
    for (const m of stderr.matchAll(/import: ([\d,]+) \/ [\d,]+ rows/g)) {
      const rows = Number(m[1]!.replace(/,/g, ''));
      if (rows >= afterRows) {
        killedAt = rows;
        run.kill();
        break;
      }
    }
  });
  const { stderr, code } = await run.done;
  return { stderr, killedAt, code };
}

/**
 * Spawn `desk` and kill it as soon as `seen()`, asked every 10 ms while it runs, returns a number
 * (what was seen, as `killedAt`) rather than null: e.g. batches committed, read from its database.
 * Unlike killDuring it does not wait for a progress line, which the command prints once a second: a
 * fast machine can finish before the next. A `seen()` that throws (the tables not made yet) is
 * asked again; its last error is returned.
 */
export async function killWhen(
  env: NodeJS.ProcessEnv,
  args: string[],
  seen: () => Promise<number | null>,
): Promise<{ stderr: string; killedAt: number | null; code: number | null; lastError: string | null }> {
  const run = spawnKillable(env, args);
  let killedAt: number | null = null;
  let lastError: string | null = null;
  while (!run.isClosed() && killedAt === null) {
    const n = await seen().catch((err: unknown) => {
      lastError = err instanceof Error ? err.message : String(err);
      return null;
    });
    if (n !== null && !run.isClosed()) {
      killedAt = n;
      run.kill();
    } else await new Promise((r) => setTimeout(r, 10));
  }
  const { stderr, code } = await run.done;
  return { stderr, killedAt, code, lastError };
}
