import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateFile, reportSecuredDataDir, secureDataDir } from '../../electron/core/data-dir';
import { openDatabase } from '../../electron/core/db/connection';
import { createLogger } from '../../electron/core/log/logger';
import { deskCommand, deskEnv } from '../support/cli';
import { tempDir } from '../support/targets';
import { hostListening } from '../support/child-process';

// Issue 18, point 4: the data directory 0700 and everything the desk writes there 0600, whatever
// the umask; what an older version left wider is tightened at start, and that is logged once.

const ROOT = path.resolve(__dirname, '../..');
const TIGHTENED = /^tightened the permissions of \d+ files? in the data folder/;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = tempDir('desk-modes-');
  dirs.push(d);
  return d;
}

const mode = (p: string) => fs.lstatSync(p).mode & 0o777;
const octal = (m: number) => '0' + m.toString(8);

/** Every folder and file under dir (dir itself as '.'), with its mode in octal; symbolic links are left out. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': octal(mode(dir)) };
  const walk = (abs: string, rel: string) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) continue;
      out[e.isDirectory() ? r + '/' : r] = octal(mode(path.join(abs, e.name)));
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
    }
  };
  walk(dir, '');
  return out;
}

/** What modes() gives when nothing has a group/other bit: folders 0700, files 0600. */
function privateModes(found: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(found).map((k) => [k, k === '.' || k.endsWith('/') ? '0700' : '0600']));
}

function logLines(dataDir: string): Array<{ level: string; message: string; [k: string]: unknown }> {
  const file = path.join(dataDir, 'logs', 'desk.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

interface Served {
  child: ChildProcess;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/** `desk serve` (bundled from the sources) in a child process under umask 022, once it says it is listening. */
async function serve(dataDir: string): Promise<Served> {
  const child = spawn('sh', ['-c', 'umask 022; exec "$0" "$@"', ...deskCommand(['serve', '--no-open']).flat()], { cwd: ROOT, env: deskEnv({ databaseUrl: undefined, schema: undefined }, dataDir) });
  const { url } = await hostListening(child);
  const u = new URL(url);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    origin: u.origin,
    token: u.searchParams.get('token')!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const posixOnly = describe.skipIf(process.platform === 'win32');

posixOnly('private data files (issue 18, point 4)', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('desk serve under umask 022 makes the data directory 0700 and every file and folder in it private', async () => {
    const dataDir = path.join(scratch(), 'data'); // not there yet: serve creates it
    const desk = await serve(dataDir);
    try {
      // Some writes through the contract: the first admin (database, WAL, audit), while it runs.
      const res = await fetch(`${desk.origin}/api/invoke/auth.createFirstAdmin`, {
        method: 'POST',
        headers: { 'x-desk-token': desk.token, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'modes.admin', displayName: 'Modes Admin', password: 'a-long-enough-password' }),
      });
      expect(res.status).toBe(200);
      const running = modes(dataDir);
      for (const f of ['desk.sqlite', 'desk.sqlite-wal', 'desk.sqlite-shm', 'logs/', 'logs/desk.log', 'secret.key']) expect(Object.keys(running)).toContain(f);
      expect(running).toEqual(privateModes(running));
    } finally {
      await desk.stop();
    }
    const stopped = modes(dataDir);
    expect(stopped).toEqual(privateModes(stopped));
    // A new data directory has nothing to tighten, so nothing is said about it.
    expect(logLines(dataDir).filter((l) => TIGHTENED.test(l.message))).toEqual([]);
  }, 120_000);

  it('tightens a data directory an older desk left readable (0755, 0644) at start, and says so once', async () => {
    const dataDir = scratch();
    const first = await serve(dataDir);
    await first.stop();
    // As today's desk leaves it under umask 022.
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'desk.sqlite'), 0o644);
    fs.chmodSync(path.join(dataDir, 'logs'), 0o755);
    fs.chmodSync(path.join(dataDir, 'logs', 'desk.log'), 0o644);
    fs.mkdirSync(path.join(dataDir, 'imports', 'old'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'imports', 'old', 'report.csv'), 'line,employee_number\n', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'imports'), 0o755);
    const outside = path.join(scratch(), 'elsewhere.txt');
    fs.writeFileSync(outside, 'not the desk’s', { mode: 0o644 });
    fs.symlinkSync(outside, path.join(dataDir, 'link-to-elsewhere'));
    expect(logLines(dataDir).filter((l) => TIGHTENED.test(l.message))).toEqual([]);

    const second = await serve(dataDir);
    try {
      const now = modes(dataDir);
      expect(now).toEqual(privateModes(now));
    } finally {
      await second.stop();
    }
    expect(mode(outside)).toBe(0o644); // a symbolic link is not followed
    const said = logLines(dataDir).filter((l) => TIGHTENED.test(l.message));
    expect(said).toHaveLength(1);
    expect(said[0]!.message).toMatch(/^tightened the permissions of 7 files in the data folder/);
    expect(said[0]!.paths).toEqual(['./', 'desk.sqlite', 'imports/', 'imports/old/', 'imports/old/report.csv', 'logs/', 'logs/desk.log']);
    expect(JSON.stringify(said[0])).not.toContain('employee_number'); // names only, never content

    const third = await serve(dataDir);
    await third.stop();
    expect(logLines(dataDir).filter((l) => TIGHTENED.test(l.message))).toHaveLength(1);
  }, 180_000);

  describe('secureDataDir', () => {
    it('creates a missing data directory 0700', () => {
      const dataDir = path.join(scratch(), 'a', 'data');
      const r = secureDataDir(dataDir);
      expect(r).toEqual({ created: true, tightened: [], failed: [] });
      expect(mode(dataDir)).toBe(0o700);
    });

    it('takes the group/other bits from every folder and regular file, leaves private ones and symbolic links alone, and returns relative names', () => {
      const dataDir = scratch();
      const outside = path.join(scratch(), 'outside.txt');
      fs.writeFileSync(outside, 'x', { mode: 0o644 });
      fs.chmodSync(dataDir, 0o755);
      fs.writeFileSync(path.join(dataDir, 'desk.sqlite'), '', { mode: 0o644 });
      fs.writeFileSync(path.join(dataDir, 'desk.sqlite-wal'), '', { mode: 0o640 });
      fs.writeFileSync(path.join(dataDir, 'secret.key'), 'k', { mode: 0o600 });
      fs.mkdirSync(path.join(dataDir, 'logs'), { mode: 0o755 });
      fs.writeFileSync(path.join(dataDir, 'logs', 'desk.log'), '{}\n', { mode: 0o604 });
      fs.writeFileSync(path.join(dataDir, 'logs', 'desk1.log'), '{}\n', { mode: 0o600 });
      fs.mkdirSync(path.join(dataDir, 'audit'), { mode: 0o700 });
      fs.mkdirSync(path.join(dataDir, 'audit', 'deep'), { mode: 0o711 });
      fs.writeFileSync(path.join(dataDir, 'audit', 'deep', 'x.jsonl'), '', { mode: 0o666 });
      fs.chmodSync(path.join(dataDir, 'audit', 'deep', 'x.jsonl'), 0o666);
      fs.symlinkSync(outside, path.join(dataDir, 'audit', 'link'));
      fs.symlinkSync(path.dirname(outside), path.join(dataDir, 'dirlink'));

      const r = secureDataDir(dataDir);
      expect(r).toEqual({
        created: false,
        tightened: ['./', 'audit/deep/', 'audit/deep/x.jsonl', 'desk.sqlite', 'desk.sqlite-wal', 'logs/', 'logs/desk.log'],
        failed: [],
      });
      const now = modes(dataDir);
      expect(now).toEqual(privateModes(now));
      expect(mode(outside)).toBe(0o644);
      expect(mode(path.dirname(outside))).toBe(0o700); // mkdtemp's, untouched
      expect(fs.readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')).toBe('{}\n');
      // Run again: nothing left to do.
      expect(secureDataDir(dataDir)).toEqual({ created: false, tightened: [], failed: [] });
    });

    it('is reported in one warning with the count and the names, and not at all when there was nothing to do', () => {
      const said: Array<[string, Record<string, unknown> | undefined]> = [];
      const logger = { info: (m: string, meta?: Record<string, unknown>) => said.push([m, meta]), warn: (m: string, meta?: Record<string, unknown>) => said.push([m, meta]) };
      reportSecuredDataDir(logger, { created: true, tightened: [], failed: [] });
      expect(said).toEqual([]);
      reportSecuredDataDir(logger, { created: false, tightened: ['./', 'desk.sqlite'], failed: [] });
      expect(said).toEqual([['tightened the permissions of 2 files in the data folder: other users could read them', { paths: ['./', 'desk.sqlite'] }]]);
    });

    it('ensurePrivateFile makes a missing file 0600 and tightens an existing one without truncating it', () => {
      const dir = scratch();
      const file = path.join(dir, 'f');
      expect(ensurePrivateFile(file)).toBe(false);
      expect(mode(file)).toBe(0o600);
      fs.writeFileSync(file, 'kept');
      fs.chmodSync(file, 0o644);
      expect(ensurePrivateFile(file)).toBe(true);
      expect(mode(file)).toBe(0o600);
      expect(fs.readFileSync(file, 'utf8')).toBe('kept');
    });
  });

  it('the logger makes logs/ 0700 and desk.log 0600 under umask 022, and tightens them when they are wider', async () => {
    const dataDir = scratch();
    const log = createLogger(dataDir);
    log.info('hello');
    await log.close();
    expect(mode(path.join(dataDir, 'logs'))).toBe(0o700);
    expect(mode(path.join(dataDir, 'logs', 'desk.log'))).toBe(0o600);
    fs.chmodSync(path.join(dataDir, 'logs'), 0o755);
    fs.chmodSync(path.join(dataDir, 'logs', 'desk.log'), 0o644);
    const again = createLogger(dataDir);
    again.info('again');
    await again.close();
    expect(mode(path.join(dataDir, 'logs'))).toBe(0o700);
    expect(mode(path.join(dataDir, 'logs', 'desk.log'))).toBe(0o600);
    expect(logLines(dataDir).map((l) => l.message)).toEqual(['hello', 'again']);
  });

  it('the sqlite database and its -wal and -shm are 0600 under umask 022', async () => {
    const dataDir = path.join(scratch(), 'data');
    const db = await openDatabase({ dataDir });
    try {
      await db.knex.raw('CREATE TABLE t (x INTEGER)');
      await db.knex.raw('INSERT INTO t VALUES (1)');
      await db.reader.raw('SELECT * FROM t');
      const now = modes(dataDir);
      expect(Object.keys(now).sort()).toEqual(['.', 'desk.sqlite', 'desk.sqlite-shm', 'desk.sqlite-wal']);
      expect(now).toEqual(privateModes(now));
    } finally {
      await db.close();
    }
  });
});
