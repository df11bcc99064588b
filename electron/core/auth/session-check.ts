import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Session } from './sessions';

/** How long a session is trusted between two looks at its desk user's row. */
export const SESSION_CHECK_MS = 5_000;

/**
 * Sessions live in the memory of the process that serves them, but an admin may change the desk
 * user from another desk or the CLI. Before a call, a session is checked against the desk user's
 * row (at most every SESSION_CHECK_MS): it ends if the user was disabled, their role changed or
 * their session epoch went up (a password or authenticator reset). Changes made in this process end
 * the sessions at once (SessionStore.revokeUser).
 */
export function createSessionCheck(db: Knex, clock: Clock): (session: Session) => Promise<boolean> {
  return async (session) => {
    const now = clock.now().getTime();
    if (now - session.checkedAt < SESSION_CHECK_MS) return true;
    const row = await db('desk_users').where({ id: session.userId }).first<| { role: string; disabled_at: unknown; session_epoch: number | string }
      | undefined>('role', 'disabled_at', 'session_epoch');
    const ok = row !== undefined && row.disabled_at == null && row.role === session.role && Number(row.session_epoch) === session.epoch;
    if (ok) session.checkedAt = now;
    return ok;
  };
}
