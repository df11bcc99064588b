import crypto from 'node:crypto';
import type { Deps } from '../handler';
import { FACTOR_SEED_PURPOSE } from '../mfa/factors.service';
import type { Knex } from 'knex';
import type { DeskRole } from '../../../shared/domain';
import type { AuditAction } from '../../../shared/audit-actions';
import dictionaries from '../../../resources/demo/dictionaries.json';
import templates from '../../../resources/mail/templates.json';
import { databaseKind } from '../db/connection';
import { recordAudit, type Actor } from '../audit/audit.service';
import { chainAfterHead, type AuditContent } from '../audit/chain';
import { createDeskUser, findDeskUser } from '../deskusers/deskusers.service';
import { WEBCHAT_URL } from '../mail/templates';
import { newTotpSeed } from '../auth/totp';
import type { Vault } from '../secrets/vault';
import { emailRow, employeeRow, insertEmails, insertEmployees, type EmailInsertRow, type EmployeeInsertRow } from '../employees/employee-writer';
import { createRandom, demoEmployeeNumber, nameSlug, type Random } from './random';

const BATCH = 1000;
const DAY = 86_400_000;

export interface SeedOptions {
  employees: number;
  seed: number;
  /** Also create the three demo desk users (agent, manager, supervisor) with fresh passwords. */
  deskUsers: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  employees: number;
  firstEmployeeId: number;
  deskUsers: Array<{ username: string; role: DeskRole; password: string | null }>;
}

type Row = Record<string, unknown>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Multi-row INSERT … VALUES with bound parameters, in statements small enough for sqlite's and
 * PostgreSQL's parameter limits (knex's own sqlite multi-insert is a compound SELECT capped at 500).
 */
async function insertAll(trx: Knex.Transaction, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  const tuple = '(' + columns.map(() => '?').join(', ') + ')';
  for (let i = 0; i < rows.length; i += perStatement) {
    const slice = rows.slice(i, i + perStatement);
    const values: Knex.Value[] = [];
    for (const r of slice) for (const c of columns) values.push(r[c] as Knex.Value);
    await trx.raw(
      `INSERT INTO ?? (${columns.map(() => '??').join(', ')}) VALUES ${slice.map(() => tuple).join(', ')}`,
      [table, ...columns, ...values],
    );
  }
}

async function maxId(db: Knex | Knex.Transaction, table: string): Promise<number> {
  const row = (await db(table).max({ m: 'id' }).first()) as { m: number | string | null } | undefined;
  return Number(row?.m ?? 0);
}

interface Counters {
  employeeId: number;
  emailId: number;
  factorId: number;
}

function makeEmployee(rnd: Random, now: number, ids: Counters, vault: Vault) {
  // The running index is the id about to be given (allocated under the batch's write lock), so it
  // is unique across seeds and loaders without counting the table.
  const i = ids.employeeId;
  const d = dictionaries;
  const first = rnd.pick(d.firstNames);
  const last = rnd.pick(d.lastNames);
  const org = rnd.pick(d.organisations);
  const number = demoEmployeeNumber(i);
  // Letters-only names followed by a decimal tag: the boundary is unambiguous, so usernames and
  // addresses never clash ("cooke"+"1" can never equal "cook"+"e1").
  const tag = String(i);
  const username = `${nameSlug(first).slice(0, 1)}${nameSlug(last)}${tag}`;
  const leaver = rnd.chance(0.05);
  const internet = !rnd.chance(0.03);
  const created = now - rnd.int(30, 3650) * DAY;
  // A leaver left some time after joining; nothing about their MFA happened after that.
  const leftAt = leaver ? created + rnd.int(1, Math.max(1, Math.floor((now - created) / DAY) - 1)) * DAY : null;
  const activeUntil = leftAt ?? now;
  const employeeId = ++ids.employeeId;

  const emails: EmailInsertRow[] = [];
  const addEmail = (kind: 'work' | 'personal', address: string) => {
    emails.push(emailRow({ id: ++ids.emailId, employeeId, kind, address, createdAt: iso(created) }));
  };
  const hasWork = rnd.chance(0.9);
  if (hasWork) addEmail('work', `${first}.${last.replace(/[^A-Za-z]/g, '')}${tag}@${org.domain}`);
  if (!hasWork || rnd.chance(0.55)) addEmail('personal', `${nameSlug(first)}${nameSlug(last)}${rnd.int(1, 99)}${tag}@${rnd.pick(d.personalDomains)}`);
  if (hasWork && rnd.chance(0.08)) addEmail('work', `${nameSlug(first).slice(0, 1)}.${nameSlug(last)}${tag}@nhs.net`);

  // Factor mix: none, app only, email only, both, or a registration still pending.
  const factors: Row[] = [];
  const audits: Array<{ at: number; action: AuditAction; details: Row }> = [];
  let mfaEnabledAt: number | null = null;
  const roll = rnd.next();
  let mix = !internet ? 'none' : roll < 0.4 ? 'none' : roll < 0.6 ? 'app' : roll < 0.8 ? 'email' : roll < 0.92 ? 'both' : 'pending';
  if (leaver && mix === 'pending') mix = 'none'; // leavers cannot register
  const span = Math.max(0, Math.floor((activeUntil - created) / DAY) - 2);
  const registered = created + rnd.int(0, span) * DAY;
  const addFactor = (type: 'authenticator_app' | 'email', state: 'active' | 'pending', at: number) => {
    const email = type === 'email' ? emails[0] : undefined;
    if (type === 'email' && !email) return;
    if (email && state === 'active') email.used_for_codes = true;
    factors.push({
      id: ++ids.factorId,
      employee_id: employeeId,
      type,
      state,
      email_id: email ? email.id : null,
      totp_seed_enc: type === 'authenticator_app' ? vault.seal(newTotpSeed(), FACTOR_SEED_PURPOSE) : null,
      totp_last_step: null,
      // About 1 in 100 active factors is locked after too many wrong codes.
      failed_attempts: state === 'active' && rnd.chance(0.01) ? 5 : 0,
      registered_at: state === 'active' ? iso(at) : null,
      last_used_at: state === 'active' && rnd.chance(0.8) ? iso(at + rnd.int(0, Math.max(0, Math.floor((activeUntil - at) / DAY))) * DAY) : null,
      removed_at: null,
      created_at: iso(at),
      updated_at: iso(at),
    });
    audits.push({
      at,
      action: state === 'active' ? 'factor.registered' : 'factor.registration_started',
      details: { factorType: type },
    });
    if (state === 'active' && mfaEnabledAt === null) mfaEnabledAt = at;
  };
  if (mix === 'app' || mix === 'both') addFactor('authenticator_app', 'active', registered);
  if (mix === 'email' || mix === 'both') addFactor('email', 'active', registered + (mix === 'both' ? DAY : 0));
  if (mix === 'pending') addFactor(rnd.chance(0.5) ? 'authenticator_app' : 'email', 'pending', now - rnd.int(0, 3) * DAY);

  const leavingDate = leftAt === null ? null : iso(leftAt).slice(0, 10);
  const pending = factors.some((f) => f.state === 'pending');
  const employee = employeeRow({
    id: employeeId,
    employeeNumber: number,
    firstName: first,
    lastName: last,
    username,
    organisation: org.name,
    department: rnd.pick(d.departments),
    jobTitle: rnd.pick(d.jobTitles),
    status: leaver ? 'leaver' : 'active',
    leavingDate,
    internetAccessApproved: internet,
    mfa: {
      mfaEnabledAt: mfaEnabledAt === null ? null : iso(mfaEnabledAt),
      mfaState: mfaEnabledAt !== null ? 'enabled' : pending ? 'pending' : 'not_registered',
      hasApp: factors.some((f) => f.type === 'authenticator_app' && f.state === 'active'),
      hasEmail: factors.some((f) => f.type === 'email' && f.state === 'active'),
      pendingRegistration: pending,
      locked: factors.some((f) => Number(f.failed_attempts) >= 5),
    },
    emails: emails.map((e) => e.address_lc),
    createdAt: iso(created),
  });
  // A registration still pending has the code that was sent for it; recent registrations have the
  // change confirmation that went to every address on record.
  const codes: Row[] = [];
  const mails: Row[] = [];
  for (const f of factors) {
    if (f.state === 'pending') {
      const issued = now + rnd.int(-3 * 24 * 60, 0) * 60_000;
      const email = emails.find((e) => e.id === f.email_id) ?? emails[0];
      if (!email) continue;
      codes.push({
        employee_id: employeeId,
        purpose: 'registration',
        code_hash: crypto.createHash('sha256').update(crypto.randomBytes(16)).digest('hex'),
        recipient: email.address,
        request_ref: null,
        issued_at: iso(issued),
        expires_at: iso(issued + 20 * 60_000),
        consumed_at: null,
        superseded_at: null,
        locked_at: null,
        attempts: rnd.int(0, 2),
      });
    } else if (f.state === 'active' && now - Number(new Date(String(f.registered_at))) <= 30 * DAY) {
      const when = String(f.registered_at);
      const change = f.type === 'authenticator_app' ? 'An authenticator app was added.' : 'An email address was added for one-time codes.';
      for (const e of emails) {
        mails.push({
          employee_id: employeeId,
          template: 'change_confirmation',
          recipient: e.address,
          ...renderDemoMail({ firstName: first, when: when.slice(0, 16).replace('T', ' ') + ' UTC', change, reference: `CHG-${Number(f.id)}`, webchatUrl: WEBCHAT_URL }),
          status: 'sent',
          attempts: 1,
          next_attempt_at: when,
          message_id: `<demo-${Number(f.id)}-${Number(e.id)}@mfa-desk.invalid>`,
          last_error: null,
          smtp_response: '250 2.0.0 OK: queued',
          created_at: when,
          sent_at: when,
        });
      }
    }
  }
  return { employee, emails, factors, audits, codes, mails };
}

function renderDemoMail(values: Record<string, string>): { subject: string; body_text: string; body_html: null } {
  const fill = (t: string) => t.replace(/\{\{(\w+)\}\}/g, (_m: string, k: string) => values[k] ?? '');
  const t = templates.change_confirmation;
  return { subject: fill(t.subject), body_text: fill(t.text.join('\n')) + '\n', body_html: null };
}

/**
 * Fill the database with deterministic, realistic demo data, in batches of 1,000 employees, each
 * batch one transaction with its own audit row, so millions stream through in constant memory.
 */
export async function seedDemoData(deps: Deps<'db' | 'clock' | 'vault'>, actor: Actor, input: SeedOptions): Promise<SeedResult> {
  const { db, clock } = deps;
  const opts = { ...input, vault: deps.vault, actor };
  const now = Math.floor(clock.now().getTime() / DAY) * DAY;
  const rnd = createRandom(opts.seed);
  const postgres = databaseKind(db) === 'postgres';
  let firstEmployeeId = 0;

  for (let done = 0; done < opts.employees; ) {
    const size = Math.min(BATCH, opts.employees - done);
    await db.transaction(async (trx) => {
      // Take the write lock first, then read where ids and numbering continue from, so two
      // loaders (the CLI and the app, or two desks on one database) never pick the same ids.
      if (postgres) await trx.raw("SELECT pg_advisory_xact_lock(hashtext('mfa-desk.seed'))");
      // On sqlite any write statement, even one that matches no row, takes the write lock.
      else await trx('settings').where({ key: '' }).update({ value: '' });
      const ids: Counters = {
        employeeId: await maxId(trx, 'employees'),
        emailId: await maxId(trx, 'employee_emails'),
        factorId: await maxId(trx, 'factors'),
      };
      if (done === 0) firstEmployeeId = ids.employeeId + 1;
      const employees: EmployeeInsertRow[] = [];
      const emails: EmailInsertRow[] = [];
      const factors: Row[] = [];
      const audits: AuditContent[] = [];
      const codes: Row[] = [];
      const mails: Row[] = [];
      for (let k = 0; k < size; k++) {
        const made = makeEmployee(rnd, now, ids, opts.vault);
        employees.push(made.employee);
        emails.push(...made.emails);
        factors.push(...made.factors);
        codes.push(...made.codes);
        mails.push(...made.mails);
        for (const a of made.audits) {
          audits.push({
            occurred_at: iso(a.at),
            actor_user_id: null,
            actor_name: 'employee',
            employee_id: Number(made.employee.id),
            ticket_ref: null,
            action: a.action,
            result: 'ok',
            details: JSON.stringify(a.details),
          });
        }
      }
      await insertEmployees(trx, employees);
      await insertEmails(trx, emails);
      await insertAll(trx, 'factors', factors);
      await insertAll(trx, 'audit_events', await chainAfterHead(trx, audits));
      await insertAll(trx, 'one_time_codes', codes);
      await insertAll(trx, 'mail_outbox', mails);
      await recordAudit(trx, clock, {
        actor: opts.actor,
        action: 'demo.batch_loaded',
        details: { seed: opts.seed, fromEmployeeId: employees[0]!.id, count: size },
      });
      if (postgres) {
        // Explicit ids do not move the sequences: move them in the same transaction.
        for (const table of ['employees', 'employee_emails', 'factors']) {
          await trx.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), GREATEST((SELECT MAX(id) FROM ??), 1))`, [table, table]);
        }
      }
    });
    done += size;
    opts.onProgress?.(done, opts.employees);
  }

  const deskUsers: SeedResult['deskUsers'] = [];
  if (opts.deskUsers) {
    for (const role of ['agent', 'manager', 'supervisor'] as const) {
      const username = `${role}.demo`;
      if (await findDeskUser(db, username)) {
        deskUsers.push({ username, role, password: null });
        continue;
      }
      const password = `demo-${crypto.randomBytes(9).toString('base64url')}`;
      await createDeskUser({ db, clock }, opts.actor, {
        username,
        displayName: `Demo ${role[0]!.toUpperCase()}${role.slice(1)}`,
        role,
        password,
      });
      deskUsers.push({ username, role, password });
    }
  }
  return { employees: opts.employees, firstEmployeeId, deskUsers };
}
