/** The ticket page's left pane: the ticket's facts, notes, the change it is about, manager tasks and what happened on it. */
import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { TICKET_CATEGORIES, TICKET_CATEGORY_LABELS, type TicketDetail } from '../../../../shared/domain';
import { Facts, LongText, None, RelativeTime } from '../../components/ui';
import { auditActionLabel, detailValue, formatDateTime, formatMinutes } from '../../format';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';
import { useServerNow } from '../../lib/useServerNow';
import classes from './Tickets.module.css';

/** "once", "twice", "3 times". */
function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-GB')} times`;
}


export function TicketFacts({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const now = useServerNow(ticket.serverTime, true);
  const resolved = ticket.status === 'resolved';
  const update = useChannelMutation('tickets.update', { onError: (err) => notify.error(err) });
  return (
    <Stack gap="md">
      <div>
        <h2 className={classes.paneTitle}>Ticket</h2>
        {resolved ? null : (
          <NativeSelect
            label="Category"
            size="xs"
            mb="sm"
            value={ticket.category}
            disabled={update.isPending}
            data={TICKET_CATEGORIES.map((c) => ({ value: c, label: TICKET_CATEGORY_LABELS[c] }))}
            onChange={(e) =>
              update.mutate(
                { ticketId: ticket.id, category: e.currentTarget.value as TicketDetail['category'] },
                {
                  onSuccess: (t) => {
                    onChanged(t);
                    notify.success(`Category: ${TICKET_CATEGORY_LABELS[t.category]}. The checklist follows it.`);
                  },
                },
              )
            }
          />
        )}
        <Facts
          labelWidth={92}
          aria-label="Ticket details"
          items={[
            resolved ? ['Category', TICKET_CATEGORY_LABELS[ticket.category]] : null,
            [
              resolved ? 'Took' : 'Open for',
              <>
                <span data-live-time="">{formatMinutes(ticket.ageMinutes)}</span>
                {resolved ? null : <Text span size="xs" c="dimmed">{` (service level ${ticket.sla === 'ok' ? 'not reached' : ticket.sla === 'warn' ? 'near' : 'passed'})`}</Text>}
              </>,
            ],
            ['Opened', <><RelativeTime iso={ticket.openedAt} now={now} /> by {ticket.openedBy}</>],
            ['Assignee', ticket.assignee?.name ?? <None label="Nobody" />],
            ticket.reopenedCount > 0 ? ['Reopened', times(ticket.reopenedCount)] : null,
            ticket.resolvedAt ? ['Resolved', <RelativeTime key="r" iso={ticket.resolvedAt} now={now} />] : null,
          ]}
        />
        {ticket.resolutionNote ? (
          <Paper p="xs" mt="xs" withBorder>
            <Text size="xs" fw={600} c="dimmed">
              Resolution note
            </Text>
            <LongText>{ticket.resolutionNote}</LongText>
          </Paper>
        ) : null}
      </div>
      {resolved ? (
        ticket.notes ? (
          <div>
            <h2 className={classes.paneTitle}>Notes</h2>
            <LongText>{ticket.notes}</LongText>
          </div>
        ) : null
      ) : (
        <Notes ticket={ticket} onChanged={onChanged} />
      )}
      {ticket.linkedEvent ? (
        <Alert component="section" role="region" aria-label="The change the employee did not make" color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />} title="The change the employee did not make">
          <Text size="sm">
            {auditActionLabel(ticket.linkedEvent.action)} on {formatDateTime(ticket.linkedEvent.occurredAt)} by {ticket.linkedEvent.actor}
            {ticket.linkedEvent.details['reference'] ? ` (reference ${detailValue(ticket.linkedEvent.details['reference'])})` : ''}.
          </Text>
        </Alert>
      ) : null}
      {ticket.tasks.length > 0 ? (
        <div>
          <h2 className={classes.paneTitle}>Manager tasks</h2>
          <Stack gap={6}>
            {ticket.tasks.map((t) => (
              <Paper key={t.id} p="xs" withBorder>
                <LongText maxHeight={60}>{t.description}</LongText>
                <Text size="xs" c="dimmed" mt={4}>
                  {t.status === 'open' ? (
                    <>
                      Open since <RelativeTime iso={t.createdAt} now={now} />
                    </>
                  ) : (
                    <>
                      Done by {t.closedBy ?? 'a manager'} {t.closedAt ? <RelativeTime iso={t.closedAt} now={now} /> : null}
                    </>
                  )}
                </Text>
              </Paper>
            ))}
          </Stack>
        </div>
      ) : null}
      <section aria-labelledby="history-heading">
        <h2 className={classes.paneTitle} id="history-heading">
          What happened on this ticket
        </h2>
        <ol className={classes.history}>
          {ticket.actions.map((a) => (
            <li key={a.id} data-highlight={ticket.linkedEvent?.id === a.id || undefined}>
              <Text size="sm" fw={500}>
                {auditActionLabel(a.action)}
                {a.result === 'refused' ? (
                  <Badge color="red" size="xs" ml={6}>
                    Refused
                  </Badge>
                ) : null}
              </Text>
              <Text size="xs" c="dimmed">
                {a.actor}, <RelativeTime iso={a.occurredAt} now={now} />
              </Text>
            </li>
          ))}
        </ol>
      </section>
    </Stack>
  );
}

function Notes({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const form = useForm({ initialValues: { notes: ticket.notes } });
  const save = useChannelMutation('tickets.update');
  const changed = form.getValues().notes !== ticket.notes;
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(({ notes }) =>
        save.mutate(
          { ticketId: ticket.id, notes },
          {
            onSuccess: (t) => {
              onChanged(t);
              form.resetDirty({ notes: t.notes });
              notify.success('Notes saved.');
            },
            onError: (err) => reportFormError(form, err),
          },
        ),
      )}
    >
      <h2 className={classes.paneTitle}>Notes</h2>
      <Textarea aria-label="Notes" placeholder="What the caller said, what you checked…" minRows={3} maxRows={10} maxLength={4000} {...form.getInputProps('notes')} />
      <Group justify="flex-end" mt={6}>
        <Button type="submit" size="xs" variant="default" disabled={!changed} loading={save.isPending}>
          Save notes
        </Button>
      </Group>
    </form>
  );
}
