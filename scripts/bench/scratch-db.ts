import knexFactory from 'knex';

/** Drop a throwaway PostgreSQL schema a benchmark made (with everything in it). */
export async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const k = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  try {
    await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  } finally {
    await k.destroy();
  }
}
