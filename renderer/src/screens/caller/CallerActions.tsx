/**
 * What an agent does for the caller on a webchat ticket, on the ticket page (its centre pane) and
 * on the employee page: verify the caller (an emailed identity-check code they read back, or their
 * authenticator code; a supervisor may override with a reason), then re-register a factor, send a
 * new registration code, remove one of two methods, or unlock their codes. Every irreversible
 * action asks first in a dialog that says what happens and who gets mail. The main process
 * enforces every rule and writes the audit trail; there is no way to turn MFA off.
 */
import { useId, useState } from 'react';
import { Stack, Text, TextInput } from '@mantine/core';
import { can } from '../../../../shared/policy';
import { TICKET_REF_PATTERN } from '../../../../shared/schemas';
import type { EmployeeFactor, EmployeePageData, FactorType, TicketActionKind } from '../../../../shared/domain';
import { useRole } from '../../lib/session';
import { useServerNow } from '../../lib/useServerNow';
import { FactorActions } from './FactorActions';
import { Verification } from './Verification';

/** Per action: null when it can be done now, else why not. Actions left out are not offered here. */
export type ActionAvailability = Partial<Record<TicketActionKind, string | null>>;

export interface CallerActionsProps {
  /** With the main process's time: verifications and codes expire on its clock. */
  page: EmployeePageData;
  /** Something changed: load the page (or ticket) again. */
  onChanged: () => Promise<unknown>;
  /** The ticket the actions are done on: fixed on the ticket page. */
  ticketRef?: string;
  /** On the employee page: the reference to start with (the agent may change it). */
  initialTicketRef?: string;
  /** On a ticket: its category's actions and why each is unavailable (from the ticket's guidance). */
  availability?: ActionAvailability;
}

/** Availability by the rules alone, for the employee page (no ticket category to narrow it). */
function localAvailability(page: EmployeePageData, verified: boolean): ActionAvailability {
  const e = page.employee;
  const live = e.factors.filter((f) => f.state !== 'removed');
  const has = (t: FactorType, state?: EmployeeFactor['state']) => live.some((f) => f.type === t && (!state || f.state === state));
  const blocking = page.eligibility.reasons.filter((r) => r.blocks).map((r) => r.message);
  const eligible = blocking.length > 0 ? blocking.join(' ') : null;
  const needVerified = verified ? null : 'Verify the caller first.';
  const pending = 'A registration is already waiting for the employee: send a new registration code instead.';
  const locked = page.codeLock.failures > 0 || page.codeLock.lockedAt !== null || e.locked;
  return {
    verify: verified ? 'The caller is verified on this ticket.' : null,
    reRegisterApp: needVerified ?? eligible ?? (has('authenticator_app', 'pending') ? pending : has('authenticator_app') ? null : 'No authenticator app to re-register: the employee adds one on the portal.'),
    reRegisterEmail:
      needVerified ??
      eligible ??
      (e.emails.length === 0 ? 'No email address on record: a manager must add one.' : has('email', 'pending') ? pending : has('email') ? null : 'No email method to re-register: the employee adds one on the portal.'),
    restartRegistration: needVerified ?? eligible ?? (page.registrations.length > 0 ? null : 'No registration is waiting to be finished.'),
    removeFactor: has('authenticator_app', 'active') && has('email', 'active') ? needVerified : 'A method can be removed only when both (app and email) are set up.',
    unlock: needVerified ?? (locked ? null : 'Nothing is locked: no wrong codes are counted.'),
  };
}

export function CallerActions({ page, onChanged, ticketRef: fixedRef, initialTicketRef, availability }: CallerActionsProps) {
  const role = useRole();
  const now = useServerNow(page.serverTime, true);
  const [typedRef, setTypedRef] = useState(initialTicketRef ?? '');
  const refId = useId();
  const ticketRef = (fixedRef ?? typedRef).trim();
  const ticketOk = TICKET_REF_PATTERN.test(ticketRef);

  if (!can(role, 'callers.help')) {
    return <Text size="sm">Agents verify callers and change their factors; managers correct the record (the emails on record).</Text>;
  }

  const verification = ticketOk ? (page.verifications.find((v) => v.ticketRef === ticketRef && Date.parse(v.validUntil) > now.getTime()) ?? null) : null;
  const avail = availability ?? localAvailability(page, verification !== null);
  const offered = (kind: TicketActionKind) => kind in avail;
  const reasonOf = (kind: TicketActionKind) => (ticketOk ? (avail[kind] ?? null) : 'Enter the webchat ticket reference first.');

  return (
    <Stack gap="md">
      {fixedRef ? null : (
        <TextInput
          id={refId}
          label="Webchat ticket reference"
          description="Every action below is recorded against this ticket (a new reference opens a ticket for it)."
          value={typedRef}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setTypedRef(e.currentTarget.value)}
        />
      )}
      <Verification page={page} now={now} ticketRef={ticketRef} ticketOk={ticketOk} verification={verification} onChanged={onChanged} mayOverride={can(role, 'callers.override')} />
      <FactorActions page={page} ticketRef={ticketRef} onChanged={onChanged} offered={offered} reasonOf={reasonOf} now={now} />
    </Stack>
  );
}
