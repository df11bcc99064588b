/** `desk keys …`: carry this machine's data key to another desk PC sharing the database. */
import fs from 'node:fs';
import { DeskError } from '../../../shared/errors';
import { resolveConfig } from '../../core/config';
import { openDatabase } from '../../core/db/connection';
import { migrateToLatest } from '../../core/db/migrate';
import { readCheck } from '../../core/secrets/data-key';
import { KeyFileProvider, keyCheck, parseKeyFile } from '../../core/secrets/vault';
import { outputFile, UsageError } from '../failures';
import { parse, say, withCore } from '../support';
import { choices, needs, type CommandFamily, type CommandUsage } from '../usage';

const usages: CommandUsage[] = [
  {
    command: 'keys export',
    options: [{ flag: '--out', value: 'FILE', required: true, words: 'The file to write (mode 0600); it must not exist yet' }],
    summary: "Copy this machine's data key to FILE (0600), for another desk PC",
    details: 'Keep the file as secret as a password and delete it once imported.',
  },
  {
    command: 'keys import',
    args: [{ name: 'FILE', words: 'A data key written by `desk keys export`' }],
    summary: 'Install a data key exported elsewhere (checked against the database)',
    details: "Refused if it is not the key the database's secrets are sealed with, or if a different key is already here.",
  },
];

async function keys(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const options = parse(rest, ...usages);
  const config = resolveConfig({ dataDir: options.dataDir });
  const provider = new KeyFileProvider(config.dataDir);
  if (sub === 'export') {
    const out = options.string('out');
    if (!out) throw new UsageError(needs(usages[0]!));
    outputFile(out, '--out');
    // Opening the core proves the key is the one this database's secrets are sealed with.
    await withCore(options.dataDir, () => {
      if (!provider.exists()) throw new DeskError('UNAVAILABLE', `No key file at ${provider.file} to export.`);
      fs.writeFileSync(out, provider.getKey().toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      return Promise.resolve();
    });
    say(`Data key written to ${out} (mode 0600). Keep it as secret as a password; delete it once imported.`);
    return 0;
  }
  if (sub !== 'import' || options.positionals.length !== 1) throw new UsageError(`keys needs: ${choices(keysFamily)}`);
  const file = options.positionals[0]!;
  const key = parseKeyFile(fs.readFileSync(file, 'utf8'), file);
  if (provider.exists()) {
    if (provider.getKey().equals(key)) {
      say('This machine already has that data key.');
      return 0;
    }
    throw new DeskError('CONFLICT', `${provider.file} already holds a different key; move it away first if you are sure it is not needed.`);
  }
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, schema: config.databaseSchema });
  try {
    await migrateToLatest(database.knex);
    const stored = await readCheck(database.knex);
    if (stored !== null && stored !== keyCheck(key)) {
      throw new DeskError('CONFLICT', 'That key is not the one this database’s secrets are sealed with; nothing was installed.');
    }
  } finally {
    await database.close();
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(provider.file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  say(`Data key installed at ${provider.file}.`);
  return 0;
}

export const keysFamily: CommandFamily = { name: 'keys', usages, run: keys };
