/**
 * Run by the mail crash test as a child process (`tsx test/support/mail-crash-child.ts`): a
 * sender that enqueues a code mail, claims it (committed), says so on stdout and then hangs, as
 * if it died between the claim and the send. The test kills it with SIGKILL.
 *
 * Environment: DESK_DATA_DIR, DESK_DATABASE_URL / DESK_DATABASE_SCHEMA (PostgreSQL),
 * MAIL_CRASH_NOW (the clock), MAIL_CRASH_TO (the recipient), MAIL_CRASH_LEASE_MS.
 */
import { ManualClock } from '../../electron/core/clock';
import { openDatabase } from '../../electron/core/db/connection';
import { enqueueMail } from '../../electron/core/mail/outbox';
import { WEBCHAT_URL } from '../../electron/core/mail/templates';
import { claimDueMail } from '../../electron/core/mail/sender';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';
import { attachVault } from '../../electron/core/secrets/db-vault';

async function main(): Promise<void> {
  const dataDir = process.env.DESK_DATA_DIR!;
  const database = await openDatabase({ dataDir, databaseUrl: process.env.DESK_DATABASE_URL, schema: process.env.DESK_DATABASE_SCHEMA });
  const clock = new ManualClock(process.env.MAIL_CRASH_NOW);
  const vault = new Vault(new KeyFileProvider(dataDir));
  attachVault(database.knex, vault);
  const id = await database.knex.transaction((trx) =>
    enqueueMail(trx, clock, vault, {
      employeeId: null,
      template: 'registration_code',
      to: process.env.MAIL_CRASH_TO!,
      values: { firstName: 'Crash', code: '424242', minutes: '20', webchatUrl: WEBCHAT_URL },
    }),
  );
  const claim = await claimDueMail(database.knex, clock, { limit: 10, leaseMs: Number(process.env.MAIL_CRASH_LEASE_MS ?? 120_000) });
  process.stdout.write(JSON.stringify({ id, claimed: claim.rows.map((r) => r.id) }) + '\n');
  // "Crash" here: hold everything open until the test kills the process.
  setInterval(() => undefined, 60_000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
