import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AppStatus, SessionInfo } from '../../shared/domain';
import { HOST_TOKEN_MESSAGE, invoke, isHostTokenError } from './client';
import { errorMessage, useDocumentTitle } from './components/ui';
import { FirstRunScreen } from './screens/FirstRunScreen';
import { SignInScreen } from './screens/SignInScreen';
import { SignedInShell, type SessionEnd } from './screens/SignedInShell';
import { plural } from './format';

type Screen =
  | { kind: 'loading' }
  | { kind: 'fatal'; message: string; hostToken: boolean }
  | { kind: 'firstRun' }
  | { kind: 'signIn'; username: string; notice: string | null; key: number }
  | { kind: 'signedIn'; status: AppStatus; session: SessionInfo };

let signInKey = 0;

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });
  const [productName, setProductName] = useState('MFA Desk');

  const fail = useCallback((err: unknown) => {
    setScreen(
      isHostTokenError(err)
        ? { kind: 'fatal', message: HOST_TOKEN_MESSAGE, hostToken: true }
        : { kind: 'fatal', message: errorMessage(err), hostToken: false },
    );
  }, []);

  const showSignIn = useCallback((username = '', notice: string | null = null) => {
    setScreen({ kind: 'signIn', username, notice, key: ++signInKey });
  }, []);

  const start = useCallback(async () => {
    setScreen({ kind: 'loading' });
    try {
      const status = await invoke('app.status', {});
      setProductName(status.productName || 'MFA Desk');
      if (status.needsFirstAdmin) setScreen({ kind: 'firstRun' });
      else if (status.session) setScreen({ kind: 'signedIn', status, session: status.session });
      else showSignIn();
    } catch (err) {
      fail(err);
    }
  }, [fail, showSignIn]);

  useEffect(() => {
    void start();
  }, [start]);

  const onSignedIn = useCallback(
    async (session: SessionInfo) => {
      try {
        const status = await invoke('app.status', {});
        setScreen({ kind: 'signedIn', status, session: status.session ?? session });
      } catch (err) {
        fail(err);
      }
    },
    [fail],
  );

  const onEnded = useCallback(
    (end: SessionEnd, session: SessionInfo) => {
      const notice =
        end === 'idle'
          ? `Your session was locked after ${plural(session.idleMinutes, 'minute', 'minutes')} without activity.`
          : end === 'signedOut'
            ? 'You have signed out.'
            : end === 'revoked'
              ? 'An admin changed your desk account (disabled it, changed its role or reset its sign-in), so your session ended.'
              : 'Your session has ended. Sign in again to carry on.';
      showSignIn(session.username, notice);
    },
    [showSignIn],
  );

  // The one skip link of the app, above whichever screen is showing.
  return (
    <>
      <SkipLink />
      {renderScreen()}
    </>
  );

  function renderScreen() {
    switch (screen.kind) {
      case 'loading':
        return <LoadingScreen productName={productName} />;
      case 'fatal':
        return <FatalScreen productName={productName} message={screen.message} onRetry={screen.hostToken ? null : start} />;
      case 'firstRun':
        return (
          <SignedOutLayout productName={productName}>
            <FirstRunScreen onCreated={(username) => showSignIn(username, `The admin ${username} has been created. Sign in to set up your authenticator app.`)} />
          </SignedOutLayout>
        );
      case 'signIn':
        return (
          <SignedOutLayout productName={productName}>
            <SignInScreen key={screen.key} initialUsername={screen.username} notice={screen.notice} onSignedIn={onSignedIn} />
          </SignedOutLayout>
        );
      case 'signedIn':
        return (
          <SignedInShell
            productName={productName}
            initialStatus={screen.status}
            session={screen.session}
            onEnded={onEnded}
            onFatal={fail}
          />
        );
    }
  }
}

function SkipLink() {
  return (
    <a className="skip-link" href="#main">
      Skip to main content
    </a>
  );
}

export function SignedOutLayout({ productName, children }: { productName: string; children: ReactNode }) {
  return (
    <>
      <header className="app-header">
        <span className="app-header__brand">{productName}</span>
      </header>
      <main id="main" tabIndex={-1} className="main main--narrow">
        {children}
      </main>
    </>
  );
}

function LoadingScreen({ productName }: { productName: string }) {
  useDocumentTitle('');
  return (
    <SignedOutLayout productName={productName}>
      <h1>{productName}</h1>
      <p role="status">Starting…</p>
    </SignedOutLayout>
  );
}

function FatalScreen({ productName, message, onRetry }: { productName: string; message: string; onRetry: (() => void) | null }) {
  useDocumentTitle('Cannot continue');
  return (
    <SignedOutLayout productName={productName}>
      <h1>{productName} cannot continue</h1>
      <div role="alert" className="alert alert--error">
        {message}
      </div>
      {onRetry ? (
        <p>
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </p>
      ) : null}
    </SignedOutLayout>
  );
}
