/**
 * The audit benchmark: a database of N chained audit events (default 5,000,000; generated once into
 * .bench-data/audit-<N>/, or on PostgreSQL schema bench_audit_<N> with its own data folder
 * .bench-data/audit-pg-<N>/ (a data folder's checkpoint file belongs to one database), then reused), and on it:
 * - A1 the CSV export of a filter that selects N/5 events (1,000,000 of 5,000,000: a 100-day range
 *   of a 500-day trail), rows per second; goal ≥ 120,000/s;
 * - A2 that export ÷ the raw select of the same rows plus csv-stringify; goal ≤ 1.5×;
 * - A3 peak RSS during the N/5 export ÷ during an N/50 export (100,000); goal ≤ 1.2× (flat);
 * - A4 the event loop's longest stall while the export runs (the main process must stay responsive);
 *   goal ≤ 50 ms;
 * - A5 verifying the whole chain (every hash and signature), events per second;
 * - A6 signing a trail from before events were signed: the trail is generated as the previous
 *   release wrote it (migrations up to 0018, chained, unsigned) and the first open of the desk on it
 *   signs every event (signLegacyEvents); its time, when the trail was generated in this run.
 * The exports run in this process exactly as the desk's main process runs them (exportAuditCsv into a
 * file stream).
 *
 * Standalone: `npx tsx scripts/bench/audit.ts [--events N] [--pg postgres://…]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import { openDatabase } from '../../electron/core/db/connection';
import { appliedMigrations, migrateToLatest } from '../../electron/core/db/migrate';
import { chainEvents, chainHead, GENESIS_HASH, type AuditContent } from '../../electron/core/audit/chain';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { applyAuditFilter, exportAuditCsv, REPORT_COLUMNS } from '../../electron/core/audit/reports.service';
import { systemClock } from '../../electron/core/clock';
import { databaseKind } from '../../electron/core/db/connection';
import { employeeRow, insertEmployees } from '../../electron/core/employees/employee-writer';
import { createLogger } from '../../electron/core/log/logger';
import type { AuditReportFilter } from '../../shared/domain';
import { REPO_ROOT } from './options';
import { int, log as benchLog, prng, ratio, settle } from './stats';

const MiB = 1024 * 1024;
const DAY = 24 * 60 * 60_000;
const SPAN_DAYS = 500;
const START = Date.parse('2025-01-01T00:00:00.000Z');
const ACTORS = Array.from({ length: 40 }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`);
const ACTIONS = [
  'caller.identity_code_sent',
  'caller.verified',
  'factor.reregistration_started',
  'factor.removed',
  'factor.unlocked',
  'records.emails_updated',
  'employee.code_sent',
  'employee.registered',
  'desk_user.signed_in',
  'hr.import_finished',
];

export const A1_GOAL_ROWS_PER_S = 120_000;
export const A2_GOAL_RATIO = 1.5;
export const A3_GOAL_RATIO = 1.2;
export const A4_GOAL_MS = 50;

export interface ExportRun {
  filter: AuditReportFilter;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  bytes: number;
  startRssMiB: number;
  peakRssMiB: number;
  /** The event loop's longest stall and its 99th percentile during the export (ms). */
  loopMaxMs: number;
  loopP99Ms: number;
}

export interface AuditBenchResult {
  database: 'sqlite' | 'postgres';
  events: number;
  origin: 'reused' | 'generated';
  generateSeconds: number | null;
  small: ExportRun;
  large: ExportRun;
  raw: { rows: number; selectSeconds: number; stringifySeconds: number; seconds: number };
  verify: { seconds: number; eventsPerSecond: number; ok: boolean };
  /** Opening the desk on the generated, unsigned trail (migrations and signing every event); null when reused. */
  signing: { seconds: number; eventsPerSecond: number } | null;
  /** large.seconds ÷ raw.seconds */
  exportVsRaw: number;
  /** large.peakRssMiB ÷ small.peakRssMiB */
  memoryRatio: number;
}

/** The day `d` days after the trail's first, as YYYY-MM-DD. */
function day(d: number): string {
  return new Date(START + d * DAY).toISOString().slice(0, 10);
}

/** Event i of n: spread evenly over SPAN_DAYS, so a range of k days holds n·k/SPAN_DAYS events. */
function eventAt(i: number, n: number, rnd: () => number, employees: readonly number[]): AuditContent {
  const refused = rnd() < 0.08;
  return {
    occurred_at: new Date(START + Math.floor((i * SPAN_DAYS * DAY) / n)).toISOString(),
    actor_user_id: null,
    actor_name: ACTORS[Math.floor(rnd() * ACTORS.length)]!,
    employee_id: rnd() < 0.85 ? employees[Math.floor(rnd() * employees.length)]! : null,
    ticket_ref: rnd() < 0.7 ? `chat-${Math.floor(rnd() * 900_000) + 100_000}` : null,
    action: ACTIONS[Math.floor(rnd() * ACTIONS.length)]!,
    result: refused ? 'refused' : 'ok',
    details: JSON.stringify({ reference: `REF-${Math.floor(rnd() * 1e8)}`, attempt: Math.floor(rnd() * 5), note: refused ? 'caller not verified' : 'done' }),
  };
}

async function insertRows(db: Knex, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const per = Math.floor(30_000 / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const slice = rows.slice(i, i + per);
    const values: Knex.Value[] = [];
    for (const r of slice) for (const c of columns) values.push(r[c] as Knex.Value);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await db.raw(`INSERT INTO ?? (${columns.map(() => '??').join(', ')}) VALUES ${slice.map(() => tuple).join(', ')}`, [table, ...columns, ...values]);
  }
}

/** The last migration of the release before events were signed: the trail is generated as it wrote it. */
const UNSIGNED_RELEASE = '0018_ticket_workflow';

/**
 * Generate N chained events (and 2,000 employees they are about), in batches, on the chain's own
 * code, unsigned, into a database migrated up to UNSIGNED_RELEASE.
 */
async function generate(db: Knex, n: number, log: (m: string) => void): Promise<void> {
  const now = new Date().toISOString();
  // The writer's columns all exist by UNSIGNED_RELEASE (the last of them came with 0011).
  const people = Array.from({ length: 2000 }, (_, i) =>
    employeeRow({
      employeeNumber: String(70_000_000 + i),
      firstName: 'Audit',
      lastName: `Subject${i}`,
      username: `asubject${i}`,
      organisation: 'Benchmark Trust',
      department: 'Audit',
      emails: [],
      createdAt: now,
    }),
  );
  await insertEmployees(db, people);
  const employees = ((await db('employees').select('id').orderBy('id')) as Array<{ id: number }>).map((r) => Number(r.id));
  const random = prng(5);
  const rnd = () => random.next();
  const started = Date.now();
  let last = started;
  let head = await chainHead(db);
  const BATCH = 50_000;
  for (let i = head.seq; i < n; i += BATCH) {
    const events: AuditContent[] = [];
    for (let k = i; k < Math.min(n, i + BATCH); k++) events.push(eventAt(k, n, rnd, employees));
    const chained = chainEvents(head, events);
    await db.transaction(async (trx) => insertRows(trx, 'audit_events', chained.rows));
    head = chained.head;
    if (Date.now() - last > 5000) {
      last = Date.now();
      log(`  audit events: ${int(head.seq)} / ${int(n)} (${int(Math.round(head.seq / ((Date.now() - started) / 1000)))}/s)`);
    }
  }
}

/**
 * A full garbage collection, so each measured export starts from the same heap (V8 lets old space
 * grow lazily between collections; without this the second export inherits the first's garbage).
 */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

async function exportRun(core: DeskCore, filter: AuditReportFilter, file: string): Promise<ExportRun> {
  await settle(200);
  collectGarbage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  }, 20);
  const out = fs.createWriteStream(file);
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  loop.enable();
  const t0 = performance.now();
  try {
    const r = await exportAuditCsv(core.db, core.clock, core.vault, filter, out, { actor: { userId: null, name: 'bench' }, reader: core.database.reader });
    out.end();
    await closed;
    const seconds = (performance.now() - t0) / 1000;
    return {
      filter,
      rows: r.rows,
      seconds,
      rowsPerSecond: r.rows / seconds,
      bytes: fs.statSync(file).size,
      startRssMiB: startRss / MiB,
      peakRssMiB: Math.max(peakRss, process.memoryUsage().rss) / MiB,
      loopMaxMs: loop.max / 1e6,
      loopP99Ms: loop.percentile(99) / 1e6,
    };
  } finally {
    loop.disable();
    clearInterval(sampler);
  }
}

/** The baseline: the same rows in one plain SELECT, then csv-stringify over them. */
async function rawExport(db: Knex, filter: AuditReportFilter, file: string): Promise<AuditBenchResult['raw']> {
  await settle(200);
  const t0 = performance.now();
  const rows = (await applyAuditFilter(
    db('audit_events').leftJoin('employees', 'employees.id', 'audit_events.employee_id').select(REPORT_COLUMNS),
    filter,
  ).orderBy(['audit_events.occurred_at', 'audit_events.seq'])) as Array<Record<string, unknown>>;
  const t1 = performance.now();
  fs.writeFileSync(file, stringify(rows, { header: true, cast: { date: (d) => d.toISOString() } }));
  const t2 = performance.now();
  return { rows: rows.length, selectSeconds: (t1 - t0) / 1000, stringifySeconds: (t2 - t1) / 1000, seconds: (t2 - t0) / 1000 };
}

export async function measureAudit(opts: {
  events?: number;
  pgUrl?: string | undefined;
  /** Default bench_audit_<N>. */
  pgSchema?: string;
  dataDir?: string;
  log?: (m: string) => void;
}): Promise<AuditBenchResult> {
  const n = opts.events ?? 5_000_000;
  const log = opts.log ?? benchLog;
  const kind = opts.pgUrl ? 'postgres' : 'sqlite';
  const dataDir = opts.dataDir ?? path.join(REPO_ROOT, '.bench-data', opts.pgUrl ? `audit-pg-${n}` : `audit-${n}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const config = { dataDir, databaseUrl: opts.pgUrl, databaseSchema: opts.pgUrl ? (opts.pgSchema ?? `bench_audit_${n}`) : undefined };
  // The events of a run are the generated ones plus what earlier runs added (checkpoints are not
  // events; each export adds one audit.exported event): "reused" while the generated ones are there.
  let origin: AuditBenchResult['origin'] = 'reused';
  let generateSeconds: number | null = null;
  {
    const plain = await openDatabase({ dataDir, databaseUrl: config.databaseUrl, schema: config.databaseSchema });
    try {
      const there = (await plain.knex.schema.hasTable('audit_events')) ? Number(((await plain.knex('audit_events').count({ n: '*' }).first()) as { n: number | string }).n) : 0;
      if (there < n) {
        const where = kind === 'sqlite' ? dataDir : `schema ${config.databaseSchema}`;
        if (there > 0 || (await appliedMigrations(plain.knex)).length > 0) throw new Error(`The audit benchmark database in ${where} holds ${int(there)} events, not ${int(n)}: delete it (or drop the schema) and run again.`);
        log(`generating ${int(n)} chained, unsigned audit events on ${kind}, as the release before signatures wrote them…`);
        const t = Date.now();
        await migrateToLatest(plain.knex, { to: UNSIGNED_RELEASE });
        await generate(plain.knex, n, log);
        if (databaseKind(plain.knex) === 'postgres') await plain.knex.raw('VACUUM (ANALYZE) audit_events');
        else await plain.knex.raw('ANALYZE');
        generateSeconds = (Date.now() - t) / 1000;
        origin = 'generated';
        log(`  generated in ${generateSeconds.toFixed(0)} s`);
      } else log(`reusing ${int(there)} audit events in ${kind === 'sqlite' ? dataDir : `schema ${config.databaseSchema}`}`);
    } finally {
      await plain.close();
    }
  }
  if (origin === 'generated') log('A6: opening the desk on it, which signs every event…');
  const t0 = performance.now();
  const core = await openDeskCore({ config, clock: systemClock, logger: createLogger(dataDir) });
  const openSeconds = (performance.now() - t0) / 1000;
  const signing = origin === 'generated' ? { seconds: openSeconds, eventsPerSecond: n / openSeconds } : null;
  if (signing) log(`  opened and signed in ${signing.seconds.toFixed(1)} s`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-audit-bench-'));
  try {
    const head = await chainHead(core.db);
    if (head.hash === GENESIS_HASH) throw new Error('no events');

    const smallFilter: AuditReportFilter = { from: day(100), to: day(100 + SPAN_DAYS / 50 - 1) };
    const largeFilter: AuditReportFilter = { from: day(100), to: day(100 + SPAN_DAYS / 5 - 1) };
    log(`A3: exporting ${smallFilter.from} to ${smallFilter.to} (about ${int(n / 50)} events)…`);
    const small = await exportRun(core, smallFilter, path.join(work, 'small.csv'));
    log(`  ${int(small.rows)} rows in ${small.seconds.toFixed(2)} s, peak RSS ${small.peakRssMiB.toFixed(0)} MiB`);
    log(`A1: exporting ${largeFilter.from} to ${largeFilter.to} (about ${int(n / 5)} events)…`);
    const large = await exportRun(core, largeFilter, path.join(work, 'large.csv'));
    log(`  ${int(large.rows)} rows in ${large.seconds.toFixed(2)} s (${int(Math.round(large.rowsPerSecond))}/s), peak RSS ${large.peakRssMiB.toFixed(0)} MiB, loop stall max ${large.loopMaxMs.toFixed(1)} ms`);
    log('A2: the same rows as one SELECT plus csv-stringify…');
    const raw = await rawExport(core.database.reader, largeFilter, path.join(work, 'raw.csv'));
    log(`  ${int(raw.rows)} rows: select ${raw.selectSeconds.toFixed(2)} s + stringify ${raw.stringifySeconds.toFixed(2)} s`);
    log(`A5: verifying the chain (${int(head.seq)} events)…`);
    const t = performance.now();
    const report = await verifyAuditChain(core.db, core.vault, { dataDir });
    const verifySeconds = (performance.now() - t) / 1000;
    log(`  ${report.ok ? 'intact' : `BROKEN: ${report.firstBreak?.detail}`} in ${verifySeconds.toFixed(1)} s`);
    return {
      database: kind,
      events: report.events,
      origin,
      generateSeconds,
      small,
      large,
      raw,
      verify: { seconds: verifySeconds, eventsPerSecond: report.events / verifySeconds, ok: report.ok },
      signing,
      exportVsRaw: large.seconds / raw.seconds,
      memoryRatio: large.peakRssMiB / small.peakRssMiB,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await core.close();
  }
}

const status = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export function auditRows(r: AuditBenchResult): Array<{ id: string; what: string; value: string; goal: string; status: string }> {
  return [
    { id: 'A1', what: `CSV export of ${int(r.large.rows)} filtered events, rows per second`, value: `${int(Math.round(r.large.rowsPerSecond))}/s (${r.large.seconds.toFixed(2)} s, ${(r.large.bytes / MiB).toFixed(0)} MiB)`, goal: `≥ ${int(A1_GOAL_ROWS_PER_S)}/s`, status: status(r.large.rowsPerSecond >= A1_GOAL_ROWS_PER_S) },
    { id: 'A2', what: 'That export ÷ one SELECT of the same rows plus csv-stringify', value: `${ratio(r.exportVsRaw)} (${r.large.seconds.toFixed(2)} s vs ${r.raw.seconds.toFixed(2)} s: select ${r.raw.selectSeconds.toFixed(2)} s, stringify ${r.raw.stringifySeconds.toFixed(2)} s)`, goal: `≤ ${A2_GOAL_RATIO}×`, status: status(r.exportVsRaw <= A2_GOAL_RATIO) },
    { id: 'A3', what: `Peak RSS exporting ${int(r.large.rows)} ÷ exporting ${int(r.small.rows)} events`, value: `${ratio(r.memoryRatio)} (${r.large.peakRssMiB.toFixed(0)} MiB vs ${r.small.peakRssMiB.toFixed(0)} MiB)`, goal: `≤ ${A3_GOAL_RATIO}×`, status: status(r.memoryRatio <= A3_GOAL_RATIO) },
    { id: 'A4', what: 'Longest event-loop stall during that export (p99)', value: `${r.large.loopMaxMs.toFixed(1)} ms (p99 ${r.large.loopP99Ms.toFixed(1)} ms)`, goal: `≤ ${A4_GOAL_MS} ms`, status: status(r.large.loopMaxMs <= A4_GOAL_MS) },
    { id: 'A5', what: `Verifying the whole chain (${int(r.events)} events)`, value: `${r.verify.seconds.toFixed(1)} s (${int(Math.round(r.verify.eventsPerSecond))} events/s)${r.verify.ok ? '' : ', BROKEN'}`, goal: '—', status: r.verify.ok ? 'INFO' : 'MISS' },
    {
      id: 'A6',
      what: 'Signing a trail from before events were signed: the first open of the desk on it',
      value: r.signing ? `${r.signing.seconds.toFixed(1)} s (${int(Math.round(r.signing.eventsPerSecond))} events/s)` : 'not measured: the trail was reused (delete it to measure)',
      goal: '—',
      status: 'INFO',
    },
  ];
}

export function auditMarkdown(r: AuditBenchResult): string {
  const rows = auditRows(r);
  return [
    `Database: ${r.database}; ${int(r.events)} chained events (${r.origin}${r.generateSeconds !== null ? `, in ${r.generateSeconds.toFixed(0)} s` : ''}), 2,000 employees, spread evenly over ${SPAN_DAYS} days.`,
    '',
    '| | What | Measured | Goal | |',
    '|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.id} | ${x.what} | ${x.value} | ${x.goal} | ${x.status} |`),
    '',
    `The exports are exportAuditCsv into a file stream, in this process, as the desk's main process runs them: a signed checkpoint first, keyset pages of 5,000 by sequence number, cells made safe for spreadsheets, a closing section. Filters: ${JSON.stringify(r.small.filter)} and ${JSON.stringify(r.large.filter)}. Each export starts after a full garbage collection; RSS is sampled every 20 ms; the event loop's delay with perf_hooks.monitorEventLoopDelay (5 ms resolution).`,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const events = Number(get('--events') ?? 5_000_000);
  measureAudit({ events, pgUrl: get('--pg') ?? process.env.DESK_BENCH_PG_URL }).then(
    (r) => {
      process.stdout.write(`\n${auditMarkdown(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
