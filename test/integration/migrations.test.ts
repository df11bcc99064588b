import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDeskCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/clock';
import type { Database } from '../../electron/core/db/connection';
import { appliedMigrations, LATEST_MIGRATION, migrateToLatest, NewerDatabaseError, rollbackLast } from '../../electron/core/db/migrate';
import { MIGRATIONS } from '../../electron/core/db/migrations/index';
import { PRUNED_INDEXES } from '../../electron/core/db/migrations/0014_prune_indexes';
import { eventHash, GENESIS_HASH } from '../../electron/core/audit/chain';
import { silentLogger } from '../../electron/core/log/logger';
import { openScratchDatabase, scratch, TARGETS, type Scratch, type Target } from '../support/targets';

const NAMES = MIGRATIONS.map((m) => m.name);
const NOW = '2026-01-05T09:00:00.000Z';

// ── schema inspection, per dialect ─────────────────────────────────────────────────────────────

function isPg(k: Knex): boolean {
  return String((k.client as { config?: { client?: unknown } }).config?.client) === 'pg';
}

async function indexNames(k: Knex, table: string): Promise<string[]> {
  if (isPg(k)) {
    const r = await k.raw('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?', [table]);
    return (r.rows as Array<{ indexname: string }>).map((x) => x.indexname);
  }
  const rows: Array<{ name: string }> = await k.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table]);
  return rows.map((x) => x.name);
}

async function sqliteObjects(k: Knex, type: 'trigger' | 'table'): Promise<string[]> {
  const rows: Array<{ name: string }> = await k.raw('SELECT name FROM sqlite_master WHERE type = ?', [type]);
  return rows.map((x) => x.name);
}

/** Table names the migrations own (knex's own bookkeeping and sqlite internals left out). */
async function userTables(k: Knex): Promise<string[]> {
  if (isPg(k)) {
    const r = await k.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'knex\\_%' ORDER BY 1");
    return (r.rows as Array<{ tablename: string }>).map((x) => x.tablename);
  }
  const rows: Array<{ name: string }> = await k.raw(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'knex\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1",
  );
  return rows.map((x) => x.name);
}

/** The refused insert must fail, and because of the named constraint, not some other reason. */
async function expectRefused(p: Promise<unknown>, constraint: RegExp): Promise<void> {
  await expect(p).rejects.toThrow(constraint);
}

// ── rows the checks need ──────────────────────────────────────────────────────────────────────

let serial = 0;
function uniq(): number {
  return ++serial;
}

function employeeRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = uniq();
  return {
    employee_number: String(10_000_000 + n),
    first_name: 'Ada',
    last_name: 'Lovelace',
    username: `alovelace${n}`,
    organisation: 'Trust',
    department: 'Dept',
    sort_name: 'lovelace ada',
    search_doc: `ada lovelace ${10_000_000 + n} alovelace${n}`,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

async function insertId(k: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await k(table).insert(row).returning('id');
  return typeof r === 'object' ? Number((r as { id: number }).id) : Number(r);
}

async function newEmployee(k: Knex, overrides: Record<string, unknown> = {}): Promise<number> {
  return insertId(k, 'employees', employeeRow(overrides));
}

/** Three employees as 0011 finds them: MFA enabled (app, locked), registration pending, nothing. */
async function employeesWithFactors(k: Knex): Promise<void> {
  const factor = (employee_id: number, type: string, state: string, failed = 0) =>
    insertId(k, 'factors', { employee_id, type, state, failed_attempts: failed, created_at: NOW, updated_at: NOW });
  const enabled = await newEmployee(k, { first_name: 'Enabled', mfa_enabled_at: NOW });
  await factor(enabled, 'authenticator_app', 'active', 5);
  await factor(enabled, 'email', 'removed', 9);
  const pending = await newEmployee(k, { first_name: 'Pending' });
  await factor(pending, 'email', 'pending');
  await newEmployee(k, { first_name: 'Nobody' });
}

/** Three events as 0015 finds them, one about an employee, one by a desk user. */
async function eventsBeforeTheChain(k: Knex): Promise<void> {
  const emp = await newEmployee(k);
  const user = await newDeskUser(k);
  const event = (o: Record<string, unknown>) => ({ occurred_at: NOW, actor_name: 'x', action: 'a', ...o });
  await insertId(k, 'audit_events', event({ employee_id: emp, details: '{"n":1}' }));
  await insertId(k, 'audit_events', event({ actor_user_id: user, ticket_ref: 'chat-1', result: 'refused' }));
  await insertId(k, 'audit_events', event({ occurred_at: '2026-01-05T09:00:01.250Z', action: 'b' }));
}

async function newDeskUser(k: Knex, overrides: Record<string, unknown> = {}): Promise<number> {
  const n = uniq();
  return insertId(k, 'desk_users', {
    username: `desk${n}`,
    display_name: 'Desk',
    role: 'agent',
    password_hash: 'scrypt$x',
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  });
}

// ── what each migration adds ──────────────────────────────────────────────────────────────────

interface MigrationSpec {
  tables: string[];
  columns: Record<string, string[]>;
  indexes: Record<string, string[]>;
  /** Constraint checks and other behaviour that holds only while the migration is applied. */
  present?: (k: Knex) => Promise<void>;
  /** What must hold once it has been rolled back (tables are checked generically). */
  absent?: (k: Knex) => Promise<void>;
}

const SPECS: Record<string, MigrationSpec> = {
  '0001_settings': {
    tables: ['settings'],
    columns: { settings: ['key', 'value', 'updated_at'] },
    indexes: {},
    async present(k) {
      await k('settings').insert({ key: 'a', value: '1', updated_at: NOW });
      await expectRefused(k('settings').insert({ key: 'a', value: '2', updated_at: NOW }), /unique|duplicate/i);
      await expectRefused(k('settings').insert({ key: 'b', value: null, updated_at: NOW }), /not.?null/i);
    },
  },
  '0002_employees': {
    tables: ['employees'],
    columns: {
      employees: [
        'id', 'employee_number', 'first_name', 'last_name', 'username', 'organisation', 'department', 'job_title', 'status',
        'leaving_date', 'internet_access_approved', 'mfa_enabled_at', 'version', 'sort_name', 'search_doc', 'created_at', 'updated_at',
      ],
    },
    indexes: { employees: ['employees_sort_name_idx', 'employees_org_dept_idx'] },
    async present(k) {
      const id = await newEmployee(k);
      const row = await k('employees').where({ id }).first();
      expect(row.status).toBe('active');
      expect(row.version).toBe(1);
      expect(row.job_title).toBe('');
      await expectRefused(newEmployee(k, { status: 'retired' }), /employees_status_check/);
      // A leaver has a leaving date and only a leaver has one.
      await expectRefused(newEmployee(k, { status: 'leaver', leaving_date: null }), /employees_leaving_date_check/);
      await expectRefused(newEmployee(k, { status: 'active', leaving_date: '2025-12-31' }), /employees_leaving_date_check/);
      await newEmployee(k, { status: 'leaver', leaving_date: '2025-12-31' });
      const dup = employeeRow();
      await k('employees').insert(dup);
      await expectRefused(k('employees').insert({ ...employeeRow(), employee_number: dup.employee_number }), /unique|duplicate/i);
      await expectRefused(k('employees').insert({ ...employeeRow(), username: dup.username }), /unique|duplicate/i);
    },
  },
  '0003_employee_emails': {
    tables: ['employee_emails'],
    columns: {
      employee_emails: ['id', 'employee_id', 'kind', 'address', 'address_lc', 'used_for_codes', 'source', 'created_at', 'updated_at'],
    },
    indexes: { employee_emails: ['employee_emails_employee_address_uq', 'employee_emails_address_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const email = (o: Record<string, unknown> = {}) => ({
        employee_id: emp,
        kind: 'work',
        address: 'A@x.nhs.uk',
        address_lc: 'a@x.nhs.uk',
        created_at: NOW,
        updated_at: NOW,
        ...o,
      });
      await k('employee_emails').insert(email());
      await expectRefused(k('employee_emails').insert(email()), /unique|duplicate/i);
      await expectRefused(k('employee_emails').insert(email({ address_lc: 'b@x', kind: 'home' })), /employee_emails_kind_check/);
      await expectRefused(k('employee_emails').insert(email({ address_lc: 'c@x', source: 'self' })), /employee_emails_source_check/);
      await expectRefused(k('employee_emails').insert(email({ address_lc: 'd@x', employee_id: 987_654 })), /foreign key/i);
      // Deleting the employee takes their emails with it.
      await k('employees').where({ id: emp }).delete();
      expect(await k('employee_emails').where({ employee_id: emp })).toHaveLength(0);
    },
  },
  '0004_factors': {
    tables: ['factors'],
    columns: {
      factors: [
        'id', 'employee_id', 'type', 'state', 'email_id', 'totp_seed_enc', 'totp_last_step', 'failed_attempts', 'registered_at',
        'last_used_at', 'removed_at', 'created_at', 'updated_at',
      ],
    },
    indexes: { factors: ['factors_employee_state_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const emailId = await insertId(k, 'employee_emails', {
        employee_id: emp,
        kind: 'work',
        address: 'f@x',
        address_lc: 'f@x',
        created_at: NOW,
        updated_at: NOW,
      });
      const factor = (o: Record<string, unknown> = {}) => ({
        employee_id: emp,
        type: 'email',
        state: 'active',
        email_id: emailId,
        created_at: NOW,
        updated_at: NOW,
        ...o,
      });
      const id = await insertId(k, 'factors', factor());
      await expectRefused(k('factors').insert(factor({ type: 'sms' })), /factors_type_check/);
      await expectRefused(k('factors').insert(factor({ state: 'disabled' })), /factors_state_check/);
      // Removing the email keeps the factor's history but forgets the address.
      await k('employee_emails').where({ id: emailId }).delete();
      const row = await k('factors').where({ id }).first();
      expect(row.email_id).toBeNull();
      expect(row.failed_attempts).toBe(0);
    },
  },
  '0005_one_time_codes': {
    tables: ['one_time_codes'],
    columns: {
      one_time_codes: [
        'id', 'employee_id', 'purpose', 'code_hash', 'recipient', 'request_ref', 'issued_at', 'expires_at', 'consumed_at',
        'superseded_at', 'locked_at', 'attempts',
      ],
    },
    indexes: { one_time_codes: ['one_time_codes_employee_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const code = (o: Record<string, unknown> = {}) => ({
        employee_id: emp,
        purpose: 'registration',
        code_hash: 'h',
        recipient: 'a@x',
        issued_at: NOW,
        expires_at: NOW,
        ...o,
      });
      await k('one_time_codes').insert(code());
      await expectRefused(k('one_time_codes').insert(code({ purpose: 'login' })), /one_time_codes_purpose_check/);
    },
  },
  '0006_mail_outbox': {
    tables: ['mail_outbox'],
    columns: {
      mail_outbox: [
        'id', 'employee_id', 'template', 'recipient', 'subject', 'body_text', 'body_html', 'status', 'attempts', 'next_attempt_at',
        'message_id', 'last_error', 'smtp_response', 'created_at', 'sent_at',
      ],
    },
    indexes: { mail_outbox: ['mail_outbox_due_idx', 'mail_outbox_employee_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const mail = (o: Record<string, unknown> = {}) => ({
        employee_id: emp,
        template: 't',
        recipient: 'a@x',
        subject: 's',
        body_text: 'b',
        next_attempt_at: NOW,
        message_id: `<${uniq()}@desk>`,
        created_at: NOW,
        ...o,
      });
      const id = await insertId(k, 'mail_outbox', mail({ message_id: '<same@desk>' }));
      expect((await k('mail_outbox').where({ id }).first()).status).toBe('queued');
      await expectRefused(k('mail_outbox').insert(mail({ message_id: '<same@desk>' })), /unique|duplicate/i);
      await expectRefused(k('mail_outbox').insert(mail({ status: 'bounced' })), /mail_outbox_status_check/);
      // The mail record outlives the employee.
      await k('employees').where({ id: emp }).delete();
      expect((await k('mail_outbox').where({ id }).first()).employee_id).toBeNull();
    },
  },
  '0007_desk_users': {
    tables: ['desk_users'],
    columns: {
      desk_users: [
        'id', 'username', 'display_name', 'role', 'password_hash', 'totp_seed_enc', 'totp_enrolled_at', 'totp_last_step',
        'disabled_at', 'failed_signins', 'locked_until', 'last_signin_at', 'created_at', 'updated_at',
      ],
    },
    indexes: {},
    async present(k) {
      const id = await newDeskUser(k, { username: 'same.name' });
      expect((await k('desk_users').where({ id }).first()).failed_signins).toBe(0);
      await expectRefused(newDeskUser(k, { username: 'same.name' }), /unique|duplicate/i);
      await expectRefused(newDeskUser(k, { role: 'root' }), /desk_users_role_check/);
      // totp_last_step is a bigint: steps far beyond 2^31 fit.
      await k('desk_users').where({ id }).update({ totp_last_step: 2 ** 40 });
      expect(Number((await k('desk_users').where({ id }).first()).totp_last_step)).toBe(2 ** 40);
    },
  },
  '0008_tickets': {
    tables: ['tickets'],
    columns: {
      tickets: [
        'id', 'reference', 'category', 'status', 'employee_id', 'assignee_id', 'opened_by', 'opened_at', 'resolved_at',
        'resolution_note', 'notes',
      ],
    },
    indexes: { tickets: ['tickets_status_idx', 'tickets_employee_idx'] },
    async present(k) {
      const user = await newDeskUser(k);
      const ticket = (o: Record<string, unknown> = {}) => ({ reference: `chat-${uniq()}`, opened_by: user, opened_at: NOW, ...o });
      const id = await insertId(k, 'tickets', ticket({ reference: 'chat-same' }));
      const row = await k('tickets').where({ id }).first();
      expect([row.status, row.category, row.notes]).toEqual(['open', 'other', '']);
      await expectRefused(k('tickets').insert(ticket({ reference: 'chat-same' })), /unique|duplicate/i);
      await expectRefused(k('tickets').insert(ticket({ status: 'closed' })), /tickets_status_check/);
      await expectRefused(k('tickets').insert(ticket({ opened_by: 987_654 })), /foreign key/i);
    },
  },
  '0009_audit_events': {
    tables: ['audit_events'],
    columns: {
      audit_events: ['id', 'occurred_at', 'actor_user_id', 'actor_name', 'employee_id', 'ticket_ref', 'action', 'result', 'details'],
    },
    indexes: { audit_events: ['audit_events_employee_idx', 'audit_events_time_idx', 'audit_events_ticket_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const user = await newDeskUser(k);
      const event = (o: Record<string, unknown> = {}) => ({ occurred_at: NOW, actor_name: 'x', action: 'a', ...o });
      const id = await insertId(k, 'audit_events', event({ employee_id: emp, actor_user_id: user }));
      const row = await k('audit_events').where({ id }).first();
      expect([row.result, row.details]).toEqual(['ok', '{}']);
      await expectRefused(k('audit_events').insert(event({ result: 'maybe' })), /audit_events_result_check/);
      // The audit trail survives the deletion of what it is about.
      await k('employees').where({ id: emp }).delete();
      await k('desk_users').where({ id: user }).delete();
      expect(await k('audit_events').where({ id }).first()).toMatchObject({ employee_id: null, actor_user_id: null });
    },
  },
  '0010_employee_search': {
    tables: [],
    columns: {},
    indexes: {},
    async present(k) {
      if (isPg(k)) {
        const idx = await indexNames(k, 'employees');
        for (const name of [
          'employees_search_trgm_idx',
          'employees_sort_name_pattern_idx',
          'employees_username_pattern_idx',
          'employees_number_pattern_idx',
        ]) {
          expect(idx).toContain(name);
        }
        // The trigram index serves a substring LIKE (planner forced off the sequential scan).
        await k.transaction(async (trx) => {
          await trx.raw('SET LOCAL enable_seqscan = off');
          const plan = await trx.raw("EXPLAIN SELECT id FROM employees WHERE search_doc LIKE '%lovel%'");
          expect(JSON.stringify(plan.rows)).toContain('employees_search_trgm_idx');
        });
        return;
      }
      expect(await sqliteObjects(k, 'table')).toContain('employee_fts');
      expect(await sqliteObjects(k, 'trigger')).toEqual(expect.arrayContaining(['employees_fts_ai', 'employees_fts_ad', 'employees_fts_au']));
      const match = async (phrase: string) =>
        (await k.raw<Array<{ id: number }>>('SELECT rowid AS id FROM employee_fts WHERE employee_fts MATCH ?', [`"${phrase}"`])).map(
          (r) => Number(r.id),
        );
      // Rows from before the migration were indexed by its rebuild (see the before hook below).
      const before = await k('employees').where('search_doc', 'like', '%preexisting%').first();
      expect(before).toBeDefined();
      expect(await match('preexisting')).toEqual([Number(before.id)]);
      // Triggers keep the index in step with inserts, updates and deletes.
      const id = await newEmployee(k, { search_doc: 'zebedee quixote' });
      expect(await match('quixo')).toEqual([id]);
      await k('employees').where({ id }).update({ search_doc: 'zebedee marmaduke' });
      expect(await match('quixo')).toEqual([]);
      expect(await match('rmadu')).toEqual([id]);
      await k('employees').where({ id }).delete();
      expect(await match('rmadu')).toEqual([]);
    },
    async absent(k) {
      if (isPg(k)) {
        const idx = await indexNames(k, 'employees');
        expect(idx.filter((n) => /_trgm_|_pattern_/.test(n))).toEqual([]);
        return;
      }
      expect(await sqliteObjects(k, 'table')).not.toContain('employee_fts');
      expect((await sqliteObjects(k, 'trigger')).filter((n) => n.startsWith('employees_fts_'))).toEqual([]);
      // Without its triggers the employees table still takes writes.
      await newEmployee(k);
    },
  },
  '0011_employee_ranking': {
    tables: [],
    columns: { employees: ['given_sort', 'mfa_state', 'has_app', 'has_email', 'pending_registration', 'locked'] },
    indexes: {
      employees: [
        'employees_given_sort_idx',
        'employees_sort_name_id_idx',
        'employees_org_name_idx',
        'employees_status_name_idx',
        'employees_mfa_name_idx',
        'employees_pending_name_idx',
        'employees_locked_name_idx',
      ],
      employee_emails: ['employee_emails_address_emp_idx'],
    },
    async present(k) {
      // Rows from before the migration got their flags from their factors (see the before hook).
      const rows = await k('employees').whereIn('first_name', ['Enabled', 'Pending', 'Nobody']).orderBy('first_name');
      const flags = rows.map((r: Record<string, unknown>) => ({
        first: r.first_name,
        given: r.given_sort,
        mfa: r.mfa_state,
        app: Boolean(r.has_app),
        email: Boolean(r.has_email),
        pending: Boolean(r.pending_registration),
        locked: Boolean(r.locked),
      }));
      expect(flags).toEqual([
        { first: 'Enabled', given: 'enabled lovelace', mfa: 'enabled', app: true, email: false, pending: false, locked: true },
        { first: 'Nobody', given: 'nobody lovelace', mfa: 'not_registered', app: false, email: false, pending: false, locked: false },
        { first: 'Pending', given: 'pending lovelace', mfa: 'pending', app: false, email: false, pending: true, locked: false },
      ]);
      if (isPg(k)) {
        // Key columns compare by code point, as on sqlite: 'Z' < 'a' < '~'.
        const ordered = await k.raw("SELECT x FROM (VALUES ('a'::varchar COLLATE \"C\"), ('~'), ('Z')) v(x) ORDER BY x");
        expect(ordered.rows.map((r: { x: string }) => r.x)).toEqual(['Z', 'a', '~']);
        const col = await k.raw("SELECT collation_name FROM information_schema.columns WHERE table_name = 'employees' AND column_name = 'sort_name' AND table_schema = current_schema()");
        expect(col.rows[0].collation_name).toBe('C');
      }
    },
    async absent(k) {
      expect(await k.schema.hasColumn('employees', 'mfa_state')).toBe(false);
      expect(await k.schema.hasColumn('employees', 'given_sort')).toBe(false);
      if (!isPg(k)) {
        // The full-text triggers on employees survive the rollback.
        const id = await newEmployee(k, { search_doc: 'zanzibar rollback' });
        const hits = await k.raw<Array<{ id: number }>>('SELECT rowid AS id FROM employee_fts WHERE employee_fts MATCH ?', ['"zanzib"']);
        expect(hits.map((h) => Number(h.id))).toEqual([id]);
      }
    },
  },
  '0012_search_statistics': {
    tables: [],
    columns: {},
    indexes: {},
    async present(k) {
      if (!isPg(k)) return;
      expect(await statisticsTarget(k, 'search_doc')).toBe(1000);
      expect(await statisticsTarget(k, 'sort_name')).toBe(-1);
    },
    async absent(k) {
      if (isPg(k)) expect(await statisticsTarget(k, 'search_doc')).toBe(-1);
    },
  },
  '0013_mfa_operations': {
    tables: ['caller_verifications'],
    columns: {
      employees: ['code_failures', 'codes_locked_at'],
      one_time_codes: ['factor_id', 'email_id'],
      mail_outbox: ['reference', 'transport', 'claimed_until', 'claim_token', 'sealed'],
      caller_verifications: ['id', 'employee_id', 'ticket_ref', 'method', 'verified_by', 'verified_by_name', 'reason', 'verified_at'],
    },
    indexes: { one_time_codes: ['one_time_codes_employee_time_idx'], caller_verifications: ['caller_verifications_employee_idx'] },
    async present(k) {
      const emp = await newEmployee(k);
      const user = await newDeskUser(k);
      expect(await k('employees').where({ id: emp }).first()).toMatchObject({ code_failures: 0, codes_locked_at: null });
      const check = (o: Record<string, unknown> = {}) => ({
        employee_id: emp,
        ticket_ref: 'chat-1',
        method: 'email_code',
        verified_by: user,
        verified_by_name: 'agent',
        verified_at: NOW,
        ...o,
      });
      await insertId(k, 'caller_verifications', check());
      await expectRefused(k('caller_verifications').insert(check({ method: 'guess' })), /caller_verifications_method_check/);
      // A verification goes with its employee.
      await k('employees').where({ id: emp }).delete();
      expect(await k('caller_verifications').where({ employee_id: emp })).toEqual([]);
    },
    async absent(k) {
      expect(await k.schema.hasColumn('employees', 'code_failures')).toBe(false);
      expect(await k.schema.hasColumn('one_time_codes', 'factor_id')).toBe(false);
      expect(await k.schema.hasColumn('mail_outbox', 'claimed_until')).toBe(false);
    },
  },
  '0014_prune_indexes': {
    tables: [],
    columns: {},
    indexes: {},
    async present(k) {
      const names = [...(await indexNames(k, 'employees')), ...(await indexNames(k, 'employee_emails'))];
      for (const gone of PRUNED_INDEXES[isPg(k) ? 'postgres' : 'sqlite']) expect(names).not.toContain(gone);
      // What they served is still served: the uniques, the keyset orders, the look-up by address.
      expect(names).toEqual(
        expect.arrayContaining([
          'employees_employee_number_unique',
          'employees_username_unique',
          'employees_sort_name_id_idx',
          'employees_org_name_idx',
          'employee_emails_address_emp_idx',
          ...(isPg(k) ? ['employees_number_id_idx', 'employees_username_id_idx'] : []),
        ]),
      );
      const plan = async (sql: string): Promise<string> => {
        if (isPg(k)) {
          return k.transaction(async (trx) => {
            await trx.raw('SET LOCAL enable_seqscan = off');
            return JSON.stringify((await trx.raw(`EXPLAIN ${sql}`)).rows);
          });
        }
        return JSON.stringify(await k.raw(`EXPLAIN QUERY PLAN ${sql}`));
      };
      // A name prefix range in keyset order, and a look-up by address, still walk an index.
      expect(await plan("SELECT id FROM employees WHERE sort_name >= 'lov' AND sort_name < 'low' ORDER BY sort_name, id LIMIT 5")).toMatch(
        /employees_sort_name_id_idx/,
      );
      expect(await plan("SELECT employee_id FROM employee_emails WHERE address_lc = 'a@x.nhs.uk'")).toMatch(/employee_emails_address_emp_idx/);
      expect(await plan("SELECT id FROM employees WHERE employee_number >= '0001' AND employee_number < '0002' ORDER BY employee_number, id LIMIT 5")).toMatch(
        isPg(k) ? /employees_number_id_idx/ : /employees_employee_number_unique/,
      );
    },
    async absent(k) {
      const names = [...(await indexNames(k, 'employees')), ...(await indexNames(k, 'employee_emails'))];
      expect(names).toEqual(expect.arrayContaining(PRUNED_INDEXES[isPg(k) ? 'postgres' : 'sqlite']));
    },
  },
  '0015_audit_chain': {
    tables: ['audit_checkpoints'],
    columns: {
      audit_events: ['seq', 'prev_hash', 'hash'],
      audit_checkpoints: ['id', 'created_at', 'head_seq', 'head_hash', 'event_count', 'reason', 'created_by', 'mac'],
    },
    indexes: { audit_events: ['audit_events_seq_unique'] },
    async present(k) {
      // The events that were there are chained in id order, from the genesis hash.
      const rows = await k('audit_events').orderBy('id').select();
      expect(rows.length).toBe(3);
      let prev = GENESIS_HASH;
      for (const [i, r] of rows.entries()) {
        expect([Number(r.seq), r.prev_hash]).toEqual([i + 1, prev]);
        expect(r.hash).toBe(eventHash(i + 1, r, prev));
        prev = r.hash;
      }
      // Append-only, for both tables; an event outside the chain is refused.
      const first = Number(rows[0].id);
      await expectRefused(k('audit_events').where({ id: first }).update({ action: 'edited' }), /append-only/);
      await expectRefused(k('audit_events').where({ id: first }).delete(), /append-only/);
      await expectRefused(k('audit_events').insert({ occurred_at: NOW, actor_name: 'x', action: 'a' }), /chain|null/i);
      const cp = await insertId(k, 'audit_checkpoints', {
        created_at: NOW,
        head_seq: 3,
        head_hash: prev,
        event_count: 3,
        reason: 'manual',
        created_by: 'test',
        mac: 'f'.repeat(64),
      });
      await expectRefused(k('audit_checkpoints').where({ id: cp }).update({ head_seq: 2 }), /append-only/);
      await expectRefused(k('audit_checkpoints').where({ id: cp }).delete(), /append-only/);
      if (isPg(k)) {
        await expectRefused(k.raw('TRUNCATE audit_events'), /append-only/);
        await expectRefused(k.raw('TRUNCATE audit_checkpoints'), /append-only/);
      }
      // What an event is about can no longer be deleted from under it (ON DELETE SET NULL is an update).
      const emp = rows.find((r) => r.employee_id !== null)!.employee_id;
      await expectRefused(k('employees').where({ id: emp }).delete(), /append-only/);
      expect(Number((await k('audit_events').count({ n: '*' }).first())!.n)).toBe(3);
    },
    async absent(k) {
      expect(await k.schema.hasColumn('audit_events', 'hash')).toBe(false);
      if (!isPg(k)) expect((await sqliteObjects(k, 'trigger')).filter((t) => t.startsWith('audit_'))).toEqual([]);
      // Plain rows again, as before the migration.
      const [row] = await k('audit_events').orderBy('id').limit(1).select('id');
      await k('audit_events').where({ id: row.id }).update({ details: '{"edited":true}' });
    },
  },
  '0016_audit_time_order': {
    tables: [],
    columns: {},
    indexes: { audit_events: ['audit_events_time_seq_idx'] },
    async present(k) {
      expect(await indexNames(k, 'audit_events')).not.toContain('audit_events_time_idx');
      // A report's keyset page in time order walks the new index.
      const sql = "SELECT seq FROM audit_events WHERE occurred_at >= '2026-01-01' AND (occurred_at, seq) > ('2026-01-02', 5) ORDER BY occurred_at, seq LIMIT 50";
      const plan = isPg(k)
        ? await k.transaction(async (trx) => {
            await trx.raw('SET LOCAL enable_seqscan = off');
            return JSON.stringify((await trx.raw(`EXPLAIN ${sql}`)).rows);
          })
        : JSON.stringify(await k.raw(`EXPLAIN QUERY PLAN ${sql}`));
      expect(plan).toMatch(/audit_events_time_seq_idx/);
    },
    async absent(k) {
      const names = await indexNames(k, 'audit_events');
      expect(names).toContain('audit_events_time_idx');
      expect(names).not.toContain('audit_events_time_seq_idx');
    },
  },
  '0017_desk_user_admin': {
    tables: [],
    columns: { desk_users: ['must_change_password', 'session_epoch'] },
    indexes: {},
    async present(k) {
      const id = await insertId(k, 'desk_users', {
        username: `u${uniq()}`,
        display_name: 'U',
        role: 'agent',
        password_hash: 'x',
        created_at: NOW,
        updated_at: NOW,
      });
      const row = await k('desk_users').where({ id }).first('must_change_password', 'session_epoch');
      expect([Boolean(row.must_change_password), Number(row.session_epoch)]).toEqual([false, 0]);
    },
    async absent(k) {
      expect(await k.schema.hasColumn('desk_users', 'must_change_password')).toBe(false);
      expect(await k.schema.hasColumn('desk_users', 'session_epoch')).toBe(false);
      expect(await k.schema.hasColumn('desk_users', 'username')).toBe(true);
    },
  },
  '0018_ticket_workflow': {
    tables: ['manager_tasks'],
    columns: {
      tickets: ['reopened_count', 'linked_event_id', 'updated_at'],
      manager_tasks: ['id', 'ticket_id', 'employee_id', 'description', 'status', 'created_at', 'created_by', 'created_by_name', 'closed_at', 'closed_by_name'],
    },
    indexes: {
      tickets: ['tickets_assignee_idx', 'tickets_opened_idx', 'tickets_linked_event_idx'],
      manager_tasks: ['manager_tasks_status_idx', 'manager_tasks_employee_idx', 'manager_tasks_ticket_idx'],
      mail_outbox: ['mail_outbox_reference_idx'],
    },
    async present(k) {
      const user = await newDeskUser(k);
      const emp = await newEmployee(k);
      const ticket = await insertId(k, 'tickets', { reference: `chat-${uniq()}`, opened_by: user, opened_at: NOW, employee_id: emp });
      expect(Number((await k('tickets').where({ id: ticket }).first()).reopened_count)).toBe(0);
      const task = (o: Record<string, unknown> = {}) => ({
        ticket_id: ticket,
        employee_id: emp,
        description: 'Correct the email on record',
        created_at: NOW,
        created_by: user,
        created_by_name: 'u',
        ...o,
      });
      const id = await insertId(k, 'manager_tasks', task());
      expect((await k('manager_tasks').where({ id }).first()).status).toBe('open');
      await expectRefused(k('manager_tasks').insert(task({ status: 'later' })), /manager_tasks_status_check/);
      await expectRefused(k('manager_tasks').insert(task({ ticket_id: 987_654 })), /foreign key/i);
      // A task goes with its ticket.
      await k('tickets').where({ id: ticket }).delete();
      expect(await k('manager_tasks').where({ id }).first()).toBeUndefined();
    },
    async absent(k) {
      expect(await k.schema.hasColumn('tickets', 'reopened_count')).toBe(false);
      expect(await k.schema.hasColumn('tickets', 'reference')).toBe(true);
      expect(await indexNames(k, 'mail_outbox')).not.toContain('mail_outbox_reference_idx');
    },
  },
  '0019_audit_signatures': {
    tables: [],
    columns: { audit_events: ['mac'], audit_checkpoints: ['prev_mac'] },
    indexes: { audit_events: ['audit_events_unsigned_idx'] },
    async present(k) {
      const head = Number(((await k('audit_events').max({ s: 'seq' }).first()) as { s: number | null }).s ?? 0);
      const event = (seq: number, o: Record<string, unknown> = {}) => ({
        occurred_at: NOW, actor_name: 'x', action: 'a', result: 'ok', details: '{}', seq, prev_hash: 'p'.repeat(64), hash: 'h'.repeat(64), ...o,
      });
      // New events arrive signed.
      await expectRefused(k('audit_events').insert(event(head + 1)), isPg(k) ? /audit_events_signed/ : /signed/);
      const id = await insertId(k, 'audit_events', event(head + 1, { mac: 'm'.repeat(64) }));
      // A signed event cannot change, its signature included.
      await expectRefused(k('audit_events').where({ id }).update({ mac: 'n'.repeat(64) }), /append-only/);
      await expectRefused(k('audit_events').where({ id }).update({ details: '{"x":1}' }), /append-only/);
      const cp = await insertId(k, 'audit_checkpoints', { created_at: NOW, head_seq: head + 1, head_hash: 'h'.repeat(64), event_count: head + 1, reason: 'manual', created_by: 't', mac: 'c'.repeat(64), prev_mac: '' });
      const cols = '(id, occurred_at, actor_name, action, result, details, seq, prev_hash, hash, mac)';
      const values = (rowId: number, seq: number) => [rowId, NOW, 'intruder', 'forged', 'ok', '{}', seq, 'p'.repeat(64), 'f'.repeat(64), 'f'.repeat(64)];
      if (isPg(k)) {
        // No REPLACE on PostgreSQL: an upsert or a MERGE goes through the UPDATE and DELETE triggers.
        await expectRefused(k.raw(`INSERT INTO audit_events ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET details = EXCLUDED.details`, values(id + 1000, head + 1)), /append-only/);
        await expectRefused(k.raw(`INSERT INTO audit_events ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET mac = EXCLUDED.mac`, values(id, head + 2)), /append-only/);
        await expectRefused(k.raw('MERGE INTO audit_events t USING (SELECT ?::integer AS seq) s ON t.seq = s.seq WHEN MATCHED THEN DELETE', [head + 1]), /append-only/);
        await expectRefused(k.raw('MERGE INTO audit_events t USING (SELECT ?::integer AS seq) s ON t.seq = s.seq WHEN MATCHED THEN UPDATE SET details = \'{}\'', [head + 1]), /append-only/);
        await expectRefused(k.raw("INSERT INTO audit_checkpoints (id, created_at, head_seq, head_hash, event_count, reason, created_by, mac) VALUES (?, ?, 0, 'x', 0, 'manual', 'i', 'x') ON CONFLICT (id) DO UPDATE SET head_seq = 0", [cp, NOW]), /append-only/);
      } else {
        // INSERT OR REPLACE / REPLACE INTO over the same id, or another id with the same seq (which would delete that row).
        await expectRefused(k.raw(`INSERT OR REPLACE INTO audit_events ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values(id, head + 1)), /append-only/);
        await expectRefused(k.raw(`REPLACE INTO audit_events ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values(id + 1000, head + 1)), /append-only/);
        await expectRefused(k.raw(`INSERT OR REPLACE INTO audit_events ${cols} SELECT id, occurred_at, 'intruder', action, result, details, seq, prev_hash, hash, mac FROM audit_events WHERE id = ?`, [id]), /append-only/);
        await expectRefused(k.raw("INSERT OR REPLACE INTO audit_checkpoints (id, created_at, head_seq, head_hash, event_count, reason, created_by, mac) VALUES (?, ?, 0, 'x', 0, 'manual', 'i', 'x')", [cp, NOW]), /append-only/);
        await expectRefused(k.raw(`INSERT INTO audit_events ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET details = excluded.details`, values(id + 1000, head + 1)), /append-only/);
      }
      expect(await k('audit_events').where({ id }).first()).toMatchObject({ actor_name: 'x', mac: 'm'.repeat(64), details: '{}' });
      expect(await k('audit_checkpoints').where({ id: cp }).first()).toMatchObject({ mac: 'c'.repeat(64), head_seq: head + 1 });
      expect(Number(((await k('audit_events').count({ n: '*' }).first()) as { n: number }).n)).toBe(head + 1);
    },
    async absent(k) {
      expect(await k.schema.hasColumn('audit_events', 'mac')).toBe(false);
      expect(await k.schema.hasColumn('audit_checkpoints', 'prev_mac')).toBe(false);
    },
  },
  '0020_signin_failures': {
    tables: ['signin_failures'],
    columns: { signin_failures: ['name_key', 'failures', 'locked_until', 'updated_at'] },
    indexes: { signin_failures: ['signin_failures_updated_idx'] },
    async present(k) {
      expect(await k.schema.hasColumn('desk_users', 'failed_signins')).toBe(false);
      expect(await k.schema.hasColumn('desk_users', 'locked_until')).toBe(false);
      await k('signin_failures').insert({ name_key: 'k'.repeat(64), failures: 1, updated_at: NOW });
      await expectRefused(k('signin_failures').insert({ name_key: 'k'.repeat(64), failures: 2, updated_at: NOW }), /unique|duplicate|primary/i);
      await newDeskUser(k);
    },
    async absent(k) {
      expect(await k.schema.hasColumn('desk_users', 'failed_signins')).toBe(true);
      expect(await k.schema.hasColumn('desk_users', 'locked_until')).toBe(true);
    },
  },  '0021_portal_keys': {
    tables: ['portal_keys'],
    columns: { portal_keys: ['id', 'integration', 'key_hash', 'hint', 'created_at', 'created_by_name', 'last_used_at', 'revoked_at', 'revoked_by_name'] },
    indexes: { portal_keys: ['portal_keys_integration_idx'] },
    async present(k) {
      const key = { integration: 'portal', key_hash: 'h'.repeat(64), hint: 'mdk_abcd', created_at: NOW, created_by_name: 'cli' };
      await k('portal_keys').insert(key);
      // One hash, one key: the same key cannot be stored twice, for any integration.
      await expectRefused(k('portal_keys').insert({ ...key, integration: 'other' }), /unique|duplicate/i);
    },
  },
  '0022_signin_verifications': {
    tables: ['signin_verifications'],
    columns: { signin_verifications: ['id', 'employee_id', 'factor_id', 'method', 'result', 'integration', 'checked_at'] },
    indexes: { signin_verifications: ['signin_verifications_employee_idx', 'signin_verifications_day_idx'] },
    async present(k) {
      const employeeId = await newEmployee(k);
      const row = { employee_id: employeeId, method: 'authenticator_app', result: 'accepted', integration: 'portal', checked_at: NOW };
      await k('signin_verifications').insert(row);
      await expectRefused(k('signin_verifications').insert({ ...row, result: 'maybe' }), /check|constraint/i);
      await expectRefused(k('signin_verifications').insert({ ...row, method: 'sms' }), /check|constraint/i);
    },
  },
  '0023_portal_requests': {
    tables: ['portal_requests'],
    columns: { portal_requests: ['id', 'portal_key_id', 'idempotency_key', 'request_hash', 'status', 'response_status', 'response_body', 'created_at'] },
    indexes: { portal_requests: ['portal_requests_created_idx'] },
    async present(k) {
      // Each application of the migration makes its own key (the rows of portal_keys outlive it).
      const hash = String(Math.random()).slice(2).padEnd(64, 'q');
      const [key] = await k('portal_keys').insert({ integration: 'p', key_hash: hash, hint: 'mdk_qqqqqqqq', created_at: NOW, created_by_name: 'cli' }).returning('id');
      const keyId = typeof key === 'object' ? Number((key as { id: number }).id) : Number(key);
      const row = { portal_key_id: keyId, idempotency_key: 'retry-1', request_hash: 'h'.repeat(64), status: 'pending', created_at: NOW };
      await k('portal_requests').insert(row);
      await expectRefused(k('portal_requests').insert(row), /unique|duplicate/i);
      await expectRefused(k('portal_requests').insert({ ...row, idempotency_key: 'retry-2', status: 'maybe' }), /check|constraint/i);
    },
  },
  '0024_sign_in_codes': {
    tables: [],
    columns: {},
    indexes: { one_time_codes: ['one_time_codes_employee_idx', 'one_time_codes_employee_time_idx'] },
    async present(k) {
      const employeeId = await newEmployee(k);
      const code = { employee_id: employeeId, code_hash: 'h'.repeat(64), recipient: 'a@example.org', issued_at: NOW, expires_at: NOW, attempts: 0 };
      await k('one_time_codes').insert({ ...code, purpose: 'sign_in' });
      await k('one_time_codes').insert({ ...code, purpose: 'registration' });
      await expectRefused(k('one_time_codes').insert({ ...code, purpose: 'sms' }), /check|constraint/i);
    },
    async absent(k) {
      // Back to three purposes: the sign-in codes are gone with it, the others are kept.
      expect(Number((await k('one_time_codes').where({ purpose: 'sign_in' }).count({ n: '*' }).first())?.n)).toBe(0);
      const employeeId = await newEmployee(k);
      const code = { employee_id: employeeId, code_hash: 'h'.repeat(64), recipient: 'a@example.org', issued_at: NOW, expires_at: NOW, attempts: 0 };
      await expectRefused(k('one_time_codes').insert({ ...code, purpose: 'sign_in' }), /check|constraint/i);
      expect(await indexNames(k, 'one_time_codes')).toEqual(expect.arrayContaining(['one_time_codes_employee_idx']));
    },
  },
  '0025_hr_row_hash': {
    tables: [],
    columns: { employees: ['hr_hash'] },
    indexes: {},
    async present(k) {
      // Every record starts without a fingerprint; the HR import writes "<version>:<hash>".
      const id = await newEmployee(k);
      expect(await k('employees').where({ id }).first('hr_hash')).toEqual({ hr_hash: null });
      await k('employees').where({ id }).update({ hr_hash: '1:n42SbEs8srxPduZYUCATGg' });
      expect(await k('employees').where({ id }).first('hr_hash')).toEqual({ hr_hash: '1:n42SbEs8srxPduZYUCATGg' });
    },
    async absent(k) {
      expect(await k.schema.hasColumn('employees', 'hr_hash')).toBe(false);
      expect(await k.schema.hasColumn('employees', 'search_doc')).toBe(true);
      await newEmployee(k);
    },
  },
};

/** PostgreSQL: the column's statistics target (-1: the server's default). */
async function statisticsTarget(k: Knex, column: string): Promise<number> {
  const r = await k.raw(
    "SELECT attstattarget AS n FROM pg_attribute WHERE attrelid = 'employees'::regclass AND attname = ?",
    [column],
  );
  return Number(r.rows[0].n);
}

async function expectPresent(k: Knex, name: string): Promise<void> {
  const spec = SPECS[name]!;
  for (const t of spec.tables) expect(await k.schema.hasTable(t), `${name}: table ${t}`).toBe(true);
  for (const [t, cols] of Object.entries(spec.columns)) {
    for (const c of cols) expect(await k.schema.hasColumn(t, c), `${name}: column ${t}.${c}`).toBe(true);
    expect(await k.schema.hasColumn(t, 'no_such_column')).toBe(false);
  }
  for (const [t, idx] of Object.entries(spec.indexes)) expect(await indexNames(k, t)).toEqual(expect.arrayContaining(idx));
  await spec.present?.(k);
}

async function expectAbsent(k: Knex, name: string): Promise<void> {
  const spec = SPECS[name]!;
  for (const t of spec.tables) expect(await k.schema.hasTable(t), `${name}: table ${t} after rollback`).toBe(false);
  await spec.absent?.(k);
}

describe.each(TARGETS)('migrations on $name', (target: Target) => {
  let s: Scratch | undefined;
  let db: Database | undefined;

  async function open(): Promise<Knex> {
    s = scratch(target);
    db = await openScratchDatabase(s);
    return db.knex;
  }

  afterEach(async () => {
    await db?.close();
    await s?.cleanup();
    db = undefined;
    s = undefined;
  });

  it('every migration has a spec here, in the order the index lists them', () => {
    expect(Object.keys(SPECS)).toEqual(NAMES);
    expect(LATEST_MIGRATION).toBe(NAMES[NAMES.length - 1]);
  });

  it.each(NAMES.map((name, i) => ({ name, i })))('$name: applies, rolls back and applies again', async ({ name, i }) => {
    const k = await open();
    const previous = NAMES[i - 1];
    if (previous) expect(await migrateToLatest(k, { to: previous })).toEqual(NAMES.slice(0, i));
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, i));
    const tablesBefore = await userTables(k);
    for (const t of SPECS[name]!.tables) expect(await k.schema.hasTable(t)).toBe(false);
    if (name === '0010_employee_search') await newEmployee(k, { search_doc: 'ada preexisting row' });
    if (name === '0011_employee_ranking') await employeesWithFactors(k);
    if (name === '0015_audit_chain') await eventsBeforeTheChain(k);

    expect(await migrateToLatest(k, { to: name })).toEqual([name]);
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, i + 1));
    await expectPresent(k, name);

    await rollbackLast(k);
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, i));
    await expectAbsent(k, name);
    expect(await userTables(k)).toEqual(tablesBefore);

    expect(await migrateToLatest(k, { to: name })).toEqual([name]);
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, i + 1));
    await expectPresent(k, name);
  });

  it('migrateToLatest applies everything once and is then a no-op', async () => {
    const k = await open();
    expect(await migrateToLatest(k)).toEqual(NAMES);
    const tables = await userTables(k);
    const rows = await k('knex_migrations').select('name', 'batch').orderBy('id');
    expect(await migrateToLatest(k)).toEqual([]);
    expect(await migrateToLatest(k)).toEqual([]);
    expect(await userTables(k)).toEqual(tables);
    expect(await k('knex_migrations').select('name', 'batch').orderBy('id')).toEqual(rows);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(NAMES);
  });

  it('migrateToLatest with a target that is already applied, or unknown, applies nothing', async () => {
    const k = await open();
    await migrateToLatest(k, { to: '0005_one_time_codes' });
    expect(await migrateToLatest(k, { to: '0003_employee_emails' })).toEqual([]);
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, 5));
    expect(await k.schema.hasTable('mail_outbox')).toBe(false);
    // A target this build does not know is refused rather than taken as "everything".
    await expect(migrateToLatest(k, { to: '0099_no_such_migration' })).rejects.toThrow();
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, 5));
  });

  it('a migration that fails part-way leaves nothing of itself behind, and a later run completes it', async () => {
    const k = await open();
    await migrateToLatest(k, { to: '0009_audit_events' });
    await newEmployee(k, { search_doc: 'ada preexisting row' });
    // Something already holds the name of an object 0010 creates after its first few statements.
    if (isPg(k)) await k.raw('CREATE INDEX employees_number_pattern_idx ON settings (value)');
    else await k.raw("CREATE TRIGGER employees_fts_au AFTER UPDATE ON settings BEGIN SELECT 1; END");

    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {}); // knex prints the failure
    try {
      await expect(migrateToLatest(k)).rejects.toThrow(/employees_number_pattern_idx|employees_fts_au/);
    } finally {
      quiet.mockRestore();
    }
    expect(await appliedMigrations(k)).toEqual(NAMES.slice(0, 9));
    if (isPg(k)) {
      expect((await indexNames(k, 'employees')).filter((n) => /_trgm_|_pattern_/.test(n))).toEqual([]);
      await k.raw('DROP INDEX employees_number_pattern_idx');
    } else {
      expect(await sqliteObjects(k, 'table')).not.toContain('employee_fts');
      expect(await sqliteObjects(k, 'trigger')).toEqual(['employees_fts_au']);
      await k.raw('DROP TRIGGER employees_fts_au');
    }

    expect(await migrateToLatest(k, { to: '0010_employee_search' })).toEqual(['0010_employee_search']);
    await expectPresent(k, '0010_employee_search');
    expect(await migrateToLatest(k)).toEqual(NAMES.slice(10));
  });

  it('refuses a database written by a newer version, and changes nothing', async () => {
    const k = await open();
    await migrateToLatest(k, { to: '0004_factors' });
    await k('knex_migrations').insert({ name: '0011_from_the_future', batch: 99, migration_time: new Date() });
    const tables = await userTables(k);
    const rows = await k('knex_migrations').select('id', 'name', 'batch').orderBy('id');

    const err = await migrateToLatest(k).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NewerDatabaseError);
    expect((err as NewerDatabaseError).unknown).toEqual(['0011_from_the_future']);
    expect((err as Error).message).toMatch(/newer version/);
    await expect(migrateToLatest(k, { to: '0006_mail_outbox' })).rejects.toBeInstanceOf(NewerDatabaseError);

    expect(await userTables(k)).toEqual(tables);
    expect(await k.schema.hasTable('one_time_codes')).toBe(false);
    expect(await k('knex_migrations').select('id', 'name', 'batch').orderBy('id')).toEqual(rows);

    // Opening the whole core on it is refused the same way.
    await expect(
      openDeskCore({
        config: { dataDir: s!.dataDir, databaseUrl: s!.databaseUrl, databaseSchema: s!.schema },
        clock: new ManualClock(),
        logger: silentLogger,
      }),
    ).rejects.toBeInstanceOf(NewerDatabaseError);
    expect(await userTables(k)).toEqual(tables);
  });
});

describe('sqlite connection settings', () => {
  const s = scratch({ name: 'sqlite' });
  let db: Database;
  beforeAll(async () => {
    db = await openScratchDatabase(s);
    await migrateToLatest(db.knex);
  });
  afterAll(async () => {
    await db?.close();
    await s.cleanup();
  });

  it('opens with WAL, foreign keys on and a busy timeout', async () => {
    const k = db.knex;
    expect(await k.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await k.raw('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await k.raw('PRAGMA busy_timeout')).toEqual([{ timeout: 10_000 }]);
    expect(await k.raw('PRAGMA cache_size')).toEqual([{ cache_size: -65_536 }]);
  });

  it('enforces foreign keys on that connection', async () => {
    await expect(
      db.knex('employee_emails').insert({
        employee_id: 424_242,
        kind: 'work',
        address: 'x@y',
        address_lc: 'x@y',
        created_at: NOW,
        updated_at: NOW,
      }),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });
});
