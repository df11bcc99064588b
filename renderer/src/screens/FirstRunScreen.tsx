/**
 * First run: no desk user exists yet, so the first admin is created here. The fields are checked
 * with the contract's own rules before anything is sent (the same words the main process would
 * use), the two passwords against each other, and whatever the main process still refuses goes
 * under the field it names; a summary above the form lists every problem with a link to its field.
 */
import { useState } from 'react';
import { Alert, Anchor, Button, List, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { displayNameSchema, passwordSchema } from '../../../shared/channels/deskusers';
import { usernameSchema } from '../../../shared/schemas';
import { DeskError } from '../../../shared/errors';
import { invoke } from '../client';
import { useDocumentTitle } from '../components/ui';
import { errorText } from '../lib/feedback';
import { fieldErrorsOf, focusFirstInvalid, useSubmitOnce } from '../lib/forms';
import { CardForm, CardHeading, RequiredInput, RequiredPassword, SubmitRow } from './sign-in/card';
import classes from './SignInScreen.module.css';

type FieldName = 'username' | 'displayName' | 'password' | 'confirm';
const FIELD_ORDER: FieldName[] = ['username', 'displayName', 'password', 'confirm'];
const FIELD_LABELS: Record<FieldName, string> = {
  username: 'Username',
  displayName: 'Display name',
  password: 'Password',
  confirm: 'Confirm password',
};

function firstIssue(result: { success: boolean; error?: { issues: Array<{ message: string }> } }, fallback: string): string | null {
  return result.success ? null : (result.error?.issues[0]?.message ?? fallback);
}

export function FirstRunScreen({ onCreated }: { onCreated: (username: string) => void }) {
  useDocumentTitle('Create the first admin');
  const [problems, setProblems] = useState<Array<{ field: FieldName | null; message: string }>>([]);
  /** Someone made a desk user meanwhile (another window, the command line): sign in instead. */
  const [taken, setTaken] = useState(false);
  const form = useForm({
    initialValues: { username: '', displayName: '', password: '', confirm: '' },
    validate: {
      username: (v) => (v.trim() ? firstIssue(usernameSchema.safeParse(v), 'Enter a valid username') : 'Enter a username'),
      displayName: (v) => (v.trim() ? firstIssue(displayNameSchema.safeParse(v), 'Enter a name') : 'Enter your name as colleagues know it'),
      password: (v) => (v ? firstIssue(passwordSchema.safeParse(v), 'Enter a valid password') : 'Enter a password'),
      confirm: (v, values) => (!v ? 'Enter the password again' : v !== values.password ? 'The passwords do not match' : null),
    },
  });

  function summarise(errors: Partial<Record<string, unknown>>, rest: string[] = []) {
    const list: Array<{ field: FieldName | null; message: string }> = FIELD_ORDER.filter((f) => typeof errors[f] === 'string').map((f) => ({
      field: f,
      message: errors[f] as string,
    }));
    setProblems([...list, ...rest.map((message) => ({ field: null, message }))]);
  }

  const submit = useSubmitOnce(
    form,
    async (values) => {
      setProblems([]);
      const { username } = await invoke('auth.createFirstAdmin', { username: values.username, displayName: values.displayName, password: values.password });
      onCreated(username);
    },
    (err) => {
      if (err instanceof DeskError && err.code === 'CONFLICT') setTaken(true);
      const { fields, rest } = fieldErrorsOf(err, FIELD_ORDER);
      if (err instanceof DeskError && err.details?.['field'] === 'username' && !fields['username']) fields['username'] = err.message;
      else if (Object.keys(fields).length === 0) rest.push(errorText(err));
      form.setErrors(fields);
      summarise(fields, rest);
      focusFirstInvalid();
    },
    (errors) => {
      summarise(errors);
      focusFirstInvalid();
    },
  );

  return (
    <Stack gap="md">
      <CardHeading title="Create the first admin">
        There are no desk users yet. Create the first admin account; you will set up an authenticator app when you
        first sign in.
      </CardHeading>
      {problems.length > 0 ? (
        <Alert color="red" variant="light" title="Check these fields" icon={<IconAlertCircle size={18} aria-hidden="true" />} className={`${classes.alert} ${classes.summary}`}>
          <List size="sm" spacing={2}>
            {problems.map((p, i) => (
              <List.Item key={i}>
                {p.field ? (
                  <Anchor
                    component="button"
                    type="button"
                    size="sm"
                    c="red.9"
                    td="underline"
                    onClick={() => form.getInputNode(p.field!)?.focus()}
                  >
                    {FIELD_LABELS[p.field]}: {p.message}
                  </Anchor>
                ) : (
                  p.message
                )}
              </List.Item>
            ))}
          </List>
          {taken ? (
            <Button size="xs" mt="sm" onClick={() => window.location.reload()}>
              Go to sign in
            </Button>
          ) : null}
        </Alert>
      ) : null}
      <CardForm onSubmit={submit}>
        <RequiredInput
          label="Username"
          description="3 to 64 letters, digits, dots, dashes or underscores."
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          {...form.getInputProps('username')}
        />
        <RequiredInput label="Display name" description="Your name as colleagues know it." name="displayName" autoComplete="name" {...form.getInputProps('displayName')} />
        <RequiredPassword label="Password" description="At least 12 characters." name="password" autoComplete="new-password" {...form.getInputProps('password')} />
        <RequiredPassword label="Confirm password" name="confirm" autoComplete="new-password" {...form.getInputProps('confirm')} />
        <SubmitRow busy={form.submitting}>Create admin</SubmitRow>
      </CardForm>
    </Stack>
  );
}
