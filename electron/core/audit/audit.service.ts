import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { appendEvents, type AuditContent } from './chain';
import type { AuditAction } from '../../../shared/audit-actions';

export interface Actor {
  userId: number | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, name: 'system' };
export const CLI_ACTOR: Actor = { userId: null, name: 'cli' };

export interface AuditEventInput {
  actor: Actor;
  action: AuditAction;
  result?: 'ok' | 'refused';
  employeeId?: number | null;
  ticketRef?: string | null;
  /** Plain facts only: never a password, seed, code, URI or credential. */
  details?: Record<string, unknown>;
}

/** The stored content of an event (details as JSON text), ready for the chain. */
export function auditContent(clock: Clock, event: AuditEventInput): AuditContent {
  return {
    occurred_at: clock.now().toISOString(),
    actor_user_id: event.actor.userId,
    actor_name: event.actor.name,
    employee_id: event.employeeId ?? null,
    ticket_ref: event.ticketRef ?? null,
    action: event.action,
    result: event.result ?? 'ok',
    details: JSON.stringify(event.details ?? {}),
  };
}

/**
 * Append an audit event to the chain (see chain.ts). Call it with the same transaction that makes
 * the change it describes, so the change and its record stand or fall together.
 */
export async function recordAudit(db: Knex | Knex.Transaction, clock: Clock, event: AuditEventInput): Promise<number> {
  const [id] = await appendEvents(db, [auditContent(clock, event)]);
  return id!;
}
