/** The signed-in screens, each at its address and only for the roles the policy lets reach it. */
import { lazy, Suspense } from 'react';
import { Box, Button, Text } from '@mantine/core';
import { Link, Redirect, Route, Switch, useParams } from 'wouter';
import type { DeskRole } from '../../../shared/domain';
import { can } from '../../../shared/policy';
import { Loading } from '../components/ui';
import { routes } from './routes';

// Each screen loads when it is first opened: the first screen carries only what it needs.
const TicketInbox = lazy(() => import('../screens/tickets/TicketInbox').then((m) => ({ default: m.TicketInbox })));
const TicketPage = lazy(() => import('../screens/tickets/TicketPage').then((m) => ({ default: m.TicketPage })));
const ManagerTasksScreen = lazy(() => import('../screens/tickets/ManagerTasks').then((m) => ({ default: m.ManagerTasksScreen })));
const LookupScreen = lazy(() => import('../screens/search/LookupScreen').then((m) => ({ default: m.LookupScreen })));
const EmployeePage = lazy(() => import('../screens/employee/EmployeePage').then((m) => ({ default: m.EmployeePage })));
const AuditScreen = lazy(() => import('../screens/audit/AuditScreen').then((m) => ({ default: m.AuditScreen })));
const DeskUsersScreen = lazy(() => import('../screens/admin/DeskUsersScreen').then((m) => ({ default: m.DeskUsersScreen })));
const ImportScreen = lazy(() => import('../screens/admin/ImportScreen').then((m) => ({ default: m.ImportScreen })));
const SettingsScreen = lazy(() => import('../screens/admin/SettingsScreen').then((m) => ({ default: m.SettingsScreen })));

export function ScreenRoutes({ role, home }: { role: DeskRole; home: string }) {
  const callsTaken = can(role, 'callers.help');
  return (
    <Suspense fallback={<ScreenLoading />}>
      <Switch>
        <Route path="/">
          <Redirect to={home} replace />
        </Route>
        <Route path={routes.search}>
          <LookupScreen />
        </Route>
        <Route path="/employees/:id/ticket/:ref">{() => <EmployeeRoute />}</Route>
        <Route path="/employees/:id">{() => <EmployeeRoute />}</Route>
        {callsTaken ? (
          <Route path={routes.tickets}>
            <TicketInbox />
          </Route>
        ) : null}
        {callsTaken ? <Route path="/tickets/:id">{() => <TicketRoute />}</Route> : null}
        {can(role, 'records.correct') ? (
          <Route path={routes.tasks}>
            <ManagerTasksScreen />
          </Route>
        ) : null}
        {can(role, 'reports.read') ? <Route path="/audit/:tab?">{(p: { tab?: string }) => <AuditScreen tab={auditTab(p.tab)} />}</Route> : null}
        {can(role, 'desk.administer') ? (
          <Route path={routes.deskUsers}>
            <DeskUsersScreen />
          </Route>
        ) : null}
        {can(role, 'desk.administer') ? (
          <Route path={routes.hrImport}>
            <ImportScreen />
          </Route>
        ) : null}
        {can(role, 'desk.administer') ? (
          <Route path={routes.settings}>
            <SettingsScreen />
          </Route>
        ) : null}
        <Route>
          <NotFound home={home} />
        </Route>
      </Switch>
    </Suspense>
  );
}

function auditTab(tab: string | undefined): 'dashboard' | 'events' | 'integrity' {
  return tab === 'events' || tab === 'integrity' ? tab : 'dashboard';
}

function TicketRoute() {
  const { id } = useParams<{ id: string }>();
  const ticketId = Number(id);
  if (!Number.isInteger(ticketId) || ticketId <= 0) return <NotFound home={routes.tickets} />;
  return <TicketPage key={ticketId} ticketId={ticketId} />;
}

function EmployeeRoute() {
  const params = useParams<{ id: string; ref?: string }>();
  const employeeId = Number(params.id);
  if (!Number.isInteger(employeeId) || employeeId <= 0) return <NotFound home={routes.search} />;
  const ticketRef = params.ref ? decodeURIComponent(params.ref) : undefined;
  return <EmployeePage key={`${employeeId}-${ticketRef ?? ''}`} employeeId={employeeId} {...(ticketRef ? { ticketRef } : {})} />;
}

function ScreenLoading() {
  return (
    <Loading p="lg">Loading…</Loading>
  );
}

function NotFound({ home }: { home: string }) {
  return (
    <Box p="lg" className="screen">
      <h1 className="page-title">There is nothing at this address</h1>
      <Text mb="md">The page may have moved, or your role does not reach it.</Text>
      <Button component={Link} href={home}>
        Go to your start page
      </Button>
    </Box>
  );
}
