/**
 * `npm run bench` end to end on a tiny dataset, as a child process: it seeds, measures P1–P3 and
 * P6 (the browser part is skipped) and writes the results table and its JSON with a number in
 * every measured row. On PostgreSQL too when DESK_TEST_PG_URL is set (in a throwaway schema).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/targets';
import { runToEnd, withoutDeskSettings } from '../support/child-process';
import { mailMarkdown, measureMail } from '../../scripts/bench/mail';
import { captureFloorSource, measureImportFloor, type FloorSource } from '../../scripts/bench/hr-floor';
import { openScratchDesk } from '../../scripts/bench/scratch-db';
import { systemClock } from '../../electron/core/clock';
import { importHrFile } from '../../electron/core/hr/hr-import.service';
import { writeHrCsv } from '../support/hr-csv';
import { importMarkdown, measureImport } from '../../scripts/bench/hr-import';
import { auditMarkdown, measureAudit } from '../../scripts/bench/audit';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const EMPLOYEES = 1500;
const runBench = (args: string[], env: NodeJS.ProcessEnv) => runToEnd(TSX, ['scripts/bench/run.ts', ...args], { cwd: ROOT, env });
const benchEnv = () => withoutDeskSettings(['DESK_BENCH_PG_URL']);

/** The goal rows of the results table: `| P1 | what | measured | goal | result |`. */
function goalRows(markdown: string): Array<{ id: string; what: string; measured: string; goal: string; result: string }> {
  return markdown
    .split('\n')
    .filter((l) => /^\| P\d \|/.test(l))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      return { id: cells[0]!, what: cells[1]!, measured: cells[2]!, goal: cells[3]!, result: cells[4]! };
    });
}

function expectCompleteResults(outDir: string, db: 'sqlite' | 'postgres'): void {
  const md = path.join(outDir, `search-${db}-${EMPLOYEES}.md`);
  const json = path.join(outDir, `search-${db}-${EMPLOYEES}.json`);
  expect(fs.existsSync(md), md).toBe(true);
  expect(fs.existsSync(json), json).toBe(true);

  const rows = goalRows(fs.readFileSync(md, 'utf8'));
  for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) expect(rows.some((r) => r.id === id), `a ${id} row`).toBe(true);
  for (const r of rows) {
    if (r.id === 'P4' || r.id === 'P5') {
      expect(r.result, `${r.id} is skipped with --skip-browser`).toBe('SKIP');
      continue;
    }
    expect(r.measured, `${r.id} ${r.what}`).toMatch(/^-?\d[\d,]*(\.\d+)?( ms|×)/);
    expect(['PASS', 'MISS', 'INFO'], `${r.id} ${r.what}`).toContain(r.result);
  }

  const data = JSON.parse(fs.readFileSync(json, 'utf8')) as {
    dataset: { kind: string; employees: number; analyze: { note: string } };
    goals: Array<{ id: string; value: number | null; status: string }>;
  };
  expect(data.dataset).toMatchObject({ kind: db, employees: EMPLOYEES });
  expect(data.dataset.analyze.note).toMatch(/ANALYZE/);
  const measured = data.goals.filter((g) => g.id !== 'P4' && g.id !== 'P5');
  expect(measured.length).toBeGreaterThanOrEqual(7);
  for (const g of measured) expect(typeof g.value, `${g.id} value`).toBe('number');
}

describe('npm run bench (smoke, tiny dataset)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('seeds, measures P1–P3 and P6 on sqlite and writes the results table and JSON', async () => {
    const dir = tempDir('desk-bench-');
    dirs.push(dir);
    const out = path.join(dir, 'out');
    const r = await runBench(
      ['--employees', String(EMPLOYEES), '--queries', '20', '--pages', '20', '--skip-browser', '--skip-mail', '--skip-hr', '--skip-audit', '--data-dir', path.join(dir, 'data'), '--out', out],
      benchEnv(),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/seeded 1,500 employees/);
    expect(r.stdout).toMatch(/ANALYZE/);
    expectCompleteResults(out, 'sqlite');
  }, 60_000);

  it('the mail part measures issuing codes with SMTP slow and down, and both drain modes', async () => {
    const r = await measureMail({ issues: 10, mails: 40, slowReplyMs: 300 });
    for (const s of [r.issue.idle, r.issue.slow, r.issue.down]) {
      expect(s.summary.n).toBe(10);
      expect(s.summary.p95).toBeGreaterThan(0);
    }
    expect(r.drain.pooled.mails).toBe(40);
    expect(r.drain.pooled.perSecond).toBeGreaterThan(0);
    expect(r.drain.perMail.perSecond).toBeGreaterThan(0);
    // One connection per mail opens (about) one per mail; the pool far fewer.
    expect(r.drain.perMail.connections).toBeGreaterThanOrEqual(r.drain.perMail.mails - 1);
    expect(r.drain.pooled.connections).toBeLessThan(r.drain.pooled.mails);
    const md = mailMarkdown(r);
    expect(md).toMatch(/Pooled vs one connection per mail \| [\d.]+×/);
  }, 120_000);

  it('the HR import part imports a generated extract with and without the search index, and compares the medians of its first loads and floors', async () => {
    const r = await measureImport({ rows: 600, repeats: 3 });
    const md = importMarkdown(r);
    expect(md).toMatch(/with ÷ without|÷/);
    expect(JSON.stringify(r)).toMatch(/"rows":600/);
    // The floor moved the first load's 600 rows inside the database (it checks the count) and built the indexes.
    expect(r.floor.insertSeconds).toBeGreaterThan(0);
    expect(r.floor.indexSeconds).toBeGreaterThan(0);
    // Three first loads (each created every row: measureImport checks the counts) and three floors; the ratio is of their medians.
    expect(r.firstLoads).toHaveLength(3);
    expect(r.firstLoads[0]).toBe(r.withIndex);
    expect(r.floors).toHaveLength(3);
    expect(r.floors).toContain(r.floor);
    const mid = (v: number[]) => [...v].sort((a, b) => a - b)[1]!;
    expect(r.firstLoadSeconds).toBe(mid(r.firstLoads.map((l) => l.seconds)));
    expect(r.floor.totalSeconds).toBe(mid(r.floors.map((f) => f.totalSeconds)));
    expect(r.floorRatio).toBeCloseTo(r.firstLoadSeconds / r.floor.totalSeconds, 10);
    expect(md).toMatch(/\| Floor: the database alone .*, the median of 3 \| [\d.]+ s \(rows [\d.]+ s, indexes [\d.]+ s\) \(each: [\d.]+, [\d.]+, [\d.]+ s\) \|/);
    expect(md).toMatch(/\| First load ÷ floor \(medians\) \| [\d.]+× \|/);
  }, 180_000);

  it.each([{ db: 'sqlite' }, ...(process.env.DESK_TEST_PG_URL ? [{ db: 'postgres' }] : [])])(
    'the audit part generates a chained trail as the release before signatures wrote it, signs it at open, exports a fifth of it, compares, and verifies the chain ($db)',
    async ({ db }) => {
      const dir = tempDir('desk-bench-audit-');
      dirs.push(dir);
      const schema = `bench_a_${crypto.randomBytes(5).toString('hex')}`;
      const pgUrl = db === 'postgres' ? process.env.DESK_TEST_PG_URL : undefined;
      try {
        const r = await measureAudit({ events: 5000, dataDir: path.join(dir, 'data'), pgUrl, pgSchema: schema, log: () => {} });
        expect(r).toMatchObject({ database: db, origin: 'generated', verify: { ok: true }, signing: { seconds: expect.any(Number) } });
        expect(r.events).toBeGreaterThanOrEqual(5000);
        // A fifth and a fiftieth of an evenly spread trail, and the raw select of the same rows.
        expect(r.large.rows).toBe(1000);
        expect(r.small.rows).toBe(100);
        expect(r.raw.rows).toBe(1000);
        expect(r.large.bytes).toBeGreaterThan(r.small.bytes);
        const md = auditMarkdown(r);
        for (const id of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6']) expect(md).toMatch(new RegExp(`\\| ${id} \\|`));
        // Run again: the trail is reused, not generated twice.
        const again = await measureAudit({ events: 5000, dataDir: path.join(dir, 'data'), pgUrl, pgSchema: schema, log: () => {} });
        expect(again).toMatchObject({ origin: 'reused', signing: null, verify: { ok: true } });
      } finally {
        if (pgUrl) {
          const k = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
          try {
            await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
          } finally {
            await k.destroy();
          }
        }
      }
    },
    120_000,
  );

  it.runIf(!!process.env.DESK_TEST_PG_URL)("the HR import floor on PostgreSQL: the first load's own rows, moved into an empty desk inside the database, then the indexes built", async () => {
    const dir = tempDir('desk-bench-floor-');
    dirs.push(dir);
    const pgUrl = process.env.DESK_TEST_PG_URL!;
    const file = path.join(dir, 'hr.csv');
    await writeHrCsv(file, 600, { seed: 3 });
    const scratch = await openScratchDesk(path.join(dir, 'db-'), 'bench_floor_test', pgUrl);
    let source: FloorSource | undefined;
    try {
      const db = scratch.database.knex;
      const r = await importHrFile({ db, clock: systemClock }, { file, actor: { userId: null, name: 'test' }, reportFile: path.join(dir, 'report.csv') });
      expect(r.counts.created).toBe(600);
      source = await captureFloorSource(db, 'postgres', dir, pgUrl);
      expect(source.employees).toBe(600);
      // Every column of every row, as the load wrote them.
      const rowsOf = async (table: string, schema?: string) =>
        JSON.stringify((await db.raw<{ rows: unknown[] }>(`SELECT * FROM ${schema ? `"${schema}".` : ''}${table} ORDER BY id`)).rows);
      expect(await rowsOf('employees', source.where)).toBe(await rowsOf('employees'));
      expect(await rowsOf('employee_emails', source.where)).toBe(await rowsOf('employee_emails'));
      const f = await measureImportFloor(source, dir);
      expect(f.totalSeconds).toBeCloseTo(f.insertSeconds + f.indexSeconds, 6);
      expect(f.indexSeconds).toBeGreaterThan(0);
    } finally {
      await source?.dispose();
      await scratch.dispose();
    }
    const k = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
    try {
      const left = await k.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_namespace WHERE nspname = ?', [source.where]);
      expect(left.rows).toHaveLength(0);
    } finally {
      await k.destroy();
    }
  }, 120_000);

  it.runIf(!!process.env.DESK_TEST_PG_URL)('--load: agents work tickets at once on PostgreSQL, every action timed, no error, the chain intact, the schema dropped', async () => {
    const dir = tempDir('desk-bench-load-');
    dirs.push(dir);
    const out = path.join(dir, 'out');
    const r = await runBench(['--load', '--load-agents', '4', '--load-seconds', '2', '--load-employees', '300', '--out', out], {
      ...benchEnv(),
      DESK_BENCH_PG_URL: process.env.DESK_TEST_PG_URL,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/L1 {2}PASS {2}0 errors, 0 deadlocks/);
    const result = JSON.parse(fs.readFileSync(path.join(out, 'load-postgres.json'), 'utf8')) as {
      agents: number;
      tickets: number;
      errorCount: number;
      chainIntact: boolean;
      actions: Record<string, { count: number; p50Ms: number; p99Ms: number }>;
    };
    expect(result).toMatchObject({ agents: 4, errorCount: 0, chainIntact: true });
    expect(Object.keys(result.actions)).toEqual(['search', 'open', 'send code', 'check code', 're-register']);
    for (const a of Object.values(result.actions)) {
      expect(a.count).toBeGreaterThan(0);
      expect(a.p99Ms).toBeGreaterThanOrEqual(a.p50Ms);
    }
    expect(fs.readFileSync(path.join(out, 'load-postgres.md'), 'utf8')).toContain('| re-register |');
    const k = knexFactory({ client: 'pg', connection: process.env.DESK_TEST_PG_URL!, pool: { min: 0, max: 1 } });
    try {
      const left = await k.raw("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_load\\_%'");
      expect(left.rows).toEqual([]);
    } finally {
      await k.destroy();
    }
    // Without PostgreSQL it says what it needs.
    const refused = await runBench(['--load'], benchEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--load needs DESK_BENCH_PG_URL');
  }, 120_000);

  it.runIf(!!process.env.DESK_TEST_PG_URL)('does the same on PostgreSQL in its own schema', async () => {
    const url = process.env.DESK_TEST_PG_URL!;
    const schema = `bench_t_${crypto.randomBytes(5).toString('hex')}`;
    const dir = tempDir('desk-bench-pg-');
    dirs.push(dir);
    const out = path.join(dir, 'out');
    try {
      const r = await runBench(
        ['--employees', String(EMPLOYEES), '--queries', '20', '--pages', '20', '--skip-browser', '--skip-mail', '--skip-hr', '--skip-audit', '--skip-sqlite', '--pg-schema', schema, '--data-dir', path.join(dir, 'data'), '--out', out],
        { ...benchEnv(), DESK_BENCH_PG_URL: url },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expectCompleteResults(out, 'postgres');
    } finally {
      const k = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      try {
        await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      } finally {
        await k.destroy();
      }
    }
  }, 60_000);
});
