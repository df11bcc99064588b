/**
 * The ticket page's centre pane, the work: the category's checklist with the facts already looked
 * up, the caller's verification and the actions that apply (each unavailable one says why), and
 * canned replies to copy into the webchat.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCircleCheck, IconCopy, IconInfoCircle, IconSquare } from '@tabler/icons-react';
import { TICKET_CATEGORY_LABELS, type ChecklistItem, type TicketDetail } from '../../../../shared/domain';
import { ActionButton } from '../../components/actions';
import { plural } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { CallerActions, type ActionAvailability } from '../caller/CallerActions';
import { TextDialogButton, type TextDialogSpec } from './TextDialogButton';
import classes from './Tickets.module.css';

const CHECK_ICON: Record<ChecklistItem['state'], ReactNode> = {
  done: <IconCircleCheck size={18} color="var(--mantine-color-green-8)" aria-hidden="true" />,
  todo: <IconSquare size={18} color="var(--mantine-color-blue-7)" aria-hidden="true" />,
  warning: <IconAlertTriangle size={18} color="var(--mantine-color-yellow-8)" aria-hidden="true" />,
  info: <IconInfoCircle size={18} color="var(--mantine-color-gray-6)" aria-hidden="true" />,
};
const CHECK_WORDS: Record<ChecklistItem['state'], string> = { done: 'Done: ', todo: 'To do: ', warning: 'Warning: ', info: '' };
const NOT_THIS_KIND = /^Not part of this kind of problem/;

export function TheWork({ ticket, onChanged, reload }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void; reload: () => Promise<unknown> }) {
  const resolved = ticket.status === 'resolved';
  const guidance = ticket.guidance;
  // Only the actions this kind of problem needs; each unavailable one keeps its reason.
  const availability: ActionAvailability = {};
  let waitOnManager: string | null | undefined;
  for (const a of guidance?.actions ?? []) {
    if (NOT_THIS_KIND.test(a.reason ?? '')) continue;
    if (a.kind === 'waitOnManager') waitOnManager = a.enabled ? null : a.reason;
    else availability[a.kind] = a.enabled ? null : a.reason;
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
          <CallerActions page={ticket.page} onChanged={reload} ticketRef={ticket.reference} availability={availability} />
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
        void navigator.clipboard.writeText(text).then(
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

const WAIT_ON_MANAGER: TextDialogSpec = {
  button: 'Ask a manager to correct the record…',
  variant: 'default',
  size: 'sm',
  label: 'What the manager should do',
  description: 'The task goes to the managers’ queue; the ticket waits on a manager and comes back to you when the record is saved.',
  submit: 'Wait on manager',
  max: 500,
  field: 'description',
};

function WaitOnManagerButton({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const wait = useChannelMutation('tickets.waitOnManager');
  const run = (description: string) => wait.mutateAsync({ ticketId: ticket.id, description });
  return (
    <TextDialogButton
      {...WAIT_ON_MANAGER}
      title="Ask a manager"
      initial={`Correct the email on record for ${ticket.employee?.name ?? 'the employee'} (${ticket.employee?.employeeNumber ?? ''}).`}
      run={run}
      onChanged={onChanged}
      done={() => 'A task went to the managers’ queue; the ticket waits on a manager.'}
    />
  );
}
