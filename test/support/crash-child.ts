/**
 * Run by the crash test as a child process (`tsx test/support/crash-child.ts`), and killed by it
 * with SIGKILL at a random moment: a desk working through tickets as fast as it can. For each
 * caller (CRASH_CALLERS, JSON: [{ id, factorType }]) a supervisor overrides the verification and
 * re-registers the factor (a new phone), then a manager adds a personal address to the record.
 * After each caller it prints `done <id>`.
 *
 * Environment: DESK_DATA_DIR, DESK_DATABASE_URL / DESK_DATABASE_SCHEMA (PostgreSQL), CRASH_CALLERS.
 */
import { getEmployee } from '../../electron/core/employees/employees.service';
import { openChildCore } from './child-core';
import { reRegister } from '../../electron/core/mfa/agent-actions.service';
import { overrideVerification } from '../../electron/core/mfa/caller-verification.service';
import { updateEmails } from '../../electron/core/records/emails.service';

async function main(): Promise<void> {
  const core = await openChildCore();
  const callers = JSON.parse(process.env.CRASH_CALLERS!) as Array<{ id: number; factorType: 'authenticator_app' | 'email' }>;
  // Desk users' rows (tickets are opened by desk users): made by the test before it starts this child.
  const idOf = async (username: string) => Number((await core.db<{ id: number; username: string }>('desk_users').where({ username }).first('id'))!.id);
  const supervisor = { actor: { userId: await idOf('crash.supervisor'), name: 'crash.supervisor' }, role: 'supervisor' as const };
  const manager = { actor: { userId: await idOf('crash.manager'), name: 'crash.manager' }, role: 'manager' as const };
  process.stdout.write('started\n');
  for (const c of callers) {
    const ticketRef = `CRASH-${c.id}`;
    await overrideVerification(core, { ...supervisor, ticketRef }, { employeeId: c.id, reason: 'Known caller, confirmed by the line manager' });
    await reRegister(core, { ...supervisor, ticketRef }, { employeeId: c.id, factorType: c.factorType });
    const e = await getEmployee(core.db, c.id);
    if (!e.emails.some((m) => m.kind === 'personal')) {
      await updateEmails(core, { ...manager, ticketRef }, {
        employeeId: c.id,
        version: e.version,
        emails: [
          ...e.emails.map((m) => ({ id: m.id, kind: m.kind, address: m.address, usedForCodes: m.usedForCodes })),
          { kind: 'personal' as const, address: `crash.${c.id}@example.org` },
        ],
      });
    }
    process.stdout.write(`done ${c.id}\n`);
  }
  process.stdout.write('finished\n');
  await core.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
