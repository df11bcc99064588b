/**
 * Run by the shared-file test as a child process (`tsx test/support/shared-file-child.ts`): one of
 * two desks on the same sqlite file. It opens the core, says "ready", waits for a line on stdin,
 * then makes SHARED_WRITES changes of several kinds as fast as it can (a setting, a desk user,
 * that user's role, a failed sign-in), each with its audit row, and prints one JSON line:
 * { done, errors: [{ what, message }] }.
 *
 * Environment: DESK_DATA_DIR, SHARED_TAG (names this desk's users), SHARED_WRITES.
 */
import readline from 'node:readline';
import { openChildCore } from './child-core';
import { changeSetting } from '../../electron/core/settings/settings.service';
import { insertDeskUser, setDeskUserRole } from '../../electron/core/deskusers/deskusers.service';
import { signIn } from '../../electron/core/auth/auth.service';
import { ChallengeStore } from '../../electron/core/auth/sessions';
import { cheapHash } from './cheap-hash';

async function main(): Promise<void> {
  const core = await openChildCore();
  const tag = process.env.SHARED_TAG!;
  const writes = Number(process.env.SHARED_WRITES);
  const actor = { userId: null, name: tag };
  const hash = cheapHash('a long enough password');
  const auth = { db: core.db, clock: core.clock, vault: core.vault, sessions: core.sessions, challenges: new ChallengeStore(core.clock) };
  const lines = readline.createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  const errors: Array<{ what: string; message: string }> = [];
  let done = 0;
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      done++;
    } catch (err) {
      errors.push({ what, message: err instanceof Error ? err.message : String(err) });
    }
  };
  for (let i = 0; i < writes; i++) {
    const username = `${tag}.user${i}`;
    await attempt('setting', () => changeSetting(core, actor, { key: 'session.idleMinutes', value: 10 + (i % 50) }));
    let id = 0;
    await attempt('desk user', async () => {
      id = await core.db.transaction((trx) => insertDeskUser(trx, core.clock, actor, { username, displayName: username, role: 'agent', password: 'x' }, hash));
    });
    await attempt('role', () => setDeskUserRole({ db: core.db, clock: core.clock }, actor, { userId: id, role: 'supervisor' }));
    // A wrong password: counted and audited (UNAUTHENTICATED is the expected answer).
    await attempt('failed sign-in', () =>
      signIn(auth, { username, password: 'not the password' }).then(
        () => {
          throw new Error('a wrong password signed in');
        },
        (err: unknown) => {
          if (!(err instanceof Error) || !/Wrong username or password/.test(err.message)) throw err;
        },
      ),
    );
  }
  process.stdout.write(JSON.stringify({ done, errors: errors.slice(0, 20), errorCount: errors.length }) + '\n');
  await core.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
