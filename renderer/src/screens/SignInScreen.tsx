/**
 * Signing in: username and password, then a code from the authenticator app (setting the app up at
 * the first sign-in), with a new password first when the password is a temporary one. Each step is
 * a small Mantine form in the signed-out card: a problem with a field is said under that field, a
 * refusal by the main process (wrong password, wrong code, timed out) in the alert above the form.
 */
import { useState } from 'react';
import type { SessionInfo, SignInStep } from '../../../shared/domain';
import { CodeStep } from './sign-in/CodeStep';
import { NewPasswordStep } from './sign-in/NewPasswordStep';
import { PasswordStep } from './sign-in/PasswordStep';

type Step = { kind: 'password' } | { kind: 'next'; signIn: SignInStep };

interface Props {
  initialUsername: string;
  /** Why we are here (e.g. the session was locked), shown above the form. */
  notice: string | null;
  onSignedIn: (session: SessionInfo) => void | Promise<void>;
}

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
