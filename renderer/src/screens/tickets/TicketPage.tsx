/**
 * One ticket in three panes, so what the agent needs next is in view at 1024x700:
 *  - left, the ticket: reference, category, status, its age against the service level, assignee,
 *    notes, manager tasks and what happened on it;
 *  - centre, the work: the category's checklist with the facts already looked up, verifying the
 *    caller, the actions that apply (each unavailable one says why), canned replies to copy;
 *  - right, the person: eligibility, factors, the latest codes with a live countdown, the addresses
 *    on record, and a link to the full employee page.
 * The bar above holds what changes the ticket itself: assign, wait on the employee, resolve, reopen.
 */
import { useEffect, useRef } from 'react';
import { Alert, Anchor } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconArrowLeft } from '@tabler/icons-react';
import { Link } from 'wouter';
import type { TicketDetail } from '../../../../shared/domain';
import { Loading, useDocumentTitle } from '../../components/ui';
import { channelKey, useChannel } from '../../lib/query';
import { routes } from '../../app/routes';
import { TicketBar } from './TicketBar';
import { TicketFacts } from './TicketFacts';
import { TheWork } from './TheWork';
import { ThePerson } from './ThePerson';
import classes from './Tickets.module.css';

export function TicketPage({ ticketId }: { ticketId: number }) {
  const queryClient = useQueryClient();
  const ticketQuery = useChannel('tickets.get', { ticketId }, { refetchInterval: 60_000 });
  const ticket = ticketQuery.data;
  useDocumentTitle(ticket ? `Ticket ${ticket.reference}` : 'Ticket');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const loaded = ticket !== undefined;
  useEffect(() => {
    if (loaded) headingRef.current?.focus({ preventScroll: true });
  }, [loaded]);

  // A change answers with the ticket as it is now: show that at once, and let the inbox refresh.
  const show = (t: TicketDetail) => {
    queryClient.setQueryData(channelKey('tickets.get', { ticketId }), t);
    void queryClient.invalidateQueries({ queryKey: ['tickets.list'] });
  };
  const reload = async () => {
    await ticketQuery.refetch();
    void queryClient.invalidateQueries({ queryKey: ['tickets.list'] });
  };

  if (!ticket) {
    return (
      <div className="screen">
        <Anchor component={Link} href={routes.tickets} size="sm" className="back-link">
          <IconArrowLeft size={14} aria-hidden="true" /> Tickets
        </Anchor>
        {ticketQuery.isError ? (
          <Alert color="red" title="This ticket could not be opened" role="alert" mt="md">
            {ticketQuery.error.message}
          </Alert>
        ) : (
          <Loading mt="md">Loading the ticket…</Loading>
        )}
      </div>
    );
  }

  return (
    <div className={classes.page}>
      <TicketBar ticket={ticket} headingRef={headingRef} onChanged={show} />
      <div className={classes.panes}>
        <section className={`${classes.pane} ${classes.left}`} aria-label="The ticket">
          <TicketFacts ticket={ticket} onChanged={show} />
        </section>
        <section className={`${classes.pane} ${classes.centre}`} aria-label="The work">
          <TheWork ticket={ticket} onChanged={show} reload={reload} />
        </section>
        <section className={`${classes.pane} ${classes.right}`} aria-label="The employee">
          <ThePerson ticket={ticket} onChanged={show} />
        </section>
      </div>
    </div>
  );
}
