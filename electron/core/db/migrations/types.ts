import type { Knex } from 'knex';
import { databaseKind } from '../connection';

export interface Migration {
  /** Ordered, append-only: never rename or edit a released migration. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export function isPostgres(knex: Knex): boolean {
  return databaseKind(knex) === 'postgres';
}

/** A UTC timestamp column: timestamptz on PostgreSQL, ISO-8601 text on sqlite. */
export function utc(table: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return table.timestamp(name, { useTz: true });
}
