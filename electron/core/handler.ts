/**
 * What every feature's channel handlers are written against: the services the core was opened
 * with, the signed-in desk user's session, and the handler type derived from a channel's spec.
 * Each feature exports `xHandlers(deps)` for its own channel map; ipc/handlers.ts joins them.
 */
import type { Knex } from 'knex';
import type { ChannelMap, SpecNeedsSession, SpecParsedInput, SpecResult } from '../../shared/channels/spec';
import type { DeskRole } from '../../shared/domain';
import type { Events } from '../../shared/events';
import type { Clock } from './clock';
import type { DatabaseKind } from './db/connection';
import type { Logger } from './log/logger';
import type { Vault } from './secrets/vault';

/** A signed-in desk user's session, as the main process keeps it (the token never leaves it). */
export interface Session {
  token: string;
  userId: number;
  username: string;
  displayName: string;
  role: DeskRole;
  idleMinutes: number;
  lastSeen: number;
  /** desk_users.session_epoch when the session began; an admin's change raises it (see auth/session-check.ts). */
  epoch: number;
  /** When the session was last checked against the desk user's row (ms). */
  checkedAt: number;
  /** Set by revokeUser: the next look-up says so, once, and forgets the session. */
  revoked?: boolean;
}

/** What the core was opened with, as the handlers of every feature may use it. */
export interface CoreDeps {
  db: Knex;
  /** Long read-only queries (reports, counts) go here, so they do not queue in front of changes. */
  reader?: Knex;
  databaseKind: DatabaseKind;
  clock: Clock;
  vault: Vault;
  logger: Logger;
  /** Called after a change committed mail to the outbox, so the sender can deliver it now. */
  onMailQueued?: () => void;
  /** The data directory (mail goes there as .eml files when no SMTP server is set). */
  dataDir?: string;
}

/**
 * The shape of every service (what a channel or a command calls): `(deps, actor, input)` when a
 * person acts, `(deps, input)` when no one does; deps picks what it needs from here. Queries and
 * the steps inside one transaction take the knex handle or transaction first instead.
 */
export type Deps<K extends keyof CoreDeps> = Pick<CoreDeps, K>;

/**
 * Where a transport keeps the caller's session token: a cookie for the browser host, the window
 * for Electron. The renderer never sees the token.
 */
export interface SessionSlot {
  get(): string | undefined;
  set(token: string | undefined): void;
}

export interface CallContext<S extends Session | null = Session | null> {
  /** The signed-in desk user: never null on a channel that needs one (the router checked it). */
  session: S;
  slot: SessionSlot;
  /** Push an event to this caller only (progress of a long task). */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void;
}

type SessionOf<S> = SpecNeedsSession<S> extends true ? Session : Session | null;

/** The handler of one channel: its parsed input and the caller's context in, its result out (the router awaits it). */
export type SpecHandler<S> = (input: SpecParsedInput<S>, ctx: CallContext<SessionOf<S>>) => SpecResult<S> | Promise<SpecResult<S>>;

/** One handler per channel of a feature's map; the compiler refuses a missing, extra or wrongly typed one. */
export type HandlersOf<M extends ChannelMap> = { [K in keyof M]: SpecHandler<M[K]> };

/** The desk user acting, as the audit trail names them. */
export function actorOf(session: Session): { userId: number; name: string } {
  return { userId: session.userId, name: session.username };
}

/** Wake the mail sender after a change queued mail; a failing wake-up never fails the change. */
export function mailQueued<T>(deps: Pick<CoreDeps, 'onMailQueued' | 'logger'>, value: T): T {
  try {
    deps.onMailQueued?.();
  } catch (err) {
    deps.logger.warn('mail wake-up failed', { error: err instanceof Error ? err.message : String(err) });
  }
  return value;
}
