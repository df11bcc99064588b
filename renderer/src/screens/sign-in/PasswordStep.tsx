/** The first step of signing in: username and password. */
import { useRef } from 'react';
import { Alert, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconInfoCircle } from '@tabler/icons-react';
import type { SignInStep } from '../../../../shared/domain';
import { invoke } from '../../client';
import { useDocumentTitle } from '../../components/ui';
import { CardForm, CardHeading, Refusal, RequiredInput, RequiredPassword, SubmitRow, useStepSubmit } from './card';
import classes from '../SignInScreen.module.css';

export function PasswordStep({
  initialUsername,
  notice,
  onNext,
}: {
  initialUsername: string;
  notice: string | null;
  onNext: (username: string, next: SignInStep) => void;
}) {
  useDocumentTitle('Sign in');
  const passwordRef = useRef<HTMLInputElement>(null);
  const form = useForm({
    initialValues: { username: initialUsername, password: '' },
    validate: {
      username: (v) => (v.trim() ? null : 'Enter your username'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });

  const send = async (values: { username: string; password: string }) => {
    const next = await invoke('auth.signIn', { username: values.username.trim(), password: values.password });
    onNext(values.username.trim().toLowerCase(), next);
  };
  // Turned down: the password is emptied and takes the focus for another try.
  const { submit, refusal } = useStepSubmit(form, send, () => {
    form.setFieldValue('password', '');
    passwordRef.current?.focus();
  });

  return (
    <Stack gap="md">
      <CardHeading title="Sign in" dimmed>
        With your desk account, then a code from your authenticator app.
      </CardHeading>
      {notice ? (
        <Alert role="status" color="blue" variant="light" icon={<IconInfoCircle size={18} aria-hidden="true" />} className={classes.alert}>
          {notice}
        </Alert>
      ) : null}
      <Refusal message={refusal} />
      <CardForm onSubmit={submit}>
        <RequiredInput
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus={!initialUsername}
          {...form.getInputProps('username')}
        />
        <RequiredPassword ref={passwordRef} label="Password" name="password" autoComplete="current-password" autoFocus={!!initialUsername} {...form.getInputProps('password')} />
        <SubmitRow busy={form.submitting}>Sign in</SubmitRow>
      </CardForm>
    </Stack>
  );
}
