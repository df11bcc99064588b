import type { Knex } from 'knex';
import type { Migration } from './types';
import { isPostgres } from './types';

/**
 * Sign-in codes: the portal sends a one-time code to the address that receives codes and the
 * employee types it at sign-in. They live in one_time_codes with the same limits as every other
 * code, under a fourth purpose. PostgreSQL swaps the CHECK constraint; sqlite cannot alter one,
 * so the table is rebuilt from its own stored definition (nothing references one_time_codes) and
 * its indexes are made again as they were.
 */
const OLD = "purpose in ('registration', 'reset', 'identity_check')";
const NEW = "purpose in ('registration', 'reset', 'identity_check', 'sign_in')";

async function rebuildSqlite(knex: Knex, from: string, to: string): Promise<void> {
  const table = await knex.raw<Array<{ sql: string }>>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'one_time_codes'");
  const definition = table[0]?.sql ?? '';
  if (!definition.includes(from)) throw new Error('one_time_codes: its purpose check is not the one this migration expects');
  const indexes = await knex.raw<Array<{ sql: string }>>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'one_time_codes' AND sql IS NOT NULL");
  const created = definition.replace(from, to).replace(/^CREATE TABLE\s+[`"]?one_time_codes[`"]?/i, 'CREATE TABLE `one_time_codes_next`');
  await knex.raw(created);
  // AUTOINCREMENT's high-water mark goes across too, so no deleted code's id is ever made again.
  const seq = await knex.raw<Array<{ seq: number }>>("SELECT seq FROM sqlite_sequence WHERE name = 'one_time_codes'");
  await knex.raw('INSERT INTO one_time_codes_next SELECT * FROM one_time_codes');
  await knex.raw('DROP TABLE one_time_codes');
  await knex.raw('ALTER TABLE one_time_codes_next RENAME TO one_time_codes');
  const high = Number(seq[0]?.seq ?? 0);
  if (high > 0) {
    const moved = await knex.raw<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM sqlite_sequence WHERE name = 'one_time_codes'");
    if (Number(moved[0]?.n ?? 0) > 0) await knex.raw("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'one_time_codes'", [high]);
    else await knex.raw("INSERT INTO sqlite_sequence (name, seq) VALUES ('one_time_codes', ?)", [high]);
  }
  for (const index of indexes) await knex.raw(index.sql);
}

async function swapCheck(knex: Knex, from: string, to: string): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_purpose_check');
    await knex.raw(`ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check CHECK (${to})`);
  } else {
    await rebuildSqlite(knex, from, to);
  }
}

export const migration: Migration = {
  name: '0024_sign_in_codes',
  async up(knex) {
    await swapCheck(knex, OLD, NEW);
  },
  async down(knex) {
    await knex('one_time_codes').where({ purpose: 'sign_in' }).delete();
    await swapCheck(knex, NEW, OLD);
  },
};
