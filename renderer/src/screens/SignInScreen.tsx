/**
 * Signing in: username and password, then a code from the authenticator app (setting the app up at
 * the first sign-in), with a new password first when the password is a temporary one. Each step is
 * a small Mantine form in the signed-out card: a problem with a field is said under that field, a
 * refusal by the main process (wrong password, wrong code, timed out) in the alert above the form.
 */
import { useRef, useState } from 'react';
import { Alert, Anchor, Box, Button, Code, Group, Image, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { IconAlertCircle, IconInfoCircle } from '@tabler/icons-react';
import type { SessionInfo, SignInStep } from '../../../shared/domain';
import { invoke } from '../client';
import { PasswordField } from '../components/fields';
import { Facts, useDocumentTitle } from '../components/ui';
import { groupKey, secretFromOtpauthUri } from '../format';
import { applyFieldErrors, focusFirstInvalid } from '../lib/forms';
import classes from './SignInScreen.module.css';

type Step = { kind: 'password' } | { kind: 'next'; signIn: SignInStep };

interface Props {
  initialUsername: string;
  /** Why we are here (e.g. the session was locked), shown above the form. */
  notice: string | null;
  onSignedIn: (session: SessionInfo) => void | Promise<void>;
}

/** Spaces and dashes people paste between the digits of a code ("121 725", "121-725"). */
const CODE_SEPARATORS = /[\s\u00a0\u2010-\u2015-]/g;

export function SignInScreen({ initialUsername, notice, onSignedIn }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [username, setUsername] = useState(initialUsername);

  const startAgain = () => setStep({ kind: 'password' });

  if (step.kind === 'next' && step.signIn.step === 'newPassword') {
    return (
      <NewPasswordStep
        challenge={step.signIn.challenge}
        username={username}
        onNext={(next) => setStep({ kind: 'next', signIn: next })}
        onStartAgain={startAgain}
      />
    );
  }
  if (step.kind === 'next') {
    return <CodeStep signIn={step.signIn} username={username} onStartAgain={startAgain} onSignedIn={onSignedIn} />;
  }
  return (
    <PasswordStep
      initialUsername={username}
      notice={notice}
      onNext={(name, next) => {
        setUsername(name);
        setStep({ kind: 'next', signIn: next });
      }}
    />
  );
}

/**
 * A step's submit: sent once at a time, with the alert cleared; when it fails, the problems with
 * the step's fields (all the form's, or those given) go under them and the rest in the alert, and
 * `refused` runs when the main process turned the step down as a whole (no field named).
 */
function useStepSubmit<V extends Record<string, unknown>>(
  form: UseFormReturnType<V>,
  send: (values: V) => Promise<void>,
  refused: () => void,
  fields?: readonly string[],
) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const busy = useRef(false);
  const submit = form.onSubmit(
    async (values) => {
      if (busy.current) return;
      busy.current = true;
      setRefusal(null);
      try {
        await send(values);
      } catch (err) {
        const { placed, rest } = applyFieldErrors(form, err, fields);
        setRefusal(rest);
        if (!placed) refused();
      } finally {
        busy.current = false;
      }
    },
    () => focusFirstInvalid(),
  );
  return { submit, refusal };
}

/** A refusal from the main process, above the form (the one alert of the card). */
function Refusal({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} aria-hidden="true" />} className={classes.alert}>
      {message}
    </Alert>
  );
}

function PasswordStep({
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

  const { submit, refusal } = useStepSubmit(
    form,
    async (values) => {
      const next = await invoke('auth.signIn', { username: values.username.trim(), password: values.password });
      onNext(values.username.trim().toLowerCase(), next);
    },
    () => {
      form.setFieldValue('password', '');
      passwordRef.current?.focus();
    },
  );

  return (
    <Stack gap="md">
      <div>
        <Title order={1} className="page-title">
          Sign in
        </Title>
        <Text c="dimmed" size="sm" mt={4}>
          With your desk account, then a code from your authenticator app.
        </Text>
      </div>
      {notice ? (
        <Alert role="status" color="blue" variant="light" icon={<IconInfoCircle size={18} aria-hidden="true" />} className={classes.alert}>
          {notice}
        </Alert>
      ) : null}
      <Refusal message={refusal} />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            withAsterisk={false}
            autoFocus={!initialUsername}
            {...form.getInputProps('username')}
          />
          <PasswordField
            ref={passwordRef}
            label="Password"
            name="password"
            autoComplete="current-password"
            required
            withAsterisk={false}
            autoFocus={!!initialUsername}
            {...form.getInputProps('password')}
          />
          <Group mt="xs">
            <Button type="submit" loading={form.submitting}>
              Sign in
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

/** The password is temporary (an admin made or reset it): the user chooses their own, then the code. */
function NewPasswordStep({
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
      <div>
        <Title order={1} className="page-title">
          Choose a new password
        </Title>
        <Text size="sm" mt={4}>
          Signing in as <strong>{username}</strong> with a temporary password. Choose your own password now: at least
          12 characters, not the temporary one. Nobody else, admins included, will know it.
        </Text>
      </div>
      <Refusal message={refusal} />
      {spent ? (
        <Group>
          <Button onClick={onStartAgain} autoFocus>
            Start again
          </Button>
        </Group>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <PasswordField
              label="New password"
              description="At least 12 characters. A few words you will remember make a good one."
              name="new-password"
              autoComplete="new-password"
              required
              withAsterisk={false}
              autoFocus
              {...form.getInputProps('password')}
            />
            <PasswordField
              label="New password again"
              name="new-password-repeat"
              autoComplete="new-password"
              required
              withAsterisk={false}
              {...form.getInputProps('repeat')}
            />
            <StepActions busy={form.submitting} label="Save password and continue" onStartAgain={onStartAgain} />
          </Stack>
        </form>
      )}
    </Stack>
  );
}

function CodeStep({
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

  const { submit, refusal } = useStepSubmit(
    form,
    async (values) => {
      // The main process drops spaces and dashes between the digits itself.
      const session = await invoke('auth.completeSignIn', { challenge: signIn.challenge, code: values.code.trim() });
      await onSignedIn(session);
    },
    () => {
      form.setFieldValue('code', '');
      codeRef.current?.focus();
    },
  );

  return (
    <Stack gap="md">
      <div>
        <Title order={1} className="page-title">
          {enrol ? 'Set up your authenticator app' : 'Sign in'}
        </Title>
        {enrol ? null : (
          <Text size="sm" mt={4}>
            Signing in as <strong>{username}</strong>. Open your authenticator app and enter the 6-digit code it shows for
            MFA Desk.
          </Text>
        )}
      </div>
      {enrol ? <EnrolInstructions enrol={enrol} /> : null}
      <Refusal message={refusal} />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            ref={codeRef}
            label="Authenticator code"
            description="6 digits; a new code appears every 30 seconds. Spaces are fine."
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={12}
            required
            withAsterisk={false}
            autoFocus
            className={classes.code}
            {...form.getInputProps('code')}
          />
          <StepActions busy={form.submitting} label={enrol ? 'Verify code and sign in' : 'Verify code'} onStartAgain={onStartAgain} />
        </Stack>
      </form>
    </Stack>
  );
}

/** A sign-in step's buttons: go on, or start again from the username and password. */
function StepActions({ busy, label, onStartAgain }: { busy: boolean; label: string; onStartAgain: () => void }) {
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

function EnrolInstructions({ enrol }: { enrol: Extract<SignInStep, { step: 'enrol' }> }) {
  const [showKey, setShowKey] = useState(false);
  const keyId = 'enrol-setup-key';
  const secret = secretFromOtpauthUri(enrol.otpauthUri);
  return (
    <Stack gap="sm">
      <Text size="sm">
        This is your first sign-in, so MFA Desk needs an authenticator app on your phone (for example Microsoft
        Authenticator).
      </Text>
      <Group align="flex-start" gap="md" wrap="nowrap">
        <Image
          className={classes.qr}
          alt="QR code for your authenticator app"
          src={'data:image/svg+xml;utf8,' + encodeURIComponent(enrol.qrSvg)}
          w={164}
          h={164}
        />
        <Stack gap="xs" miw={0}>
          <List type="ordered" size="sm" spacing={4} className={classes.steps}>
            <List.Item>In the app, add an account.</List.Item>
            <List.Item>Scan this QR code.</List.Item>
            <List.Item>Enter the 6-digit code the app shows.</List.Item>
          </List>
          <Facts
            labelWidth={70}
            items={[
              ['Issuer', enrol.issuer],
              ['Account', enrol.account],
            ]}
          />
        </Stack>
      </Group>
      {secret ? (
        <Box>
          <Anchor
            component="button"
            type="button"
            size="sm"
            aria-expanded={showKey}
            aria-controls={keyId}
            onClick={() => setShowKey((v) => !v)}
          >
            Can't scan? Enter this key
          </Anchor>
          <Box id={keyId} hidden={!showKey} mt={6} className={classes.keyPanel}>
            <Text size="sm">In your authenticator app choose to enter a setup key, and type:</Text>
            <Code className={`secret-key ${classes.secret}`} fz="md" fw={600} my={6}>
              {groupKey(secret)}
            </Code>
            <Text size="xs" c="dimmed">
              It is a time-based key: 6 digits, a new code every 30 seconds.
            </Text>
          </Box>
        </Box>
      ) : null}
    </Stack>
  );
}
