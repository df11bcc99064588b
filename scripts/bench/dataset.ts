/**
 * The benchmark database: seeded once with deterministic demo data, then reused for as long as it
 * holds exactly the number of employees asked for. Statistics (ANALYZE) are gathered after seeding.
 */
import { countEmployees } from '../../electron/core/employees/employees.service';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { createLogger } from '../../electron/core/log/logger';
import type { Actor } from '../../electron/core/audit/audit.service';
import { int, log } from './stats';

export type DbKind = 'sqlite' | 'postgres';

export interface DatasetInfo {
  kind: DbKind;
  employees: number;
  location: string;
  /** 'reused' or 'seeded in this run'. */
  origin: 'reused' | 'seeded';
  seedSeconds: number | null;
  seed: number | null;
  analyze: { ran: boolean; seconds: number | null; note: string };
  engineVersion: string;
  sizeBytes: number | null;
}

export interface Dataset {
  core: DeskCore;
  info: DatasetInfo;
}

const BENCH_ACTOR: Actor = { userId: null, name: 'bench' };

/** What a raw query answers with on PostgreSQL. */
type PgRows<T> = { rows: T[] };
const MARKER = 'bench-dataset.json';

/** The seed the demo data was loaded with, from its audit rows (null when unknown). */
async function seedOf(core: DeskCore): Promise<number | null> {
  try {
    const row = await core.db<{ id: number; action: string; details: unknown }>('audit_events').where({ action: 'demo.batch_loaded' }).orderBy('id').first('details');
    if (!row) return null;
    const d = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as { seed?: unknown } | null;
    return typeof d?.seed === 'number' ? d.seed : null;
  } catch {
    return null;
  }
}

async function seed(core: DeskCore, employees: number, seedValue: number): Promise<number> {
  const started = Date.now();
  let last = 0;
  log(`seeding ${int(employees)} employees (seed ${seedValue}) into ${core.database.location}`);
  await seedDemoData(core, BENCH_ACTOR, {
    employees,
    seed: seedValue,
    deskUsers: false,
    onProgress: (done, total) => {
      const now = Date.now();
      if (done === total || now - last > 5000) {
        last = now;
        const rate = done / Math.max(0.001, (now - started) / 1000);
        const eta = (total - done) / Math.max(1, rate);
        log(`  seed: ${int(done)} / ${int(total)} (${int(Math.round(rate))}/s, about ${Math.ceil(eta)} s to go)`);
      }
    },
  });
  return (Date.now() - started) / 1000;
}

async function hasStatistics(core: DeskCore): Promise<boolean> {
  if (core.database.kind === 'sqlite') {
    const t = await core.db.raw<unknown[]>("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'");
    if (t.length === 0) return false;
    const rows = await core.db.raw<Array<{ n: number }>>("SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'employees'");
    return Number(rows[0]?.n ?? 0) > 0;
  }
  const r = await core.db.raw<PgRows<{ last_analyze: unknown; last_autoanalyze: unknown }>>(
    "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname = 'employees' AND schemaname = current_schema()",
  );
  const row = r.rows[0];
  return !!row && (row.last_analyze !== null || row.last_autoanalyze !== null);
}

async function analyze(core: DeskCore): Promise<number> {
  const t0 = Date.now();
  log(`${core.database.kind === 'sqlite' ? 'ANALYZE' : 'VACUUM (ANALYZE)'} on ${core.database.kind}…`);
  if (core.database.kind === 'sqlite') await core.db.raw('ANALYZE');
  else {
    // Only this schema's tables, not the whole (possibly shared) database. VACUUM as well: what
    // autovacuum does to a table some time after a bulk load (the visibility map and each row's
    // commit hint set), without which the first read of every page after seeding also writes it.
    // Measured before that, a freshly seeded table is slower than any desk in steady use.
    const r = await core.db.raw<PgRows<{ tablename: string }>>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
    for (const t of r.rows) await core.db.raw('VACUUM (ANALYZE) ??', [t.tablename]);
  }
  const s = (Date.now() - t0) / 1000;
  log(`  took ${s.toFixed(1)} s`);
  return s;
}

async function engineVersion(core: DeskCore): Promise<string> {
  if (core.database.kind === 'sqlite') {
    const rows = await core.db.raw<Array<{ v: string }>>('SELECT sqlite_version() AS v');
    return `SQLite ${rows[0]?.v ?? '?'}`;
  }
  const r = await core.db.raw<PgRows<{ server_version: string }>>('SHOW server_version');
  // The server's cache sizes decide how often a search reads the table from outside PostgreSQL:
  // part of the setup a reader needs to compare runs.
  const setting = async (name: string) => String(Object.values((await core.db.raw<PgRows<Record<string, unknown>>>(`SHOW ${name}`)).rows[0]!)[0]);
  return `PostgreSQL ${r.rows[0]!.server_version} (shared_buffers ${await setting('shared_buffers')}, effective_cache_size ${await setting('effective_cache_size')}, random_page_cost ${await setting('random_page_cost')})`;
}

async function sizeOf(core: DeskCore, dataDir: string): Promise<number | null> {
  try {
    if (core.database.kind === 'sqlite') {
      let total = 0;
      for (const f of ['desk.sqlite', 'desk.sqlite-wal']) {
        const p = path.join(dataDir, f);
        if (fs.existsSync(p)) total += fs.statSync(p).size;
      }
      return total;
    }
    const r = await core.db.raw<PgRows<{ n: string }>>(
      'SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = \'r\'',
    );
    return Number(r.rows[0]!.n);
  } catch {
    return null;
  }
}

interface OpenArgs {
  kind: DbKind;
  employees: number;
  seed: number;
  dataDir: string;
  pgUrl?: string | undefined;
  pgSchema: string;
  forceAnalyze: boolean;
}

async function openCore(a: OpenArgs): Promise<DeskCore> {
  fs.mkdirSync(a.dataDir, { recursive: true });
  try {
    return await openCoreIn(a);
  } catch (err) {
    // The database's secrets are sealed with the key file of the data directory that seeded it.
    if (err instanceof Error && /data key/i.test(err.message)) {
      err.message +=
        a.kind === 'postgres'
          ? `\nSchema ${a.pgSchema} was seeded with the key file of another data directory: pass that --data-dir, or --pg-schema NAME for a fresh schema.`
          : `\n${a.dataDir} holds a database without its key file (copy secret.key along with desk.sqlite).`;
    }
    throw err;
  }
}

async function openCoreIn(a: OpenArgs): Promise<DeskCore> {
  return openDeskCore({
    config:
      a.kind === 'sqlite'
        ? { dataDir: a.dataDir }
        : { dataDir: a.dataDir, databaseUrl: a.pgUrl, databaseSchema: a.pgSchema },
    logger: createLogger(a.dataDir),
  });
}

/** Drop what a data directory or schema holds when it is ours and has the wrong size. */
async function discard(a: OpenArgs, found: number): Promise<void> {
  if (a.kind === 'postgres') {
    const schema = a.pgSchema;
    if (!schema.startsWith('bench_')) {
      throw new Error(`Schema ${schema} holds ${int(found)} employees, not ${int(a.employees)}. Choose another --pg-schema (the benchmark drops and reseeds only schemas named bench_…).`);
    }
    log(`schema ${schema} holds ${int(found)} employees, not ${int(a.employees)}: dropping it and seeding again`);
    const k = knexFactory({ client: 'pg', connection: a.pgUrl, pool: { min: 0, max: 1 } });
    try {
      await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    } finally {
      await k.destroy();
    }
    return;
  }
  if (!fs.existsSync(path.join(a.dataDir, MARKER))) {
    throw new Error(
      `${a.dataDir} holds a database with ${int(found)} employees, not ${int(a.employees)}, and was not made by the benchmark. ` +
        'Choose another --data-dir (or remove that one).',
    );
  }
  log(`${a.dataDir} holds ${int(found)} employees, not ${int(a.employees)} (an interrupted seed?): starting it again`);
  for (const f of ['desk.sqlite', 'desk.sqlite-wal', 'desk.sqlite-shm', MARKER]) fs.rmSync(path.join(a.dataDir, f), { force: true });
}

export async function openDataset(a: OpenArgs): Promise<Dataset> {
  log(`opening the ${a.kind} database${a.kind === 'sqlite' ? ` in ${a.dataDir}` : ` (schema ${a.pgSchema})`}`);
  let core = await openCore(a);
  let found = await countEmployees(core.db);
  if (found !== 0 && found !== a.employees) {
    await core.close();
    await discard(a, found);
    core = await openCore(a);
    found = await countEmployees(core.db);
  }
  let origin: DatasetInfo['origin'] = 'reused';
  let seedSeconds: number | null = null;
  if (found === 0) {
    if (a.kind === 'sqlite') fs.writeFileSync(path.join(a.dataDir, MARKER), JSON.stringify({ employees: a.employees, seed: a.seed, state: 'seeding' }) + '\n');
    seedSeconds = await seed(core, a.employees, a.seed);
    origin = 'seeded';
    if (a.kind === 'sqlite') {
      fs.writeFileSync(
        path.join(a.dataDir, MARKER),
        JSON.stringify({ employees: a.employees, seed: a.seed, state: 'done', seedSeconds, at: new Date().toISOString() }) + '\n',
      );
    }
    log(`seeded ${int(a.employees)} employees in ${seedSeconds.toFixed(0)} s`);
  } else {
    log(`reusing ${int(found)} employees in ${core.database.location}`);
  }

  let analyzeInfo: DatasetInfo['analyze'];
  if (origin === 'seeded' || a.forceAnalyze || !(await hasStatistics(core))) {
    const why = origin === 'seeded' ? 'after seeding' : a.forceAnalyze ? '(--analyze)' : 'because the database had no statistics yet';
    const seconds = await analyze(core);
    const what = core.database.kind === 'sqlite' ? 'ANALYZE' : 'VACUUM (ANALYZE)';
    analyzeInfo = { ran: true, seconds, note: `${what} ran in this run ${why}, before measuring (${seconds.toFixed(1)} s)` };
  } else {
    analyzeInfo = { ran: false, seconds: null, note: 'statistics already present from an earlier ANALYZE (run with --analyze to refresh them)' };
  }

  return {
    core,
    info: {
      kind: a.kind,
      employees: a.employees,
      location: core.database.location,
      origin,
      seedSeconds,
      seed: origin === 'seeded' ? a.seed : await seedOf(core),
      analyze: analyzeInfo,
      engineVersion: await engineVersion(core),
      sizeBytes: await sizeOf(core, a.dataDir),
    },
  };
}
