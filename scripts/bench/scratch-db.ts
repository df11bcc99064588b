import crypto from 'node:crypto';
import fs from 'node:fs';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../electron/core/db/connection';
import { migrateToLatest } from '../../electron/core/db/migrate';
import { attachVault } from '../../electron/core/secrets/db-vault';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';

/** Drop a throwaway PostgreSQL schema a benchmark made (with everything in it). */
export async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const k = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  try {
    await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  } finally {
    await k.destroy();
  }
}

export interface ScratchDesk {
  database: Database;
  dataDir: string;
  /** PostgreSQL: the throwaway schema. */
  schema?: string;
  vault: Vault;
  /** Close the database and remove its data folder (and schema). */
  dispose(): Promise<void>;
}

/**
 * A desk database of its own for one measurement: a new data folder (mkdtemp of `dataDirPrefix`)
 * and, given a PostgreSQL URL, a throwaway schema named from `schemaPrefix`; migrated, its audit
 * events signed with the data folder's vault.
 */
export async function openScratchDesk(dataDirPrefix: string, schemaPrefix: string, pgUrl: string | undefined): Promise<ScratchDesk> {
  const dataDir = fs.mkdtempSync(dataDirPrefix);
  const schema = pgUrl ? `${schemaPrefix}_${crypto.randomBytes(4).toString('hex')}` : undefined;
  const dispose = async (database: Database | undefined) => {
    await database?.close();
    if (pgUrl && schema) await dropSchema(pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let database: Database | undefined;
  try {
    database = await openDatabase({ dataDir, databaseUrl: pgUrl, schema });
    await migrateToLatest(database.knex);
    const vault = new Vault(new KeyFileProvider(dataDir));
    attachVault(database.knex, vault);
    const opened = database;
    return { database, dataDir, ...(schema ? { schema } : {}), vault, dispose: () => dispose(opened) };
  } catch (err) {
    await dispose(database);
    throw err;
  }
}
