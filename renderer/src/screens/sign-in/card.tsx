/** What the signed-out card's forms share: the heading, a required field, a step's submit, its refusal and its buttons. */
import type { FormEvent, ReactNode, RefObject } from 'react';
import { useState } from 'react';
import { Alert, Button, Group, Stack, Text, TextInput, Title, type TextInputProps } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { PasswordField } from '../../components/fields';
import { applyFieldErrors, focusFirstInvalid, useSubmitOnce } from '../../lib/forms';
import classes from '../SignInScreen.module.css';

/** The card's title, and a line under it. */
export function CardHeading({ title, children, dimmed = false }: { title: string; children?: ReactNode; dimmed?: boolean }) {
  return (
    <div>
      <Title order={1} className="page-title">
        {title}
      </Title>
      {children ? (
        <Text c={dimmed ? 'dimmed' : undefined} size="sm" mt={4}>
          {children}
        </Text>
      ) : null}
    </div>
  );
}

/** The card's form: checked here first (noValidate), its fields one under another. */
export function CardForm({ onSubmit, children }: { onSubmit: (event?: FormEvent<HTMLFormElement>) => void; children: ReactNode }) {
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm">{children}</Stack>
    </form>
  );
}

/** Every field of the card must be filled; the label says so without an asterisk. */
export function RequiredInput(props: TextInputProps & { ref?: RefObject<HTMLInputElement | null> }) {
  return <TextInput required withAsterisk={false} {...props} />;
}

export function RequiredPassword(props: Parameters<typeof PasswordField>[0]) {
  return <PasswordField required withAsterisk={false} {...props} />;
}

/**
 * A step's submit: sent once at a time, with the alert cleared; when it fails, the problems with
 * the step's fields (all the form's, or those given) go under them and the rest in the alert, and
 * `refused` runs when the main process turned the step down as a whole (no field named).
 */
export function useStepSubmit<V extends Record<string, unknown>>(
  form: UseFormReturnType<V>,
  send: (values: V) => Promise<void>,
  refused: () => void,
  fields?: readonly string[],
) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const submit = useSubmitOnce(
    form,
    async (values) => {
      setRefusal(null);
      await send(values);
    },
    (err) => {
      const { placed, rest } = applyFieldErrors(form, err, fields);
      setRefusal(rest);
      if (!placed) refused();
    },
    () => focusFirstInvalid(),
  );
  return { submit, refusal };
}

/** A refusal from the main process, above the form (the one alert of the card). */
export function Refusal({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} aria-hidden="true" />} className={classes.alert}>
      {message}
    </Alert>
  );
}

/** A sign-in step's buttons: go on, or start again from the username and password. */
export function StepActions({ busy, label, onStartAgain }: { busy: boolean; label: string; onStartAgain: () => void }) {
  return (
    <Group mt="xs" gap="sm">
      <Button type="submit" loading={busy}>
        {label}
      </Button>
      <Button variant="default" onClick={onStartAgain} disabled={busy}>
        Start again
      </Button>
    </Group>
  );
}

/** A form's one button. */
export function SubmitRow({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <Group mt="xs">
      <Button type="submit" loading={busy}>
        {children}
      </Button>
    </Group>
  );
}
