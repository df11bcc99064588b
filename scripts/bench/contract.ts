/**
 * P3: the same search through the contract — HTTP POST /api/invoke/employees.search on the browser
 * host, signed in as a desk user (router, session and role check, zod parse, JSON both ways) —
 * against EmployeeSearch.page called directly, query by query, interleaved.
 */
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DeskCore } from '../../electron/core/app';
import { startHost } from '../../electron/host/server';
import { createDeskUser, findDeskUser } from '../../electron/core/deskusers/deskusers.service';
import type { EmployeeSearch } from '../../electron/core/employees/search.service';
import type { SearchPage } from '../../shared/domain';
import { REPO_ROOT } from './options';
import type { BenchQuery } from './queries';
import { PAGE_LIMIT, relevance } from './search';
import { log, median, ms, percentile, summarise, type Summary } from './stats';

export const BENCH_USER = 'bench.agent';

export interface P3Timing {
  kind: string;
  q: string;
  rows: number;
  rawMs: number;
  contractMs: number;
}

export interface P3Result {
  timings: P3Timing[];
  raw: Summary;
  contract: Summary;
  /** median(contract) ÷ median(raw), over every query. */
  ratio: number;
  /** Median of (contract − raw) per query, over the queries that fill a 50-row page. */
  overheadMs: number;
  overheadP95Ms: number;
  /** How many queries the overhead is over, and which. */
  fullPages: number;
  overheadBasis: string;
  repetitions: number;
  transport: string;
}

/** The benchmark's desk user (agent), created once per database. */
export async function ensureBenchUser(core: DeskCore, username = BENCH_USER, password?: string): Promise<{ id: number; username: string }> {
  const existing = await findDeskUser(core.db, username);
  if (existing) return { id: Number(existing.id), username };
  const id = await createDeskUser({ db: core.db, clock: core.clock }, { userId: null, name: 'bench' }, {
    username,
    displayName: 'Benchmark Agent',
    role: 'agent',
    password: password ?? crypto.randomBytes(18).toString('base64url'),
  });
  return { id, username };
}

function post(agent: http.Agent, port: number, pathname: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function measureP3(core: DeskCore, search: EmployeeSearch, queries: readonly BenchQuery[], reps = 3): Promise<P3Result> {
  const user = await ensureBenchUser(core);
  const host = await startHost({ router: core.router, logger: core.logger, rendererDir: path.join(REPO_ROOT, 'out', 'renderer'), port: 0 });
  const session = core.sessions.create({ userId: user.id, username: user.username, displayName: 'Benchmark Agent', role: 'agent', idleMinutes: 480 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // The session cookie is named desk_session (older hosts) or desk_session_<port>: send both.
  const token = encodeURIComponent(session.token);
  const headers = { 'x-desk-token': host.token, cookie: `desk_session_${host.port}=${token}; desk_session=${token}` };
  const viaContract = async (q: string): Promise<{ ms: number; page: SearchPage }> => {
    const t0 = performance.now();
    const res = await post(agent, host.port, '/api/invoke/employees.search', headers, JSON.stringify({ query: q, limit: PAGE_LIMIT }));
    const body = JSON.parse(res.text) as { ok: boolean; value?: SearchPage; error?: unknown };
    const t = performance.now() - t0;
    if (res.status !== 200 || !body.ok || !body.value) throw new Error(`employees.search over HTTP failed (${res.status}): ${res.text.slice(0, 300)}`);
    return { ms: t, page: body.value };
  };
  const direct = async (q: string): Promise<{ ms: number; page: SearchPage }> => {
    const t0 = performance.now();
    const page = await search.page(relevance(q));
    return { ms: performance.now() - t0, page };
  };

  try {
    log(`P3: ${queries.length} queries, each ${reps}× directly and ${reps}× through POST /api/invoke/employees.search (signed in), interleaved`);
    // Warm both paths (connection, JIT) on a few queries first.
    for (const x of queries.slice(0, 5)) {
      await direct(x.q);
      await viaContract(x.q);
    }
    const raw: number[][] = queries.map(() => []);
    const contract: number[][] = queries.map(() => []);
    const rows: number[] = queries.map(() => 0);
    for (let r = 0; r < reps; r++) {
      for (const [i, x] of queries.entries()) {
        // Alternate which goes first, so neither always finds the other's cache.
        const order = (r + i) % 2 === 0 ? [direct, viaContract] : [viaContract, direct];
        for (const f of order) {
          const res = await f(x.q);
          (f === direct ? raw : contract)[i]!.push(res.ms);
          if (f === viaContract) rows[i] = res.page.rows.length;
        }
      }
      log(`  P3 round ${r + 1}/${reps} done`);
    }
    const timings: P3Timing[] = queries.map((x, i) => ({ kind: x.kind, q: x.q, rows: rows[i]!, rawMs: median(raw[i]!), contractMs: median(contract[i]!) }));
    const full = timings.filter((t) => t.rows === PAGE_LIMIT);
    const overheads = (full.length >= 5 ? full : timings).map((t) => t.contractMs - t.rawMs);
    const rawS = summarise(timings.map((t) => t.rawMs));
    const conS = summarise(timings.map((t) => t.contractMs));
    const result: P3Result = {
      timings,
      raw: rawS,
      contract: conS,
      ratio: conS.p50 / rawS.p50,
      overheadMs: median(overheads),
      overheadP95Ms: percentile(overheads, 95),
      fullPages: full.length >= 5 ? full.length : timings.length,
      overheadBasis: full.length >= 5 ? 'queries with a full 50-row page' : 'all queries (fewer than 5 filled a 50-row page)',
      repetitions: reps,
      transport: 'browser host (electron/host/server.ts) in this process on 127.0.0.1, Node http keep-alive client',
    };
    log(`  direct p50 ${ms(rawS.p50)}, contract p50 ${ms(conS.p50)}, ratio ${result.ratio.toFixed(2)}×, overhead median ${ms(result.overheadMs)}`);
    return result;
  } finally {
    agent.destroy();
    core.sessions.revoke(session.token);
    await host.close();
  }
}
