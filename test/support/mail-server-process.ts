/**
 * The loopback SMTP server of mail-server.ts in a process of its own, so a benchmark measures
 * the sender and not the two sharing one event loop: `tsx test/support/mail-server-process.ts
 * '<json options>'` prints {"port":N} once listening; each line "stats" on stdin is answered
 * with the counts so far, {"received":N,"connections":N,"refused":N}; closing stdin stops it.
 */
import readline from 'node:readline';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSmtpServer, type SmtpServerOptions } from './mail-server';

/** Options that survive JSON (no callbacks). */
export type ServerProcessOptions = Pick<SmtpServerOptions, 'port' | 'dataDelayMs' | 'connectDelayMs' | 'acceptText'>;

export interface ServerStats {
  received: number;
  connections: number;
  refused: number;
}

export interface SmtpServerProcess {
  port: number;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Start the server in a child process (run with tsx from the repository's node_modules). */
export async function startSmtpServerProcess(opts: ServerProcessOptions = {}): Promise<SmtpServerProcess> {
  const tsx = path.join(HERE, '..', '..', 'node_modules', '.bin', 'tsx');
  const child: ChildProcessWithoutNullStreams = spawn(tsx, [fileURLToPath(import.meta.url), JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = () => reject(new Error(`SMTP server process exited: ${stderr}`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    port,
    async stats() {
      const answer = next();
      child.stdin.write('stats\n');
      return JSON.parse(await answer) as ServerStats;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as ServerProcessOptions;
  const server = await startSmtpServer(opts);
  process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'stats') {
      process.stdout.write(JSON.stringify({ received: server.received.length, connections: server.connections, refused: server.refused }) + '\n');
    }
  });
  input.on('close', () => {
    void server.close().then(() => process.exit(0));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
