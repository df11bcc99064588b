/**
 * Shared set-up for the MFA tests: a core on a real database with a ManualClock, desk users with
 * sessions, hand-made employees, a full-content snapshot of every table an MFA action touches, and
 * reading a code back out of its sealed outbox mail as the employee would.
 */
import type { Knex } from 'knex';
import { expect } from 'vitest';
import type { DeskRole } from '../../shared/domain';
import { totpCodeAt, totpStep } from '../../electron/core/auth/totp';
import type { ManualClock } from '../../electron/core/clock';
import { FACTOR_SEED_PURPOSE } from '../../electron/core/mfa/factors.service';
import { emailRow, employeeRow as newEmployeeRow, insertEmployeesForIds } from '../../electron/core/employees/employee-writer';
import { OUTBOX_BODY_PURPOSE } from '../../electron/core/mail/outbox';
import { createRouter, type Router, type SessionSlot } from '../../electron/core/ipc/router';
import { createHandlers } from '../../electron/core/ipc/handlers';
import { ChallengeStore } from '../../electron/core/auth/sessions';
import { insertedId, type InsertedId } from '../../electron/core/db/values';
import type { Logger } from '../../electron/core/log/logger';
import type { DeskCore } from '../../electron/core/app';
import { callAs, type Caller } from './call-as';

type TestCore = DeskCore;

export const MIN = 60_000;

export async function insertId(db: Knex, table: string, row: object): Promise<number> {
  const [r] = await db(table).insert(row).returning<InsertedId[]>('id');
  return insertedId(r);
}

export interface DeskUserFixture {
  id: number;
  username: string;
  role: DeskRole;
  slot: SessionSlot;
}

/** A desk user row (nobody signs in with it) and a live session for it. */
export async function deskUser(core: TestCore, username: string, role: DeskRole): Promise<DeskUserFixture> {
  const now = core.clock.now().toISOString();
  const id = await insertId(core.db, 'desk_users', {
    username,
    display_name: username,
    role,
    password_hash: 'not-a-password-hash',
    created_at: now,
    updated_at: now,
  });
  const session = core.sessions.create({ userId: id, username, displayName: username, role, idleMinutes: 10 * 365 * 24 * 60 });
  return { id, username, role, slot: { get: () => session.token, set: () => {} } };
}

export type TeamMember = 'agent' | 'agent2' | 'manager' | 'supervisor' | 'admin';

/** One desk user of each role, and a second agent: agent.one, agent.two, manager.one, supervisor.one, admin.one. */
export async function deskTeam(core: TestCore): Promise<Record<TeamMember, DeskUserFixture>> {
  return {
    agent: await deskUser(core, 'agent.one', 'agent'),
    agent2: await deskUser(core, 'agent.two', 'agent'),
    manager: await deskUser(core, 'manager.one', 'manager'),
    supervisor: await deskUser(core, 'supervisor.one', 'supervisor'),
    admin: await deskUser(core, 'admin.one', 'admin'),
  };
}

/** A router over the core's own handlers that tells `onMailQueued` each time a mail is queued. */
export function routerWatchingMail(core: TestCore, logger: Logger, onMailQueued: () => void): Router {
  const handlers = createHandlers({
    db: core.db,
    databaseKind: core.database.kind,
    clock: core.clock,
    vault: core.vault,
    sessions: core.sessions,
    challenges: new ChallengeStore(core.clock),
    logger,
    onMailQueued,
  });
  return createRouter({ handlers, sessions: core.sessions, logger });
}

/** Typed calls as this desk user: `caller(core, user)(channel, input)` is `callAs(core, user).call`. */
export function caller(core: TestCore, user: DeskUserFixture): Caller['call'] {
  return callAs(core, user).call;
}

let serial = 0;

export interface EmployeeFixture {
  id: number;
  username: string;
  emails: Array<{ id: number; address: string }>;
}

/** An employee made by hand: active with internet access unless told otherwise, with the given addresses. */
export async function makeEmployee(
  core: TestCore,
  opts: { emails?: string[]; leaver?: boolean; internet?: boolean; firstName?: string } = {},
): Promise<EmployeeFixture> {
  serial++;
  const tag = `${Date.now() % 100000}${serial}`;
  const first = opts.firstName ?? 'Alex';
  const last = `Tester${serial}`;
  const username = `atester${tag}`.toLowerCase();
  const number = String(20_000_000 + Math.floor(Math.random() * 70_000_000));
  const addresses = opts.emails ?? [`alex.${tag}@work.example.org`, `alex${tag}@home.example.net`];
  const now = core.clock.now().toISOString();
  const ids = await insertEmployeesForIds(core.db, [
    newEmployeeRow({
      employeeNumber: number,
      firstName: first,
      lastName: last,
      username,
      emails: addresses.map((a) => a.toLowerCase()),
      organisation: 'Test Trust',
      department: 'Testing',
      jobTitle: 'Tester',
      status: opts.leaver ? 'leaver' : 'active',
      leavingDate: opts.leaver ? '2025-12-31' : null,
      internetAccessApproved: opts.internet ?? true,
      createdAt: now,
    }),
  ]);
  const id = ids.get(number)!;
  // One insert an address, as the tests need each address's id.
  const emails: EmployeeFixture['emails'] = [];
  for (const [i, address] of addresses.entries()) {
    const row = emailRow({ employeeId: id, kind: i === 0 ? 'work' : 'personal', address, createdAt: now });
    emails.push({ id: await insertId(core.db, 'employee_emails', row), address });
  }
  return { id, username, emails };
}

const TABLES = ['employees', 'employee_emails', 'factors', 'one_time_codes', 'mail_outbox', 'audit_events', 'caller_verifications', 'settings'] as const;

/** Every row of every table an MFA operation may touch, in id order: "nothing changed" is checked against this. */
export async function fullSnapshot(db: Knex): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = await db(t).select('*').orderBy(t === 'settings' ? 'key' : 'id');
  return out;
}

/** Run and expect a refusal, whatever it wrote (a counted wrong try commits): its code, message and details. */
export async function refusal(run: () => Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const err = await run().then(
    () => null,
    (e: unknown) => e as { code: string; message: string; details?: Record<string, unknown> },
  );
  expect(err, 'expected a refusal').not.toBeNull();
  return err!;
}

/** Expect a refusal (code and message pattern) and no change at all in the database. */
export async function expectRefusedUnchanged(
  db: Knex,
  run: () => Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const before = await fullSnapshot(db);
  const err = (await run().then(
    () => null,
    (e: unknown) => e,
  )) as { code?: string; message?: string; details?: Record<string, unknown> } | null;
  const res = err && 'code' in err ? err : null;
  expect(res, 'expected a refusal').not.toBeNull();
  expect(res!.code).toBe(code);
  if (message) expect(res!.message).toMatch(message);
  expect(await fullSnapshot(db)).toEqual(before);
  return res as { code: string; message: string; details?: Record<string, unknown> };
}

/** The same for a router call (a WireResult). */
export async function expectWireRefusedUnchanged(
  db: Knex,
  call: () => Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } }>,
  code: string,
  message?: RegExp,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const before = await fullSnapshot(db);
  const res = await call();
  expect(res.ok, JSON.stringify(res)).toBe(false);
  if (res.ok) throw new Error('unreachable');
  expect(res.error.code).toBe(code);
  if (message) expect(res.error.message).toMatch(message);
  expect(await fullSnapshot(db)).toEqual(before);
  return res.error;
}

export interface OutboxMail {
  id: number;
  template: string;
  recipient: string;
  reference: string | null;
  sealed: boolean;
  subject: string;
  text: string;
  html: string | null;
}

/** The employee's outbox rows, oldest first, bodies opened as the sender would. */
export async function outbox(core: TestCore, employeeId: number): Promise<OutboxMail[]> {
  const rows: Array<Record<string, unknown>> = await core.db('mail_outbox').where({ employee_id: employeeId }).orderBy('id');
  return rows.map((r) => {
    const sealed = r.sealed === true || r.sealed === 1;
    const open = (v: unknown) => (typeof v !== 'string' ? null : sealed ? core.vault.open(v, OUTBOX_BODY_PURPOSE) : v);
    return {
      id: Number(r.id),
      template: String(r.template),
      recipient: String(r.recipient),
      reference: (r.reference as string | null) ?? null,
      sealed,
      subject: String(r.subject),
      text: open(r.body_text)!,
      html: open(r.body_html),
    };
  });
}

/** The code in a code mail: the line that is only six digits. */
export function codeIn(mail: OutboxMail): string {
  const m = /^\s+(\d{6})\s*$/m.exec(mail.text);
  if (!m) throw new Error(`no code in mail ${mail.id}`);
  return m[1]!;
}

/** The code in the newest mail of a template to the employee. */
export async function latestCode(core: TestCore, employeeId: number, template = 'registration_code'): Promise<string> {
  const mails = (await outbox(core, employeeId)).filter((m) => m.template === template);
  expect(mails.length, `a ${template} mail`).toBeGreaterThan(0);
  return codeIn(mails[mails.length - 1]!);
}

/** A 6-digit code that is not `code`. */
export function wrong(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

export function secretFromUri(uri: string): string {
  const s = new URL(uri).searchParams.get('secret');
  if (!s) throw new Error('no secret in the URI');
  return s;
}

export async function seedOf(core: TestCore, factorId: number): Promise<string | null> {
  const r = await core.db<{ id: number; totp_seed_enc: string | null }>('factors').where({ id: factorId }).first('totp_seed_enc');
  if (!r) throw new Error(`no factor ${factorId}`);
  return r.totp_seed_enc ? core.vault.open(r.totp_seed_enc, FACTOR_SEED_PURPOSE) : null;
}

/** The authenticator app's code now (or `offset` steps away), through our own HOTP code path. */
export function appCode(secret: string, clock: ManualClock, offset = 0): string {
  return totpCodeAt(secret, totpStep(clock.now()) + offset);
}

/** Move the clock to the start of the next 30-second step (so each TOTP code is a new one). */
export function nextStep(clock: ManualClock): void {
  const ms = clock.now().getTime();
  clock.set(new Date((Math.floor(ms / 30_000) + 1) * 30_000 + 5_000));
}

export async function employeeRow(db: Knex, id: number): Promise<Record<string, unknown>> {
  return (await db('employees').where({ id }).first())!;
}

export async function factorsOf(db: Knex, employeeId: number): Promise<Array<Record<string, unknown>>> {
  return db('factors').where({ employee_id: employeeId }).orderBy('id');
}

/**
 * None of the secrets appears in the text. A code is looked for as a whole number (not inside a
 * longer run of digits such as an id or an employee number); seeds and URIs anywhere.
 */
export function assertNoSecrets(haystack: string, secrets: Iterable<string>): void {
  for (const s of secrets) {
    if (!s) continue;
    const found = /^\d+$/.test(s) ? new RegExp(`(^|\\D)${s}(\\D|$)`).test(haystack) : haystack.includes(s);
    expect(found, `a secret (${s.length} chars) leaked`).toBe(false);
  }
}

/** A logger that keeps every line, to show no secret was written. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, meta: meta ?? null }));
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error'), close: async () => {} };
}
