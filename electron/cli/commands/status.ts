/** `desk status` and `desk migrate`: where the data lives, what is in it, and its schema. */
import { resolveConfig } from '../../core/config';
import { appliedMigrations } from '../../core/db/migrate';
import { countDeskUsers } from '../../core/deskusers/deskusers.service';
import { countEmployees } from '../../core/employees/employees.service';
import { int, parse, say, withCore } from '../support';
import type { CommandFamily, CommandUsage } from '../usage';

const migrateUsage: CommandUsage = {
  command: 'migrate',
  summary: 'Bring the database schema up to date',
  details: 'The app and every other command do this when they start; this one only does that and says how many migrations are applied.',
};

const statusUsage: CommandUsage = {
  command: 'status',
  summary: 'Show where the data lives and what is in it',
  details: 'The data directory, which database (sqlite or PostgreSQL) and where, how many desk users and employees.',
};

async function migrate(args: string[]): Promise<number> {
  const options = parse(args, migrateUsage);
  await withCore(options.dataDir, async (core) => {
    const applied = await appliedMigrations(core.db);
    say(`Schema is up to date (${applied.length} migrations, latest ${applied[applied.length - 1]}) in ${core.database.location}`);
  });
  return 0;
}

async function status(args: string[]): Promise<number> {
  const options = parse(args, statusUsage);
  const config = resolveConfig({ dataDir: options.dataDir });
  await withCore(options.dataDir, async (core) => {
    say(`Data directory: ${config.dataDir}`);
    say(`Database: ${core.database.kind} — ${core.database.location}`);
    say(`Desk users: ${await countDeskUsers(core.db)}`);
    say(`Employees: ${int(await countEmployees(core.db))}`);
  });
  return 0;
}

export const migrateCommand: CommandFamily = { name: 'migrate', usages: [migrateUsage], run: migrate };
export const statusCommand: CommandFamily = { name: 'status', usages: [statusUsage], run: status };
