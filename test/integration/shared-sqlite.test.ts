import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { silentLogger } from '../../electron/core/log/logger';
import { tempDir } from '../support/targets';
import fs from 'node:fs';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHILD = path.join(ROOT, 'test/support/shared-file-child.ts');
const WRITES = 40;

/** A desk in a child process on the given data directory, started and then told to go. */
function desk(dataDir: string, tag: string) {
  const child = spawn(TSX, [CHILD], { cwd: ROOT, env: { ...process.env, DESK_DATA_DIR: dataDir, DESK_DATABASE_URL: '', DESK_DATABASE_SCHEMA: '', SHARED_TAG: tag, SHARED_WRITES: String(WRITES) }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`desk ${tag} exited (${code}) before it was ready: ${stderr}`)));
  });
  const done = new Promise<{ done: number; errorCount: number; errors: Array<{ what: string; message: string }> }>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`desk ${tag} failed (${code}): ${stderr}`));
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('two desks on one sqlite file (a shared drive)', () => {
  const dataDir = tempDir('desk-shared-');
  let core: DeskCore;

  beforeAll(async () => {
    // Made once here (schema, data key), as the first desk on the drive would.
    core = await openDeskCore({ config: { dataDir }, logger: silentLogger });
  });
  afterAll(async () => {
    await core?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('their writes take turns: no SQLITE_BUSY reaches anyone, every change and its audit row are there, the chain holds', async () => {
    const desks = [desk(dataDir, 'left'), desk(dataDir, 'right')];
    await Promise.all(desks.map((d) => d.ready));
    for (const d of desks) d.go();
    const results = await Promise.all(desks.map((d) => d.done));
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.done).toBe(WRITES * 4);
    }
    const users = await core.db('desk_users').where('username', 'like', '%.user%');
    expect(users).toHaveLength(WRITES * 2);
    expect(users.every((u: { role: string }) => u.role === 'supervisor')).toBe(true);
    const count = async (action: string) => Number(((await core.db('audit_events').where({ action }).count({ n: '*' }).first()) as { n: number }).n);
    expect(await count('setting.changed')).toBe(WRITES * 2);
    expect(await count('desk_user.created')).toBe(WRITES * 2);
    expect(await count('desk_user.role_changed')).toBe(WRITES * 2);
    expect(await count('desk_user.signin')).toBe(WRITES * 2);
    const verdict = await verifyAuditChain(core.db, core.vault, { dataDir });
    expect(verdict.ok).toBe(true);
  }, 180_000);
});
