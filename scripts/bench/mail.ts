/**
 * The mail benchmark: (a) issuing a one-time code as the agent does (sendIdentityCode: generate,
 * hash and store the code, queue its mail and write the audit row, in one transaction) while the
 * outbox sender runs against an SMTP server that answers slowly or not at all: the agent never
 * waits for SMTP; (b) how fast the sender drains the outbox to a local SMTP server, pooled
 * connections vs one connection per mail.
 *
 * Standalone: `npx tsx scripts/bench/mail.ts [--pg postgres://…] [--issues N] [--mails N]
 * [--slow-ms MS] [--connect-ms MS]` prints a markdown table. `measureMail()` is for `npm run bench`.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { insertedId, type InsertedId } from '../../electron/core/db/values';
import { silentLogger } from '../../electron/core/log/logger';
import { enqueueMail } from '../../electron/core/mail/outbox';
import { sendIdentityCode } from '../../electron/core/mfa/caller-verification.service';
import type { Actor } from '../../electron/core/audit/audit.service';
import type { MfaDeps } from '../../electron/core/mfa/common';
import { createMailSender } from '../../electron/core/mail/sender';
import { updateSmtpSettings } from '../../electron/core/mail/smtp-settings';
import { WEBCHAT_URL } from '../../electron/core/mail/templates';
import { startSmtpServerProcess } from '../../test/support/mail-server-process';
import { eachOption } from './options';
import { openScratchDesk } from './scratch-db';
import { int, log as benchLog, ms, ratio, summarise, timed, type Summary } from './stats';

export interface MailBenchOptions {
  /** postgres://… to run on PostgreSQL (in a throwaway schema); sqlite otherwise. */
  pgUrl?: string | undefined;
  /** Codes issued per scenario. Default 200. */
  issues?: number;
  /** How long the slow server takes to answer a message. Default 2000 ms. */
  slowReplyMs?: number;
  /** Mails drained through the pool. Default 1000. One connection per mail drains a fifth of that (its rate is steady). */
  mails?: number;
  /** Pooled connections (and sends in flight without the pool). Default 5. */
  maxConnections?: number;
  /**
   * What opening a connection costs at the local server before its greeting (a real server's
   * TCP/TLS set-up, reverse DNS and greeting delay). Default 0: loopback, nothing added.
   */
  connectDelayMs?: number;
  log?: (message: string) => void;
}

export interface IssueScenario {
  what: string;
  summary: Summary;
}

export interface DrainMode {
  mails: number;
  seconds: number;
  perSecond: number;
  connections: number;
}

export interface MailBenchResult {
  database: 'sqlite' | 'postgres';
  options: Required<Omit<MailBenchOptions, 'pgUrl' | 'log'>>;
  issue: { idle: IssueScenario; slow: IssueScenario; down: IssueScenario };
  drain: { pooled: DrainMode; perMail: DrainMode; speedup: number };
}

/** Goals: issuing a code stays this fast whatever SMTP does; the pool is this much faster. */
export const ISSUE_P95_GOAL_MS = 100;
export const POOL_SPEEDUP_GOAL = 5;

const ACTOR = { userId: null, name: 'bench' };

/**
 * Issue a code exactly as the agent's "Send identity-check code" does (the same service: the
 * employee row held, the hourly limit checked, the code generated, hashed and stored, its mail
 * queued and the audit row written, in one transaction; no SMTP in it).
 */
async function issueCode(deps: MfaDeps, agent: Actor, employee: { id: number; emailId: number }, n: number): Promise<void> {
  // Each on a ticket of its own, which the action opens as an agent's does.
  await sendIdentityCode(deps, { actor: agent, role: 'agent', ticketRef: `BENCH-${Date.now().toString(36)}-${n}` }, { employeeId: employee.id, emailId: employee.emailId });
}

/** A server that takes connections and never says a word (SMTP "down" the slow way). */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function measureMail(opts: MailBenchOptions = {}): Promise<MailBenchResult> {
  const o = {
    issues: opts.issues ?? 200,
    slowReplyMs: opts.slowReplyMs ?? 2000,
    mails: opts.mails ?? 1000,
    maxConnections: opts.maxConnections ?? 5,
    connectDelayMs: opts.connectDelayMs ?? 0,
  };
  const log = opts.log ?? (() => undefined);
  // Audit events are signed with the scratch desk's vault.
  const scratch = await openScratchDesk(path.join(os.tmpdir(), 'desk-bench-mail-'), 'bench_mail', opts.pgUrl);
  try {
    const { database, dataDir, vault } = scratch;
    const db = database.knex;
    const clock = systemClock;
    await seedDemoData({ db, clock, vault }, ACTOR, { employees: 50, seed: 1, deskUsers: false });
    // Every employee with an address on record gets codes (at most 10 an hour each: each run below
    // issues fewer than that per employee, and the codes are cleared between runs).
    const withEmail = await db<{ employee_id: number; id: number }>('employee_emails').orderBy('employee_id').orderBy('id').select('employee_id', 'id');
    const seen = new Set<number>();
    const targets = withEmail.filter((r) => !seen.has(Number(r.employee_id)) && seen.add(Number(r.employee_id))).map((r) => ({ id: Number(r.employee_id), emailId: Number(r.id) }));
    const mfa: MfaDeps = { db, clock, vault };
    // The agent who issues the codes: a desk user (tickets are opened by desk users).
    const at = clock.now().toISOString();
    const [agentRow] = await db('desk_users')
      .insert({ username: `bench.agent.${Date.now().toString(36)}`, display_name: 'Bench agent', role: 'agent', password_hash: 'no sign-in', created_at: at, updated_at: at })
      .returning<InsertedId[]>('id');
    const agent: Actor = { userId: insertedId(agentRow), name: 'bench.agent' };
    const employees = (await db<{ id: number; first_name: string }>('employees').orderBy('id').limit(50).select('id', 'first_name')).map((e, i) => ({
      id: Number(e.id),
      firstName: e.first_name,
      email: `bench${i}@example.org`,
    }));
    const useSmtp = (port: number) =>
      updateSmtpSettings({ db, clock, vault }, ACTOR, { host: '127.0.0.1', port, security: 'none', user: '', from: 'desk@example.org', password: null });

    const issueRun = async (what: string, withSender: boolean): Promise<IssueScenario> => {
      const sender = withSender
        ? createMailSender({ db, clock, vault, logger: silentLogger, dataDir, pollMs: 1000, maxConnections: o.maxConnections, stopGraceMs: 500 })
        : null;
      sender?.start();
      const times: number[] = [];
      try {
        for (let i = 0; i < o.issues; i++) {
          const t = await timed(async () => {
            await issueCode(mfa, agent, targets[i % targets.length]!, i);
            sender?.wake();
          });
          times.push(t.ms);
          // an agent's pace is far slower; a short pause lets the sender's own work interleave
          await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        await sender?.stop();
      }
      await db('mail_outbox').delete();
      await db('one_time_codes').delete();
      const summary = summarise(times);
      log(`issue a code, ${what}: p95 ${ms(summary.p95)}`);
      return { what, summary };
    };

    // (a) issuing codes: no sender, then a sender stuck on a slow server, then on a silent one
    await issueRun('warm-up', false);
    const idle = await issueRun('no SMTP traffic', false);
    const slowServer = await startSmtpServerProcess({ dataDelayMs: o.slowReplyMs });
    await useSmtp(slowServer.port);
    const slow = await issueRun(`SMTP answers in ${int(o.slowReplyMs)} ms`, true);
    await slowServer.close();
    const silent = await startSilentServer();
    await useSmtp(silent.port);
    const down = await issueRun('SMTP down (connects, never answers)', true);
    await silent.close();

    // (b) drain rate, pooled vs one connection per mail
    const drainRun = async (pool: boolean, mails: number): Promise<DrainMode> => {
      // The server runs in a process of its own, as a real one would: it does not share this
      // process's event loop with the sender being measured.
      const server = await startSmtpServerProcess({ connectDelayMs: o.connectDelayMs });
      try {
        await useSmtp(server.port);
        const ids: number[] = [];
        for (let i = 0; i < mails; i += 100) {
          await db.transaction(async (trx) => {
            for (let j = i; j < Math.min(mails, i + 100); j++) {
              const e = employees[j % employees.length]!;
              ids.push(
                await enqueueMail(trx, clock, vault, {
                  employeeId: e.id,
                  template: 'change_confirmation',
                  to: e.email,
                  values: { firstName: e.firstName, when: 'today', change: 'An authenticator app was added', reference: `CHG-${j}`, webchatUrl: WEBCHAT_URL },
                  reference: `CHG-${j}`,
                }),
              );
            }
          });
        }
        const sender = createMailSender({ db, clock, vault, logger: silentLogger, dataDir, pool, maxConnections: o.maxConnections });
        let sent = 0;
        const t = await timed(async () => {
          while (sent < mails) {
            const r = await sender.drainOnce();
            if (r.sent === 0) throw new Error(`the drain stopped after ${sent} of ${mails} mails (${r.failed} failed, ${r.retried} retried)`);
            sent += r.sent;
          }
        });
        await sender.stop();
        const stats = await server.stats();
        if (stats.received !== mails) throw new Error(`the server got ${stats.received} mails, expected ${mails}`);
        await db('mail_outbox').delete();
        return { mails, seconds: t.ms / 1000, perSecond: mails / (t.ms / 1000), connections: stats.connections };
      } finally {
        await server.close();
      }
    };
    await drainRun(true, 200); // warm-up
    await drainRun(false, 20);
    const pooled = await drainRun(true, o.mails);
    log(`drain, pooled: ${pooled.perSecond.toFixed(0)} mails/s over ${pooled.connections} connections`);
    const perMail = await drainRun(false, Math.max(1, Math.round(o.mails / 5)));
    log(`drain, one connection per mail: ${perMail.perSecond.toFixed(0)} mails/s over ${perMail.connections} connections`);

    return {
      database: database.kind,
      options: o,
      issue: { idle, slow, down },
      drain: { pooled, perMail, speedup: pooled.perSecond / perMail.perSecond },
    };
  } finally {
    await scratch.dispose();
  }
}

/** The results as a markdown table: measure, value, goal, PASS/MISS/INFO. */
export function mailMarkdown(r: MailBenchResult): string {
  const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const issueRow = (s: IssueScenario, goal: boolean) =>
    `| Issue a code, p95 — ${s.what} | ${ms(s.summary.p95)} (p50 ${ms(s.summary.p50)}, max ${ms(s.summary.max)}, n ${s.summary.n}) | ${goal ? `≤ ${ISSUE_P95_GOAL_MS} ms` : '—'} | ${goal ? pass(s.summary.p95 <= ISSUE_P95_GOAL_MS) : 'INFO'} |`;
  const drainRow = (what: string, d: DrainMode) => `| Drain rate — ${what} | ${d.perSecond.toFixed(0)} mails/s (${int(d.mails)} mails in ${d.seconds.toFixed(2)} s, ${int(d.connections)} connections) | — | INFO |`;
  const cost = r.options.connectDelayMs ? `, ${r.options.connectDelayMs} ms per new connection` : ', loopback';
  return [
    `### Mail (${r.database})`,
    '',
    '| Measure | Value | Goal | Result |',
    '| --- | --- | --- | --- |',
    issueRow(r.issue.idle, false),
    issueRow(r.issue.slow, true),
    issueRow(r.issue.down, true),
    drainRow(`pooled, ${r.options.maxConnections} connections${cost}`, r.drain.pooled),
    drainRow(`one connection per mail, ${r.options.maxConnections} at once${cost}`, r.drain.perMail),
    `| Pooled vs one connection per mail | ${ratio(r.drain.speedup)} | ≥ ${POOL_SPEEDUP_GOAL}× | ${pass(r.drain.speedup >= POOL_SPEEDUP_GOAL)} |`,
    '',
  ].join('\n');
}

function parseArgs(argv: string[]): MailBenchOptions {
  const o: MailBenchOptions = { pgUrl: process.env.DESK_BENCH_PG_URL || undefined };
  eachOption(argv, (a, next) => {
    const num = () => {
      const n = Number(next());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a whole number`);
      return n;
    };
    if (a === '--pg') o.pgUrl = next();
    else if (a === '--issues') o.issues = num();
    else if (a === '--mails') o.mails = num();
    else if (a === '--slow-ms') o.slowReplyMs = num();
    else if (a === '--connect-ms') o.connectDelayMs = num();
    else if (a === '--connections') o.maxConnections = num();
    else throw new Error(`Unknown option ${a}. Options: --pg URL --issues N --mails N --slow-ms MS --connect-ms MS --connections N`);
  });
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const opts = parseArgs(process.argv.slice(2));
  measureMail({ ...opts, log: benchLog })
    .then((r) => {
      process.stdout.write('\n' + mailMarkdown(r));
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
