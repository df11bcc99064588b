import {
  channels,
  isChannelName,
  type ChannelName,
  type Events,
  type ParsedInputOf,
  type ResultOf,
} from '../../../shared/contract';
import { DeskError, type WireError, type WireResult } from '../../../shared/errors';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import type { Logger } from '../log/logger';
import type { Session, SessionStore } from '../auth/sessions';

/**
 * Where a transport keeps the caller's session token: a cookie for the browser host, the window
 * for Electron. The renderer never sees the token.
 */
export interface SessionSlot {
  get(): string | undefined;
  set(token: string | undefined): void;
}

export interface CallContext {
  session: Session | null;
  slot: SessionSlot;
  /** Push an event to this caller only (progress of a long task). */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void;
}

export type Handler<K extends ChannelName> = (input: ParsedInputOf<K>, ctx: CallContext) => Promise<ResultOf<K>>;

/** One handler per channel; the compiler refuses a missing, extra or wrongly typed one. */
export type Handlers = { [K in ChannelName]: Handler<K> };

export interface RouterDeps {
  handlers: Handlers;
  sessions: SessionStore;
  logger: Logger;
  /** Called when a session is found idle-expired (for the audit trail). */
  onSessionExpired?: (session: Session) => Promise<void>;
  /** Whether an active session still stands (its desk user not disabled, changed or reset meanwhile). */
  checkSession?: (session: Session) => Promise<boolean>;
}


export interface Router {
  invoke(
    channel: unknown,
    payload: unknown,
    transport: { slot: SessionSlot; emit: CallContext['emit'] },
  ): Promise<WireResult<unknown>>;
}

/**
 * The single entry for every call, from Electron IPC and the browser host alike:
 * known channel → session and role → input parsed with the channel's schema → handler.
 * Anything thrown that is not a DeskError is logged with its detail and leaves as INTERNAL.
 */
export function createRouter(deps: RouterDeps): Router {
  return {
    async invoke(channel, payload, transport) {
      try {
        if (!isChannelName(channel)) throw new DeskError('NOT_FOUND', 'Unknown channel');
        const spec = channels[channel];
        const lookup = deps.sessions.touch(transport.slot.get());
        if (lookup.state === 'expired') {
          transport.slot.set(undefined);
          await deps.onSessionExpired?.(lookup.session);
        }
        let session = lookup.state === 'active' ? lookup.session : null;
        let revoked = lookup.state === 'revoked';
        if (session && deps.checkSession && !(await deps.checkSession(session))) {
          deps.sessions.revoke(session.token);
          session = null;
          revoked = true;
        }
        if (revoked) transport.slot.set(undefined);
        if (spec.access !== 'public') {
          if (!session) {
            if (revoked) {
              throw new DeskError('UNAUTHENTICATED', 'An admin changed your desk account (disabled it, changed its role or reset its sign-in). Sign in again.', {
                reason: 'revoked',
              });
            }
            throw new DeskError(
              'UNAUTHENTICATED',
              lookup.state === 'expired' ? 'Your session was locked after being idle. Sign in again.' : 'Sign in first.',
              lookup.state === 'expired' ? { reason: 'idle' } : undefined,
            );
          }
          if (spec.access !== 'signedIn' && !spec.access.includes(session.role)) {
            throw new DeskError('FORBIDDEN', `This needs one of the roles: ${spec.access.join(', ')}.`);
          }
        }
        // Plain words for every problem the schema has no words of its own for.
        const parsed = spec.input.safeParse(payload === undefined ? {} : payload, { error: plainIssueMessage });
        if (!parsed.success) {
          const issues = validationIssues(parsed.error);
          throw new DeskError('VALIDATION', validationSummary(issues), { issues });
        }
        const handler = deps.handlers[channel] as (input: unknown, ctx: CallContext) => Promise<unknown>;
        const value = await handler(parsed.data, { session, slot: transport.slot, emit: transport.emit });
        return { ok: true, value: value ?? null };
      } catch (err) {
        return { ok: false, error: toWireError(err, deps.logger, String(channel)) };
      }
    },
  };
}

export function toWireError(err: unknown, logger: Logger, channel: string): WireError {
  if (err instanceof DeskError) return err.toWire();
  const detail = err instanceof Error ? { name: err.name, message: scrubSql(err.message), stack: scrubSql(err.stack ?? '') } : scrubSql(String(err));
  logger.error('internal error', { channel, error: detail });
  return { code: 'INTERNAL', message: 'Something went wrong in MFA Desk. The details are in the log file.' };
}

/**
 * Driver errors quote the failing SQL with its values (names, emails, sealed seeds). The log keeps
 * the statement's shape and drops the literals.
 */
export function scrubSql(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "'…'").slice(0, 4000);
}
