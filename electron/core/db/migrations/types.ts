import type { Knex } from 'knex';

export interface Migration {
  /** Ordered, append-only: never rename or edit a released migration. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Frozen with the migrations (which import nothing from outside this folder). */
export function isPostgres(knex: Knex): boolean {
  const configured = (knex.client as { config?: { client?: unknown } }).config?.client;
  const client = typeof configured === 'string' ? configured : '';
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
}

/** A UTC timestamp column: timestamptz on PostgreSQL, ISO-8601 text on sqlite. */
export function utc(table: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return table.timestamp(name, { useTz: true });
}
