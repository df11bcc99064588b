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

/** Row counts and desk-user counters: what "nothing changed" is checked against. */
export async function snapshot(db: Knex): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) {
    const row = (await db(t).count({ n: '*' }).first()) as { n: number | string };
    out[t] = Number(row.n);
  }
  out.deskUserState = await db('desk_users').select('id', 'failed_signins', 'locked_until', 'totp_seed_enc', 'totp_last_step').orderBy('id');
  return out;
}
