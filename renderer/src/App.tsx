import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Center, Group, Loader, Paper, Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconShieldLock } from '@tabler/icons-react';
import type { AppStatus, SessionInfo } from '../../shared/domain';
import { HOST_TOKEN_MESSAGE, invoke, isHostTokenError } from './client';
import { Loading, useDocumentTitle } from './components/ui';
import { errorText } from './lib/feedback';
import { SignInScreen } from './screens/SignInScreen';
import type { SessionEnd } from './app/SignedInShell';
import { plural } from './format';

// Everything behind sign-in loads once someone has signed in, and the first-run form (with the
// contract's schemas) only on a desk with no user yet: the sign-in page stays small.
const SignedInShell = lazy(() => import('./app/SignedInShell').then((m) => ({ default: m.SignedInShell })));
const FirstRunScreen = lazy(() => import('./screens/FirstRunScreen').then((m) => ({ default: m.FirstRunScreen })));

type Screen =
  | { kind: 'loading' }
  | { kind: 'fatal'; message: string; hostToken: boolean }
  | { kind: 'firstRun' }
  | { kind: 'signIn'; username: string; notice: string | null; key: number }
  | { kind: 'signedIn'; status: AppStatus; session: SessionInfo };

let signInKey = 0;

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });
  const queryClient = useQueryClient();
  const [productName, setProductName] = useState('MFA Desk');

  const fail = useCallback((err: unknown) => {
    setScreen(
      isHostTokenError(err)
        ? { kind: 'fatal', message: HOST_TOKEN_MESSAGE, hostToken: true }
        : { kind: 'fatal', message: errorText(err), hostToken: false },
    );
  }, []);

  const showSignIn = useCallback(
    (username = '', notice: string | null = null) => {
      // Nothing one desk user loaded is kept for the next one to see.
      queryClient.clear();
      setScreen({ kind: 'signIn', username, notice, key: ++signInKey });
    },
    [queryClient],
  );

  // The screen starts as 'loading'; a retry sets it again before it asks.
  const loadStatus = useCallback(
    () =>
      invoke('app.status', {})
        .then((status) => {
          setProductName(status.productName || 'MFA Desk');
          if (status.needsFirstAdmin) setScreen({ kind: 'firstRun' });
          else if (status.session) setScreen({ kind: 'signedIn', status, session: status.session });
          else showSignIn();
        })
        .catch(fail),
    [fail, showSignIn],
  );

  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  const retry = useCallback(() => {
    setScreen({ kind: 'loading' });
    void loadStatus();
  }, [loadStatus]);

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
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      {renderScreen()}
    </>
  );

  function renderScreen() {
    switch (screen.kind) {
      case 'loading':
        return <LoadingScreen productName={productName} />;
      case 'fatal':
        return <FatalScreen productName={productName} message={screen.message} onRetry={screen.hostToken ? null : retry} />;
      case 'firstRun':
        return (
          <SignedOutLayout productName={productName}>
            <Suspense fallback={<Loader size="sm" aria-label="Loading" />}>
              <FirstRunScreen onCreated={(username) => showSignIn(username, `The admin ${username} has been created. Sign in to set up your authenticator app.`)} />
            </Suspense>
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
          <Suspense fallback={<LoadingScreen productName={productName} />}>
            <SignedInShell productName={productName} initialStatus={screen.status} session={screen.session} onEnded={onEnded} onFatal={fail} />
          </Suspense>
        );
    }
  }
}

/** The skip link moves the focus to the main region (the address keeps its route). */
function skipToMain(e: React.MouseEvent) {
  e.preventDefault();
  const main = document.getElementById('main');
  main?.focus();
}

/** Before sign-in: the product's name above one centred card. */
export function SignedOutLayout({ productName, children }: { productName: string; children: ReactNode }) {
  return (
    <Box className="signed-out">
      <header className="signed-out__brand">
        <Group gap={8} wrap="nowrap">
          <IconShieldLock size={22} aria-hidden="true" />
          <span>{productName}</span>
        </Group>
      </header>
      <main id="main" tabIndex={-1} className="signed-out__main">
        <Paper className="signed-out__card" shadow="sm" p="xl">
          {children}
        </Paper>
      </main>
    </Box>
  );
}

function LoadingScreen({ productName }: { productName: string }) {
  useDocumentTitle('');
  return (
    <SignedOutLayout productName={productName}>
      <Center py="xl">
        <Stack align="center" gap="sm">
          <Title order={1} fz="h3">
            {productName}
          </Title>
          <Loading>Starting…</Loading>
        </Stack>
      </Center>
    </SignedOutLayout>
  );
}

function FatalScreen({ productName, message, onRetry }: { productName: string; message: string; onRetry: (() => void) | null }) {
  useDocumentTitle('Cannot continue');
  return (
    <SignedOutLayout productName={productName}>
      <Stack gap="md">
        <Title order={1} fz="h3">
          {productName} cannot continue
        </Title>
        <Alert role="alert" color="red" variant="light" title="What happened">
          {message}
        </Alert>
        {onRetry ? (
          <Group>
            <Button onClick={onRetry}>Try again</Button>
          </Group>
        ) : null}
      </Stack>
    </SignedOutLayout>
  );
}
