/**
 * The `desk` command: serve, seed, import, users, keys, settings, smtp, audit, export, migrate, selfservice, status. Plain
 * Node over electron/core; it never loads Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { DESK_ROLES } from '../../shared/domain';
import { DeskError } from '../../shared/errors';
import { plainIssueMessage } from '../../shared/validation';
import { auditReportFilterSchema, channels, displayNameSchema, oneTimeCodeSchema, passwordSchema, usernameSchema } from '../../shared/contract';
import QRCode from 'qrcode';
import {
  confirmAppRegistration,
  confirmEmailRegistration,
  requestEmailCode,
  selfServiceStatus,
  startAppRegistration,
} from '../core/mfa/selfservice.service';
import { openDeskCore, type DeskCore } from '../core/app';
import { startedClock, type Clock } from '../core/clock';
import { resolveConfig } from '../core/config';
import { CLI_ACTOR, recordAudit } from '../core/audit/audit.service';
import { ticketReport, ticketReportCsv } from '../core/tickets/report.service';
import { verifyAuditChain, writeCheckpoint } from '../core/audit/integrity';
import { exportAudit } from '../core/audit/reports.service';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat } from '../core/audit/export-formats';
import {
  countDeskUsers,
  createDeskUser,
  findDeskUser,
  listDeskUsers,
  resetDeskUserPassword,
  resetDeskUserTotp,
  setDeskUserDisabled,
  setDeskUserRole,
  unlockDeskUser,
} from '../core/deskusers/deskusers.service';
import { temporaryPassword } from '../core/deskusers/password';
import { countEmployees, hasEmployees } from '../core/employees/employees.service';
import { seedDemoData } from '../core/demo/seed.service';
import { defaultReportFile, HR_COLUMNS, importHrFile, type HrImportProgress } from '../core/hr/hr-import.service';
import { appliedMigrations, migrateToLatest } from '../core/db/migrate';
import { openDatabase } from '../core/db/connection';
import { KeyFileProvider, keyCheck, parseKeyFile } from '../core/secrets/vault';
import { readCheck } from '../core/secrets/data-key';
import { changeSetting, getSetting, isSettingKey, SETTINGS, type SettingKey } from '../core/settings/settings.service';
import { sendTestMail, updateSmtpSettings } from '../core/mail/smtp-settings';
import { startHost } from '../host/server';
import { openBrowser } from './open-browser';
import { PRODUCT_NAME, VERSION } from '../core/version';

const USAGE = `${PRODUCT_NAME} ${VERSION}

Usage: desk <command> [options]

Commands:
  serve [--port N] [--no-open]             Start the browser host on 127.0.0.1 and print its address
  seed --employees N [--seed S]            Fill the database with deterministic demo data
                                            (and three demo desk users, whose sign-in details are printed)
  import hr FILE.csv [--dry-run] [--report FILE] [--batch-size N]
                                            Bring the HR extract into the employee records (admins'
                                            tool): new, changed and leaving employees by employee number,
                                            in batches (--batch-size N; default 5,000 on sqlite, 1,000 on
                                            PostgreSQL); rejected rows and conflicts go to a
                                            line-numbered report (default FILE.report.csv); --dry-run
                                            counts what would change and writes nothing; Ctrl+C stops
                                            after the current batch (run it again to finish)
  users add --username U --role R [--name "Full Name"] [--password-stdin]
                                            Create a desk user (role: ${DESK_ROLES.join(', ')}); without
                                            --password-stdin a temporary password is generated and printed
                                            once, and the user chooses their own at the first sign-in
  users list                               List desk users: role, last sign-in, disabled, locked out,
                                            temporary password, authenticator not enrolled
  users disable USERNAME | users enable USERNAME
                                            Stop (or allow again) a desk user signing in; disabling ends
                                            their sessions. The last active admin cannot be disabled
  users role USERNAME ROLE                 Change a desk user's role (their sessions end); the last
                                            active admin cannot be demoted
  users reset-password USERNAME            Give a desk user a temporary password (printed once), to be
                                            replaced at their next sign-in; their sessions end
  users reset-totp USERNAME                Forget a desk user's authenticator app (a lost phone); they
                                            enrol a new one at their next sign-in; their sessions end
  users unlock USERNAME                    Lift a lock-out after too many failed sign-ins
  keys export --out FILE                   Copy this machine's data key to FILE (0600), for another desk PC
  keys import FILE                         Install a data key exported elsewhere (checked against the database)
  settings list                            Show every setting and its value
  settings set KEY VALUE                   Change a setting (audited), e.g. settings set session.idleMinutes 30
  migrate                                  Bring the database schema up to date
  smtp password                            Set the SMTP password from standard input (sealed; empty input
                                            removes it); host, port and the rest are settings (smtp.*)
  smtp test --to ADDRESS                   Send a test mail now and print the server's answer
  selfservice status --employee ID         What the self-service portal shows an employee: eligibility,
                                            emails on record (with their ids) and factors
  selfservice app start --employee ID [--qr FILE] [--code CODE]
                                            Start registering an authenticator app: prints the otpauth URI,
                                            or writes it as a QR code PNG to FILE (0600); --code is the
                                            emailed registration code after Shared Services reset the app
  selfservice app confirm --employee ID --code CODE
                                            Finish with the current 6-digit code from the app
  selfservice email request-code --employee ID --email EMAIL_ID
                                            Send a registration code to that address on record
  selfservice email confirm --employee ID --code CODE
                                            Finish with the emailed code
  audit verify [--json]                    Walk the audit trail's hash chain and check every signed
                                            checkpoint; prints the first broken link (edited, deleted,
                                            reordered, inserted, truncated, rewritten) with its sequence
                                            number. Exit code 0: intact, 3: broken
  audit checkpoint                         Sign the chain's head now (also done daily and on every export)
  export tickets --out FILE --from DATE --to DATE
                                           The ticket report (by category and status, reopened,
                                           median time to resolve) as CSV (audited)
  export audit --out FILE [--format csv|xlsx|pdf] [--from DATE] [--to DATE] [--agent NAME] [--action ACTION]
               [--employee ID | --employee-number N] [--ticket REF] [--result ok|refused]
                                            Write the audit events the filter selects to FILE (CSV by default), oldest
                                            first (dates YYYY-MM-DD, UTC, both inclusive; --action
                                            factor. takes the whole family), ending with the filter,
                                            the row count and the signed chain head
  status                                   Show where the data lives and what is in it
  help                                     Show this text

Options for every command:
  --data-dir DIR    Data directory (default: $DESK_DATA_DIR, else the app's data folder)
Environment:
  DESK_DATA_DIR, DESK_DATABASE_URL (postgres://… to use PostgreSQL instead of the sqlite file)
`;

class UsageError extends Error {}

/** A failure the person running the command can act on, said in one line (exit code 1). */
class CliFailure extends Error {}

const folderExists = (dir: string) => {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

/**
 * A file a command is about to write: its folder must exist and be a folder, said plainly before
 * anything is done (no half-written export, no audit row for a file that could not be made).
 */
function outputFile(file: string, option: string): string {
  const out = path.resolve(file);
  const dir = path.dirname(out);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CliFailure(`The folder ${dir} does not exist (${option} ${file}): create it first, or choose another folder.`);
  }
  if (!stat.isDirectory()) throw new CliFailure(`${dir} is not a folder (${option} ${file}).`);
  if (folderExists(out)) throw new CliFailure(`${out} is a folder: give ${option} a file name.`);
  return out;
}

/** What a failed file or network call means, in words (the system's own text is terse: "ENOENT: …"). */
function systemErrorWords(err: NodeJS.ErrnoException & { dest?: string; address?: string; port?: number }): string | null {
  const where = err.path ?? err.dest;
  if (where) {
    switch (err.code) {
      case 'ENOENT':
        return folderExists(path.dirname(path.resolve(where))) ? `There is no file ${where}.` : `The folder ${path.dirname(path.resolve(where))} does not exist (for ${where}).`;
      case 'EACCES':
      case 'EPERM':
        return `Permission denied: you cannot use ${where}.`;
      case 'EEXIST':
        return err.syscall === 'mkdir' ? `${where} is there already and is not a folder.` : `${where} already exists; give a new file name.`;
      case 'EISDIR':
        return `${where} is a folder, not a file.`;
      case 'ENOTDIR':
        return `A part of ${where} is not a folder.`;
      case 'ENOSPC':
        return `The disk is full (writing ${where}).`;
      case 'EROFS':
        return `${where} is on a disk that cannot be written to.`;
      default:
        return null;
    }
  }
  const at = err.address ? `${err.address}${err.port !== undefined ? `:${err.port}` : ''}` : null;
  if (at && err.code === 'ECONNREFUSED') return `Nothing answered at ${at} (connection refused).`;
  if (at && err.code === 'EADDRINUSE') return `${at} is in use by another program: choose another port with --port.`;
  if (at && err.code === 'EACCES' && err.syscall === 'listen') return `Not allowed to listen on ${at}: choose a port above 1023 with --port.`;
  return null;
}

/**
 * Any failure as one plain line: never a stack, never a multi-line dump. An error the desk did not
 * expect is its message only.
 */
function oneLine(err: unknown): string {
  if (err instanceof AggregateError && !err.message && err.errors.length > 0) return oneLine(err.errors[0]);
  let text: string;
  if (err instanceof Error) text = systemErrorWords(err as NodeJS.ErrnoException) ?? (err.message || err.name);
  else text = String(err);
  return text.replace(/\s+/g, ' ').trim() || 'Something went wrong.';
}

function sayFailure(message: string): void {
  process.stderr.write(`desk: ${message}\n`);
}

const common = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...common, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function rendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../renderer'), path.resolve(here, '../../out/renderer')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[0]!;
}

/**
 * DESK_CLOCK_START=<ISO time>: the desk's clock starts at that moment and runs on (tests and the
 * documentation's screenshots, whose dates must not move from day to day). Said on stderr.
 */
let clockNoted = false;
function clockFromEnv(): Clock | undefined {
  const start = process.env.DESK_CLOCK_START;
  if (!start) return undefined;
  const at = new Date(start);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(start)) throw new UsageError('DESK_CLOCK_START must be an ISO time such as 2026-11-02T09:30:00Z');
  if (!clockNoted) process.stderr.write(`desk: the clock starts at ${at.toISOString()} (DESK_CLOCK_START), not the system time.\n`);
  clockNoted = true;
  return startedClock(at);
}

async function withCore<T>(dataDir: string | undefined, fn: (core: DeskCore) => Promise<T>): Promise<T> {
  const clock = clockFromEnv();
  const core = await openDeskCore({ config: resolveConfig({ dataDir }), ...(clock ? { clock } : {}) });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value, { error: plainIssueMessage });
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues[0]?.message ?? 'not valid'}`);
  return r.data;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, { port: { type: 'string' }, 'no-open': { type: 'boolean' } });
  const port = values.port === undefined ? 0 : check(z.coerce.number().int().min(0).max(65535), values.port, '--port');
  // The browser host delivers the outbox in the background, as the app does.
  const clock = clockFromEnv();
  const core = await openDeskCore({ config: resolveConfig({ dataDir: values['data-dir'] }), deliverMail: true, auditCheckpoints: true, ...(clock ? { clock } : {}) });
  const host = await startHost({ router: core.router, logger: core.logger, rendererDir: rendererDir(), port });
  process.stdout.write(`MFA Desk browser host: ${host.url}\n`);
  process.stdout.write(`Data: ${core.database.location}\n`);
  if ((await countDeskUsers(core.db)) === 0) process.stdout.write('First run: open the address to create the first admin.\n');
  else if (!(await hasEmployees(core.db))) {
    process.stdout.write('The database has no employees: sign in as an admin to load demo data, or run `desk seed --employees 1000`.\n');
  }
  if (!values['no-open'] && openBrowser(host.url)) process.stdout.write('Opened in your browser.\n');
  process.stdout.write('Press Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await core.close();
}

async function seed(args: string[]): Promise<void> {
  const { values } = parse(args, { employees: { type: 'string' }, seed: { type: 'string' } });
  if (values.employees === undefined) throw new UsageError('seed needs --employees N');
  const employees = check(z.coerce.number().int().min(1).max(5_000_000), values.employees, '--employees');
  const seedValue = check(z.coerce.number().int().min(0).max(2 ** 31 - 1), values.seed ?? '1', '--seed');
  await withCore(values['data-dir'], async (core) => {
    const started = Date.now();
    let lastReport = 0;
    const result = await seedDemoData(core.db, core.clock, {
      employees,
      seed: seedValue,
      deskUsers: true,
      actor: CLI_ACTOR,
      vault: core.vault,
      onProgress: (done, total) => {
        const now = Date.now();
        if (done === total || now - lastReport > 1000) {
          lastReport = now;
          const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
          process.stderr.write(`seed: ${done.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')} employees (${rate.toLocaleString('en-GB')}/s)\n`);
        }
      },
    });
    process.stdout.write(`Loaded ${result.employees.toLocaleString('en-GB')} demo employees (seed ${seedValue}) into ${core.database.location}\n`);
    process.stdout.write('Demo desk users (each enrols an authenticator app at first sign-in):\n');
    for (const u of result.deskUsers) {
      process.stdout.write(`  ${u.role.padEnd(10)} username ${u.username}  password ${u.password ?? '(unchanged: the user already existed)'}\n`);
    }
  });
}

function progressLine(p: HrImportProgress): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-GB');
  const eta = p.etaSeconds === null ? '' : `, about ${n(Math.ceil(p.etaSeconds))} s to go`;
  if (p.phase === 'checking') {
    const share = p.totalBytes > 0 ? Math.floor((100 * p.bytes) / p.totalBytes) : 100;
    return `import: checking the file: ${n(p.rows)} rows, ${share}% read${eta}`;
  }
  if (p.phase === 'indexing') return `import: every row is in; building the look-up's indexes: ${n(p.rows)} / ${n(p.totalRows ?? 0)} done`;
  const c = p.counts;
  return (
    `import: ${n(p.rows)} / ${n(p.totalRows ?? 0)} rows (${n(p.rowsPerSecond)} rows/s${eta}): ` +
    `${n(c.created)} new, ${n(c.updated)} updated, ${n(c.unchanged)} unchanged, ${n(c.rejected)} rejected`
  );
}

/** `desk import hr FILE.csv`: the HR extract, as the CLI actor. */
async function importCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'hr') throw new UsageError('import needs: hr FILE.csv [--dry-run] [--report FILE]');
  const { values, positionals } = parse(rest, {
    'dry-run': { type: 'boolean' },
    report: { type: 'string' },
    'batch-size': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`import hr needs one CSV file, with a header row naming the columns ${HR_COLUMNS.join(', ')}`);
  const file = positionals[0]!;
  const batchSize = values['batch-size'] === undefined ? undefined : check(z.coerce.number().int().min(1).max(5000), values['batch-size'], '--batch-size');
  const dryRun = values['dry-run'] === true;
  if (values.report !== undefined) outputFile(values.report, '--report');
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('import: stopping after the current batch (Ctrl+C again to stop at once; the batches done stay done)\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await withCore(values['data-dir'], async (core) => {
      let last = 0;
      let firstBatch = true;
      const result = await importHrFile(
        { db: core.db, clock: core.clock },
        {
          file,
          dryRun,
          reportFile: values.report ?? defaultReportFile(file),
          actor: CLI_ACTOR,
          ...(batchSize === undefined ? {} : { batchSize }),
          signal: controller.signal,
          onWarning: (m) => process.stderr.write(`import: warning: ${m}\n`),
          onProgress: (p) => {
            const now = Date.now();
            const first = p.phase === 'importing' && firstBatch;
            if (first || now - last >= 1000 || (p.phase !== 'checking' && p.rows === p.totalRows)) {
              if (p.phase === 'importing') firstBatch = false;
              last = now;
              process.stderr.write(progressLine(p) + '\n');
            }
          },
        },
      );
      const c = result.counts;
      const n = (v: number) => v.toLocaleString('en-GB');
      const out = (line: string) => process.stdout.write(line + '\n');
      out(
        `HR import of ${file}${result.dryRun ? ' — dry run: nothing was written; this is what would change' : ''}${result.cancelled ? ' — stopped before the end: run it again to finish' : ''}`,
      );
      out(`  rows read   ${n(c.rows)}${result.cancelled ? ` of ${n(result.totalRows)}` : ''}`);
      out(`  new         ${n(c.created)}`);
      out(`  updated     ${n(c.updated)} (leavers ${n(c.leavers)}, back from leaving ${n(c.rejoined)})`);
      out(`  unchanged   ${n(c.unchanged)}`);
      out(`  rejected    ${n(c.rejected)}`);
      out(`  conflicts   ${n(c.conflicts)} (addresses kept against HR's data)`);
      out(`  emails      ${n(c.emailsAdded)} added, ${n(c.emailsRemoved)} removed`);
      out(`  leavers' pending registrations cancelled ${n(c.pendingFactorsCancelled)}, unused codes cancelled ${n(c.codesCancelled)}`);
      out(`Report (rejected rows and conflicts, by line): ${result.reportFile} (${n(result.reportLines)} line${result.reportLines === 1 ? '' : 's'})`);
      out(`Took ${result.seconds.toFixed(1)} s.`);
      return result.cancelled ? 130 : 0;
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

async function users(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parse(rest, {});
    await withCore(values['data-dir'], async (core) => {
      const list = await listDeskUsers(core.db, core.clock);
      if (list.length === 0) process.stdout.write('No desk users yet.\n');
      for (const u of list) {
        const notes = [
          u.disabled ? 'disabled' : null,
          u.lockedUntil ? `locked until ${u.lockedUntil.slice(0, 16).replace('T', ' ')} UTC` : null,
          u.mustChangePassword ? 'temporary password' : null,
          u.totpEnrolled ? null : 'authenticator not enrolled yet',
        ].filter(Boolean);
        const last = u.lastSigninAt ? `last sign-in ${u.lastSigninAt.slice(0, 16).replace('T', ' ')} UTC` : 'never signed in';
        process.stdout.write(`${u.username.padEnd(24)} ${u.role.padEnd(10)} ${u.displayName} — ${last}${notes.length ? ` (${notes.join(', ')})` : ''}\n`);
      }
    });
    return;
  }
  if (sub === 'add') return addUser(rest);
  const actions: Record<string, (core: DeskCore, id: number, positionals: string[]) => Promise<string>> = {
    disable: async (core, id) => `Disabled ${(await setDeskUserDisabled(core.db, core.clock, CLI_ACTOR, id, true)).username}; their sessions end.`,
    enable: async (core, id) => `Enabled ${(await setDeskUserDisabled(core.db, core.clock, CLI_ACTOR, id, false)).username}.`,
    role: async (core, id, positionals) => {
      const role = check(z.enum(DESK_ROLES), positionals[1], 'ROLE');
      const u = await setDeskUserRole(core.db, core.clock, CLI_ACTOR, id, role);
      return `${u.username} is now ${u.role}; their sessions end.`;
    },
    'reset-password': async (core, id) => {
      const r = await resetDeskUserPassword(core.db, core.clock, CLI_ACTOR, id);
      return `Temporary password for ${r.user.username} (shown once; they choose their own at the next sign-in): ${r.temporaryPassword}`;
    },
    'reset-totp': async (core, id) =>
      `Forgot ${(await resetDeskUserTotp(core.db, core.clock, CLI_ACTOR, id)).username}'s authenticator app; they enrol one at the next sign-in.`,
    unlock: async (core, id) => `Unlocked ${(await unlockDeskUser(core.db, core.clock, CLI_ACTOR, id)).username}.`,
  };
  const action = sub ? actions[sub] : undefined;
  if (!action) throw new UsageError('users needs a subcommand: add, list, disable, enable, role, reset-password, reset-totp or unlock');
  const { values, positionals } = parse(rest, {});
  if (positionals.length !== (sub === 'role' ? 2 : 1)) throw new UsageError(`users ${sub} needs: USERNAME${sub === 'role' ? ' ROLE' : ''}`);
  const username = check(usernameSchema, positionals[0], 'USERNAME');
  await withCore(values['data-dir'], async (core) => {
    const user = await findDeskUser(core.db, username);
    if (!user) throw new DeskError('NOT_FOUND', `There is no desk user named ${username}.`);
    process.stdout.write(`${await action(core, user.id, positionals)}\n`);
  });
}

async function addUser(rest: string[]): Promise<void> {
  const { values } = parse(rest, {
    username: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  const username = check(usernameSchema, values.username, '--username');
  const role = check(z.enum(DESK_ROLES), values.role, '--role');
  const displayName = check(displayNameSchema, values.name ?? username, '--name');
  const generated = !values['password-stdin'];
  const password = generated ? temporaryPassword() : check(passwordSchema, await readStdin(), 'password');
  await withCore(values['data-dir'], async (core) => {
    await createDeskUser(core.db, core.clock, CLI_ACTOR, { username, displayName, role, password, temporary: generated });
    process.stdout.write(`Created ${role} ${username}.\n`);
    if (generated) process.stdout.write(`Temporary password (shown once; they choose their own at the first sign-in): ${password}\n`);
    process.stdout.write('They enrol an authenticator app at first sign-in.\n');
  });
}

async function settings(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {});
  if (sub === 'list') {
    await withCore(values['data-dir'], async (core) => {
      for (const key of Object.keys(SETTINGS) as SettingKey[]) {
        process.stdout.write(`${key.padEnd(24)} ${JSON.stringify(await getSetting(core.db, key))}\n`);
      }
    });
    return;
  }
  if (sub !== 'set' || positionals.length !== 2) throw new UsageError('settings needs: list, or set KEY VALUE');
  const [key, raw] = positionals as [string, string];
  if (!isSettingKey(key)) throw new UsageError(`Unknown setting ${key}. Known: ${Object.keys(SETTINGS).join(', ')}`);
  // The text as typed, unless the setting wants a number and the text is one.
  const value: unknown = SETTINGS[key].schema.safeParse(raw).success || !/^-?\d+$/.test(raw) ? raw : Number(raw);
  await withCore(values['data-dir'], async (core) => {
    try {
      const saved = await changeSetting(core.db, core.clock, CLI_ACTOR, key, value);
      process.stdout.write(`${key} = ${JSON.stringify(saved)}\n`);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'VALIDATION') throw new UsageError(err.message);
      throw err;
    }
  });
}

async function keys(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { out: { type: 'string' } });
  const config = resolveConfig({ dataDir: values['data-dir'] });
  const provider = new KeyFileProvider(config.dataDir);
  if (sub === 'export') {
    if (!values.out) throw new UsageError('keys export needs --out FILE');
    outputFile(values.out, '--out');
    // Opening the core proves the key is the one this database's secrets are sealed with.
    await withCore(values['data-dir'], async () => {
      if (!provider.exists()) throw new DeskError('UNAVAILABLE', `No key file at ${provider.file} to export.`);
      fs.writeFileSync(values.out!, provider.getKey().toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    });
    process.stdout.write(`Data key written to ${values.out} (mode 0600). Keep it as secret as a password; delete it once imported.\n`);
    return;
  }
  if (sub !== 'import' || positionals.length !== 1) throw new UsageError('keys needs: export --out FILE, or import FILE');
  const key = parseKeyFile(fs.readFileSync(positionals[0]!, 'utf8'), positionals[0]!);
  if (provider.exists()) {
    if (provider.getKey().equals(key)) {
      process.stdout.write('This machine already has that data key.\n');
      return;
    }
    throw new DeskError('CONFLICT', `${provider.file} already holds a different key; move it away first if you are sure it is not needed.`);
  }
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, schema: config.databaseSchema });
  try {
    await migrateToLatest(database.knex);
    const stored = await readCheck(database.knex);
    if (stored !== null && stored !== keyCheck(key)) {
      throw new DeskError('CONFLICT', 'That key is not the one this database’s secrets are sealed with; nothing was installed.');
    }
  } finally {
    await database.close();
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(provider.file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  process.stdout.write(`Data key installed at ${provider.file}.\n`);
}

async function migrate(args: string[]): Promise<void> {
  const { values } = parse(args, {});
  await withCore(values['data-dir'], async (core) => {
    const applied = await appliedMigrations(core.db);
    process.stdout.write(`Schema is up to date (${applied.length} migrations, latest ${applied[applied.length - 1]}) in ${core.database.location}\n`);
  });
}

async function status(args: string[]): Promise<void> {
  const { values } = parse(args, {});
  const config = resolveConfig({ dataDir: values['data-dir'] });
  await withCore(values['data-dir'], async (core) => {
    process.stdout.write(`Data directory: ${config.dataDir}\n`);
    process.stdout.write(`Database: ${core.database.kind} — ${core.database.location}\n`);
    process.stdout.write(`Desk users: ${await countDeskUsers(core.db)}\n`);
    process.stdout.write(`Employees: ${(await countEmployees(core.db)).toLocaleString('en-GB')}\n`);
  });
}

const int = (n: number) => n.toLocaleString('en-GB');

/** The audit trail's integrity: walk the chain, sign its head. */
async function audit(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'verify') {
    const { values } = parse(rest, { json: { type: 'boolean' } });
    return withCore(values['data-dir'], async (core) => {
      const started = Date.now();
      let lastReport = started;
      const report = await verifyAuditChain(core.database.reader, core.vault, {
        dataDir: core.config.dataDir,
        onProgress: (n) => {
          if (!values.json && process.stderr.isTTY && Date.now() - lastReport > 1000) {
            lastReport = Date.now();
            process.stderr.write(`\r${int(n)} events checked…`);
          }
        },
      });
      if (!values.json && process.stderr.isTTY && lastReport !== started) process.stderr.write('\n');
      if (values.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else {
        process.stdout.write(`Audit chain: ${int(report.events)} events, head ${report.headSeq === 0 ? '(empty)' : `#${int(report.headSeq)} ${report.headHash}`}\n`);
        const cp = report.latestCheckpoint;
        process.stdout.write(
          `Checkpoints: ${int(report.checkpointsChecked)} checked` + (cp ? `; latest ${cp.at} (${cp.reason}) at #${int(cp.headSeq)}` : '; none written yet') + '\n',
        );
        if (report.ok) process.stdout.write(`OK: the audit trail is intact (${((Date.now() - started) / 1000).toFixed(1)} s).\n`);
        else {
          process.stdout.write(`BROKEN at #${int(report.firstBreak!.seq)}: ${report.firstBreak!.kind} — ${report.firstBreak!.detail}\n`);
          for (const b of report.breaks.slice(1)) process.stdout.write(`  also #${int(b.seq)}: ${b.kind} — ${b.detail}\n`);
        }
      }
      return report.ok ? 0 : 3;
    });
  }
  if (action === 'checkpoint') {
    const { values } = parse(rest, {});
    await withCore(values['data-dir'], async (core) => {
      const cp = await writeCheckpoint(core.db, core.clock, core.vault, { reason: 'manual', createdBy: CLI_ACTOR.name, dataDir: core.config.dataDir });
      process.stdout.write(`Checkpoint signed: ${int(cp.eventCount)} events, head #${int(cp.headSeq)} ${cp.headHash}, at ${cp.at}\n`);
    });
    return 0;
  }
  throw new UsageError('audit needs: verify [--json], or checkpoint (see `desk help`)');
}

/** `desk export audit`: the filtered audit trail to a file, as the Audit screen exports it. */
async function exportCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'tickets') return exportTickets(rest);
  if (what !== 'audit') throw new UsageError('export needs: audit --out FILE [filters], or tickets --out FILE --from DATE --to DATE (see `desk help`)');
  const { values } = parse(rest, {
    out: { type: 'string' },
    format: { type: 'string', default: 'csv' },
    from: { type: 'string' },
    to: { type: 'string' },
    agent: { type: 'string' },
    action: { type: 'string' },
    employee: { type: 'string' },
    'employee-number': { type: 'string' },
    ticket: { type: 'string' },
    result: { type: 'string' },
  });
  if (!values.out) throw new UsageError('export audit needs --out FILE');
  const format = values.format as AuditExportFormat;
  if (!(AUDIT_EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${AUDIT_EXPORT_FORMATS.join(', ')}`);
  const filter = check(
    auditReportFilterSchema,
    {
      from: values.from,
      to: values.to,
      actor: values.agent,
      action: values.action,
      employeeId: values.employee === undefined ? undefined : check(idSchema, values.employee, '--employee'),
      employeeNumber: values['employee-number'],
      ticketRef: values.ticket,
      result: values.result,
    },
    'filter',
  );
  const out = outputFile(values.out, '--out');
  const partial = `${out}.part`;
  return withCore(values['data-dir'], async (core) => {
    // Opened here, so a file that cannot be made fails at once and in words, not as a stream event.
    const file = fs.createWriteStream('', { fd: fs.openSync(partial, 'w', 0o600) });
    // A write that fails part-way (a full disk) ends the export: the stream's error is raced
    // against it, never left as an unhandled rejection, and the export is told to stop.
    const failed = new Promise<never>((_resolve, reject) => file.once('error', reject));
    const closed = new Promise<void>((resolve) => file.once('close', resolve));
    const stop = new AbortController();
    try {
      const r = await Promise.race([
        exportAudit(core.db, core.clock, core.vault, filter, format, file, {
          actor: CLI_ACTOR,
          reader: core.database.reader,
          dataDir: core.config.dataDir,
          signal: stop.signal,
          onProgress: (n, total) => {
            if (process.stderr.isTTY) process.stderr.write(`\r${int(n)} / ${int(total)} events…`);
          },
        }),
        failed,
      ]);
      await Promise.race([closed, failed]);
      fs.renameSync(partial, out);
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`Wrote ${int(r.rows)} events to ${out} (chain head #${int(r.headSeq)} ${r.headHash}, signed ${r.checkpointAt})\n`);
      return 0;
    } catch (err) {
      stop.abort();
      file.destroy();
      fs.rmSync(partial, { force: true });
      throw err;
    }
  });
}

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** `desk export tickets`: the ticket report over a period (by category and status, reopened, median time to resolve) as CSV. */
async function exportTickets(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
  if (!values.out || !values.from || !values.to) throw new UsageError('export tickets needs --out FILE --from DATE --to DATE');
  const period = check(channels['tickets.report'].input as unknown as z.ZodType<{ from: string; to: string }>, { from: values.from, to: values.to }, 'period');
  const out = outputFile(values.out, '--out');
  return withCore(values['data-dir'], async (core) => {
    const report = await ticketReport(core.database.reader ?? core.db, period);
    fs.writeFileSync(out, ticketReportCsv(report), { mode: 0o600 });
    await recordAudit(core.db, core.clock, { actor: CLI_ACTOR, action: 'tickets.report_exported', details: { from: period.from, to: period.to, opened: report.opened, file: true } });
    process.stdout.write(`Wrote the ticket report ${period.from} to ${period.to} to ${out}: ${int(report.opened)} opened, ${int(report.resolved)} resolved, median ${report.medianMinutesToResolve ?? '-'} minutes\n`);
    return 0;
  });
}

/** The SMTP password (from standard input, sealed) and a test mail through the mail settings. */
async function smtp(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'password') {
    const { values } = parse(rest, {});
    const password = await readStdin();
    await withCore(values['data-dir'], async (core) => {
      const view = await updateSmtpSettings(core.db, core.clock, core.vault, CLI_ACTOR, { password: password === '' ? null : password });
      process.stdout.write(view.passwordSet ? 'SMTP password stored (sealed with the data key).\n' : 'SMTP password removed.\n');
    });
    return 0;
  }
  if (action === 'test') {
    const { values } = parse(rest, { to: { type: 'string' } });
    if (values.to === undefined) throw new UsageError('smtp test needs --to ADDRESS');
    const to = values.to;
    return withCore(values['data-dir'], async (core) => {
      const r = await sendTestMail(core.db, core.vault, core.config.dataDir, to, core.clock);
      process.stdout.write(`${r.ok ? 'Sent' : 'Not sent'} (${r.transport === 'file' ? 'no SMTP server set: outbox folder' : 'SMTP'}): ${r.response}\n`);
      return r.ok ? 0 : 1;
    });
  }
  throw new UsageError('smtp needs: password, or test --to ADDRESS (see `desk help`)');
}

/** A one-shot command delivers the mail it queued before it exits (what fails now, the app retries). */
async function deliverNow(core: DeskCore, out: (line: string) => void): Promise<void> {
  const r = await core.mail.drainOnce();
  if (r.sent + r.failed + r.retried === 0) return;
  const parts = [`${r.sent} delivered`, ...(r.retried ? [`${r.retried} to be retried by the app`] : []), ...(r.failed ? [`${r.failed} refused by the mail server`] : [])];
  out(`Mail: ${parts.join(', ')}.`);
}

/**
 * The employee's side, as the self-service portal calls it: the same core services and rules (the
 * portal itself is another system; this stands in for it in tests and demos).
 */
async function selfservice(args: string[]): Promise<void> {
  const [area, ...afterArea] = args;
  const [action, ...rest] = area === 'status' ? ['status', ...afterArea] : afterArea;
  const { values } = parse(rest, {
    employee: { type: 'string' },
    code: { type: 'string' },
    qr: { type: 'string' },
    email: { type: 'string' },
  });
  const usage = 'selfservice needs: status, app start|confirm, or email request-code|confirm (see `desk help`)';
  const known = new Set(['status:status', 'app:start', 'app:confirm', 'email:request-code', 'email:confirm']);
  if (!known.has(`${area}:${action}`)) throw new UsageError(usage);
  if (values.employee === undefined) throw new UsageError(`selfservice ${area === 'status' ? 'status' : `${area} ${action}`} needs --employee ID`);
  const employeeId = check(idSchema, values.employee, '--employee');
  const needCode = () => {
    if (values.code === undefined) throw new UsageError(`selfservice ${area} ${action} needs --code CODE`);
    return check(oneTimeCodeSchema, values.code, '--code');
  };
  const out = (line: string) => process.stdout.write(line + '\n');
  if (area === 'app' && action === 'start') {
    const code = values.code === undefined ? null : check(oneTimeCodeSchema, values.code, '--code');
    if (values.qr !== undefined && fs.existsSync(values.qr)) throw new UsageError(`--qr ${values.qr} already exists; give a new file name`);
    if (values.qr !== undefined) outputFile(values.qr, '--qr');
    await withCore(values['data-dir'], async (core) => {
      const started = await startAppRegistration(core, { employeeId, code });
      out(`Authenticator app registration started for ${started.account} (factor ${started.factorId}).`);
      out(`In Microsoft Authenticator add a work or school account for issuer "${started.issuer}", account "${started.account}".`);
      if (values.qr !== undefined) {
        const png = await QRCode.toBuffer(started.otpauthUri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
        fs.writeFileSync(values.qr, png, { mode: 0o600, flag: 'wx' });
        out(`QR code written to ${values.qr} (it holds the key: delete it once scanned).`);
      } else {
        out(`otpauth URI (shown once; it holds the key): ${started.otpauthUri}`);
      }
      out(`Then: desk selfservice app confirm --employee ${employeeId} --code <the 6-digit code in the app>`);
    });
    return;
  }
  await withCore(values['data-dir'], async (core) => {
    if (area === 'status') {
      const st = await selfServiceStatus(core, employeeId);
      out(`Employee ${st.employee.id} (${st.employee.username}), ${st.employee.status}; MFA ${st.employee.mfaEnabledAt ? `enabled since ${st.employee.mfaEnabledAt}` : 'not enabled'}`);
      out(st.eligibility.canRegister ? 'Can register for MFA.' : 'Cannot register for MFA.');
      for (const r of st.eligibility.reasons) out(`  - ${r.message}`);
      out(st.emails.length ? 'Emails on record:' : 'No email address on record.');
      for (const e of st.emails) out(`  ${String(e.id).padStart(8)}  ${e.kind.padEnd(8)} ${e.address}${e.usedForCodes ? '  (receives codes)' : ''}`);
      out(st.factors.length ? 'Factors:' : 'No factors.');
      for (const f of st.factors) out(`  ${String(f.id).padStart(8)}  ${f.type.padEnd(17)} ${f.state}${f.locked ? ' (locked)' : ''}`);
    } else if (area === 'app') {
      const done = await confirmAppRegistration(core, { employeeId, code: needCode() });
      out(`Authenticator app registered (factor ${done.factorId}); MFA enabled since ${done.mfaEnabledAt}.`);
      out(`Confirmation sent to ${done.confirmations} address${done.confirmations === 1 ? '' : 'es'} on record, reference ${done.reference}.`);
    } else if (action === 'request-code') {
      if (values.email === undefined) throw new UsageError('selfservice email request-code needs --email EMAIL_ID (see selfservice status)');
      const sent = await requestEmailCode(core, { employeeId, emailId: check(idSchema, values.email, '--email') });
      out(`Registration code sent to ${sent.recipient}; valid until ${sent.expiresAt} (request ${sent.requestId}).`);
      out(`Then: desk selfservice email confirm --employee ${employeeId} --code <the code in the email>`);
    } else {
      const done = await confirmEmailRegistration(core, { employeeId, code: needCode() });
      out(`Email method registered (factor ${done.factorId}); MFA enabled since ${done.mfaEnabledAt}.`);
      out(`Confirmation sent to ${done.confirmations} address${done.confirmations === 1 ? '' : 'es'} on record, reference ${done.reference}.`);
    }
    if (area !== 'status') await deliverNow(core, out);
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return 0;
      case 'seed':
        await seed(rest);
        return 0;
      case 'import':
        return await importCommand(rest);
      case 'users':
        await users(rest);
        return 0;
      case 'keys':
        await keys(rest);
        return 0;
      case 'settings':
        await settings(rest);
        return 0;
      case 'migrate':
        await migrate(rest);
        return 0;
      case 'status':
        await status(rest);
        return 0;
      case 'smtp':
        return await smtp(rest);
      case 'audit':
        return await audit(rest);
      case 'export':
        return await exportCommand(rest);
      case 'selfservice':
        await selfservice(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`Unknown command: ${command}`);
    }
  } catch (err) {
    // One line on stderr, whatever failed: wrong usage exits 2, anything else 1 (DeskError,
    // NewerDatabaseError and CliFailure carry words meant for people; other errors their message).
    if (err instanceof UsageError) {
      const message = oneLine(err);
      sayFailure(message.includes('desk help') ? message : `${message.replace(/[.:]$/, '')} (run \`desk help\` for usage)`);
      return 2;
    }
    sayFailure(oneLine(err));
    return 1;
  }
}

// Whatever escapes the commands (a stream's error event, a promise nobody awaited) is still one
// line and exit code 1, never Node's stack trace.
const crash = (err: unknown) => {
  sayFailure(oneLine(err));
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    sayFailure(oneLine(err));
    process.exitCode = 1;
  },
);
