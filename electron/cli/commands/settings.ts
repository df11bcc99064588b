/** `desk settings …`: read and change the desk's settings (audited). */
import { DeskError } from '../../../shared/errors';
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { changeSetting, getSetting, isSettingKey, SETTINGS, type SettingKey } from '../../core/settings/settings.service';
import { UsageError } from '../failures';
import { parse, say, withCore } from '../support';
import { choices, type CommandFamily, type CommandUsage } from '../usage';

const KEYS = Object.keys(SETTINGS) as SettingKey[];

const usages: CommandUsage[] = [
  { command: 'settings list', summary: 'Show every setting and its value' },
  {
    command: 'settings set',
    args: [
      { name: 'KEY', words: `One of ${KEYS.join(', ')}` },
      { name: 'VALUE', words: 'The new value, as text or a number' },
    ],
    summary: 'Change a setting (audited), e.g. settings set session.idleMinutes 30',
    details: 'The audit trail records the old and the new value. A value the setting does not accept is refused (exit code 2) and nothing changes.',
  },
];

async function settings(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const options = parse(rest, ...usages);
  if (sub === 'list') {
    await withCore(options.dataDir, async (core) => {
      for (const key of KEYS) say(`${key.padEnd(24)} ${JSON.stringify(await getSetting(core.db, key))}`);
    });
    return 0;
  }
  if (sub !== 'set' || options.positionals.length !== 2) throw new UsageError(`settings needs: ${choices(settingsFamily)}`);
  const [key, raw] = options.positionals as [string, string];
  if (!isSettingKey(key)) throw new UsageError(`Unknown setting ${key}. Known: ${KEYS.join(', ')}`);
  // The text as typed, unless the setting wants a number and the text is one.
  const value: unknown = SETTINGS[key].schema.safeParse(raw).success || !/^-?\d+$/.test(raw) ? raw : Number(raw);
  await withCore(options.dataDir, async (core) => {
    try {
      const saved = await changeSetting(core, CLI_ACTOR, { key, value });
      say(`${key} = ${JSON.stringify(saved)}`);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'VALIDATION') throw new UsageError(err.message);
      throw err;
    }
  });
  return 0;
}

export const settingsFamily: CommandFamily = { name: 'settings', usages, run: settings };
