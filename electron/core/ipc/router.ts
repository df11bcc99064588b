import { channels, isChannelName, type Access, type Channels } from '../../../shared/contract';
import { DeskError, type WireError, type WireResult } from '../../../shared/errors';
import { can, rolesWith } from '../../../shared/policy';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import type { Logger } from '../log/logger';
import type { SessionStore } from '../auth/sessions';
import type { CallContext, HandlersOf, Session, SessionSlot } from '../handler';

export type { CallContext, SessionSlot } from '../handler';

/** One handler per channel of the contract, joined from the features' handler maps. */
export type Handlers = HandlersOf<Channels>;

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
        const access = spec.access as Access;
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
        if (access !== 'public') {
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
          if (access !== 'signedIn' && !can(session.role, access)) {
            throw new DeskError('FORBIDDEN', `This needs one of the roles: ${rolesWith(access).join(', ')}.`);
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
