import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { ManualClock, type Clock } from '../../electron/core/clock';
import { silentLogger, type Logger } from '../../electron/core/log/logger';
import { openDatabase, type Database } from '../../electron/core/db/connection';

export interface Target {
  name: 'sqlite' | 'postgres';
}

/** sqlite always; PostgreSQL too when DESK_TEST_PG_URL points at a server. */
export const TARGETS: Target[] = [{ name: 'sqlite' }, ...(process.env.DESK_TEST_PG_URL ? [{ name: 'postgres' as const }] : [])];

export function tempDir(prefix = 'desk-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function freshSchema(): string {
  return `t_${crypto.randomBytes(6).toString('hex')}`;
}

export interface Scratch {
  dataDir: string;
  databaseUrl: string | undefined;
  schema: string | undefined;
  /** Drop the PostgreSQL schema and remove the data directory. */
  cleanup(): Promise<void>;
}

/** A fresh place to keep data: an empty data directory, and on PostgreSQL an empty schema. */
export function scratch(target: Target): Scratch {
  const dataDir = tempDir();
  const databaseUrl = target.name === 'postgres' ? process.env.DESK_TEST_PG_URL : undefined;
  const schema = target.name === 'postgres' ? freshSchema() : undefined;
  return {
    dataDir,
    databaseUrl,
    schema,
    async cleanup() {
      if (databaseUrl && schema) {
        const k = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
        try {
          await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
        } finally {
          await k.destroy();
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function openScratchDatabase(s: Scratch): Promise<Database> {
  return openDatabase({ dataDir: s.dataDir, databaseUrl: s.databaseUrl, schema: s.schema });
}

export interface TestCore extends DeskCore {
  scratch: Scratch;
  dispose(): Promise<void>;
}

export async function openTestCore(target: Target, opts: { clock?: Clock; logger?: Logger } = {}): Promise<TestCore> {
  const s = scratch(target);
  const core = await openDeskCore({
    config: { dataDir: s.dataDir, databaseUrl: s.databaseUrl, databaseSchema: s.schema },
    clock: opts.clock ?? new ManualClock(),
    logger: opts.logger ?? silentLogger,
  });
  return Object.assign(core, {
    scratch: s,
    async dispose() {
      await core.close();
      await s.cleanup();
    },
  });
}
