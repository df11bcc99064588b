import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeskError } from '../../shared/errors';
import { openDeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';
import { KeyFileProvider } from '../../electron/core/secrets/vault';
import { createDeskUser } from '../../electron/core/deskusers/deskusers.service';
import { SYSTEM_ACTOR } from '../../electron/core/audit/audit.service';
import { scratch, tempDir, TARGETS, type Scratch } from '../support/targets';
import { deskEnv, runDesk } from '../support/cli';

describe.each(TARGETS)('the data key on $name', (target) => {
  const s: Scratch = scratch(target);
  const clock = new ManualClock();
  const config = (dataDir: string) => ({ dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema });
  const open = (dataDir: string) => openDeskCore({ config: config(dataDir), clock, logger: silentLogger });
  const dirs: string[] = [];
  afterAll(async () => {
    await s.cleanup();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is made on first open and its fingerprint kept in the database', async () => {
    const core = await open(s.dataDir);
    await createDeskUser({ db: core.db, clock }, SYSTEM_ACTOR, { username: 'key.user', displayName: 'K', role: 'agent', password: 'twelve-chars-min' });
    const row = await core.db('settings').where({ key: 'vault.keyCheck' }).first();
    expect(row.value).toMatch(/^"[0-9a-f]{32}"$/);
    expect(row.value).not.toContain(new KeyFileProvider(s.dataDir).getKey().toString('base64'));
    await core.close();
  });

  it('is refused, not replaced, when a machine has no key or another key, and nothing is written', async () => {
    // Another desk PC (PostgreSQL shared) or the same folder after the key file was lost (sqlite).
    const other = target.name === 'postgres' ? tempDir() : s.dataDir;
    if (other !== s.dataDir) dirs.push(other);
    const keyFile = new KeyFileProvider(s.dataDir).file;
    const saved = fs.readFileSync(keyFile);
    if (other === s.dataDir) fs.rmSync(keyFile);
    const missing = await open(other).then(
      () => null,
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(DeskError);
    expect((missing as DeskError).code).toBe('UNAVAILABLE');
    expect((missing as DeskError).message).toMatch(/desk keys import/);
    expect(fs.existsSync(new KeyFileProvider(other).file)).toBe(false); // no second key was made

    fs.writeFileSync(new KeyFileProvider(other).file, Buffer.alloc(32, 7).toString('base64'), { mode: 0o600 });
    const wrong = await open(other).then(
      () => null,
      (e: unknown) => e,
    );
    expect((wrong as DeskError).code).toBe('UNAVAILABLE');
    expect((wrong as DeskError).message).toMatch(/not the one/);
    fs.rmSync(new KeyFileProvider(other).file);
    if (other === s.dataDir) fs.writeFileSync(keyFile, saved, { mode: 0o600 });
  });

  it('moves between machines with desk keys export and import', async () => {
    const env = (dataDir: string) => deskEnv(s, dataDir);
    const desk = runDesk;
    const out = path.join(tempDir(), 'desk.key');
    dirs.push(path.dirname(out));
    const exported = await desk(env(s.dataDir), ['keys', 'export', '--out', out]);
    expect(exported.code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    // On sqlite the "other machine" is a folder with a copy of the database file but no key.
    const other = tempDir();
    dirs.push(other);
    if (target.name === 'sqlite') fs.copyFileSync(path.join(s.dataDir, 'desk.sqlite'), path.join(other, 'desk.sqlite'));
    expect((await desk(env(other), ['status'])).code).toBe(1);
    const imported = await desk(env(other), ['keys', 'import', out]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(fs.statSync(new KeyFileProvider(other).file).mode & 0o777).toBe(0o600);
    expect((await desk(env(other), ['status'])).code).toBe(0);
    // Importing a different key over it is refused.
    const bad = path.join(path.dirname(out), 'bad.key');
    fs.writeFileSync(bad, Buffer.alloc(32, 9).toString('base64'));
    expect((await desk(env(other), ['keys', 'import', bad])).code).toBe(1);
  });
});
