/**
 * Verifying the caller on a ticket: an emailed identity-check code they read back, or the code in
 * their authenticator app; a supervisor may override with a written reason.
 */
import { useState } from 'react';
import { Alert, Box, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconMail, IconShieldCheck } from '@tabler/icons-react';
import { codeStatus } from '../../../../shared/codes';
import type { EmployeePageData } from '../../../../shared/domain';
import { ukClock } from '../../../../shared/uk-time';
import { Address, maskAddress } from '../../components/ui';
import { plural } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { AddressChoice, defaultEmailId } from './AddressChoice';
import { CodeCheck } from './CodeCheck';
import { Override } from './Override';

const METHOD_WORDS = {
  email_code: 'an identity-check code sent by email',
  authenticator_app: 'a code from their authenticator app',
  supervisor_override: 'a supervisor’s override',
} as const;

export function Verification(props: {
  page: EmployeePageData;
  now: Date;
  ticketRef: string;
  ticketOk: boolean;
  verification: EmployeePageData['verifications'][number] | null;
  onChanged: () => Promise<unknown>;
  /** A supervisor (or admin) may vouch for the caller without a code. */
  mayOverride: boolean;
}) {
  const { page, now, ticketRef, ticketOk, verification, onChanged, mayOverride } = props;
  const e = page.employee;
  const activeApp = e.factors.some((f) => f.type === 'authenticator_app' && f.state === 'active');

  if (verification) {
    return (
      <Alert color="green" variant="light" icon={<IconShieldCheck size={20} aria-hidden="true" />} title="Caller verified" data-testid="caller-verified" aria-live="polite">
        <Text size="sm">
          For ticket {verification.ticketRef}, by {METHOD_WORDS[verification.method]}, at {ukClock(verification.verifiedAt)} by {verification.verifiedBy}
          {verification.reason ? ` (reason: ${verification.reason})` : ''}. Valid until {ukClock(verification.validUntil)}.
        </Text>
      </Alert>
    );
  }
  if (!ticketOk) {
    return (
      <Paper p="sm" bg="gray.0">
        <Text size="sm">Enter the ticket reference to verify the caller.</Text>
      </Paper>
    );
  }
  return (
    <Paper p="md" withBorder className="verify-panel" aria-labelledby="verify-heading">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={3} id="verify-heading" fz="md">
            Verify the caller
          </Title>
          <Text size="xs" c="dimmed">
            Caller not verified for ticket {ticketRef}
          </Text>
        </Group>
        <IdentityCode page={page} now={now} ticketRef={ticketRef} onChanged={onChanged} />
        {activeApp ? (
          <CodeCheck kind="authenticator" label="Or: the current code in the caller’s authenticator app" employeeId={e.id} ticketRef={ticketRef} onChanged={onChanged} />
        ) : null}
        {mayOverride ? <Override employeeId={e.id} ticketRef={ticketRef} onChanged={onChanged} /> : null}
      </Stack>
    </Paper>
  );
}

/** The newest identity-check code that can still be read back, if any. */
function liveIdentityCode(page: EmployeePageData, now: Date) {
  const code = page.codes.filter((c) => c.purpose === 'identity_check').sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))[0];
  return code && codeStatus(code, now).state === 'active' ? code : null;
}

function IdentityCode({ page, now, ticketRef, onChanged }: { page: EmployeePageData; now: Date; ticketRef: string; onChanged: () => Promise<unknown> }) {
  const e = page.employee;
  const [emailId, setEmailId] = useState(() => defaultEmailId(e));
  const send = useChannelMutation('mfa.sendIdentityCode', {
    onSuccess: async (sent) => {
      await onChanged();
      notify.success(`Code sent to ${maskAddress(sent.recipient)}, valid until ${ukClock(sent.expiresAt)}. Ask the caller to read it out.`, 'Identity-check code sent');
    },
    onError: (err) => notify.error(err),
  });
  const live = liveIdentityCode(page, now);
  const status = live ? codeStatus(live, now) : null;

  if (e.emails.length === 0) return <Text size="sm">No email on record, so no identity-check code can be sent.</Text>;

  const sendForm = (again: boolean) => (
    <form
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!send.isPending) send.mutate({ employeeId: e.id, ticketRef, emailId: Number(emailId) });
      }}
    >
      <Stack gap={6}>
        {e.emails.length > 1 ? (
          <AddressChoice emails={e.emails} value={emailId} onChange={setEmailId} label={again ? 'Send another code to' : 'Send an identity-check code to'} />
        ) : (
          <Text size="sm">
            {again ? 'Send another code to ' : 'Send an identity-check code to '}
            <Address address={e.emails[0]!.address} />.
          </Text>
        )}
        <Group>
          <Button type="submit" size="xs" variant={again ? 'subtle' : 'filled'} leftSection={<IconMail size={14} aria-hidden="true" />} loading={send.isPending}>
            {again ? 'Send another code' : 'Send identity-check code'}
          </Button>
        </Group>
      </Stack>
    </form>
  );

  if (!live || !status) return sendForm(false);
  // A code is out: the field to check it comes first; sending another is below it, out of the way.
  return (
    <Stack gap="xs">
      <CodeCheck
        kind="identity"
        label="Code the caller reads back"
        description={
          <>
            Sent to <Address address={live.recipient} /> at {ukClock(live.issuedAt)}; {status.label.toLowerCase()}, {plural(status.attemptsLeft, 'try', 'tries')} left.
          </>
        }
        employeeId={e.id}
        ticketRef={ticketRef}
        onChanged={onChanged}
        autoFocus
      />
      <details className="send-again">
        <summary>Send another code (the caller did not get it)</summary>
        <Box mt={6}>{sendForm(true)}</Box>
      </details>
    </Stack>
  );
}
