/** One test message now, through the saved settings, and the server's answer beside the button. */
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconCheck, IconMail, IconX } from '@tabler/icons-react';
import type { TestMailResult } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { focusFirstInvalid, reportFormError, useSubmitOnce } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';

export function TestMail() {
  const [answer, setAnswer] = useState<TestMailResult | null>(null);
  const answerRef = useRef<HTMLDivElement>(null);
  // The server's answer is where the eye is: scrolled into view when it comes.
  useEffect(() => {
    if (answer) answerRef.current?.scrollIntoView({ block: 'nearest' });
  }, [answer]);
  const send = useChannelMutation('smtp.testMail');
  const form = useForm({
    initialValues: { to: '' },
    validate: {
      to: (v) => (/^[^\s<>@,;"]+@[^\s<>@,;"]+\.[^\s<>@,;"]+$/.test(v.trim()) ? null : 'Enter an email address, such as name@nhs.net'),
    },
  });

  const submit = useSubmitOnce(
    form,
    async (v) => {
      setAnswer(null);
      setAnswer(await send.mutateAsync({ to: v.to.trim() }));
    },
    (err) => {
      // A refusal of the address itself comes without a field: it is about this one.
      if (err instanceof DeskError && err.code === 'VALIDATION' && !Array.isArray(err.details?.['issues'])) {
        form.setFieldError('to', 'Enter an email address, such as name@nhs.net');
        focusFirstInvalid();
      } else reportFormError(form, err, undefined, 'The test mail was not sent');
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
