import type { Migration } from './types';
import { isPostgres } from './types';

/**
 * Substring search over employees.search_doc. The two databases differ here, so both variants
 * stand side by side: an FTS5 trigram index (external content, kept in step by triggers) on
 * sqlite, a pg_trgm GIN index on PostgreSQL. Prefix look-ups use b-tree indexes on both.
 */
export const migration: Migration = {
  name: '0010_employee_search',
  async up(knex) {
    if (isPostgres(knex)) {
      await ensurePgTrgm(knex);
      await knex.raw('CREATE INDEX employees_search_trgm_idx ON employees USING gin (search_doc gin_trgm_ops)');
      await knex.raw('CREATE INDEX employees_sort_name_pattern_idx ON employees (sort_name text_pattern_ops)');
      await knex.raw('CREATE INDEX employees_username_pattern_idx ON employees (username text_pattern_ops)');
      await knex.raw(
        'CREATE INDEX employees_number_pattern_idx ON employees (employee_number text_pattern_ops)',
      );
      return;
    }
    await knex.raw(
      "CREATE VIRTUAL TABLE employee_fts USING fts5(search_doc, content='employees', content_rowid='id', tokenize='trigram')",
    );
    await knex.raw(`CREATE TRIGGER employees_fts_ai AFTER INSERT ON employees BEGIN
      INSERT INTO employee_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END`);
    await knex.raw(`CREATE TRIGGER employees_fts_ad AFTER DELETE ON employees BEGIN
      INSERT INTO employee_fts(employee_fts, rowid, search_doc) VALUES ('delete', old.id, old.search_doc); END`);
    await knex.raw(`CREATE TRIGGER employees_fts_au AFTER UPDATE OF search_doc ON employees BEGIN
      INSERT INTO employee_fts(employee_fts, rowid, search_doc) VALUES ('delete', old.id, old.search_doc);
      INSERT INTO employee_fts(rowid, search_doc) VALUES (new.id, new.search_doc); END`);
    await knex.raw("INSERT INTO employee_fts(employee_fts) VALUES ('rebuild')");
  },
  async down(knex) {
    if (isPostgres(knex)) {
      for (const idx of [
        'employees_search_trgm_idx',
        'employees_sort_name_pattern_idx',
        'employees_username_pattern_idx',
        'employees_number_pattern_idx',
      ]) {
        await knex.raw('DROP INDEX IF EXISTS ??', [idx]);
      }
      return;
    }
    for (const trg of ['employees_fts_ai', 'employees_fts_ad', 'employees_fts_au']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${trg}`);
    }
    await knex.raw('DROP TABLE IF EXISTS employee_fts');
  },
};

/**
 * pg_trgm lives in the public schema so every schema (one per test run) can use its operator
 * classes. Two runs creating it at once race on the catalogue; the loser finds it there.
 */
async function ensurePgTrgm(knex: Parameters<Migration['up']>[0]): Promise<void> {
  const exists = await knex.raw<{ rows: unknown[] }>("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
  if (exists.rows.length > 0) return;
  await knex.raw('SAVEPOINT ensure_pg_trgm');
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    await knex.raw('RELEASE SAVEPOINT ensure_pg_trgm');
  } catch (err) {
    await knex.raw('ROLLBACK TO SAVEPOINT ensure_pg_trgm');
    const again = await knex.raw<{ rows: unknown[] }>("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
    if (again.rows.length === 0) throw err;
  }
}
