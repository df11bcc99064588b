/** The password is temporary (an admin made or reset it): the user chooses their own, then the code. */
import { useState } from 'react';
import { Button, Group, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { SignInStep } from '../../../../shared/domain';
import { invoke } from '../../client';
import { useDocumentTitle } from '../../components/ui';
import { CardForm, CardHeading, Refusal, RequiredPassword, StepActions, useStepSubmit } from './card';

export function NewPasswordStep({
  challenge,
  username,
  onNext,
  onStartAgain,
}: {
  challenge: string;
  username: string;
  onNext: (next: SignInStep) => void;
  onStartAgain: () => void;
}) {
  useDocumentTitle('Choose a new password');
  const [spent, setSpent] = useState(false);
  const form = useForm({
    initialValues: { password: '', repeat: '' },
    validate: {
      password: (v) => (v.length < 12 ? 'Use at least 12 characters' : null),
      repeat: (v, values) => (!v ? 'Enter the new password again' : v !== values.password ? 'The two passwords are not the same' : null),
    },
  });

  // A refusal of the password itself goes under the field, and the same step takes another go; the
  // step as a whole allows one try: after a refusal the sign-in starts again with the temporary password.
  const { submit, refusal } = useStepSubmit(
    form,
    async (values) => onNext(await invoke('auth.setNewPassword', { challenge, password: values.password })),
    () => {
      setSpent(true);
      form.setValues({ password: '', repeat: '' });
    },
    ['password'],
  );

  return (
    <Stack gap="md">
      <CardHeading title="Choose a new password">
        Signing in as <strong>{username}</strong> with a temporary password. Choose your own password now: at least
        12 characters, not the temporary one. Nobody else, admins included, will know it.
      </CardHeading>
      <Refusal message={refusal} />
      {spent ? (
        <Group>
          <Button onClick={onStartAgain} autoFocus>
            Start again
          </Button>
        </Group>
      ) : (
        <CardForm onSubmit={submit}>
          <RequiredPassword
            label="New password"
            description="At least 12 characters. A few words you will remember make a good one."
            name="new-password"
            autoComplete="new-password"
            autoFocus
            {...form.getInputProps('password')}
          />
          <RequiredPassword label="New password again" name="new-password-repeat" autoComplete="new-password" {...form.getInputProps('repeat')} />
          <StepActions busy={form.submitting} label="Save password and continue" onStartAgain={onStartAgain} />
        </CardForm>
      )}
    </Stack>
  );
}
