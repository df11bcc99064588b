import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { DeskRole } from '../../../shared/domain';
import type { Clock } from '../clock';
import { recordAudit, type Actor } from '../audit/audit.service';
import { hashPassword } from './password';
import { toCount } from '../db/values';

export interface DeskUserRow {
  id: number;
  username: string;
  display_name: string;
  role: DeskRole;
  password_hash: string;
  totp_seed_enc: string | null;
  totp_enrolled_at: unknown;
  totp_last_step: number | string | null;
  disabled_at: unknown;
  failed_signins: number;
  locked_until: unknown;
}

export interface NewDeskUser {
  username: string;
  displayName: string;
  role: DeskRole;
  password: string;
}

export async function countDeskUsers(db: Knex | Knex.Transaction): Promise<number> {
  return toCount(await db('desk_users').count({ n: '*' }).first());
}

export async function findDeskUser(db: Knex | Knex.Transaction, username: string): Promise<DeskUserRow | undefined> {
  return db('desk_users').where({ username: username.toLowerCase() }).first();
}

export async function getDeskUser(db: Knex | Knex.Transaction, id: number): Promise<DeskUserRow | undefined> {
  return db('desk_users').where({ id }).first();
}

/** Insert a desk user and its audit row in the caller's transaction. */
export async function insertDeskUser(
  trx: Knex.Transaction,
  clock: Clock,
  actor: Actor,
  user: NewDeskUser,
  passwordHash: string,
): Promise<number> {
  const existing = await findDeskUser(trx, user.username);
  if (existing) throw new DeskError('CONFLICT', `A desk user named ${user.username} already exists`, { field: 'username' });
  const now = clock.now().toISOString();
  const [row] = await trx('desk_users')
    .insert({
      username: user.username.toLowerCase(),
      display_name: user.displayName,
      role: user.role,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  const id = typeof row === 'object' ? Number((row as { id: number }).id) : Number(row);
  await recordAudit(trx, clock, {
    actor,
    action: 'desk_user.created',
    details: { deskUserId: id, username: user.username.toLowerCase(), role: user.role },
  });
  return id;
}

export async function createDeskUser(db: Knex, clock: Clock, actor: Actor, user: NewDeskUser): Promise<number> {
  const hash = await hashPassword(user.password);
  return db.transaction((trx) => insertDeskUser(trx, clock, actor, user, hash));
}

/**
 * The first admin can be created only while no desk user exists. A settings row claimed in the
 * same transaction stops two first-run screens from both succeeding.
 */
export async function createFirstAdmin(
  db: Knex,
  clock: Clock,
  user: Omit<NewDeskUser, 'role'>,
  actor: Actor,
): Promise<number> {
  const hash = await hashPassword(user.password);
  try {
    return await db.transaction(async (trx) => {
      if ((await countDeskUsers(trx)) > 0) {
        throw new DeskError('CONFLICT', 'A desk user already exists; sign in instead');
      }
      await trx('settings').insert({
        key: 'bootstrap.firstAdmin',
        value: JSON.stringify({ username: user.username.toLowerCase() }),
        updated_at: clock.now().toISOString(),
      });
      return insertDeskUser(trx, clock, actor, { ...user, role: 'admin' }, hash);
    });
  } catch (err) {
    if (err instanceof DeskError) throw err;
    if (/unique|duplicate/i.test(String((err as Error).message))) {
      throw new DeskError('CONFLICT', 'A desk user already exists; sign in instead');
    }
    throw err;
  }
}

export async function listDeskUsers(db: Knex | Knex.Transaction) {
  const rows: Array<Pick<DeskUserRow, 'id' | 'username' | 'display_name' | 'role' | 'disabled_at' | 'totp_enrolled_at'>> =
    await db('desk_users').select('id', 'username', 'display_name', 'role', 'disabled_at', 'totp_enrolled_at').orderBy('username');
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled_at != null,
    totpEnrolled: r.totp_enrolled_at != null,
  }));
}
