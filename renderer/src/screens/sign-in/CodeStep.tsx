/** The last step of signing in: the code from the authenticator app (set up first at the first sign-in). */
import { useRef } from 'react';
import { Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { SessionInfo, SignInStep } from '../../../../shared/domain';
import { invoke } from '../../client';
import { useDocumentTitle } from '../../components/ui';
import { CardForm, CardHeading, Refusal, RequiredInput, StepActions, useStepSubmit } from './card';
import { EnrolInstructions } from './EnrolInstructions';
import classes from '../SignInScreen.module.css';

/** Spaces and dashes people paste between the digits of a code ("121 725", "121-725"). */
const CODE_SEPARATORS = /[\s\u00a0\u2010-\u2015-]/g;

export function CodeStep({
  signIn,
  username,
  onStartAgain,
  onSignedIn,
}: {
  signIn: SignInStep;
  username: string;
  onStartAgain: () => void;
  onSignedIn: (session: SessionInfo) => void | Promise<void>;
}) {
  const enrol = signIn.step === 'enrol' ? signIn : null;
  useDocumentTitle(enrol ? 'Set up your authenticator app' : 'Enter your authenticator code');
  const codeRef = useRef<HTMLInputElement>(null);
  const form = useForm({
    initialValues: { code: '' },
    validate: {
      code: (v) => (/^\d{6}$/.test(v.replace(CODE_SEPARATORS, '')) ? null : 'Enter the 6 digits your authenticator app shows, such as 121 725'),
    },
  });

  const send = async (values: { code: string }) => {
    // The main process drops spaces and dashes between the digits itself.
    const session = await invoke('auth.completeSignIn', { challenge: signIn.challenge, code: values.code.trim() });
    await onSignedIn(session);
  };
  // Turned down: the code is emptied and takes the focus for another try.
  const { submit, refusal } = useStepSubmit(form, send, () => {
    form.setFieldValue('code', '');
    codeRef.current?.focus();
  });

  return (
    <Stack gap="md">
      <CardHeading title={enrol ? 'Set up your authenticator app' : 'Sign in'}>
        {enrol ? null : (
          <>
            Signing in as <strong>{username}</strong>. Open your authenticator app and enter the 6-digit code it shows for
            MFA Desk.
          </>
        )}
      </CardHeading>
      {enrol ? <EnrolInstructions enrol={enrol} /> : null}
      <Refusal message={refusal} />
      <CardForm onSubmit={submit}>
        <RequiredInput
          ref={codeRef}
          label="Authenticator code"
          description="6 digits; a new code appears every 30 seconds. Spaces are fine."
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          autoFocus
          className={classes.code}
          {...form.getInputProps('code')}
        />
        <StepActions busy={form.submitting} label={enrol ? 'Verify code and sign in' : 'Verify code'} onStartAgain={onStartAgain} />
      </CardForm>
    </Stack>
  );
}
