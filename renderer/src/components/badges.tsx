/** Status words as badges: colour for the eye, the same words for everyone. */
import { Badge, type BadgeProps } from '@mantine/core';
import type { CodeState } from '../../../shared/codes';
import { TICKET_STATUS_LABELS, type EmployeeStatus, type MailStatus, type MfaState, type TicketStatus, type TicketSummary } from '../../../shared/domain';
import { MAIL_STATUS_LABELS, MFA_LABELS, STATUS_LABELS } from '../format';

type Props = Omit<BadgeProps, 'color' | 'children'>;

export const SLA_LABELS: Record<TicketSummary['sla'], string> = { ok: 'Within SLA', warn: 'Near SLA', breached: 'Past SLA' };
const SLA_COLORS: Record<TicketSummary['sla'], string> = { ok: 'gray', warn: 'yellow', breached: 'red' };

export function SlaBadge({ sla, ...props }: Props & { sla: TicketSummary['sla'] }) {
  return (
    <Badge color={SLA_COLORS[sla]} variant={sla === 'breached' ? 'filled' : 'light'} data-sla={sla} {...props}>
      {SLA_LABELS[sla]}
    </Badge>
  );
}

const TICKET_STATUS_COLORS: Record<TicketStatus, string> = { open: 'blue', waiting_employee: 'yellow', waiting_manager: 'yellow', resolved: 'green' };

export function TicketStatusBadge({ status, ...props }: Props & { status: TicketStatus }) {
  return (
    <Badge color={TICKET_STATUS_COLORS[status]} {...props}>
      {TICKET_STATUS_LABELS[status]}
    </Badge>
  );
}

export function EmployeeStatusBadge({ status, ...props }: Props & { status: EmployeeStatus }) {
  return (
    <Badge color={status === 'active' ? 'green' : 'gray'} {...props}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}

const MFA_COLORS: Record<MfaState, string> = { enabled: 'green', pending: 'yellow', not_registered: 'red' };

export function MfaBadge({ state, ...props }: Props & { state: MfaState }) {
  return (
    <Badge color={MFA_COLORS[state]} {...props}>
      {MFA_LABELS[state]}
    </Badge>
  );
}

export function LockedBadge(props: Props) {
  return (
    <Badge color="red" variant="filled" {...props}>
      Locked
    </Badge>
  );
}

export const CODE_STATE_LABELS: Record<CodeState, string> = { active: 'Active', used: 'Used', expired: 'Expired', locked: 'Locked', superseded: 'Replaced' };
const CODE_STATE_COLORS: Record<CodeState, string> = { active: 'blue', used: 'green', expired: 'gray', locked: 'red', superseded: 'gray' };

export function CodeStateBadge({ state, ...props }: Props & { state: CodeState }) {
  return (
    <Badge color={CODE_STATE_COLORS[state]} {...props}>
      {CODE_STATE_LABELS[state]}
    </Badge>
  );
}

const MAIL_COLORS: Record<MailStatus, string> = { queued: 'yellow', sent: 'green', failed: 'red' };

export function MailStatusBadge({ status, ...props }: Props & { status: MailStatus }) {
  return (
    <Badge color={MAIL_COLORS[status]} {...props}>
      {MAIL_STATUS_LABELS[status]}
    </Badge>
  );
}

export function ResultBadge({ result, ...props }: Props & { result: 'ok' | 'refused' }) {
  return (
    <Badge color={result === 'ok' ? 'green' : 'red'} {...props}>
      {result === 'ok' ? 'Done' : 'Refused'}
    </Badge>
  );
}
