import type { Knex } from 'knex';
import { MIGRATIONS, type Migration } from './migrations/index';

const TABLE = 'knex_migrations';

const source: Knex.MigrationSource<Migration> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve({ up: (k: Knex) => m.up(k), down: (k: Knex) => m.down(k) }),
};

export class NewerDatabaseError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `This database was written by a newer version of MFA Desk (unknown migrations: ${unknown.join(', ')}). ` +
        'Upgrade MFA Desk before opening it.',
    );
    this.name = 'NewerDatabaseError';
  }
}

/** Names of migrations already applied, in order. */
export async function appliedMigrations(knex: Knex): Promise<string[]> {
  if (!(await knex.schema.hasTable(TABLE))) return [];
  const rows = await knex(TABLE).select<Array<{ name: string }>>('name').orderBy('id');
  return rows.map((r) => r.name.replace(/\.(ts|js)$/, ''));
}

/**
 * Bring the schema up to date. The pending migrations run in one transaction (knex's batch), so a
 * failure leaves none of them applied. A database that has
 * migrations this build does not know is refused rather than half-understood.
 */
export async function migrateToLatest(knex: Knex, opts: { to?: string } = {}): Promise<string[]> {
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const applied = await appliedMigrations(knex);
  const unknown = applied.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new NewerDatabaseError(unknown);
  const config: Knex.MigratorConfig = { migrationSource: source, tableName: TABLE, disableTransactions: false };
  if (opts.to !== undefined) {
    const target = opts.to;
    if (!known.has(target)) throw new Error(`Unknown migration ${target}`);
    if (applied.includes(target)) return [];
    const pending = MIGRATIONS.filter((m) => !applied.includes(m.name));
    const done: string[] = [];
    for (const m of pending) {
      await knex.migrate.up({ ...config, name: m.name });
      done.push(m.name);
      if (m.name === target) break;
    }
    return done;
  }
  const [, names] = (await knex.migrate.latest(config)) as [number, string[]];
  return names;
}

export async function rollbackLast(knex: Knex): Promise<void> {
  await knex.migrate.down({ migrationSource: source, tableName: TABLE });
}

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.name;
