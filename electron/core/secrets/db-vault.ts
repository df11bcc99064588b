import type { Knex } from 'knex';
import type { Vault } from './vault';

/**
 * The vault a database handle works with. The core attaches its vault to the database it opened
 * (openDeskCore), so that code deep in a transaction can sign what it writes without every caller
 * handing the vault down: each audit event's MAC (audit/chain.ts) and the keyed hash that names a
 * sign-in's username (auth/signin-failures.ts). Both need the data key, which is not in the
 * database: a handle without a vault cannot write an audit event at all.
 *
 * A knex transaction shares its parent's `client.config` object (knex's makeTxClient copies the
 * reference), so the vault is found from the handle and from every transaction started on it.
 */
const vaults = new WeakMap<object, Vault>();

function configOf(q: Knex | Knex.Transaction): object {
  return (q as unknown as { client: { config: object } }).client.config;
}

export function attachVault(db: Knex, vault: Vault): void {
  vaults.set(configOf(db), vault);
}

export function vaultOf(q: Knex | Knex.Transaction): Vault {
  const vault = vaults.get(configOf(q));
  if (!vault) throw new Error('This database handle has no data key attached: open it with openDeskCore');
  return vault;
}
