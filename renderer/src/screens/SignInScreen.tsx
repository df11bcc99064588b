import { useId, useRef, useState, type FormEvent } from 'react';
import type { SessionInfo, SignInStep } from '../../../shared/domain';
import { invoke } from '../client';
import { ErrorAlert, Field, errorMessage, useDocumentTitle } from '../components/legacy-ui';
import { groupKey, secretFromOtpauthUri } from '../format';

type Step = { kind: 'password' } | { kind: 'code'; signIn: SignInStep };

interface Props {
  initialUsername: string;
  /** Why we are here (e.g. the session was locked), shown above the form. */
  notice: string | null;
  onSignedIn: (session: SessionInfo) => void | Promise<void>;
}

/** Username and password, then a code from the authenticator app (enrolling it at the first sign-in). */
export function SignInScreen({ initialUsername, notice, onSignedIn }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setAlert(!username.trim() ? 'Enter your username.' : 'Enter your password.');
      document.getElementById(!username.trim() ? 'signin-username' : 'signin-password')?.focus();
      return;
    }
    setBusy(true);
    setAlert(null);
    try {
      const next = await invoke('auth.signIn', { username, password });
      setPassword('');
      setStep({ kind: 'code', signIn: next });
    } catch (err) {
      setAlert(errorMessage(err));
      setPassword('');
      document.getElementById('signin-password')?.focus();
    } finally {
      setBusy(false);
    }
  }

  function startAgain() {
    setStep({ kind: 'password' });
    setAlert(null);
  }

  if (step.kind === 'code' && step.signIn.step === 'newPassword') {
    return (
      <NewPasswordStep
        challenge={step.signIn.challenge}
        username={username.trim()}
        onNext={(next) => setStep({ kind: 'code', signIn: next })}
        onStartAgain={startAgain}
      />
    );
  }

  if (step.kind === 'code') {
    return (
      <CodeStep
        signIn={step.signIn}
        username={username.trim()}
        onStartAgain={startAgain}
        onSignedIn={onSignedIn}
      />
    );
  }

  return (
    <PasswordStep
      username={username}
      password={password}
      onUsername={setUsername}
      onPassword={setPassword}
      onSubmit={submitPassword}
      alert={alert}
      notice={notice}
      busy={busy}
      focusPassword={initialUsername !== ''}
    />
  );
}

function PasswordStep(props: {
  username: string;
  password: string;
  onUsername: (v: string) => void;
  onPassword: (v: string) => void;
  onSubmit: (e: FormEvent) => void;
  alert: string | null;
  notice: string | null;
  busy: boolean;
  focusPassword: boolean;
}) {
  useDocumentTitle('Sign in');
  return (
    <>
      <h1>Sign in</h1>
      {props.notice ? (
        <p role="status" className="notice">
          {props.notice}
        </p>
      ) : null}
      <ErrorAlert message={props.alert} />
      <form className="form" onSubmit={props.onSubmit} noValidate>
        <Field
          id="signin-username"
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus={!props.focusPassword}
          value={props.username}
          onChange={(e) => props.onUsername(e.currentTarget.value)}
        />
        <Field
          id="signin-password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={props.focusPassword}
          value={props.password}
          onChange={(e) => props.onPassword(e.currentTarget.value)}
        />
        <button type="submit" className="button button--primary" aria-disabled={props.busy || undefined}>
          {props.busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </>
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
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [spent, setSpent] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const problem = password.length < 12 ? 'Use at least 12 characters.' : password !== repeat ? 'The two passwords are not the same.' : null;
    if (problem) {
      setAlert(problem);
      document.getElementById(password.length < 12 ? 'new-password' : 'new-password-repeat')?.focus();
      return;
    }
    setBusy(true);
    setAlert(null);
    try {
      onNext(await invoke('auth.setNewPassword', { challenge, password }));
    } catch (err) {
      // The step allows one try: after a refusal the sign-in starts again with the temporary password.
      setBusy(false);
      setSpent(true);
      setPassword('');
      setRepeat('');
      setAlert(errorMessage(err));
    }
  }

  return (
    <>
      <h1>Choose a new password</h1>
      <p>
        Signing in as <strong>{username}</strong> with a temporary password. Choose your own password now: at least 12
        characters, not the temporary one. Nobody else, admins included, will know it.
      </p>
      <ErrorAlert message={alert} />
      {spent ? (
        <button type="button" className="button button--primary" onClick={onStartAgain}>
          Start again
        </button>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field
            id="new-password"
            label="New password"
            name="new-password"
            type="password"
            autoComplete="new-password"
            required
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Field
            id="new-password-repeat"
            label="New password again"
            name="new-password-repeat"
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
          />
          <StepActions busy={busy} label="Save password and continue" busyLabel="Saving…" onStartAgain={onStartAgain} />
        </form>
      )}
    </>
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
  const [code, setCode] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const clean = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(clean)) {
      setAlert('Enter the 6-digit code from your authenticator app.');
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    setAlert(null);
    try {
      const session = await invoke('auth.completeSignIn', { challenge: signIn.challenge, code: clean });
      await onSignedIn(session);
    } catch (err) {
      setBusy(false);
      setCode('');
      setAlert(errorMessage(err));
      codeRef.current?.focus();
    }
  }

  return (
    <>
      <h1>{enrol ? 'Set up your authenticator app' : 'Sign in'}</h1>
      {enrol ? (
        <EnrolInstructions enrol={enrol} />
      ) : (
        <p>
          Signing in as <strong>{username}</strong>. Open your authenticator app and enter the 6-digit code it shows
          for MFA Desk.
        </p>
      )}
      <ErrorAlert message={alert} />
      <form className="form" onSubmit={submit} noValidate>
        <Field
          ref={codeRef}
          id="signin-code"
          label="Authenticator code"
          hint="The 6 digits shown in your authenticator app. A new code appears every 30 seconds."
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={7}
          required
          autoFocus
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
        />
        <StepActions busy={busy} label={enrol ? 'Verify code and sign in' : 'Verify code'} busyLabel="Checking…" onStartAgain={onStartAgain} />
      </form>
    </>
  );
}

/** A sign-in step's buttons: go on, or start again from the username and password. */
function StepActions({ busy, label, busyLabel, onStartAgain }: { busy: boolean; label: string; busyLabel: string; onStartAgain: () => void }) {
  return (
    <div className="form__actions">
      <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button" onClick={onStartAgain}>
        Start again
      </button>
    </div>
  );
}

function EnrolInstructions({ enrol }: { enrol: Extract<SignInStep, { step: 'enrol' }> }) {
  const [showKey, setShowKey] = useState(false);
  const keyId = useId();
  const secret = secretFromOtpauthUri(enrol.otpauthUri);
  return (
    <>
      <p>
        This is your first sign-in, so MFA Desk needs an authenticator app on your phone (for example Microsoft
        Authenticator). Scan the QR code with the app, then enter the 6-digit code it shows.
      </p>
      <div className="enrol">
        <img
          className="enrol__qr"
          alt="QR code for your authenticator app"
          src={'data:image/svg+xml;utf8,' + encodeURIComponent(enrol.qrSvg)}
          width={200}
          height={200}
        />
        <dl className="details-list">
          <div>
            <dt>Issuer</dt>
            <dd>{enrol.issuer}</dd>
          </div>
          <div>
            <dt>Account</dt>
            <dd>{enrol.account}</dd>
          </div>
        </dl>
      </div>
      {secret ? (
        <div className="disclosure">
          <button
            type="button"
            className="button button--link"
            aria-expanded={showKey}
            aria-controls={keyId}
            onClick={() => setShowKey((v) => !v)}
          >
            Can't scan? Enter this key
          </button>
          <div id={keyId} hidden={!showKey} className="disclosure__panel">
            <p>
              In your authenticator app choose to enter a setup key, and type:{' '}
              <code className="secret-key">
                {groupKey(secret)}
              </code>
            </p>
            <p className="field__hint">It is a time-based key: 6 digits, a new code every 30 seconds.</p>
          </div>
        </div>
      ) : null}
    </>
  );
}
