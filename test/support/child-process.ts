/**
 * Child processes the tests and the benchmark start: a command run to its end with its output
 * collected, the environment a child desk starts from, and stopping one that is still running.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to its end: its exit code and all it wrote. Its stdin gets `input`, then closes. */
export function runToEnd(command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** This process's environment without the desk's own settings (and any `also`), so a child desk uses only what it is given. */
export function withoutDeskSettings(also: readonly string[] = []): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DESK_DATABASE_URL', 'DESK_DATABASE_SCHEMA', 'DESK_DATA_DIR', ...also]) delete env[k];
  return env;
}

/** Stop a child: SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Wait until a desk host started as `child` (`desk serve`, `npm start`) says it is listening: the
 * address it printed, token included, and all it has written on either stream (so far, when asked).
 */
export function hostListening(child: ChildProcessWithoutNullStreams, timeoutMs = 90_000): Promise<{ url: string; output: () => string }> {
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /MFA Desk browser host: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m && out.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve({ url: m[1]!, output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing its address:\n${out}`));
    });
  });
}
