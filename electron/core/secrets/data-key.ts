import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import { keyCheck, type KeyProvider } from './vault';

const SETTING = 'vault.keyCheck';

/**
 * The database remembers a fingerprint of the data key its secrets are sealed with. Opening it
 * with no key, or another one (a second desk PC on a shared PostgreSQL, the CLI beside an app
 * whose key is in the OS keychain), is refused with a clear message instead of sealing new
 * secrets under a second key that no other machine can open.
 */
export async function verifyDataKey(db: Knex, clock: Clock, keys: KeyProvider): Promise<void> {
  const stored = await readCheck(db);
  if (stored !== null) {
    if (!keys.exists()) {
      throw new DeskError(
        'UNAVAILABLE',
        `This database's secrets are sealed with a data key this machine does not have (${keys.describe()}). ` +
          'Run `desk keys export --out FILE` where MFA Desk already works with this database, then `desk keys import FILE` here.',
      );
    }
    if (keyCheck(keys.getKey()) !== stored) throw mismatch(keys);
    return;
  }
  const check = keyCheck(keys.getKey());
  await db('settings').insert({ key: SETTING, value: JSON.stringify(check), updated_at: clock.now().toISOString() }).onConflict('key').ignore();
  if ((await readCheck(db)) !== check) throw mismatch(keys); // another machine set its key up first
}

function mismatch(keys: KeyProvider): DeskError {
  return new DeskError(
    'UNAVAILABLE',
    `This machine's data key (${keys.describe()}) is not the one this database's secrets are sealed with. ` +
      'Use `desk keys import FILE` with the key exported from a machine where MFA Desk works with this database.',
  );
}

export async function readCheck(db: Knex): Promise<string | null> {
  const row = await db('settings').where({ key: SETTING }).first<{ value: string } | undefined>('value');
  return row ? (JSON.parse(row.value) as string) : null;
}
