import path from 'node:path';
import { parseArgs } from 'node:util';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The first load and the floor are each timed three times by default. On this 2-core machine one
 * 200,000-row first load took 9.2–12.6 s and its floor 6.6–8.2 s across runs of the same code (the
 * process's CPU time moved with them), so a ratio of single timings said PASS or MISS by chance.
 */
export const HR_REPEATS = 3;

/** A standalone benchmark's options, in order: each flag goes to `take` with a way to read its value. */
export function eachOption(argv: readonly string[], take: (flag: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    take(flag, () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    });
  }
}

export const USAGE = `npm run bench -- [options]

Seeds (or reuses) a database of N demo employees and measures the look-up search on it:
P1 substring search, P2 exact keys, P3 the contract over HTTP, P4/P5 the renderer in Chromium,
P6 deep keyset pages. Writes bench-results/search-<db>-<N>.md and .json. Then the mail
benchmark on each database: issuing a code while SMTP is slow or down, and the outbox drain rate
pooled vs one connection per mail (bench-results/mail-<db>.md and .json); the HR import
(bench-results/hr-import-<db>-<rows>.md); and the audit trail: exporting a fifth of N chained
events to CSV, memory, the event loop, and verifying the chain (bench-results/audit-<db>-<N>.md).

Options:
  --employees N     employees in the benchmark database (default 2,000,000)
  --data-dir DIR    data directory for the sqlite database and key file
                    (default .bench-data/<N> in the repository); reused when it holds exactly N employees
  --queries N       substring queries for P1/P3 (default 200); P2 uses half as many exact keys
  --passes N        times each P1/P2 query runs, in whole passes; its time is the median (default 3)
  --scan-sample N   queries also timed as a full LIKE scan for the P1/P2 ratios (default 10 each)
  --pages N         keyset pages to walk for P6 (default 200)
  --keystrokes N    measured keystrokes for P4 (default 50)
  --seed S          demo-data seed when seeding (default 1)
  --skip-browser    skip P4/P5 (Chromium)
  --skip-mail       skip the mail benchmark (issuing codes with SMTP slow or down; outbox
                    drain rate, pooled vs one connection per mail)
  --mail-only       run only the mail benchmark (no employee database is seeded)
  --hr-rows N[,N…]  rows in the generated HR extracts for the import benchmark (default
                    200,000,2,000,000; each database loads each with and without the search index,
                    re-imports it as a nightly feed: 1% changed, 0.1% new leavers, and compares
                    the first load with its floor)
  --hr-repeats N    times each first load and its floor are timed, in turn (odd: 1–9); their
                    medians are compared (default ${HR_REPEATS}; each time adds a load and a floor)
  --skip-hr         skip the HR import benchmark
  --hr-only         run only the HR import benchmark
  --audit-events N  chained audit events in the audit benchmark's database (default 5,000,000;
                    generated once into .bench-data/audit-<N>/ or schema bench_audit_<N>, then reused)
  --skip-audit      skip the audit benchmark (CSV export of a fifth of the events, memory, event
                    loop, chain verification)
  --audit-only      run only the audit benchmark
  --load            run only the load test on PostgreSQL (needs DESK_BENCH_PG_URL): simulated agents
                    search, open the employee, verify the caller and re-register a factor at once,
                    in a throwaway schema (bench-results/load-postgres.md)
  --load-agents N   agents at once in the load test (default 20)
  --load-seconds N  how long the load test runs (default 60)
  --load-employees N  demo employees in the load test's schema (default 20,000; each ticket is
                    another employee, so enough for the whole run)
  --portal          run only the portal benchmark on PostgreSQL (needs DESK_BENCH_PG_URL): clients
                    verify sign-ins through \`desk portal\` over HTTP (bench-results/portal-postgres.md)
  --portal-clients N  clients at once in the portal benchmark (default 20)
  --portal-seconds N  how long the portal benchmark runs (default 60)
  --portal-employees N  demo employees in its schema (default 50,000; those with an authenticator
                    app sign in, each at most once per 30-second step)
  --skip-sqlite     measure PostgreSQL only (needs DESK_BENCH_PG_URL)
  --pg-schema NAME  PostgreSQL schema for the benchmark data (default bench_<N>)
  --no-build        use the existing build in out/ for P4/P5 even if the sources are newer
  --analyze         run ANALYZE even when statistics are already there
  --out DIR         where the results go (default bench-results/ in the repository)
  -h, --help        this text

Environment:
  DESK_BENCH_PG_URL=postgres://…   also run P1–P3 and P6 on PostgreSQL, in schema bench_<N> of that
                                   database (seeded once, reused while it holds exactly N employees)
`;

export interface BenchOptions {
  employees: number;
  dataDir: string;
  queries: number;
  scanSample: number;
  passes: number;
  pages: number;
  keystrokes: number;
  seed: number;
  skipBrowser: boolean;
  skipSqlite: boolean;
  skipMail: boolean;
  mailOnly: boolean;
  skipHr: boolean;
  hrOnly: boolean;
  /** Sizes of the HR extracts, smallest first. */
  hrRows: number[];
  /** Times each HR first load and its floor are taken (their medians compared). */
  hrRepeats: number;
  skipAudit: boolean;
  auditOnly: boolean;
  auditEvents: number;
  load: boolean;
  portal: boolean;
  portalClients: number;
  portalSeconds: number;
  portalEmployees: number;
  loadAgents: number;
  loadSeconds: number;
  loadEmployees: number;
  build: boolean;
  analyze: boolean;
  outDir: string;
  pgUrl: string | undefined;
  pgSchema: string;
}

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1, max = 10_000_000): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** The median of an odd number of times is one of them (a floor whose rows and indexes add up to it). */
function oddRepeats(n: number): number {
  if (n % 2 === 0) throw new UsageError('--hr-repeats must be odd (1, 3, 5, 7 or 9)');
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        employees: { type: 'string' },
        'data-dir': { type: 'string' },
        queries: { type: 'string' },
        'scan-sample': { type: 'string' },
        passes: { type: 'string' },
        pages: { type: 'string' },
        keystrokes: { type: 'string' },
        seed: { type: 'string' },
        'skip-browser': { type: 'boolean' },
        'skip-mail': { type: 'boolean' },
        'mail-only': { type: 'boolean' },
        'skip-hr': { type: 'boolean' },
        'hr-only': { type: 'boolean' },
        'hr-rows': { type: 'string' },
        'hr-repeats': { type: 'string' },
        'skip-audit': { type: 'boolean' },
        'audit-only': { type: 'boolean' },
        'audit-events': { type: 'string' },
        load: { type: 'boolean' },
        portal: { type: 'boolean' },
        'portal-clients': { type: 'string' },
        'portal-seconds': { type: 'string' },
        'portal-employees': { type: 'string' },
        'load-agents': { type: 'string' },
        'load-seconds': { type: 'string' },
        'load-employees': { type: 'string' },
        'skip-sqlite': { type: 'boolean' },
        'no-build': { type: 'boolean' },
        'pg-schema': { type: 'string' },
        analyze: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const employees = positiveInt('employees', values.employees, 2_000_000, 100, 5_000_000);
  const pgUrl = env.DESK_BENCH_PG_URL || undefined;
  if (pgUrl && !/^postgres(ql)?:\/\//i.test(pgUrl)) throw new UsageError('DESK_BENCH_PG_URL must start with postgres:// or postgresql://');
  if (values['skip-sqlite'] && !pgUrl) throw new UsageError('--skip-sqlite needs DESK_BENCH_PG_URL');
  if (values['mail-only'] && values['skip-mail']) throw new UsageError('--mail-only and --skip-mail contradict each other');
  if (values['hr-only'] && values['skip-hr']) throw new UsageError('--hr-only and --skip-hr contradict each other');
  if (values['hr-only'] && values['mail-only']) throw new UsageError('--hr-only and --mail-only contradict each other');
  if (values['audit-only'] && values['skip-audit']) throw new UsageError('--audit-only and --skip-audit contradict each other');
  if (values['audit-only'] && (values['hr-only'] || values['mail-only'])) throw new UsageError('--audit-only and --hr-only or --mail-only contradict each other');
  if (values.portal && !pgUrl) throw new UsageError('--portal needs DESK_BENCH_PG_URL (the portal benchmark runs on PostgreSQL)');
  if (values.portal && (values.load || values['hr-only'] || values['mail-only'] || values['audit-only'])) throw new UsageError('--portal runs on its own: leave out --load, --hr-only, --mail-only and --audit-only');
  if (values.load && !pgUrl) throw new UsageError('--load needs DESK_BENCH_PG_URL (the load test runs on PostgreSQL)');
  if (values.load && (values['hr-only'] || values['mail-only'] || values['audit-only'])) throw new UsageError('--load runs on its own: leave out --hr-only, --mail-only and --audit-only');
  const pgSchema = values['pg-schema'] ?? `bench_${employees}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema)) throw new UsageError('--pg-schema must be a lower-case identifier (letters, digits, _)');
  return {
    employees,
    dataDir: path.resolve(values['data-dir'] ?? path.join(REPO_ROOT, '.bench-data', String(employees))),
    queries: positiveInt('queries', values.queries, 200, 4, 100_000),
    scanSample: positiveInt('scan-sample', values['scan-sample'], 10, 1, 1000),
    passes: positiveInt('passes', values.passes, 3, 1, 100),
    pages: positiveInt('pages', values.pages, 200, 2, 100_000),
    keystrokes: positiveInt('keystrokes', values.keystrokes, 50, 2, 10_000),
    seed: positiveInt('seed', values.seed, 1, 0, 2 ** 31 - 1),
    skipBrowser: !!values['skip-browser'],
    skipMail: !!values['skip-mail'],
    mailOnly: !!values['mail-only'],
    skipHr: !!values['skip-hr'],
    hrOnly: !!values['hr-only'],
    hrRows: (values['hr-rows'] ?? '200000,2000000')
      .split(',') // sizes are written 200000 or 200_000: a comma separates sizes
      .map((n) => positiveInt('hr-rows', n, 2_000_000, 100, 5_000_000))
      .sort((a, b) => a - b),
    hrRepeats: oddRepeats(positiveInt('hr-repeats', values['hr-repeats'], HR_REPEATS, 1, 9)),
    skipAudit: !!values['skip-audit'],
    auditOnly: !!values['audit-only'],
    auditEvents: positiveInt('audit-events', values['audit-events'], 5_000_000, 1000, 20_000_000),
    load: !!values.load,
    portal: !!values.portal,
    portalClients: positiveInt('portal-clients', values['portal-clients'], 20, 1, 500),
    portalSeconds: positiveInt('portal-seconds', values['portal-seconds'], 60, 1, 3600),
    portalEmployees: positiveInt('portal-employees', values['portal-employees'], 50_000, 100, 500_000),
    loadAgents: positiveInt('load-agents', values['load-agents'], 20, 1, 200),
    loadSeconds: positiveInt('load-seconds', values['load-seconds'], 60, 1, 3600),
    loadEmployees: positiveInt('load-employees', values['load-employees'], 20_000, 100, 200_000),
    skipSqlite: !!values['skip-sqlite'],
    build: !values['no-build'],
    analyze: !!values.analyze,
    outDir: path.resolve(values.out ?? path.join(REPO_ROOT, 'bench-results')),
    pgUrl,
    pgSchema,
  };
}
