import type { Knex } from 'knex';
import type { HrImportCountsView } from '../../../shared/domain';
import type { Actor, AuditEventInput } from '../audit/audit.service';
import type { Clock } from '../clock';
import { emailRow, encodingFor, insertEmails, insertEncodedEmployees, insertJoinedEmployees, releaseUsername, updateEmployees, type EmailInsertRow } from '../employees/employee-writer';
import { refreshEmployeeFlags } from '../employees/employees.service';
import { databaseKind } from '../db/connection';
import { addressesOf, type BatchPlan } from './batch-plan';
import { encodeNew, type NewRows } from './new-employee';
import type { ReportLine } from './report-file';
import type { HrRow, NewRowKey } from './row-checks';

/** A plan, whichever way its new rows came (planBatch or planNewRows). */
type AnyPlan = BatchPlan<HrRow | NewRowKey>;

interface BatchContext {
  trx: Knex.Transaction;
  clock: Clock;
  actor: Actor;
  importId: number | null;
}

/**
 * PostgreSQL, for the transaction's own queries only: reading a page out of order costs little more
 * than reading it in order (random_page_cost 1.1, PostgreSQL's advice for data in memory or on
 * solid-state disks, against 4 by default for spinning disks). With the default, a batch's look-up
 * of 5,000 employee numbers in a desk of 200,000 was planned as a read of the whole table (135 ms)
 * instead of the index (11 ms).
 */
const PLAN_FOR_MEMORY = "set_config('random_page_cost', '1.1', true)";

/** Plan the transaction's queries as a batch's are (PLAN_FOR_MEMORY); a dry run's batch too. PostgreSQL only. */
export async function planForDataInMemory(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT ${PLAN_FOR_MEMORY}`);
}

/**
 * Take the database's write lock for the batch (as the demo loader does, so the two never interleave
 * ids); on PostgreSQL in the same statement, the batch's queries planned as planForDataInMemory says.
 */
export async function lockForBatch(trx: Knex.Transaction, postgres: boolean): Promise<void> {
  if (postgres) await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('mfa-desk.seed')), ${PLAN_FOR_MEMORY}`);
  // On sqlite any write statement, even one that matches no row, takes the write lock.
  else await trx('settings').where({ key: '' }).update({ value: '' });
}

/**
 * Unchanged records compared in full (an older import's, or changed and changed back): their
 * fingerprint alone, in one statement per 5,000, so the next import knows them at a glance. Not a
 * change of the record: no new version, no updated_at, no search text (no full-text work on sqlite).
 */
async function writeFingerprints(trx: Knex.Transaction, rows: BatchPlan['rehash']): Promise<void> {
  const postgres = databaseKind(trx) === 'postgres';
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(rows.slice(i, i + 5000).map((r) => [r.id, r.hrHash]));
    if (postgres) {
      await trx.raw('UPDATE employees AS e SET hr_hash = j.value ->> 1 FROM json_array_elements(?::json) AS j(value) WHERE e.id = (j.value ->> 0)::bigint', [json]);
    } else {
      await trx.raw('UPDATE employees SET hr_hash = j.value ->> 1 FROM jsonb_each(jsonb(?)) AS j WHERE employees.id = j.value ->> 0', [json]);
    }
  }
}

/**
 * Write what the plan says, in the batch's transaction. Returns the audit events it makes (leavers,
 * conflicts) for the caller to append with the batch's own, last: the audit chain's lock is then
 * held only from the end of the batch's writes to its commit.
 */
export async function applyBatch(ctx: BatchContext, plan: BatchPlan): Promise<AuditEventInput[]> {
  const { trx } = ctx;
  const events: AuditEventInput[] = [];
  const now = ctx.clock.now().toISOString();

  // Usernames handed from one employee to another within the batch: out of the way first.
  for (const u of plan.updates) {
    if (u.usernameChanged) await releaseUsername(trx, u.id);
  }
  const emailRows: EmailInsertRow[] = [];
  const deletes: number[] = [];
  await updateEmployees(trx, plan.updates, now);
  for (const u of plan.updates) {
    deletes.push(...u.deleteEmails);
    for (const m of u.updateEmails) await trx('employee_emails').where({ id: m.id }).update({ kind: m.kind, address: m.address, updated_at: now });
    for (const m of u.addEmails) emailRows.push(emailRow({ employeeId: u.id, kind: m.kind, address: m.address, createdAt: now }));
  }
  for (let i = 0; i < deletes.length; i += 500) await trx('employee_emails').whereIn('id', deletes.slice(i, i + 500)).delete();

  // Leavers: pending registrations and unused codes cancelled, the look-up flags brought in step.
  for (const u of plan.updates) {
    if (u.pendingFactorIds.length > 0) {
      await trx('factors').whereIn('id', u.pendingFactorIds).update({ state: 'removed', removed_at: now, totp_seed_enc: null, updated_at: now });
      await refreshEmployeeFlags(trx, u.id);
    }
    if (u.codeIds.length > 0) await trx('one_time_codes').whereIn('id', u.codeIds).update({ superseded_at: now });
    if (u.becameLeaver || u.pendingFactorIds.length > 0 || u.codeIds.length > 0) {
      events.push({
        actor: ctx.actor,
        action: 'employee.left',
        employeeId: u.id,
        details: {
          source: 'hr_import',
          importId: ctx.importId,
          line: u.row.line,
          leavingDate: u.row.leavingDate,
          pendingFactorsCancelled: u.pendingFactorIds,
          codesCancelled: u.codeIds.length,
        },
      });
    }
  }

  // The changed records' new addresses first, then the new employees with theirs (ids in that order, as one insert gave them).
  await insertEmails(trx, emailRows);
  const format = encodingFor(trx);
  await insertEncodedEmployees(
    trx,
    plan.creates.map((r) => encodeNew(r, format)),
    now,
  );

  await writeFingerprints(trx, plan.rehash);

  for (const c of plan.conflicts) {
    events.push({
      actor: ctx.actor,
      action: 'hr.import_conflict',
      employeeId: c.employeeId,
      details: { importId: ctx.importId, line: c.row.line, kept: c.conflicts.map((x) => ({ address: x.address, kind: x.kind, source: x.source })) },
    });
  }
  return events;
}

/**
 * applyBatch for planNewRows' plan (a first load's batch): the rows it creates inserted from the
 * reader's inserts, those it rejected left out. Makes no audit event of its own.
 */
export async function applyNewRows(ctx: BatchContext, rows: NewRows, plan: BatchPlan<NewRowKey>): Promise<void> {
  const created = new Set(plan.creates);
  const now = ctx.clock.now().toISOString();
  if (rows.format === 'copy') {
    await insertEncodedEmployees(
      ctx.trx,
      rows.inserts.filter((_, i) => created.has(rows.keys[i]!)),
      now,
    );
    return;
  }
  const leaveOut: number[] = [];
  rows.keys.forEach((k, i) => {
    if (!created.has(k)) leaveOut.push(i);
  });
  await insertJoinedEmployees(ctx.trx, rows.joined, now, leaveOut);
}

/** The batch's own audit row, written last with the events applyBatch made. */
export function batchEvent(ctx: BatchContext, plan: AnyPlan, range: { fromLine: number; toLine: number; rows: number; rejectedEarly: number }): AuditEventInput {
  return {
    actor: ctx.actor,
    action: 'hr.import_batch',
    details: {
      importId: ctx.importId,
      fromLine: range.fromLine,
      toLine: range.toLine,
      rows: range.rows,
      created: plan.creates.length,
      updated: plan.updates.length,
      unchanged: plan.unchanged,
      fingerprinted: plan.rehash.length,
      rejected: range.rejectedEarly + plan.rejected.length,
      leavers: plan.updates.filter((u) => u.becameLeaver).length,
      conflicts: plan.conflicts.reduce((n, c) => n + c.conflicts.length, 0),
    },
  };
}

/** Add what a batch did to the import's counts. */
export function countPlan(counts: HrImportCountsView, plan: AnyPlan): void {
  counts.created += plan.creates.length;
  counts.updated += plan.updates.length;
  counts.unchanged += plan.unchanged;
  counts.rejected += plan.rejected.length;
  counts.conflicts += plan.conflicts.reduce((n, c) => n + c.conflicts.length, 0);
  for (const u of plan.updates) {
    if (u.becameLeaver) counts.leavers++;
    if (u.rejoined) counts.rejoined++;
    counts.emailsAdded += u.addEmails.length;
    counts.emailsRemoved += u.deleteEmails.length;
    counts.pendingFactorsCancelled += u.pendingFactorIds.length;
    counts.codesCancelled += u.codeIds.length;
  }
  for (const r of plan.creates) counts.emailsAdded += addressesOf(r);
}

/** The report's lines for a batch: the rows rejected before it was planned, then the plan's. */
export function reportLines(early: ReadonlyArray<{ line: number; number: string; reason: string }>, plan: AnyPlan): ReportLine[] {
  return [
    ...early.map((x) => ({ line: x.line, number: x.number, outcome: 'rejected' as const, reason: x.reason })),
    ...plan.rejected.map((x) => ({ line: x.row.line, number: x.row.employeeNumber, outcome: 'rejected' as const, reason: x.reason })),
    ...plan.conflicts.flatMap((c) => c.conflicts.map((x) => ({ line: c.row.line, number: c.row.employeeNumber, outcome: 'conflict' as const, reason: x.reason }))),
  ];
}
