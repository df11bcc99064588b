/**
 * `npm run bench` — the look-up search benchmark (P1–P6 of the performance issue) on a seeded
 * database of N employees (default 2,000,000), sqlite and, with DESK_BENCH_PG_URL, PostgreSQL.
 * Writes bench-results/search-<db>-<N>.md (a table with PASS/MISS per goal) and .json next to it.
 * A MISS is a measurement and does not fail the run; an error does (exit 1). Usage: --help.
 */
import { EmployeeSearch } from '../../electron/core/employees/search.service';
import { openDataset, type DbKind } from './dataset';
import { parseOptions, UsageError, USAGE, type BenchOptions } from './options';
import { commonSurnameTrigram, exactQueries, sampleEmployees, substringQueries } from './queries';
import { measureP1, measureP2, measureP6 } from './search';
import { measureP3 } from './contract';
import { measureBrowser } from './browser';
import { writeResults, type RunResults, type Section } from './report';
import { int, log, settle } from './stats';
import { mailMarkdown, measureMail, ISSUE_P95_GOAL_MS, POOL_SPEEDUP_GOAL } from './mail';
import { measurePortal, portalMarkdown, PORTAL_RATE_GOAL } from './portal';
import { loadMarkdown, measureLoad } from './load';
import { importMarkdown, measureImport, rssMarkdown, type HrImportBenchResult } from './hr-import';
import { auditMarkdown, auditRows, measureAudit } from './audit';

/** The audit benchmark on one database, written to bench-results/audit-<db>-<N>.md and .json. */
async function runAudit(kind: DbKind, opts: BenchOptions): Promise<boolean> {
  log(`── audit trail on ${kind}: ${int(opts.auditEvents)} events ──`);
  try {
    const r = await measureAudit({ events: opts.auditEvents, pgUrl: kind === 'postgres' ? opts.pgUrl : undefined, log });
    fs.mkdirSync(opts.outDir, { recursive: true });
    const md = path.join(opts.outDir, `audit-${kind}-${opts.auditEvents}.md`);
    const json = path.join(opts.outDir, `audit-${kind}-${opts.auditEvents}.json`);
    fs.writeFileSync(md, `# Audit benchmark (${kind}, ${int(opts.auditEvents)} events)\n\nMeasured ${new Date().toISOString()} on this machine.\n\n${auditMarkdown(r)}`);
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
    process.stdout.write(`\naudit trail, ${kind}:\n`);
    for (const g of auditRows(r)) process.stdout.write(`  ${g.id}  ${g.status.padEnd(5)} ${g.value}  (goal ${g.goal}) — ${g.what}\n`);
    process.stdout.write(`Results: ${md}\n         ${json}\n\n`);
    return true;
  } catch (err) {
    log(`ERROR in the audit benchmark: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** The HR import benchmark on one database, each size, written to bench-results/hr-import-<db>.md and .json. */
async function runHr(kind: DbKind, opts: BenchOptions): Promise<boolean> {
  try {
    const results: HrImportBenchResult[] = [];
    for (const rows of opts.hrRows) {
      log(`── HR import on ${kind}: ${int(rows)} rows ──`);
      results.push(await measureImport({ rows, pgUrl: kind === 'postgres' ? opts.pgUrl : undefined, repeats: opts.hrRepeats, log }));
    }
    fs.mkdirSync(opts.outDir, { recursive: true });
    const md = path.join(opts.outDir, `hr-import-${kind}.md`);
    const json = path.join(opts.outDir, `hr-import-${kind}.json`);
    const table = results.map(importMarkdown).join('\n') + (results.length > 1 ? `\n${rssMarkdown(results)}` : '');
    const sizes = results.map((r) => int(r.rows)).join(' and ');
    fs.writeFileSync(md, `# HR import benchmark (${kind}, ${sizes} rows)\n\nMeasured ${new Date().toISOString()} on this machine.\n\n${table}`);
    fs.writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`\nHR import, ${kind}:\n${table}\nResults: ${md}\n         ${json}\n\n`);
    return true;
  } catch (err) {
    log(`ERROR in the HR import benchmark: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
import fs from 'node:fs';
import path from 'node:path';

/** The mail benchmark on one database, written to bench-results/mail-<db>.md and .json. */
async function runMail(kind: DbKind, opts: BenchOptions): Promise<boolean> {
  log(`── mail on ${kind} ──`);
  try {
    const r = await measureMail({ pgUrl: kind === 'postgres' ? opts.pgUrl : undefined, log });
    fs.mkdirSync(opts.outDir, { recursive: true });
    const md = path.join(opts.outDir, `mail-${kind}.md`);
    const json = path.join(opts.outDir, `mail-${kind}.json`);
    fs.writeFileSync(md, `# Mail benchmark (${kind})\n\nMeasured ${new Date().toISOString()} on this machine.\n\n${mailMarkdown(r)}`);
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
    const slow = Math.max(r.issue.slow.summary.p95, r.issue.down.summary.p95);
    process.stdout.write(`\nmail, ${kind}:\n`);
    process.stdout.write(`  M1  ${slow <= ISSUE_P95_GOAL_MS ? 'PASS' : 'MISS'}  issue a code p95 ${slow.toFixed(1)} ms with SMTP slow or down  (goal ≤ ${ISSUE_P95_GOAL_MS} ms)\n`);
    process.stdout.write(`  M2  ${r.drain.speedup >= POOL_SPEEDUP_GOAL ? 'PASS' : 'MISS'}  pooled ÷ one connection per mail ${r.drain.speedup.toFixed(1)}×  (goal ≥ ${POOL_SPEEDUP_GOAL}×)\n`);
    process.stdout.write(`Results: ${md}\n         ${json}\n\n`);
    return true;
  } catch (err) {
    log(`ERROR in the mail benchmark: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** The load test on PostgreSQL, written to bench-results/load-postgres.md and .json. */
async function runLoad(opts: BenchOptions): Promise<boolean> {
  log(`── load on postgres: ${opts.loadAgents} agents, ${opts.loadSeconds} s ──`);
  try {
    const r = await measureLoad({ pgUrl: opts.pgUrl!, agents: opts.loadAgents, seconds: opts.loadSeconds, employees: opts.loadEmployees, log });
    fs.mkdirSync(opts.outDir, { recursive: true });
    const md = path.join(opts.outDir, 'load-postgres.md');
    const json = path.join(opts.outDir, 'load-postgres.json');
    fs.writeFileSync(md, `# Load test (postgres)\n\nMeasured ${new Date().toISOString()} on this machine.\n\n${loadMarkdown(r)}`);
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
    const ok = r.errorCount === 0 && r.deadlocks === 0 && r.chainIntact;
    process.stdout.write(`\nload, postgres:\n${loadMarkdown(r)}  L1  ${ok ? 'PASS' : 'MISS'}  ${r.errorCount} errors, ${r.deadlocks} deadlocks  (goal 0 and 0)\nResults: ${md}\n         ${json}\n\n`);
    return ok;
  } catch (err) {
    log(`ERROR in the load test: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

async function runPortal(opts: BenchOptions): Promise<boolean> {
  log(`── portal on postgres: ${opts.portalClients} clients, ${opts.portalSeconds} s ──`);
  try {
    const r = await measurePortal({ pgUrl: opts.pgUrl!, clients: opts.portalClients, seconds: opts.portalSeconds, employees: opts.portalEmployees, build: opts.build, log });
    fs.mkdirSync(opts.outDir, { recursive: true });
    const md = path.join(opts.outDir, 'portal-postgres.md');
    const json = path.join(opts.outDir, 'portal-postgres.json');
    fs.writeFileSync(md, `# Portal benchmark (postgres)\n\nMeasured ${new Date().toISOString()} on this machine.\n\n${portalMarkdown(r)}`);
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
    const ok = r.perSecond >= PORTAL_RATE_GOAL && r.errors === 0 && r.chainIntact;
    process.stdout.write(`\nportal, postgres:\n${portalMarkdown(r)}Results: ${md}\n         ${json}\n\n`);
    return ok;
  } catch (err) {
    log(`ERROR in the portal benchmark: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

async function section<T>(name: string, fn: () => Promise<T>): Promise<Section<T>> {
  try {
    return { result: await fn() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`ERROR in ${name}: ${message}`);
    if (err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return { error: message };
  } finally {
    await settle(100);
  }
}

async function runTarget(kind: DbKind, opts: BenchOptions): Promise<{ ok: boolean; files: string[] }> {
  const startedAt = new Date();
  log(`── ${kind}: ${int(opts.employees)} employees ──`);
  const { core, info } = await openDataset({
    kind,
    employees: opts.employees,
    seed: opts.seed,
    dataDir: opts.dataDir,
    pgUrl: opts.pgUrl,
    pgSchema: opts.pgSchema,
    forceAnalyze: opts.analyze,
  });
  try {
    const search = new EmployeeSearch(core.db);
    log('drawing the queries from the seeded data');
    const employees = await sampleEmployees(core.db, Math.max(2000, opts.queries * 2));
    const queries = substringQueries(employees, opts.queries);
    const warmup = substringQueries([...employees].reverse(), 20, 0xbeef);
    const exact = exactQueries(employees, Math.max(4, Math.round(opts.queries / 2)));
    const unselective = commonSurnameTrigram(employees);

    const p1 = await section('P1', () => measureP1(core.db, search, queries, warmup, opts.scanSample, opts.passes));
    const p2 = await section('P2', () => measureP2(core.db, search, exact, opts.scanSample, opts.passes));
    const p3 = await section('P3', () => measureP3(core, search, queries));
    const p6 = await section('P6', () => measureP6(search, opts.pages, unselective));
    const browser: RunResults['browser'] = opts.skipBrowser
      ? { skipped: '--skip-browser' }
      : kind !== 'sqlite'
        ? { skipped: 'the browser part runs on the sqlite database' }
        : await section('P4/P5', () =>
            measureBrowser({ core, search, dataDir: opts.dataDir, build: opts.build, keystrokes: opts.keystrokes, queries, employees }),
          );

    const results: RunResults = {
      dataset: info,
      options: {
        employees: opts.employees,
        queries: opts.queries,
        scanSample: opts.scanSample,
        passes: opts.passes,
        pages: opts.pages,
        keystrokes: opts.keystrokes,
        skipBrowser: opts.skipBrowser,
      },
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      queries: { substring: queries.length, exact: exact.length, unselective },
      p1,
      p2,
      p3,
      p6,
      browser,
    };
    const written = writeResults(opts.outDir, results);
    process.stdout.write(`\n${kind}, ${int(opts.employees)} employees:\n`);
    for (const g of written.rows) process.stdout.write(`  ${g.id}  ${g.status.padEnd(5)} ${g.display}  (goal ${g.goal}) — ${g.what}\n`);
    process.stdout.write(`Results: ${written.markdown}\n         ${written.json}\n\n`);
    const ok = [p1, p2, p3, p6, browser].every((s) => !s.error);
    return { ok, files: [written.markdown, written.json] };
  } finally {
    await core.close();
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.load) return (await runLoad(opts)) ? 0 : 1;
  if (opts.portal) return (await runPortal(opts)) ? 0 : 1;
  let ok = true;
  const only = opts.mailOnly || opts.hrOnly || opts.auditOnly;
  if (!only) {
    if (!opts.skipSqlite) ok = (await runTarget('sqlite', opts)).ok && ok;
    if (opts.pgUrl) ok = (await runTarget('postgres', opts)).ok && ok;
  }
  if (!opts.skipMail && (!only || opts.mailOnly)) {
    if (!opts.skipSqlite) ok = (await runMail('sqlite', opts)) && ok;
    if (opts.pgUrl) ok = (await runMail('postgres', opts)) && ok;
  }
  if (!opts.skipAudit && (!only || opts.auditOnly)) {
    if (!opts.skipSqlite) ok = (await runAudit('sqlite', opts)) && ok;
    if (opts.pgUrl) ok = (await runAudit('postgres', opts)) && ok;
  }
  if (!opts.skipHr && (!only || opts.hrOnly)) {
    if (!opts.skipSqlite) ok = (await runHr('sqlite', opts)) && ok;
    if (opts.pgUrl) ok = (await runHr('postgres', opts)) && ok;
  }
  if (!ok) log('finished with errors (see above and the Errors section of the results)');
  return ok ? 0 : 1;
}

// Ctrl+C or a kill: leave through process.exit so the 'exit' handlers stop child processes.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));
process.stdout.on('error', () => process.exit(1)); // a closed pipe (| head)

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
