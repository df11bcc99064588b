import type { Knex } from 'knex';

const TABLES = [
  'settings',
  'employees',
  'employee_emails',
  'factors',
  'one_time_codes',
  'mail_outbox',
  'desk_users',
  'tickets',
  'audit_events',
];

/** Row counts, desk-user state and sign-in failure counters: what "nothing changed" is checked against. */
export async function snapshot(db: Knex): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) {
    const row = (await db(t).count({ n: '*' }).first()) as { n: number | string };
    out[t] = Number(row.n);
  }
  out.deskUserState = await db('desk_users').select('id', 'totp_seed_enc', 'totp_last_step').orderBy('id');
  // Failed sign-ins are counted per name (auth/signin-failures.ts).
  out.signinFailures = await db('signin_failures').select('name_key', 'failures', 'locked_until').orderBy('name_key');
  return out;
}
