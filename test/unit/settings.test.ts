import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskError } from '../../shared/errors';
import { ManualClock } from '../../electron/core/clock';
import type { Database } from '../../electron/core/db/connection';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { toIso } from '../../electron/core/db/values';
import { changeSetting, getSetting, isSettingKey, putSetting, SETTINGS } from '../../electron/core/settings/settings.service';
import { openScratchDatabase, scratch, TARGETS, type Scratch, type Target } from '../support/targets';
import { attachVault } from '../../electron/core/secrets/db-vault';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';

describe.each(TARGETS)('settings on $name', (target: Target) => {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  let s: Scratch;
  let database: Database;
  const db = () => database.knex;
  const rows = () => db()('settings').whereIn('key', Object.keys(SETTINGS)).orderBy('key');
  /** Write a raw stored value, as another tool or a hand edit might have left it. */
  const storeRaw = async (key: string, value: string) => {
    await db()('settings').where({ key }).delete();
    await db()('settings').insert({ key, value, updated_at: clock.now().toISOString() });
  };

  beforeAll(async () => {
    s = scratch(target);
    database = await openScratchDatabase(s);
    await migrateToLatest(database.knex);
    attachVault(database.knex, new Vault(new KeyFileProvider(s.dataDir))); // audit events are signed
  });
  afterAll(async () => {
    await database?.close();
    await s?.cleanup();
  });

  it('answers the defaults while nothing is stored', async () => {
    expect(await getSetting(db(), 'session.idleMinutes')).toBe(15);
    expect(await getSetting(db(), 'totp.issuer')).toBe('MFA Desk');
    expect(await rows()).toEqual([]);
  });

  it('stores a value as JSON and replaces it on the next put', async () => {
    await putSetting(db(), clock, 'session.idleMinutes', 30);
    expect(await getSetting(db(), 'session.idleMinutes')).toBe(30);
    clock.advance(60_000);
    await putSetting(db(), clock, 'session.idleMinutes', 45);
    const stored = await db()('settings').where({ key: 'session.idleMinutes' });
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toBe('45');
    expect(toIso(stored[0].updated_at)).toBe(clock.now().toISOString());
    await putSetting(db(), clock, 'totp.issuer', 'Trust "Desk"');
    expect(await getSetting(db(), 'totp.issuer')).toBe('Trust "Desk"');
  });

  it('refuses values outside the schema and stores nothing', async () => {
    const before = await rows();
    for (const bad of [0, 481, 1.5, -1]) await expect(putSetting(db(), clock, 'session.idleMinutes', bad)).rejects.toThrow();
    await expect(putSetting(db(), clock, 'totp.issuer', '')).rejects.toThrow();
    await expect(putSetting(db(), clock, 'totp.issuer', 'x'.repeat(61))).rejects.toThrow();
    expect(await rows()).toEqual(before);
  });

  it('falls back to the default for a stored value that no longer fits the schema', async () => {
    for (const value of ['0', '"fifteen"', '1000', 'null', '{"a":1}']) {
      await storeRaw('session.idleMinutes', value);
      expect(await getSetting(db(), 'session.idleMinutes'), value).toBe(15);
    }
  });

  it('falls back to the default for a stored value that is not JSON at all', async () => {
    await storeRaw('session.idleMinutes', 'fifteen');
    await storeRaw('totp.issuer', 'MFA Desk'); // a bare string, not a JSON string
    expect(await getSetting(db(), 'session.idleMinutes')).toBe(15);
    expect(await getSetting(db(), 'totp.issuer')).toBe('MFA Desk');
  });

  it('changeSetting validates, stores and audits from → to in one go', async () => {
    await putSetting(db(), clock, 'session.idleMinutes', 20);
    const actor = { userId: null, name: 'cli' };
    expect(await changeSetting({ db: db(), clock }, actor, { key: 'session.idleMinutes', value: 10 })).toBe(10);
    expect(await getSetting(db(), 'session.idleMinutes')).toBe(10);
    const audit = await db()('audit_events').where({ action: 'setting.changed' }).orderBy('id');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_name: 'cli', result: 'ok' });
    expect(JSON.parse(audit[0].details)).toEqual({ key: 'session.idleMinutes', from: 20, to: 10 });

    const err = await changeSetting({ db: db(), clock }, actor, { key: 'session.idleMinutes', value: '10' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeskError);
    expect((err as DeskError).code).toBe('VALIDATION');
    expect(await getSetting(db(), 'session.idleMinutes')).toBe(10);
    expect(await db()('audit_events').where({ action: 'setting.changed' })).toHaveLength(1);
  });

  it('knows its own keys and nothing else', () => {
    expect(isSettingKey('session.idleMinutes')).toBe(true);
    expect(isSettingKey('totp.issuer')).toBe(true);
    for (const k of ['bootstrap.firstAdmin', '__proto__', 'toString', 'constructor', '']) expect(isSettingKey(k), k).toBe(false);
  });
});
