import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import dayjs from 'dayjs';
import 'dayjs/locale/en-gb';
import '@fontsource-variable/inter/index.css';
import '@mantine/core/styles.css';
import '@mantine/dates/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { App } from './App';
import { createQueryClient } from './lib/query';
import { cssVariablesResolver, theme } from './theme';

dayjs.locale('en-gb');

const root = document.getElementById('root');
if (!root) throw new Error('MFA Desk: the page has no #root element');
const queryClient = createQueryClient();

// Routes live in the address's #fragment (#/tickets/12): Back, Forward and reload work in the
// Electron window (app://) and in the browser host alike, with no server-side routes.
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} forceColorScheme="light">
      <DatesProvider settings={{ locale: 'en-gb', firstDayOfWeek: 1, weekendDays: [0, 6] }}>
        <QueryClientProvider client={queryClient}>
          <Notifications position="bottom-right" limit={4} zIndex={1000} containerWidth={420} />
          <Router hook={useHashLocation}>
            <App />
          </Router>
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>
  </StrictMode>,
);
