/**
 * The ticket page's right pane, the person: link an employee to the ticket, then their eligibility,
 * methods, the latest codes with a live countdown, the addresses on record, and a link to the full
 * employee page.
 */
import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { IconExternalLink } from '@tabler/icons-react';
import { Link } from 'wouter';
import { codeStatus } from '../../../../shared/codes';
import type { EmployeeFactor, EmployeePageData, TicketDetail } from '../../../../shared/domain';
import { CodeStateBadge, EmployeeStatusBadge, LockedBadge, MfaBadge } from '../../components/badges';
import { Address, Facts } from '../../components/ui';
import { CODE_PURPOSE_LABELS, formatDate, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { useServerNow } from '../../lib/useServerNow';
import { routes } from '../../app/routes';
import { EmployeePicker } from './EmployeePicker';
import classes from './Tickets.module.css';

/** A method's state, and a word about it in brackets. */
function MethodState({ factor, pending, aside }: { factor: EmployeeFactor | null; pending: string; aside: ReactNode }) {
  if (!factor) return 'None';
  return (
    <>
      {factor.state === 'pending' ? pending : 'Active'}
      {aside ? (
        <Text span size="xs" c="dimmed">
          {' '}
          ({aside})
        </Text>
      ) : null}
    </>
  );
}

export function ThePerson({ ticket, onChanged }: { ticket: TicketDetail; onChanged: (t: TicketDetail) => void }) {
  const link = useChannelMutation('tickets.update');
  const [linkError, setLinkError] = useState<string | null>(null);
  if (!ticket.page) {
    return (
      <Stack gap="sm">
        <h2 className={classes.paneTitle}>Employee</h2>
        {ticket.status === 'resolved' ? (
          <Text size="sm">No employee was linked to this ticket.</Text>
        ) : (
          <>
            <Text size="sm">No employee is linked yet. Find them and link them to this ticket.</Text>
            <EmployeePicker
              error={linkError}
              onPick={(e) =>
                link.mutate(
                  { ticketId: ticket.id, employeeId: e.id },
                  {
                    onSuccess: (t) => {
                      setLinkError(null);
                      onChanged(t);
                      notify.success(`${e.firstName} ${e.lastName} is linked to this ticket.`);
                    },
                    onError: (err) => setLinkError(err.message),
                  },
                )
              }
            />
          </>
        )}
      </Stack>
    );
  }
  return <PersonPanel page={ticket.page} />;
}

function PersonPanel({ page }: { page: EmployeePageData }) {
  const e = page.employee;
  const now = useServerNow(page.serverTime, page.codes.length > 0);
  const el = page.eligibility;
  const how = el.canUseApp && el.canUseEmail ? 'the app or email' : el.canUseApp ? 'the app only' : 'email only';
  const app = e.factors.find((f) => f.type === 'authenticator_app' && f.state !== 'removed') ?? null;
  const email = e.factors.find((f) => f.type === 'email' && f.state !== 'removed') ?? null;
  const codes = [...page.codes].sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return (
    <Stack gap="md">
      <div>
        <h2 className={classes.paneTitle}>Employee</h2>
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <div style={{ minWidth: 0 }}>
            <Text fw={700} size="lg" lh={1.2}>
              {e.firstName} {e.lastName}
            </Text>
            <Text size="sm" c="dimmed">
              <span className="num">{e.employeeNumber}</span> · {e.organisation}
            </Text>
          </div>
        </Group>
        <Group gap={4} mt={6}>
          <EmployeeStatusBadge status={e.status} />
          <MfaBadge state={e.mfaState} />
          {e.locked || page.codeLock.lockedAt ? <LockedBadge /> : null}
        </Group>
        <Anchor component={Link} href={routes.employee(e.id)} size="sm" mt={6} display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
          Open the full employee page <IconExternalLink size={14} aria-hidden="true" />
        </Anchor>
      </div>

      <Alert
        color={el.canRegister ? 'green' : 'red'}
        variant="light"
        p="xs"
        title={el.canRegister ? `Can register with ${how}` : 'Cannot register for MFA'}
        aria-label="Eligibility"
      >
        {el.reasons.length > 0 ? (
          <Stack gap={2}>
            {el.reasons.map((r) => (
              <Text key={r.code} size="xs">
                {r.message}
              </Text>
            ))}
          </Stack>
        ) : null}
      </Alert>

      <div>
        <h3 className={classes.paneTitle}>Methods</h3>
        <Facts
          labelWidth={110}
          items={[
            ['Authenticator app', <MethodState key="app" factor={app} pending="Waiting to be set up" aside={app?.lastUsedAt ? `last used ${formatDate(app.lastUsedAt)}` : null} />],
            ['Email', <MethodState key="email" factor={email} pending="Waiting to be verified" aside={email?.emailAddress ? <Address address={email.emailAddress} /> : null} />],
            ['MFA', e.mfaEnabledAt ? `Enabled since ${formatDate(e.mfaEnabledAt)}` : e.mfaState === 'pending' ? 'Registration pending' : 'Not registered'],
          ]}
        />
      </div>

      <div>
        <h3 className={classes.paneTitle}>Latest codes</h3>
        {codes.length === 0 ? (
          <Text size="sm" c="dimmed">
            No one-time codes have been sent.
          </Text>
        ) : (
          <Stack gap={6}>
            {codes.map((c) => {
              const st = codeStatus(c, now);
              return (
                <Paper key={c.id} p="xs" withBorder>
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm" fw={600}>
                      {CODE_PURPOSE_LABELS[c.purpose]}
                    </Text>
                    <CodeStateBadge state={st.state} />
                  </Group>
                  <Text size="xs" c="dimmed">
                    To <Address address={c.recipient} />
                  </Text>
                  {st.state === 'active' ? (
                    <Text size="sm" role="timer" aria-live="off" aria-atomic="true" data-live-time="">
                      {st.label}, {plural(st.attemptsLeft, 'try', 'tries')} left
                    </Text>
                  ) : (
                    <Text size="xs">{st.label}</Text>
                  )}
                </Paper>
              );
            })}
          </Stack>
        )}
      </div>

      <div>
        <h3 className={classes.paneTitle}>Addresses on record</h3>
        {e.emails.length === 0 ? (
          <Text size="sm">No email on record: a manager must add one.</Text>
        ) : (
          <Stack gap={4}>
            {e.emails.map((m) => (
              <Group key={m.id} gap={6} wrap="nowrap" align="flex-start">
                <Badge size="sm" color="gray" variant="light" miw={64}>
                  {m.kind === 'work' ? 'Work' : 'Personal'}
                </Badge>
                <Text size="sm" miw={0}>
                  <Address address={m.address} />
                  {m.usedForCodes ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (codes)
                    </Text>
                  ) : null}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </div>
      {page.codeLock.failures > 0 ? (
        <Text size="xs" c="dimmed">
          {plural(page.codeLock.failures, 'wrong code', 'wrong codes')} of {page.codeLock.maxFailures} counted.
        </Text>
      ) : null}
    </Stack>
  );
}
