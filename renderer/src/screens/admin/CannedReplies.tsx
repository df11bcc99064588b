/**
 * The canned replies agents copy into the webchat, per ticket category. Placeholders such as
 * {{maskedEmail}} are filled with the ticket's facts; the main process refuses unknown ones and
 * anything that could be a code (six digits or more), naming the reply and field (replies.3.text).
 */
import { useState } from 'react';
import { flushSync } from 'react-dom';
import { Accordion, Badge, Button, Code, Grid, Group, NativeSelect, Paper, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { TICKET_CATEGORIES, TICKET_CATEGORY_LABELS, type CannedReplyTemplate } from '../../../../shared/domain';
import { Empty, Loading, SectionTitle } from '../../components/ui';
import { notify } from '../../lib/feedback';
import { fieldErrorsOf, focusFirstInvalid, reportFormError, useSubmitOnce } from '../../lib/forms';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import classes from './admin.module.css';

const PLACEHOLDERS = ['firstName', 'maskedEmail', 'codeExpiresAt', 'minutes', 'ticketRef', 'webchatUrl', 'leavingDate', 'appAccount'];

interface ReplyDraft extends CannedReplyTemplate {
  /** A stable key for React while replies are added and removed. */
  key: string;
}

let draftKey = 0;
const asDraft = (r: CannedReplyTemplate): ReplyDraft => ({ ...r, key: `r${++draftKey}` });

export function CannedReplies() {
  const replies = useChannel('replies.get', {}, { staleTime: Infinity });
  return (
    <Paper component="section" aria-labelledby="replies-heading">
      <SectionTitle id="replies-heading">Canned replies</SectionTitle>
      {replies.data ? (
        <RepliesEditor initial={replies.data} />
      ) : replies.isError ? (
        <Empty title="The canned replies could not be read">{replies.error.message}</Empty>
      ) : (
        <Loading size="sm">Loading the canned replies…</Loading>
      )}
    </Paper>
  );
}

function RepliesEditor({ initial }: { initial: CannedReplyTemplate[] }) {
  const queryClient = useQueryClient();
  const update = useChannelMutation('replies.update');
  const [open, setOpen] = useState<string[]>([]);
  const form = useForm({
    initialValues: { replies: initial.map(asDraft) },
    validate: {
      replies: {
        title: (v) => (v.trim() ? null : 'Give the reply a title'),
        text: (v) => (v.trim() ? null : 'Write the reply'),
      },
    },
  });
  const list = form.values.replies;

  /**
   * Open the replies that have a problem, so each message is seen under its field (read against
   * the list as it is now: it may have changed while a save was on its way).
   */
  function openWithErrors(errors: Record<string, unknown>) {
    const now = form.getValues().replies;
    const keys = new Set<string>();
    for (const path of Object.keys(errors)) {
      const m = /^replies\.(\d+)\./.exec(path);
      const r = m ? now[Number(m[1])] : undefined;
      if (r) keys.add(r.key);
    }
    if (keys.size > 0) setOpen((o) => [...new Set([...o, ...keys])]);
  }

  const save = useSubmitOnce(
    form,
    async (v) => {
      const saved = await update.mutateAsync({ replies: v.replies.map(({ key: _key, ...r }) => r) });
      queryClient.setQueryData(channelKey('replies.get', {}), saved);
      form.setValues({ replies: saved.map(asDraft) });
      form.resetDirty();
      setOpen([]);
      notify.success(`Canned replies saved: ${saved.length === 1 ? 'one reply' : `${saved.length} replies`}.`);
    },
    (err) => {
      // The replies the refusal names open first, so the focus can reach the field in them.
      flushSync(() => openWithErrors(fieldErrorsOf(err, ['replies']).fields));
      reportFormError(form, err, undefined, 'The canned replies were not saved');
    },
    (errs) => {
      openWithErrors(errs);
      focusFirstInvalid();
    },
  );

  function add() {
    const reply = asDraft({ id: `reply-${Date.now().toString(36)}`, category: 'other', title: '', text: '' });
    form.insertListItem('replies', reply);
    setOpen((o) => [...o, reply.key]);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-reply-title="${reply.key}"]`)?.focus());
  }

  return (
    <form onSubmit={save} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed" className={classes.placeholders}>
          Each reply is offered on tickets of its category. Placeholders filled from the ticket:{' '}
          {PLACEHOLDERS.map((p, i) => (
            <span key={p}>
              {i > 0 ? ' ' : null}
              <Code>{`{{${p}}}`}</Code>
            </span>
          ))}
          . A reply never holds a code.
        </Text>
        {list.length === 0 ? (
          <Empty title="No canned replies">Agents then write every answer themselves. Add a reply to offer one.</Empty>
        ) : (
          <Accordion multiple value={open} onChange={setOpen} variant="contained" chevronPosition="left" transitionDuration={0}>
            {list.map((r, i) => {
              const invalid = Object.keys(form.errors).some((k) => k.startsWith(`replies.${i}.`));
              return (
                <Accordion.Item key={r.key} value={r.key}>
                  <Accordion.Control>
                    <Group gap="xs" wrap="nowrap" miw={0}>
                      <Text size="sm" fw={600} truncate="end">
                        <span className="visually-hidden">Reply {i + 1}: </span>
                        {r.title || 'New reply'}
                      </Text>
                      <Badge size="sm" color="gray" style={{ flexShrink: 0 }}>
                        {TICKET_CATEGORY_LABELS[r.category]}
                      </Badge>
                      {invalid ? (
                        <Badge size="sm" color="red" style={{ flexShrink: 0 }}>
                          Check this reply
                        </Badge>
                      ) : null}
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Stack gap="sm">
                      <Grid gap="sm">
                        <Grid.Col span={{ base: 12, sm: 5 }}>
                          <NativeSelect
                            label={`Category of reply ${i + 1}`}
                            data={TICKET_CATEGORIES.map((c) => ({ value: c, label: TICKET_CATEGORY_LABELS[c] }))}
                            {...form.getInputProps(`replies.${i}.category`)}
                          />
                        </Grid.Col>
                        <Grid.Col span={{ base: 12, sm: 7 }}>
                          <TextInput label={`Title of reply ${i + 1}`} maxLength={80} data-reply-title={r.key} {...form.getInputProps(`replies.${i}.title`)} />
                        </Grid.Col>
                      </Grid>
                      <Textarea label={`Text of reply ${i + 1}`} maxLength={1000} minRows={3} {...form.getInputProps(`replies.${i}.text`)} />
                      <Group justify="flex-end">
                        <Button
                          variant="subtle"
                          color="red"
                          size="xs"
                          leftSection={<IconTrash size={14} aria-hidden="true" />}
                          onClick={() => form.removeListItem('replies', i)}
                        >
                          Remove reply {i + 1}
                        </Button>
                      </Group>
                    </Stack>
                  </Accordion.Panel>
                </Accordion.Item>
              );
            })}
          </Accordion>
        )}
        <Group gap="sm">
          <Button type="submit" loading={form.submitting}>
            Save canned replies
          </Button>
          <Button variant="default" leftSection={<IconPlus size={16} aria-hidden="true" />} onClick={add}>
            Add a reply
          </Button>
          {form.isDirty() ? (
            <Text size="sm" c="dimmed">
              Unsaved changes
            </Text>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}
