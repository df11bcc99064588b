/** The bar above a ticket: its name, status and service level, and what changes the ticket itself (assign, wait, resolve, reopen). */
import type { RefObject } from 'react';
import { Anchor, Button, Group, Title, Tooltip } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { Link } from 'wouter';
import type { TicketDetail } from '../../../../shared/domain';
import { ActionButton } from '../../components/actions';
import { SlaBadge, TicketStatusBadge } from '../../components/badges';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { routes } from '../../app/routes';
import { TextDialogButton, type TextDialogSpec } from './TextDialogButton';
import classes from './Tickets.module.css';

type Changed = (t: TicketDetail) => void;

export function TicketBar({ ticket, headingRef, onChanged }: { ticket: TicketDetail; headingRef: RefObject<HTMLHeadingElement | null>; onChanged: Changed }) {
  const { session } = useDesk();
  const update = useChannelMutation('tickets.update', { onError: (err) => notify.error(err) });
  const resolved = ticket.status === 'resolved';
  const mine = ticket.assignee?.id === session.userId;
  const act = (input: Parameters<typeof update.mutate>[0], message: string) =>
    update.mutate(input, {
      onSuccess: (t) => {
        onChanged(t);
        notify.success(message);
      },
    });
  return (
    <div className={classes.bar}>
      <div className={classes.barTitle}>
        <Tooltip label="Back to the tickets">
          <Anchor component={Link} href={routes.tickets} aria-label="Back to the tickets" c="dimmed">
            <IconArrowLeft size={18} aria-hidden="true" />
          </Anchor>
        </Tooltip>
        <Title order={1} ref={headingRef} tabIndex={-1} className="page-title">
          Ticket {ticket.reference}
        </Title>
        <TicketStatusBadge status={ticket.status} data-testid="ticket-status" size="md" />
        {resolved ? null : <SlaBadge sla={ticket.sla} size="md" />}
      </div>
      <Group gap="xs" wrap="nowrap">
        {!resolved && !mine ? (
          <Button variant="default" size="xs" loading={update.isPending && update.variables?.assignToMe === true} onClick={() => act({ ticketId: ticket.id, assignToMe: true }, 'The ticket is assigned to you.')}>
            Assign to me
          </Button>
        ) : null}
        {ticket.status === 'open' ? (
          <Button variant="default" size="xs" onClick={() => act({ ticketId: ticket.id, status: 'waiting_employee' }, 'The ticket waits on the employee.')}>
            Waiting on employee
          </Button>
        ) : null}
        {ticket.status === 'waiting_employee' ? (
          <Button variant="default" size="xs" onClick={() => act({ ticketId: ticket.id, status: 'open' }, 'The ticket is open again.')}>
            Back to open
          </Button>
        ) : null}
        {resolved ? <ReopenButton ticket={ticket} onChanged={onChanged} /> : <ResolveButton ticket={ticket} onChanged={onChanged} />}
      </Group>
    </div>
  );
}

const RESOLVE: TextDialogSpec = {
  button: 'Resolve…',
  label: 'Resolution note',
  description: 'What was done, in a sentence or two (at least 5 characters). It goes in the audit trail.',
  submit: 'Resolve ticket',
  color: 'green',
  max: 4000,
  field: 'note',
};

const REOPEN: TextDialogSpec = { button: 'Reopen…', label: 'Why it is reopened', submit: 'Reopen ticket', max: 1000, field: 'reason' };

function ResolveButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: Changed }) {
  const resolve = useChannelMutation('tickets.resolve');
  if (ticket.tasks.some((t) => t.status === 'open')) {
    return (
      <ActionButton size="xs" color="green" unavailable="A manager task on this ticket is still open: the ticket comes back when the manager saves the record.">
        Resolve…
      </ActionButton>
    );
  }
  const run = (note: string) => resolve.mutateAsync({ ticketId: ticket.id, note });
  return <TextDialogButton {...RESOLVE} title={`Resolve ticket ${ticket.reference}`} run={run} onChanged={onChanged} done={(t) => `Ticket ${t.reference} is resolved.`} />;
}

function ReopenButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: Changed }) {
  const reopen = useChannelMutation('tickets.reopen');
  const run = (reason: string) => reopen.mutateAsync({ ticketId: ticket.id, reason });
  return <TextDialogButton {...REOPEN} title={`Reopen ticket ${ticket.reference}`} run={run} onChanged={onChanged} done={(t) => `Ticket ${t.reference} is open again.`} />;
}
