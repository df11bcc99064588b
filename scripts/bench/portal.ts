/**
 * The portal under load (`npm run bench -- --portal`, PostgreSQL): C clients (default 20) ask
 * `desk portal` — its own process, over HTTP with keep-alive, as a portal would — to verify
 * sign-ins with authenticator codes for S seconds (default 60). Each code is the employee's current
 * one, made with otplib from the key the demo seed sealed, and each employee signs in at most once
 * per 30-second step, so every answer should be "accepted". Goal: at least 200 verifications a
 * second on a 2-core machine, no error, with the median and 99th percentile, and the audit chain
 * intact afterwards.
 *
 * Runs in a throwaway schema (bench_portal_<time>) with its own demo employees, dropped at the end.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSync } from 'otplib';
import { openDeskCore } from '../../electron/core/app';
import { verifyAuditChain } from '../../electron/core/audit/integrity';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { silentLogger } from '../../electron/core/log/logger';
import { FACTOR_SEED_PURPOSE } from '../../electron/core/mfa/factors.service';
import { addPortalKey } from '../../electron/core/portal/keys.service';
import { stopChild, withoutDeskSettings } from '../../test/support/child-process';
import { ensureBuild } from './browser-host';
import { REPO_ROOT } from './options';
import { dropSchema } from './scratch-db';
import { median, percentile } from './stats';

export const PORTAL_RATE_GOAL = 200;

export interface PortalLoadOptions {
  pgUrl: string;
  clients: number;
  seconds: number;
  employees: number;
  build: boolean;
  log: (line: string) => void;
}

export interface PortalLoadResult {
  clients: number;
  seconds: number;
  employees: number;
  signers: number;
  verifications: number;
  perSecond: number;
  results: Record<string, number>;
  errors: number;
  errorSamples: string[];
  p50Ms: number;
  p99Ms: number;
  kept: number;
  chainIntact: boolean;
}

interface Signer {
  username: string;
  secret: string;
  lastStep: number;
}

export async function measurePortal(opts: PortalLoadOptions): Promise<PortalLoadResult> {
  const built = ensureBuild(opts.build);
  opts.log(`portal: using ${built}`);
  const schema = `bench_portal_${Date.now()}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-portal-'));
  const core = await openDeskCore({ config: { dataDir, databaseUrl: opts.pgUrl, databaseSchema: schema }, logger: silentLogger });
  let child: ReturnType<typeof spawn> | null = null;
  try {
    opts.log(`portal: seeding ${opts.employees} demo employees into schema ${schema}`);
    await seedDemoData(core, { userId: null, name: 'bench' }, { employees: opts.employees, seed: 11, deskUsers: false });
    const rows = await core
      .db('employees as e')
      .join('factors as f', 'f.employee_id', 'e.id')
      .where({ 'e.status': 'active', 'f.type': 'authenticator_app', 'f.state': 'active', 'f.failed_attempts': 0 })
      .select<Array<{ username: string; seed: string }>>('e.username', 'f.totp_seed_enc as seed');
    const signers: Signer[] = rows.map((r) => ({ username: r.username, secret: core.vault.open(r.seed, FACTOR_SEED_PURPOSE), lastStep: -1 }));
    const { key } = await addPortalKey(core, { userId: null, name: 'bench' }, { integration: 'bench' });

    child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'desk.js'), 'portal', '--port', '0', '--requests-per-second', '100000'], {
      cwd: REPO_ROOT,
      env: { ...withoutDeskSettings(), DESK_DATA_DIR: dataDir, DESK_DATABASE_URL: opts.pgUrl, DESK_DATABASE_SCHEMA: schema },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = child;
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      started.stdout!.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /portal API: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out);
        if (m && out.includes('Press Ctrl+C to stop.')) resolve(m[1]!);
      });
      started.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      started.on('exit', (code) => reject(new Error(`desk portal exited (${code}): ${out}`)));
    });

    opts.log(`portal: ${opts.clients} clients for ${opts.seconds} s over ${signers.length} employees with an authenticator app`);
    const times: number[] = [];
    const results: Record<string, number> = {};
    const errorSamples: string[] = [];
    let errors = 0;
    let next = 0;
    const t0 = Date.now();
    const until = t0 + opts.seconds * 1000;

    /** The next employee who has not signed in during this 30-second step, or null if none is left. */
    function nextSigner(step: number): Signer | null {
      for (let tried = 0; tried < signers.length; tried++) {
        const s = signers[next++ % signers.length]!;
        if (s.lastStep < step) {
          s.lastStep = step;
          return s;
        }
      }
      return null;
    }

    async function client(): Promise<void> {
      while (Date.now() < until) {
        const now = Date.now();
        const step = Math.floor(now / 30_000);
        const s = nextSigner(step);
        if (!s) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const code = generateSync({ secret: s.secret, epoch: Math.floor(now / 1000) });
        const a = performance.now();
        try {
          const res = await fetch(`${base}/v1/employees/${s.username}/sign-in/verify`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ method: 'authenticator_app', code }),
          });
          const body = (await res.json()) as { result?: string; error?: { code: string; message: string } };
          times.push(performance.now() - a);
          if (res.status === 200 && body.result) results[body.result] = (results[body.result] ?? 0) + 1;
          else {
            errors++;
            if (errorSamples.length < 10) errorSamples.push(`${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
          }
        } catch (err) {
          errors++;
          if (errorSamples.length < 10) errorSamples.push(err instanceof Error ? err.message : String(err));
        }
      }
    }
    await Promise.all(Array.from({ length: opts.clients }, () => client()));
    const seconds = (Date.now() - t0) / 1000;
    await stopChild(child);
    child = null;

    const kept = Number(((await core.db('signin_verifications').count({ n: '*' }).first()) as { n: number | string }).n);
    const verdict = await verifyAuditChain(core.db, core.vault, { dataDir });
    const verifications = times.length;
    return {
      clients: opts.clients,
      seconds,
      employees: opts.employees,
      signers: signers.length,
      verifications,
      perSecond: verifications / seconds,
      results,
      errors,
      errorSamples,
      p50Ms: median(times),
      p99Ms: percentile(times, 99),
      kept,
      chainIntact: verdict.ok,
    };
  } finally {
    if (child) await stopChild(child);
    await core.close();
    await dropSchema(opts.pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function portalMarkdown(r: PortalLoadResult): string {
  const ok = r.perSecond >= PORTAL_RATE_GOAL && r.errors === 0 && r.chainIntact;
  return [
    `${r.clients} clients for ${r.seconds.toFixed(1)} s, ${r.signers.toLocaleString('en-GB')} of ${r.employees.toLocaleString('en-GB')} demo employees with an authenticator app, each signing in at most once per 30-second step.`,
    '',
    '| | Measured | Goal | |',
    '|---|---|---|---|',
    `| Sign-in verifications per second | ${r.perSecond.toFixed(0)} | ≥ ${PORTAL_RATE_GOAL} | ${r.perSecond >= PORTAL_RATE_GOAL ? 'PASS' : 'MISS'} |`,
    `| Errors (not a 200 verdict) | ${r.errors} | 0 | ${r.errors === 0 ? 'PASS' : 'MISS'} |`,
    `| Audit chain intact afterwards | ${r.chainIntact ? 'yes' : 'no'} | yes | ${r.chainIntact ? 'PASS' : 'MISS'} |`,
    `| Median / 99th percentile per request | ${r.p50Ms.toFixed(1)} ms / ${r.p99Ms.toFixed(1)} ms | (reported) | |`,
    '',
    `Verdicts: ${Object.entries(r.results).map(([k, n]) => `${k} ${n.toLocaleString('en-GB')}`).join(', ') || 'none'}; checks kept for the desk: ${r.kept.toLocaleString('en-GB')}.`,
    r.errorSamples.length ? `\nErrors seen: ${r.errorSamples.map((e) => `\`${e}\``).join('; ')}` : '',
    `\nOverall: ${ok ? 'PASS' : 'MISS'}.`,
    '',
  ].join('\n');
}
