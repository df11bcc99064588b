/**
 * Run by the records test as a child process (`tsx test/support/records-edit-child.ts`): a second
 * desk on the same database. It opens the core, says "ready" on stdout, waits for a line on stdin,
 * then tries one change to an employee's emails (on the version it was given) and prints the
 * outcome as one JSON line: { ok: true, version } or { ok: false, code, message }.
 *
 * Environment: DESK_DATA_DIR, DESK_DATABASE_URL / DESK_DATABASE_SCHEMA (PostgreSQL),
 * RECORDS_NOW (the clock), RECORDS_ACTOR (the manager's name), RECORDS_TICKET, RECORDS_INPUT (the
 * change as JSON, without the ticket reference).
 */
import readline from 'node:readline';
import { ManualClock } from '../../electron/core/clock';
import { openChildCore } from './child-core';
import { updateEmails, type UpdateEmailsInput } from '../../electron/core/records/emails.service';
import { DeskError } from '../../shared/errors';

async function main(): Promise<void> {
  const core = await openChildCore(new ManualClock(process.env.RECORDS_NOW));
  const input = JSON.parse(process.env.RECORDS_INPUT!) as UpdateEmailsInput;
  const lines = readline.createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  let out: Record<string, unknown>;
  try {
    // A desk manager's row (tickets are opened by desk users): the one by that name, or the first manager.
    const name = process.env.RECORDS_ACTOR!;
    const user = ((await core.db('desk_users').where({ username: name }).first('id')) ??
      (await core.db('desk_users').where({ role: 'manager' }).orderBy('id').first('id')));
    const r = await updateEmails(core, { actor: { userId: user ? Number(user.id) : null, name }, role: 'manager', ticketRef: process.env.RECORDS_TICKET! }, input);
    out = { ok: true, version: r.version };
  } catch (err) {
    out = err instanceof DeskError ? { ok: false, code: err.code, message: err.message } : { ok: false, code: 'CRASH', message: String(err) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  await core.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
