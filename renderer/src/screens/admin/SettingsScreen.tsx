/**
 * Admin settings: the mail (SMTP) server mail goes out through, with a test mail; where the data
 * key is kept; and the canned replies agents copy into the webchat. With no host set the desk
 * writes each mail as an .eml file to the data directory's outbox folder. The SMTP password is sent
 * once and never shown again (the main process keeps it sealed and only says whether one is set).
 */
import { useEffect, useRef, useState } from 'react';
import {
  Accordion,
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Grid,
  Group,
  Loader,
  NativeSelect,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconCheck, IconMail, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import {
  SMTP_SECURITIES,
  TICKET_CATEGORIES,
  TICKET_CATEGORY_LABELS,
  type CannedReplyTemplate,
  type SmtpSecurityMode,
  type SmtpSettingsView,
  type TestMailResult,
} from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { PasswordField } from '../../components/fields';
import { Empty, PageHeader, SectionTitle } from '../../components/ui';
import { notify } from '../../lib/feedback';
import { focusFirstInvalid, reportFormError } from '../../lib/forms';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import classes from './admin.module.css';

const SECURITY_LABELS: Record<SmtpSecurityMode, string> = {
  none: 'None (plain SMTP)',
  starttls: 'STARTTLS (upgrade the connection; usually port 587)',
  tls: 'TLS from the start (usually port 465)',
};

const PLACEHOLDERS = ['firstName', 'maskedEmail', 'codeExpiresAt', 'minutes', 'ticketRef', 'webchatUrl', 'leavingDate', 'appAccount'];


export function SettingsScreen() {
  const smtp = useChannel('smtp.get', {});
  const dataKey = useChannel('settings.dataKey', {});

  return (
    <div className="screen">
      <PageHeader title="Settings" description="How mail goes out, where the data key is kept, and the canned replies agents paste into the webchat." />
      <Stack gap="lg">
        <Grid gap="lg" align="flex-start">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Paper component="section" aria-labelledby="mail-heading">
              <SectionTitle id="mail-heading">Mail (SMTP)</SectionTitle>
              {smtp.data ? (
                <MailSettings initial={smtp.data} />
              ) : smtp.isError ? (
                <Empty title="The mail settings could not be read">{smtp.error.message}</Empty>
              ) : (
                <Loading what="the mail settings" />
              )}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="lg">
            <Paper component="section" aria-labelledby="test-mail-heading">
              <SectionTitle id="test-mail-heading">Send a test mail</SectionTitle>
              <TestMail />
            </Paper>
            <Paper component="section" aria-labelledby="data-key-heading">
              <SectionTitle id="data-key-heading">Data key</SectionTitle>
              {dataKey.data ? (
                <Stack gap="sm">
                  <Text size="sm">
                    Authenticator keys, the SMTP password and code mails are sealed with a data key kept in{' '}
                    {dataKey.data.where}.
                  </Text>
                  {dataKey.data.warning ? (
                    <Alert role="status" color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />} title="Not in the keychain">
                      {dataKey.data.warning}
                    </Alert>
                  ) : null}
                </Stack>
              ) : dataKey.isError ? (
                <Text size="sm" c="red.8">
                  Where the data key is kept could not be read: {dataKey.error.message}
                </Text>
              ) : (
                <Loading what="the data key" />
              )}
            </Paper>
            </Stack>
          </Grid.Col>
        </Grid>
        <CannedReplies />
      </Stack>
    </div>
  );
}

function Loading({ what }: { what: string }) {
  return (
    <Group gap="xs" role="status">
      <Loader size="sm" aria-hidden="true" />
      <Text size="sm">Loading {what}…</Text>
    </Group>
  );
}

function MailSettings({ initial }: { initial: SmtpSettingsView }) {
  const queryClient = useQueryClient();
  const [view, setView] = useState(initial);
  const busy = useRef(false);
  const update = useChannelMutation('smtp.update');
  const form = useForm({
    initialValues: {
      host: initial.host,
      port: String(initial.port),
      security: initial.security as SmtpSecurityMode,
      user: initial.user,
      from: initial.from,
      password: '',
      removePassword: false,
    },
    validate: {
      port: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? null : 'Enter a port from 1 to 65,535'),
    },
  });

  const save = form.onSubmit(
    async (v) => {
      if (busy.current) return;
      busy.current = true;
      try {
        const next = await update.mutateAsync({
          host: v.host.trim(),
          port: Number(v.port.trim()),
          security: v.security,
          user: v.user.trim(),
          from: v.from.trim(),
          password: v.removePassword ? null : v.password,
        });
        setView(next);
        queryClient.setQueryData(channelKey('smtp.get', {}), next);
        form.setValues({ password: '', removePassword: false });
        form.resetDirty();
        notify.success(
          next.configured
            ? `Saved. Mail goes out through ${next.host}:${next.port}.`
            : 'Saved. No server is set: mail is written as .eml files to the outbox folder in the data directory.',
        );
      } catch (err) {
        reportFormError(form, err, undefined, 'The mail settings were not saved');
      } finally {
        busy.current = false;
      }
    },
    () => focusFirstInvalid(),
  );

  return (
    <Stack gap="md">
      <Text size="sm">
        Codes and change confirmations go out through this server. Leave the host empty to write each mail as an .eml
        file to the outbox folder in the data directory instead.
      </Text>
      <form onSubmit={save} noValidate>
        <Stack gap="sm">
          <Grid gap="sm">
            <Grid.Col span={8}>
              <TextInput label="Host" description="A host name or IP address; empty means no server." autoComplete="off" spellCheck={false} {...form.getInputProps('host')} />
            </Grid.Col>
            <Grid.Col span={4}>
              <TextInput label="Port" description="Often 587 or 465." inputMode="numeric" autoComplete="off" {...form.getInputProps('port')} />
            </Grid.Col>
          </Grid>
          <NativeSelect label="Security" data={SMTP_SECURITIES.map((s) => ({ value: s, label: SECURITY_LABELS[s] }))} {...form.getInputProps('security')} />
          <Grid gap="sm">
            <Grid.Col span={6}>
              <TextInput label="Username" description="Empty: send without logging in." autoComplete="off" spellCheck={false} {...form.getInputProps('user')} />
            </Grid.Col>
            <Grid.Col span={6}>
              <PasswordField
                label="Password"
                description={
                  <>
                    <Badge size="xs" color={view.passwordSet ? 'green' : 'gray'} component="span" mr={4}>
                      {view.passwordSet ? 'Set' : 'Not set'}
                    </Badge>
                    {view.passwordSet ? 'A password is stored (it is never shown). Leave this empty to keep it.' : 'No password is stored.'}
                  </>
                }
                autoComplete="new-password"
                disabled={form.values.removePassword}
                {...form.getInputProps('password')}
              />
            </Grid.Col>
          </Grid>
          {view.passwordSet ? (
            <Checkbox label="Remove the stored password" {...form.getInputProps('removePassword', { type: 'checkbox' })} />
          ) : null}
          <TextInput
            label="From"
            description="An address, or a name and an address: Shared Services <desk@example.org>"
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('from')}
          />
          <Group>
            <Button type="submit" loading={form.submitting}>
              Save mail settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

/** One test message now, through the saved settings, and the server's answer beside the button. */
function TestMail() {
  const [answer, setAnswer] = useState<TestMailResult | null>(null);
  const answerRef = useRef<HTMLDivElement>(null);
  // The server's answer is where the eye is: scrolled into view when it comes.
  useEffect(() => {
    if (answer) answerRef.current?.scrollIntoView({ block: 'nearest' });
  }, [answer]);
  const busy = useRef(false);
  const send = useChannelMutation('smtp.testMail');
  const form = useForm({
    initialValues: { to: '' },
    validate: {
      to: (v) => (/^[^\s<>@,;"]+@[^\s<>@,;"]+\.[^\s<>@,;"]+$/.test(v.trim()) ? null : 'Enter an email address, such as name@nhs.net'),
    },
  });

  const submit = form.onSubmit(
    async (v) => {
      if (busy.current) return;
      busy.current = true;
      setAnswer(null);
      try {
        setAnswer(await send.mutateAsync({ to: v.to.trim() }));
      } catch (err) {
        // A refusal of the address itself comes without a field: it is about this one.
        if (err instanceof DeskError && err.code === 'VALIDATION' && !Array.isArray(err.details?.['issues'])) {
          form.setFieldError('to', 'Enter an email address, such as name@nhs.net');
          focusFirstInvalid();
        } else reportFormError(form, err, undefined, 'The test mail was not sent');
      } finally {
        busy.current = false;
      }
    },
    () => focusFirstInvalid(),
  );

  return (
    <Stack gap="xs">
      <Text size="sm">One message now, through the saved mail settings, and the server's answer here.</Text>
      <form onSubmit={submit} noValidate>
        <Group align="flex-start" gap="sm" wrap="nowrap">
          <TextInput
            label="Send a test mail to"
            type="email"
            autoComplete="off"
            style={{ flex: 1, minWidth: 0 }}
            {...form.getInputProps('to')}
          />
          <Button type="submit" variant="default" loading={form.submitting} leftSection={<IconMail size={16} aria-hidden="true" />} mt={25}>
            Send test mail
          </Button>
        </Group>
      </form>
      <div aria-live="polite" ref={answerRef}>
        {answer ? (
          <Alert
            role="status"
            color={answer.ok ? 'green' : 'red'}
            variant="light"
            icon={answer.ok ? <IconCheck size={18} aria-hidden="true" /> : <IconX size={18} aria-hidden="true" />}
            p="sm"
            className="prewrap"
          >
            {answer.ok ? `Sent (${answer.transport === 'file' ? 'outbox folder' : 'SMTP'}): ${answer.response}` : `Not sent: ${answer.response}`}
          </Alert>
        ) : null}
      </div>
    </Stack>
  );
}

interface ReplyDraft extends CannedReplyTemplate {
  /** A stable key for React while replies are added and removed. */
  key: string;
}

let draftKey = 0;
const asDraft = (r: CannedReplyTemplate): ReplyDraft => ({ ...r, key: `r${++draftKey}` });

/**
 * The canned replies agents copy into the webchat, per ticket category. Placeholders such as
 * {{maskedEmail}} are filled with the ticket's facts; the main process refuses unknown ones and
 * anything that could be a code (six digits or more), naming the reply and field (replies.3.text).
 */
function CannedReplies() {
  const replies = useChannel('replies.get', {}, { staleTime: Infinity });
  return (
    <Paper component="section" aria-labelledby="replies-heading">
      <SectionTitle id="replies-heading">Canned replies</SectionTitle>
      {replies.data ? (
        <RepliesEditor initial={replies.data} />
      ) : replies.isError ? (
        <Empty title="The canned replies could not be read">{replies.error.message}</Empty>
      ) : (
        <Loading what="the canned replies" />
      )}
    </Paper>
  );
}

function RepliesEditor({ initial }: { initial: CannedReplyTemplate[] }) {
  const queryClient = useQueryClient();
  const busy = useRef(false);
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

  /** Open the replies that have a problem, so each message is seen under its field. */
  function openWithErrors(errors: Record<string, unknown>) {
    const keys = new Set<string>();
    for (const path of Object.keys(errors)) {
      const m = /^replies\.(\d+)\./.exec(path);
      const r = m ? list[Number(m[1])] : undefined;
      if (r) keys.add(r.key);
    }
    if (keys.size > 0) setOpen((o) => [...new Set([...o, ...keys])]);
  }

  // After the server's issues are set, their replies open too.
  const errors = form.errors;
  useEffect(() => {
    openWithErrors(errors);
  }, [errors]);

  const save = form.onSubmit(
    async (v) => {
      if (busy.current) return;
      busy.current = true;
      try {
        const saved = await update.mutateAsync({ replies: v.replies.map(({ key: _key, ...r }) => r) });
        queryClient.setQueryData(channelKey('replies.get', {}), saved);
        form.setValues({ replies: saved.map(asDraft) });
        form.resetDirty();
        setOpen([]);
        notify.success(`Canned replies saved: ${saved.length === 1 ? 'one reply' : `${saved.length} replies`}.`);
      } catch (err) {
        reportFormError(form, err, undefined, 'The canned replies were not saved');
      } finally {
        busy.current = false;
      }
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
