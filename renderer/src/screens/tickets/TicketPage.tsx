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
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Anchor, Badge, Button, Group, Loader, Modal, NativeSelect, Paper, Stack, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowLeft, IconCheck, IconCircleCheck, IconCopy, IconExternalLink, IconInfoCircle, IconSquare } from '@tabler/icons-react';
import { Link } from 'wouter';
import { codeStatus } from '../../../../shared/codes';
import {
  TICKET_CATEGORIES,
  TICKET_CATEGORY_LABELS,
  type ChecklistItem,
  type EmployeePageData,
  type TicketActionKind,
  type TicketDetail,
} from '../../../../shared/domain';
import { ActionButton } from '../../components/actions';
import { CodeStateBadge, EmployeeStatusBadge, LockedBadge, MfaBadge, SlaBadge, TicketStatusBadge } from '../../components/badges';
import { Address, Facts, LongText, None, RelativeTime, useDocumentTitle } from '../../components/ui';
import { CODE_PURPOSE_LABELS, auditActionLabel, detailValue, formatDate, formatDateTime, formatMinutes, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { useServerNow } from '../../lib/useServerNow';
import { routes } from '../../app/routes';
import { CallerActions, type ActionAvailability } from '../caller/CallerActions';
import { EmployeePicker } from './EmployeePicker';
import classes from './Tickets.module.css';

/** "once", "twice", "3 times". */
function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-GB')} times`;
}

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
          <Group gap="xs" role="status" mt="md">
            <Loader size="sm" aria-hidden="true" />
            <Text>Loading the ticket…</Text>
          </Group>
        )}
      </div>
    );
  }

  const offset = Date.parse(ticket.serverTime) - Date.now();
  return (
    <div className={classes.page}>
      <TicketBar ticket={ticket} headingRef={headingRef} onChanged={show} />
      <div className={classes.panes}>
        <section className={`${classes.pane} ${classes.left}`} aria-label="The ticket">
          <TicketFacts ticket={ticket} offset={offset} onChanged={show} />
        </section>
        <section className={`${classes.pane} ${classes.centre}`} aria-label="The work">
          <TheWork ticket={ticket} offset={offset} onChanged={show} reload={reload} />
        </section>
        <section className={`${classes.pane} ${classes.right}`} aria-label="The employee">
          <ThePerson ticket={ticket} offset={offset} onChanged={show} />
        </section>
      </div>
    </div>
  );
}

// ── The bar: the ticket's name and what changes it ──────────────────────────────────────────────

function TicketBar({ ticket, headingRef, onChanged }: { ticket: TicketDetail; headingRef: React.RefObject<HTMLHeadingElement | null>; onChanged: (t: TicketDetail) => void }) {
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

/** A button that opens a small dialog with one text (a resolution note, why it is reopened, a task for a manager). */
function TextDialogButton(props: {
  button: string;
  title: string;
  label: string;
  description?: string;
  submit: string;
  initial?: string;
  max: number;
  color?: string;
  variant?: 'filled' | 'default' | 'light';
  size?: 'xs' | 'sm';
  field: string;
  run: (text: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const form = useForm({ initialValues: { text: props.initial ?? '' } });
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button size={props.size ?? 'xs'} color={props.color} variant={props.variant ?? 'filled'} onClick={() => setOpen(true)}>
        {props.button}
      </Button>
      <Modal opened={open} onClose={() => !busy && setOpen(false)} title={<Text fw={650}>{props.title}</Text>} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          noValidate
          onSubmit={form.onSubmit(async ({ text }) => {
            if (busy) return;
            setBusy(true);
            try {
              await props.run(text);
              setOpen(false);
              form.reset();
            } catch (err) {
              reportFormError(form, err, { [props.field]: 'text' });
            } finally {
              setBusy(false);
            }
          })}
        >
          <Stack gap="md">
            <Textarea label={props.label} description={props.description} maxLength={props.max} minRows={3} data-autofocus {...form.getInputProps('text')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </Button>
              <Button type="submit" color={props.color} loading={busy}>
                {props.submit}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function ResolveButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const resolve = useChannelMutation('tickets.resolve');
  if (ticket.tasks.some((t) => t.status === 'open')) {
    return (
      <ActionButton size="xs" color="green" unavailable="A manager task on this ticket is still open: the ticket comes back when the manager saves the record.">
        Resolve…
      </ActionButton>
    );
  }
  return (
    <TextDialogButton
      button="Resolve…"
      title={`Resolve ticket ${ticket.reference}`}
      label="Resolution note"
      description="What was done, in a sentence or two (at least 5 characters). It goes in the audit trail."
      submit="Resolve ticket"
      color="green"
      max={4000}
      field="note"
      run={async (note) => {
        const t = await resolve.mutateAsync({ ticketId: ticket.id, note });
        onChanged(t);
        notify.success(`Ticket ${t.reference} is resolved.`);
      }}
    />
  );
}

function ReopenButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const reopen = useChannelMutation('tickets.reopen');
  return (
    <TextDialogButton
      button="Reopen…"
      title={`Reopen ticket ${ticket.reference}`}
      label="Why it is reopened"
      submit="Reopen ticket"
      max={1000}
      field="reason"
      run={async (reason) => {
        const t = await reopen.mutateAsync({ ticketId: ticket.id, reason });
        onChanged(t);
        notify.success(`Ticket ${t.reference} is open again.`);
      }}
    />
  );
}

// ── Left: the ticket ─────────────────────────────────────────────────────────────────────────────

function TicketFacts({ ticket, offset, onChanged }: { ticket: TicketDetail; offset: number; onChanged: (t: TicketDetail) => void }) {
  const now = useServerNow(offset, true);
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

// ── Centre: the work ─────────────────────────────────────────────────────────────────────────────

const CHECK_ICON: Record<ChecklistItem['state'], ReactNode> = {
  done: <IconCircleCheck size={18} color="var(--mantine-color-green-8)" aria-hidden="true" />,
  todo: <IconSquare size={18} color="var(--mantine-color-blue-7)" aria-hidden="true" />,
  warning: <IconAlertTriangle size={18} color="var(--mantine-color-yellow-8)" aria-hidden="true" />,
  info: <IconInfoCircle size={18} color="var(--mantine-color-gray-6)" aria-hidden="true" />,
};
const CHECK_WORDS: Record<ChecklistItem['state'], string> = { done: 'Done: ', todo: 'To do: ', warning: 'Warning: ', info: '' };
const NOT_THIS_KIND = /^Not part of this kind of problem/;

function TheWork({ ticket, offset, onChanged, reload }: { ticket: TicketDetail; offset: number; onChanged: (t: TicketDetail) => void; reload: () => Promise<unknown> }) {
  const resolved = ticket.status === 'resolved';
  const guidance = ticket.guidance;
  // Only the actions this kind of problem needs; each unavailable one keeps its reason.
  const availability: ActionAvailability = {};
  let waitOnManager: string | null | undefined;
  for (const a of guidance?.actions ?? []) {
    if (NOT_THIS_KIND.test(a.reason ?? '')) continue;
    if (a.kind === 'waitOnManager') waitOnManager = a.enabled ? null : a.reason;
    else availability[a.kind as Exclude<TicketActionKind, 'waitOnManager'>] = a.enabled ? null : a.reason;
  }
  const others = (guidance?.actions ?? []).filter((a) => NOT_THIS_KIND.test(a.reason ?? '')).length;

  return (
    <Stack gap="lg">
      <section aria-label={`Checklist: ${TICKET_CATEGORY_LABELS[ticket.category]}`}>
        <h2 className={classes.paneTitle}>{TICKET_CATEGORY_LABELS[ticket.category]}</h2>
        {guidance ? (
          <>
            <Text size="sm" fw={600} mb={6}>
              {guidance.summary}
            </Text>
            <ul className={classes.checklist} aria-label="Checklist">
              {guidance.checklist.map((i) => (
                <li key={i.id} className={classes.checkItem} data-item={i.id} data-state={i.state}>
                  <span className={classes.checkIcon}>{CHECK_ICON[i.state]}</span>
                  <span>
                    <span className="visually-hidden">{CHECK_WORDS[i.state]}</span>
                    {i.text}
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <Text size="sm">Link the employee (on the right) to see the checklist for this kind of problem.</Text>
        )}
      </section>

      {ticket.page && !resolved ? (
        <section aria-label="Help this caller">
          <CallerActions page={ticket.page} offset={offset} onChanged={reload} ticketRef={ticket.reference} availability={availability} />
          {waitOnManager !== undefined && ticket.employee ? (
            <Group mt="sm" gap="xs">
              {waitOnManager === null ? (
                <WaitOnManagerButton ticket={ticket} onChanged={onChanged} />
              ) : (
                <ActionButton variant="default" unavailable={waitOnManager}>
                  Ask a manager to correct the record…
                </ActionButton>
              )}
            </Group>
          ) : null}
          {others > 0 ? (
            <Text size="xs" c="dimmed" mt="sm">
              {plural(others, 'other action is', 'other actions are')} not part of this kind of problem: change the category if the caller needs something else.
            </Text>
          ) : null}
        </section>
      ) : resolved ? (
        <Alert color="green" variant="light" icon={<IconCheck size={18} aria-hidden="true" />} title="Resolved">
          A resolved ticket takes no action. Reopen it (above) if the caller still needs help.
        </Alert>
      ) : null}

      {ticket.replies.length > 0 ? (
        <section aria-labelledby="replies-heading">
          <h2 className={classes.paneTitle} id="replies-heading">
            Replies to paste into the webchat
          </h2>
          <Stack gap={6}>
            {ticket.replies.map((r) => (
              <Paper key={r.id} p="xs" withBorder className={classes.reply}>
                <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                  <Text size="sm" fw={600}>
                    {r.title}
                  </Text>
                  <CopyReply title={r.title} text={r.text} />
                </Group>
                <Text size="sm" mt={4} className="prewrap">
                  {r.text}
                </Text>
              </Paper>
            ))}
          </Stack>
        </section>
      ) : null}
    </Stack>
  );
}

/** Copy a reply for the webchat: the clipboard when allowed, else say how to copy it by hand. */
function CopyReply({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(t);
  }, [copied]);
  return (
    <Button
      size="compact-xs"
      variant={copied ? 'light' : 'default'}
      color={copied ? 'green' : undefined}
      leftSection={copied ? <IconCheck size={12} aria-hidden="true" /> : <IconCopy size={12} aria-hidden="true" />}
      aria-label={`Copy “${title}”`}
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            notify.success('Copied: paste it into the webchat.', title);
          },
          () => notify.warning('The clipboard is not available here: select the reply and copy it with Ctrl+C.', title),
        )
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

function WaitOnManagerButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const wait = useChannelMutation('tickets.waitOnManager');
  return (
    <TextDialogButton
      button="Ask a manager to correct the record…"
      variant="default"
      size="sm"
      title="Ask a manager"
      label="What the manager should do"
      description="The task goes to the managers' queue; the ticket waits on a manager and comes back to you when the record is saved."
      submit="Wait on manager"
      initial={`Correct the email on record for ${ticket.employee?.name ?? 'the employee'} (${ticket.employee?.employeeNumber ?? ''}).`}
      max={500}
      field="description"
      run={async (description) => {
        const t = await wait.mutateAsync({ ticketId: ticket.id, description });
        onChanged(t);
        notify.success('A task went to the managers’ queue; the ticket waits on a manager.');
      }}
    />
  );
}

// ── Right: the person ───────────────────────────────────────────────────────────────────────────

function ThePerson({ ticket, offset, onChanged }: { ticket: TicketDetail; offset: number; onChanged: (t: TicketDetail) => void }) {
  const link = useChannelMutation('tickets.update');
  const [linkError, setLinkError] = useState<string | null>(null);
  if (!ticket.page) {
    return (
      <Stack gap="sm">
        <h2 className={classes.paneTitle}>Employee</h2>
        {ticket.status === 'resolved' ? (
          <Text size="sm">No employee was linked to this ticket.</Text>
        ) : (
          <>
            <Text size="sm">No employee is linked yet. Find them and link them to this ticket.</Text>
            <EmployeePicker
              error={linkError}
              onPick={(e) =>
                link.mutate(
                  { ticketId: ticket.id, employeeId: e.id },
                  {
                    onSuccess: (t) => {
                      setLinkError(null);
                      onChanged(t);
                      notify.success(`${e.firstName} ${e.lastName} is linked to this ticket.`);
                    },
                    onError: (err) => setLinkError(err.message),
                  },
                )
              }
            />
          </>
        )}
      </Stack>
    );
  }
  return <PersonPanel page={ticket.page} offset={offset} />;
}

function PersonPanel({ page, offset }: { page: EmployeePageData; offset: number }) {
  const e = page.employee;
  const now = useServerNow(offset, page.codes.length > 0);
  const el = page.eligibility;
  const how = el.canUseApp && el.canUseEmail ? 'the app or email' : el.canUseApp ? 'the app only' : 'email only';
  const app = e.factors.find((f) => f.type === 'authenticator_app' && f.state !== 'removed') ?? null;
  const email = e.factors.find((f) => f.type === 'email' && f.state !== 'removed') ?? null;
  const codes = [...page.codes].sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return (
    <Stack gap="md">
      <div>
        <h2 className={classes.paneTitle}>Employee</h2>
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <div style={{ minWidth: 0 }}>
            <Text fw={700} size="lg" lh={1.2}>
              {e.firstName} {e.lastName}
            </Text>
            <Text size="sm" c="dimmed">
              <span className="num">{e.employeeNumber}</span> · {e.organisation}
            </Text>
          </div>
        </Group>
        <Group gap={4} mt={6}>
          <EmployeeStatusBadge status={e.status} />
          <MfaBadge state={e.mfaState} />
          {e.locked || page.codeLock.lockedAt ? <LockedBadge /> : null}
        </Group>
        <Anchor component={Link} href={routes.employee(e.id)} size="sm" mt={6} display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
          Open the full employee page <IconExternalLink size={14} aria-hidden="true" />
        </Anchor>
      </div>

      <Alert
        color={el.canRegister ? 'green' : 'red'}
        variant="light"
        p="xs"
        title={el.canRegister ? `Can register with ${how}` : 'Cannot register for MFA'}
        aria-label="Eligibility"
      >
        {el.reasons.length > 0 ? (
          <Stack gap={2}>
            {el.reasons.map((r) => (
              <Text key={r.code} size="xs">
                {r.message}
              </Text>
            ))}
          </Stack>
        ) : null}
      </Alert>

      <div>
        <h3 className={classes.paneTitle}>Methods</h3>
        <Facts
          labelWidth={110}
          items={[
            [
              'Authenticator app',
              app ? (
                <>
                  {app.state === 'pending' ? 'Waiting to be set up' : 'Active'}
                  {app.lastUsedAt ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (last used {formatDate(app.lastUsedAt)})
                    </Text>
                  ) : null}
                </>
              ) : (
                'None'
              ),
            ],
            [
              'Email',
              email ? (
                <>
                  {email.state === 'pending' ? 'Waiting to be verified' : 'Active'}
                  {email.emailAddress ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (<Address address={email.emailAddress} />)
                    </Text>
                  ) : null}
                </>
              ) : (
                'None'
              ),
            ],
            ['MFA', e.mfaEnabledAt ? `Enabled since ${formatDate(e.mfaEnabledAt)}` : e.mfaState === 'pending' ? 'Registration pending' : 'Not registered'],
          ]}
        />
      </div>

      <div>
        <h3 className={classes.paneTitle}>Latest codes</h3>
        {codes.length === 0 ? (
          <Text size="sm" c="dimmed">
            No one-time codes have been sent.
          </Text>
        ) : (
          <Stack gap={6}>
            {codes.map((c) => {
              const st = codeStatus(c, now);
              return (
                <Paper key={c.id} p="xs" withBorder>
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm" fw={600}>
                      {CODE_PURPOSE_LABELS[c.purpose]}
                    </Text>
                    <CodeStateBadge state={st.state} />
                  </Group>
                  <Text size="xs" c="dimmed">
                    To <Address address={c.recipient} />
                  </Text>
                  {st.state === 'active' ? (
                    <Text size="sm" role="timer" aria-live="off" aria-atomic="true" data-live-time="">
                      {st.label}, {plural(st.attemptsLeft, 'try', 'tries')} left
                    </Text>
                  ) : (
                    <Text size="xs">{st.label}</Text>
                  )}
                </Paper>
              );
            })}
          </Stack>
        )}
      </div>

      <div>
        <h3 className={classes.paneTitle}>Addresses on record</h3>
        {e.emails.length === 0 ? (
          <Text size="sm">No email on record: a manager must add one.</Text>
        ) : (
          <Stack gap={4}>
            {e.emails.map((m) => (
              <Group key={m.id} gap={6} wrap="nowrap" align="flex-start">
                <Badge size="sm" color="gray" variant="light" miw={64}>
                  {m.kind === 'work' ? 'Work' : 'Personal'}
                </Badge>
                <Text size="sm" miw={0}>
                  <Address address={m.address} />
                  {m.usedForCodes ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (codes)
                    </Text>
                  ) : null}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </div>
      {page.codeLock.failures > 0 ? (
        <Text size="xs" c="dimmed">
          {plural(page.codeLock.failures, 'wrong code', 'wrong codes')} of {page.codeLock.maxFailures} counted.
        </Text>
      ) : null}
    </Stack>
  );
}
