import type { Knex } from 'knex';
import type { Deps } from '../handler';
import { isRowId } from '../../../shared/schemas';
import { DeskError } from '../../../shared/errors';
import type { DeskRole, DeskUserView, DeskUserWithTemporaryPassword } from '../../../shared/domain';
import type { Clock } from '../clock';
import { recordAudit, type Actor } from '../audit/audit.service';
import { databaseKind } from '../db/connection';
import { hashPassword, temporaryPassword } from './password';
import { toCount, toIso, insertedId, type InsertedId } from '../db/values';
import { vaultOf } from '../secrets/db-vault';
import { clearFailures, failureStatus, nameKey, type FailureStatus } from './signin-failures';

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
  last_signin_at: unknown;
  created_at: unknown;
  must_change_password: unknown;
  session_epoch: number | string;
}

export interface NewDeskUser {
  username: string;
  displayName: string;
  role: DeskRole;
  password: string;
  /** The password is a temporary one (generated, shown once): replaced at the first sign-in. */
  temporary?: boolean;
}

export async function countDeskUsers(db: Knex | Knex.Transaction): Promise<number> {
  return toCount(await db('desk_users').count({ n: '*' }).first());
}

export async function findDeskUser(db: Knex | Knex.Transaction, username: string): Promise<DeskUserRow | undefined> {
  return db('desk_users').where({ username: username.toLowerCase() }).first<DeskUserRow | undefined>();
}

export async function getDeskUser(db: Knex | Knex.Transaction, id: number): Promise<DeskUserRow | undefined> {
  return db('desk_users').where({ id }).first<DeskUserRow | undefined>();
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
      must_change_password: user.temporary === true,
      created_at: now,
      updated_at: now,
    })
    .returning<InsertedId[]>('id');
  const id = insertedId(row);
  // Failures counted against the name before it was anyone's do not follow the new desk user.
  await clearFailures(trx, nameKey(vaultOf(trx), user.username));
  await recordAudit(trx, clock, {
    actor,
    action: 'desk_user.created',
    details: { deskUserId: id, username: user.username.toLowerCase(), role: user.role, temporaryPassword: user.temporary === true },
  });
  return id;
}

export async function createDeskUser({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, user: NewDeskUser): Promise<number> {
  const hash = await hashPassword(user.password);
  return db.transaction((trx) => insertDeskUser(trx, clock, actor, user, hash));
}

/**
 * The first admin can be created only while no desk user exists. A settings row claimed in the
 * same transaction stops two first-run screens from both succeeding.
 */
export async function createFirstAdmin({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, user: Omit<NewDeskUser, 'role'>): Promise<number> {
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

/** What a desk user's view is made of: never the password hash or the sealed authenticator key. */
const VIEW_COLUMNS = [
  'id',
  'username',
  'display_name',
  'role',
  'disabled_at',
  'totp_enrolled_at',
  'must_change_password',
  'last_signin_at',
  'created_at',
] as const;
type ViewRow = Pick<DeskUserRow, (typeof VIEW_COLUMNS)[number]>;

function deskUserView(r: ViewRow, failures: FailureStatus | undefined): DeskUserView {
  return {
    id: Number(r.id),
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled_at != null,
    totpEnrolled: r.totp_enrolled_at != null,
    lockedUntil: failures?.lockedUntil ?? null,
    failedSignins: failures?.failures ?? 0,
    mustChangePassword: Boolean(r.must_change_password),
    lastSigninAt: toIso(r.last_signin_at),
    createdAt: toIso(r.created_at) ?? '',
  };
}

/** Failed sign-ins are counted per name (auth/signin-failures.ts): each user's, by their name's key. */
async function viewsOf(q: Knex | Knex.Transaction, now: Date, rows: readonly ViewRow[]): Promise<DeskUserView[]> {
  const vault = vaultOf(q);
  const keys = rows.map((r) => nameKey(vault, r.username));
  const status = await failureStatus(q, now, keys);
  return rows.map((r, i) => deskUserView(r, status.get(keys[i]!)));
}

export async function listDeskUsers({ db, clock }: Deps<'db' | 'clock'>): Promise<DeskUserView[]> {
  const rows = await db('desk_users').select<ViewRow[]>(VIEW_COLUMNS).orderBy('username');
  return viewsOf(db, clock.now(), rows);
}

// ── administration (admins) ──────────────────────────────────────────────────────────────────
//
// Each change runs in one transaction with its audit row. Those that must end the desk user's
// sessions (disabled, role changed, password or authenticator reset) raise session_epoch, which
// every desk sharing the database checks its sessions against (see auth/session-check.ts).


function noSuchUser(): DeskError {
  return new DeskError('NOT_FOUND', 'There is no such desk user.');
}

/**
 * Read the desk user and hold their row (and, when `admins`, every active admin's row) for the
 * rest of the transaction, so that two admins changing desk users at once take turns and the
 * last-admin rule sees what the other committed: FOR UPDATE on PostgreSQL; on sqlite a write
 * first, which takes the database's write lock before anything is read.
 */
async function lockDeskUser(trx: Knex.Transaction, userId: number, admins: boolean): Promise<DeskUserRow> {
  if (!isRowId(userId)) throw noSuchUser();
  let row: DeskUserRow | undefined;
  if (databaseKind(trx) === 'postgres') {
    if (admins) await trx('desk_users').where({ role: 'admin' }).whereNull('disabled_at').orderBy('id').forUpdate().select('id');
    row = await trx('desk_users').where({ id: userId }).forUpdate().first<DeskUserRow | undefined>();
  } else {
    await trx('desk_users').where({ id: userId }).update({ session_epoch: trx.ref('session_epoch') });
    row = await trx('desk_users').where({ id: userId }).first<DeskUserRow | undefined>();
  }
  if (!row) throw noSuchUser();
  return row;
}

async function activeAdmins(trx: Knex.Transaction): Promise<number> {
  return toCount(await trx('desk_users').where({ role: 'admin' }).whereNull('disabled_at').count({ n: '*' }).first());
}

/** The row after a change, as admins see it. */
async function viewOf(trx: Knex.Transaction, clock: Clock, userId: number): Promise<DeskUserView> {
  const row: ViewRow | undefined = await trx('desk_users').where({ id: userId }).first(VIEW_COLUMNS);
  if (!row) throw noSuchUser();
  return (await viewsOf(trx, clock.now(), [row]))[0]!;
}

function subject(row: DeskUserRow): Record<string, unknown> {
  return { deskUserId: Number(row.id), username: row.username };
}

/** Create a desk user with a temporary password (shown once; replaced at their first sign-in). */
export async function adminCreateDeskUser(
  { db, clock }: Deps<'db' | 'clock'>,
  actor: Actor,
  user: Omit<NewDeskUser, 'password' | 'temporary'>,
): Promise<DeskUserWithTemporaryPassword> {
  const password = temporaryPassword();
  const hash = await hashPassword(password);
  return db.transaction(async (trx) => {
    const id = await insertDeskUser(trx, clock, actor, { ...user, password, temporary: true }, hash);
    return { user: await viewOf(trx, clock, id), temporaryPassword: password };
  });
}

/**
 * Disable (or enable again) a desk user. A disabled user cannot sign in and their sessions end.
 * The last active admin cannot be disabled.
 */
export async function setDeskUserDisabled(
  { db, clock }: Deps<'db' | 'clock'>,
  actor: Actor,
  { userId, disabled }: { userId: number; disabled: boolean },
): Promise<DeskUserView> {
  return db.transaction(async (trx) => {
    const row = await lockDeskUser(trx, userId, disabled);
    if ((row.disabled_at != null) === disabled) return viewOf(trx, clock, Number(row.id)); // already so: nothing to record
    const now = clock.now().toISOString();
    await trx('desk_users')
      .where({ id: row.id })
      .update({
        disabled_at: disabled ? now : null,
        updated_at: now,
        ...(disabled ? { session_epoch: trx.raw('session_epoch + 1') } : {}),
      });
    if (disabled && row.role === 'admin' && (await activeAdmins(trx)) === 0) {
      throw new DeskError('RULE_VIOLATION', `${row.username} is the last active admin and cannot be disabled. Make another desk user an admin first.`);
    }
    await recordAudit(trx, clock, { actor, action: disabled ? 'desk_user.disabled' : 'desk_user.enabled', details: subject(row) });
    return viewOf(trx, clock, Number(row.id));
  });
}

/** Change a desk user's role; their sessions end (they sign in again with the new role). */
export async function setDeskUserRole({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { userId, role }: { userId: number; role: DeskRole }): Promise<DeskUserView> {
  return db.transaction(async (trx) => {
    const row = await lockDeskUser(trx, userId, role !== 'admin');
    if (row.role === role) return viewOf(trx, clock, Number(row.id));
    const now = clock.now().toISOString();
    await trx('desk_users').where({ id: row.id }).update({ role, updated_at: now, session_epoch: trx.raw('session_epoch + 1') });
    if (row.role === 'admin' && (await activeAdmins(trx)) === 0) {
      throw new DeskError('RULE_VIOLATION', `${row.username} is the last active admin and cannot stop being one. Make another desk user an admin first.`);
    }
    await recordAudit(trx, clock, { actor, action: 'desk_user.role_changed', details: { ...subject(row), from: row.role, to: role } });
    return viewOf(trx, clock, Number(row.id));
  });
}

/**
 * Reset a desk user's password to a temporary one (shown once to the admin): it works for one
 * sign-in, at which the user must choose their own. Their sessions end and a lock-out is lifted.
 */
export async function resetDeskUserPassword({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { userId }: { userId: number }): Promise<DeskUserWithTemporaryPassword> {
  const password = temporaryPassword();
  const hash = await hashPassword(password);
  return db.transaction(async (trx) => {
    const row = await lockDeskUser(trx, userId, false);
    const now = clock.now().toISOString();
    await trx('desk_users')
      .where({ id: row.id })
      .update({
        password_hash: hash,
        must_change_password: true,
        updated_at: now,
        session_epoch: trx.raw('session_epoch + 1'),
      });
    await clearFailures(trx, nameKey(vaultOf(trx), row.username));
    await recordAudit(trx, clock, { actor, action: 'desk_user.password_reset', details: subject(row) });
    return { user: await viewOf(trx, clock, Number(row.id)), temporaryPassword: password };
  });
}

/**
 * Forget a desk user's authenticator app (a lost phone): the key is erased, their sessions end, and
 * they enrol an app again at their next sign-in, after their password.
 */
export async function resetDeskUserTotp({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { userId }: { userId: number }): Promise<DeskUserView> {
  return db.transaction(async (trx) => {
    const row = await lockDeskUser(trx, userId, false);
    const now = clock.now().toISOString();
    await trx('desk_users')
      .where({ id: row.id })
      .update({ totp_seed_enc: null, totp_enrolled_at: null, totp_last_step: null, updated_at: now, session_epoch: trx.raw('session_epoch + 1') });
    await recordAudit(trx, clock, { actor, action: 'desk_user.totp_reset', details: { ...subject(row), wasEnrolled: row.totp_enrolled_at != null } });
    return viewOf(trx, clock, Number(row.id));
  });
}

/** Lift a lock-out after too many failed sign-ins (and clear the count). */
export async function unlockDeskUser({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { userId }: { userId: number }): Promise<DeskUserView> {
  return db.transaction(async (trx) => {
    const row = await lockDeskUser(trx, userId, false);
    const view = await viewOf(trx, clock, Number(row.id));
    if (!view.lockedUntil && view.failedSignins === 0) return view;
    await clearFailures(trx, nameKey(vaultOf(trx), row.username));
    await recordAudit(trx, clock, { actor, action: 'desk_user.unlocked', details: { ...subject(row), wasLockedUntil: view.lockedUntil, failures: view.failedSignins } });
    return viewOf(trx, clock, Number(row.id));
  });
}
