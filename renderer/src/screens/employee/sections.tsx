/** The employee page's read-only sections: eligibility, the record, factors, codes and the mail log. */
import type { ReactNode } from 'react';
import { Alert, Badge, Code, Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { EmployeeDetail, EmployeeFactor, EmployeePageData, MailLogEntry, OneTimeCodeView } from '../../../../shared/domain';
import { codeStatus } from '../../../../shared/codes';
import { CodeStateBadge, MailStatusBadge } from '../../components/badges';
import { Address, Facts, None, RelativeTime, SectionTitle } from '../../components/ui';
import { CODE_PURPOSE_LABELS, FACTOR_TYPE_LABELS, STATUS_LABELS, formatDate, formatDateTime, mailTemplateLabel, plural } from '../../format';
import { useServerNow } from '../../lib/useServerNow';
import { RecordTable } from './RecordTable';
import classes from './employee.module.css';

/** A titled panel of the page: a region named by its h2, reachable from the section links. */
export function Section({ id, title, right, children }: { id: string; title: string; right?: ReactNode; children: ReactNode }) {
  return (
    <Paper component="section" id={id} aria-labelledby={`${id}-heading`} className={classes.section}>
      <SectionTitle id={`${id}-heading`} right={right}>
        {title}
      </SectionTitle>
      {children}
    </Paper>
  );
}

// ── Eligibility ────────────────────────────────────────────────────────────────────────────────

export function EligibilityPanel({ page }: { page: EmployeePageData }) {
  const { eligibility: el } = page;
  const blocking = el.reasons.filter((r) => r.blocks);
  const other = el.reasons.filter((r) => !r.blocks);
  const how = el.canUseApp && el.canUseEmail ? 'the authenticator app or email' : el.canUseApp ? 'the authenticator app only' : 'email only';
  return (
    <Alert
      color={el.canRegister ? 'green' : 'red'}
      variant="light"
      icon={el.canRegister ? <IconCircleCheck size={20} aria-hidden="true" /> : <IconCircleX size={20} aria-hidden="true" />}
      title={el.canRegister ? `Can register for MFA with ${how}.` : 'Cannot register for MFA:'}
      classNames={{ title: classes.verdict }}
    >
      {blocking.length > 0 ? (
        <List size="sm" spacing={2}>
          {blocking.map((r) => (
            <List.Item key={r.code}>{r.message}</List.Item>
          ))}
        </List>
      ) : null}
      {other.length > 0 ? (
        <>
          {el.canRegister ? null : (
            <Text size="sm" mt={6}>
              Also:
            </Text>
          )}
          <List size="sm" spacing={2}>
            {other.map((r) => (
              <List.Item key={r.code}>{r.message}</List.Item>
            ))}
          </List>
        </>
      ) : null}
    </Alert>
  );
}

// ── The record ─────────────────────────────────────────────────────────────────────────────────

export function RecordFacts({ employee: e }: { employee: EmployeeDetail }) {
  const status =
    STATUS_LABELS[e.status] +
    (e.status === 'leaver' || e.leavingDate ? (e.leavingDate ? `, leaving date ${formatDate(e.leavingDate)}` : ', no leaving date on record') : '');
  const mfa =
    e.mfaState === 'enabled'
      ? e.mfaEnabledAt
        ? `Enabled since ${formatDateTime(e.mfaEnabledAt)}`
        : 'Enabled'
      : e.mfaState === 'pending'
        ? 'Pending registration'
        : 'Not registered';
  return (
    <Facts
      labelWidth={170}
      items={[
        ['Employee number', e.employeeNumber],
        ['Username', e.username],
        ['Organisation', e.organisation],
        ['Department', e.department],
        ['Job title', e.jobTitle || <None />],
        ['Status', status],
        ['Internet access approved', e.internetAccessApproved ? 'Yes' : 'No'],
        ['MFA', mfa],
        ['Record version', String(e.version)],
      ]}
    />
  );
}

// ── Factors ────────────────────────────────────────────────────────────────────────────────────

function When({ iso, none, now }: { iso: string | null; none: string; now: Date }) {
  return iso ? <RelativeTime iso={iso} now={now} /> : <None label={none} />;
}

export function FactorsSection({ employee: e, now }: { employee: EmployeeDetail; now: Date }) {
  const current = e.factors.filter((f) => f.state !== 'removed');
  const removed = e.factors.filter((f) => f.state === 'removed');
  const app = current.find((f) => f.type === 'authenticator_app' && f.state === 'active') ?? null;
  const appPending = current.find((f) => f.type === 'authenticator_app' && f.state === 'pending') ?? null;
  const email = current.find((f) => f.type === 'email' && f.state === 'active') ?? null;
  const emailPending = current.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <Paper p="sm" radius="sm" className={classes.card}>
          <Group justify="space-between" mb={6} wrap="nowrap">
            <Title order={3} fz="sm">
              Authenticator app
            </Title>
            {app ? <Badge color="green" className={classes.wholeBadge}>Registered</Badge> : appPending ? <Badge color="yellow" className={classes.wholeBadge}>Pending</Badge> : <Badge color="gray" className={classes.wholeBadge}>None</Badge>}
          </Group>
          {app ? (
            <Facts
              size="sm"
              labelWidth={90}
              items={[
                ['Registered', <When key="r" iso={app.registeredAt} none="Not recorded" now={now} />],
                ['Last used', <When key="u" iso={app.lastUsedAt} none="Never" now={now} />],
              ]}
            />
          ) : (
            <Text size="sm">No authenticator app registered.</Text>
          )}
          {appPending ? (
            <Text size="sm" mt={6} c="yellow.9">
              {app || removed.some((f) => f.type === 'authenticator_app') ? 'Re-registration pending' : 'Registration pending'}: the employee has
              not yet finished setting up the app (with the registration code emailed to them, then a code from the app).
            </Text>
          ) : null}
        </Paper>
        <Paper p="sm" radius="sm" className={classes.card}>
          <Group justify="space-between" mb={6} wrap="nowrap">
            <Title order={3} fz="sm">
              Email
            </Title>
            {email ? <Badge color="green" className={classes.wholeBadge}>Verified</Badge> : emailPending ? <Badge color="yellow" className={classes.wholeBadge}>Pending</Badge> : <Badge color="gray" className={classes.wholeBadge}>None</Badge>}
          </Group>
          {email ? (
            <Facts
              size="sm"
              labelWidth={90}
              items={[
                ['Codes go to', email.emailAddress ? <Address address={email.emailAddress} /> : 'the address on record'],
                ['Registered', <When key="r" iso={email.registeredAt} none="Not recorded" now={now} />],
                ['Last used', <When key="u" iso={email.lastUsedAt} none="Never" now={now} />],
              ]}
            />
          ) : (
            <Text size="sm">No email factor registered.</Text>
          )}
          {emailPending ? (
            <Text size="sm" mt={6} c="yellow.9">
              Not verified yet: a code was sent to {emailPending.emailAddress ? <Address address={emailPending.emailAddress} /> : 'the address on record'} and
              the employee has not entered it (registration pending).
            </Text>
          ) : null}
        </Paper>
      </SimpleGrid>
      <div>
        <Title order={3} fz="sm" id="factor-history-heading" mb={6}>
          Factor history
        </Title>
        {removed.length === 0 ? <Text size="sm">No removed factors.</Text> : <FactorHistory removed={removed} />}
      </div>
    </Stack>
  );
}

function FactorHistory({ removed }: { removed: EmployeeFactor[] }) {
  return (
    <RecordTable labelledBy="factor-history-heading" columns={['Factor', 'Registered', 'Last used', 'Removed']}>
      {removed.map((f) => (
        <Table.Tr key={f.id}>
          <Table.Td>
            {FACTOR_TYPE_LABELS[f.type]}
            {f.emailAddress ? (
              <Text size="xs" c="dimmed">
                <Address address={f.emailAddress} />
              </Text>
            ) : null}
          </Table.Td>
          <Table.Td className={classes.nowrap}>{f.registeredAt ? <ShortDate iso={f.registeredAt} /> : <None label="Not recorded" />}</Table.Td>
          <Table.Td className={classes.nowrap}>{f.lastUsedAt ? <ShortDate iso={f.lastUsedAt} /> : <None label="Never" />}</Table.Td>
          <Table.Td className={classes.nowrap}>{f.removedAt ? <ShortDate iso={f.removedAt} /> : <None label="Not recorded" />}</Table.Td>
        </Table.Tr>
      ))}
    </RecordTable>
  );
}

/** A UK date, with the exact time on hover and for screen readers. */
function ShortDate({ iso }: { iso: string }) {
  const exact = formatDateTime(iso);
  return (
    <time dateTime={iso} title={exact}>
      {formatDate(iso)}
      <span className="visually-hidden"> ({exact})</span>
    </time>
  );
}

// ── One-time codes ─────────────────────────────────────────────────────────────────────────────

/** The latest codes, with a live countdown on the main process's clock (ticks while one is active). */
export function CodesSection({ codes, serverTime, headingId }: { codes: OneTimeCodeView[]; serverTime: string; headingId: string }) {
  const now = useServerNow(serverTime, codes.length > 0);
  if (codes.length === 0) return <Text size="sm">No one-time codes have been sent.</Text>;
  return (
    <RecordTable labelledBy={headingId} columns={['Purpose', 'Sent to', 'Sent', 'Status', 'Attempts left']}>
      {codes.map((c) => {
        const st = codeStatus(c, now);
        return (
          <Table.Tr key={c.id}>
            <Table.Th scope="row" fw={500}>
              {CODE_PURPOSE_LABELS[c.purpose]}
            </Table.Th>
            <Table.Td>
              <Address address={c.recipient} />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={c.issuedAt} now={now} />
            </Table.Td>
            <Table.Td>
              <Stack gap={2} align="flex-start">
                <CodeStateBadge state={st.state} />
                {st.state === 'active' ? (
                  <Text size="sm" className="num" role="timer" aria-live="off" aria-atomic="true">
                    {st.label}
                  </Text>
                ) : (
                  <Text size="xs" c="dimmed">
                    {st.label}
                  </Text>
                )}
              </Stack>
            </Table.Td>
            <Table.Td>{st.state === 'used' ? <None label="Not applicable" /> : `${st.attemptsLeft} of ${c.maxAttempts}`}</Table.Td>
          </Table.Tr>
        );
      })}
    </RecordTable>
  );
}

// ── Mail log ───────────────────────────────────────────────────────────────────────────────────

export function MailLog({ mails, more, headingId, now }: { mails: MailLogEntry[]; more: boolean; headingId: string; now: Date }) {
  if (mails.length === 0) return <Text size="sm">No mail has been sent to this employee.</Text>;
  return (
    <>
      <Text size="xs" c="dimmed" mb={6}>
        Newest first. The server’s answer is what the mail server said when it took the message; a failure shows the last error.
      </Text>
      <RecordTable labelledBy={headingId} columns={['When', 'Mail and recipient', 'Status and server’s answer']}>
        {mails.map((m) => (
          <Table.Tr key={m.id}>
            <Table.Td className={classes.nowrap}>
              <RelativeTime iso={m.createdAt} now={now} />
              {m.sentAt && m.sentAt !== m.createdAt ? (
                <Text size="xs" c="dimmed">
                  Sent <ShortDate iso={m.sentAt} />
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              <Text size="sm" fw={500}>
                {mailTemplateLabel(m.template)}
              </Text>
              <Text size="sm">
                to <Address address={m.recipient} />
              </Text>
              <Text size="xs" c="dimmed">
                {m.subject}
              </Text>
            </Table.Td>
            <Table.Td className={classes.statusCell}>
              <Group gap={4}>
                <MailStatusBadge status={m.status} />
                {m.attempts > 1 ? (
                  <Text size="xs" c="dimmed">
                    {plural(m.attempts, 'attempt', 'attempts')}
                  </Text>
                ) : null}
              </Group>
              {m.status === 'failed' || (m.lastError && !m.smtpResponse) ? (
                <Text size="xs" c="red.8" className={classes.wrap}>
                  {m.lastError ?? 'No error recorded'}
                </Text>
              ) : m.smtpResponse ? (
                <Code className={classes.smtp}>{m.smtpResponse}</Code>
              ) : (
                <Text size="xs" c="dimmed">
                  No answer yet
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </RecordTable>
      {more ? (
        <Text size="xs" c="dimmed" mt={6}>
          Showing the latest {plural(mails.length, 'mail', 'mails')}; older ones are not listed.
        </Text>
      ) : null}
    </>
  );
}
