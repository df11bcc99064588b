/** A 6-digit code the caller gives, checked by the main process; the box empties once it is right. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Group, TextInput } from '@mantine/core';
import { DeskError } from '../../../../shared/errors';
import { notify } from '../../lib/feedback';
import { validationIssuesOf } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';

/** What each check sends and says. */
const CHECKS = {
  identity: { channel: 'mfa.checkIdentityCode', button: 'Check code', success: 'The code is right: the caller is verified for this ticket.' },
  authenticator: {
    channel: 'mfa.checkAuthenticatorCode',
    button: 'Check authenticator code',
    success: 'The authenticator code is right: the caller is verified for this ticket.',
  },
} as const;

export function CodeCheck(props: {
  kind: keyof typeof CHECKS;
  label: string;
  description?: ReactNode;
  employeeId: number;
  ticketRef: string;
  onChanged: () => Promise<unknown>;
  autoFocus?: boolean;
}) {
  const { channel, button, success } = CHECKS[props.kind];
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const check = useChannelMutation(channel, {
    onSuccess: async () => {
      setCode('');
      setError(null);
      await props.onChanged();
      notify.success(success, 'Caller verified');
    },
    onError: (err) => {
      const issue = validationIssuesOf(err).find((i) => i.path === 'code');
      // A wrong or expired code is about this field: say it under it.
      if (issue) setError(issue.message);
      else if (err instanceof DeskError && (err.code === 'RULE_VIOLATION' || err.code === 'CONFLICT')) {
        setError(err.message);
        // Tries left and locks changed: show them.
        void props.onChanged();
      } else notify.error(err);
    },
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    if (check.isPending) return;
    if (!code.trim()) {
      setError('Enter the 6-digit code');
      return;
    }
    check.mutate({ employeeId: props.employeeId, ticketRef: props.ticketRef, code });
  }
  return (
    <form onSubmit={submit} noValidate>
      <TextInput
        label={props.label}
        description={props.description}
        value={code}
        onChange={(e) => {
          setCode(e.currentTarget.value);
          setError(null);
        }}
        error={error}
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        // Room for a code pasted with spaces or dashes ("121 725"); the main process drops them.
        maxLength={20}
        data-autofocus={props.autoFocus || undefined}
        autoFocus={props.autoFocus}
        // The button sits beside the box, the label, hint and error above and below both.
        inputContainer={(input) => (
          <Group gap="xs" wrap="wrap" align="center">
            <div style={{ width: 170 }}>{input}</div>
            <Button type="submit" loading={check.isPending}>
              {button}
            </Button>
          </Group>
        )}
      />
    </form>
  );
}
