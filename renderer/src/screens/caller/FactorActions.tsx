/**
 * Changing the caller's factors once they are verified: re-register a method, send a new
 * registration code, remove one of two methods, or unlock their codes. Every irreversible action
 * asks first in a dialog that says what happens and who gets mail; MFA cannot be turned off.
 */
import { useState } from 'react';
import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { codeStatus } from '../../../../shared/codes';
import type { EmployeePageData, FactorType, TicketActionKind } from '../../../../shared/domain';
import { ukClock } from '../../../../shared/uk-time';
import { ActionButton, ConfirmButton } from '../../components/actions';
import { Address, maskAddress } from '../../components/ui';
import { formatDateTime, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { AddressChoice, defaultEmailId } from './AddressChoice';

/** Re-registering each kind of method: the app first, as the one a lost phone needs. */
const RE_REGISTER = [
  {
    type: 'authenticator_app',
    action: 'reRegisterApp',
    variant: undefined,
    title: 'Re-register the authenticator app?',
    confirmLabel: 'Re-register authenticator app',
    button: 'Re-register authenticator app (new or lost phone)',
  },
  { type: 'email', action: 'reRegisterEmail', variant: 'default', title: 'Re-register the email method?', confirmLabel: 'Re-register email method', button: 'Re-register email' },
] as const satisfies ReadonlyArray<{ type: FactorType; action: TicketActionKind; variant: 'default' | undefined; title: string; confirmLabel: string; button: string }>;

export function FactorActions(props: {
  page: EmployeePageData;
  ticketRef: string;
  onChanged: () => Promise<unknown>;
  offered: (k: TicketActionKind) => boolean;
  reasonOf: (k: TicketActionKind) => string | null;
  now: Date;
}) {
  const { page, ticketRef, onChanged, offered, reasonOf, now } = props;
  const e = page.employee;
  const [emailId, setEmailId] = useState(() => defaultEmailId(e));
  const chosen = e.emails.find((m) => String(m.id) === emailId) ?? null;
  const everyone = e.emails.length;
  const told = everyone === 1 ? 'The one address on record is told about the change' : `All ${everyone} addresses on record are told about the change`;

  const done = async (message: string, title: string) => {
    await onChanged();
    notify.success(message, title);
  };
  const reRegister = useChannelMutation('mfa.reRegister', {
    onSuccess: (r) =>
      done(
        `A registration code went to ${maskAddress(r.recipient)} (valid until ${ukClock(r.expiresAt)}); every address on record was told (reference ${r.reference}).`,
        r.factorType === 'email' ? 'Email method re-registration started' : 'Authenticator app re-registration started',
      ),
    onError: (err) => notify.error(err),
  });
  const restart = useChannelMutation('mfa.restartRegistration', {
    onSuccess: (r) => done(`A new registration code went to ${maskAddress(r.recipient)}; it is valid until ${ukClock(r.expiresAt)}.`, 'Registration code sent'),
    onError: (err) => notify.error(err),
  });
  const remove = useChannelMutation('mfa.removeFactor', {
    onSuccess: (r) => done(`Every address on record was told (reference ${r.reference}).`, 'Method removed'),
    onError: (err) => notify.error(err),
  });
  const unlock = useChannelMutation('mfa.unlock', {
    onSuccess: (r) => done(r.codesWereLocked ? 'The employee can use and request codes again.' : `${plural(r.codeFailures, 'wrong code was', 'wrong codes were')} cleared.`, 'Codes unlocked'),
    onError: (err) => notify.error(err),
  });

  const activeApp = e.factors.find((f) => f.type === 'authenticator_app' && f.state === 'active') ?? null;
  const activeEmail = e.factors.find((f) => f.type === 'email' && f.state === 'active') ?? null;
  const anyChange = ['reRegisterApp', 'reRegisterEmail', 'restartRegistration', 'removeFactor', 'unlock'].some((k) => offered(k as TicketActionKind));
  if (!anyChange) return null;

  const reRegisterBody = (type: FactorType) => (
    <>
      <p>
        {type === 'authenticator_app'
          ? 'The authenticator app on the old phone stops working now.'
          : `The email method${activeEmail?.emailAddress ? ` (codes to ${activeEmail.emailAddress})` : ''} stops working now.`}{' '}
        A registration code goes to <strong>{chosen ? maskAddress(chosen.address) : 'the address on record'}</strong>; the employee finishes setting it up on the self-service portal.
      </p>
      <p>{told}, with a way to reach Shared Services by webchat. MFA stays enabled.</p>
    </>
  );

  return (
    <Stack gap="sm" aria-labelledby="change-factors">
      <Group justify="space-between" wrap="nowrap">
        <Title order={3} id="change-factors" fz="md">
          What you can do
        </Title>
        <Text size="xs" c="dimmed">
          MFA stays enabled: it cannot be turned off.
        </Text>
      </Group>

      {offered('reRegisterApp') || offered('reRegisterEmail') ? (
        <Paper p="sm" withBorder>
          <Stack gap="xs">
            {e.emails.length > 1 ? <AddressChoice emails={e.emails} value={emailId} onChange={setEmailId} label="Send the registration code to" /> : null}
            <Group gap="xs">
              {RE_REGISTER.filter((r) => offered(r.action)).map((r) => (
                <ConfirmButton
                  key={r.type}
                  data-action={r.action}
                  variant={r.variant}
                  unavailable={reasonOf(r.action)}
                  confirm={{
                    title: r.title,
                    body: reRegisterBody(r.type),
                    confirmLabel: r.confirmLabel,
                    onConfirm: () => reRegister.mutateAsync({ employeeId: e.id, ticketRef, factorType: r.type, ...(chosen ? { emailId: chosen.id } : {}) }),
                  }}
                >
                  {r.button}
                </ConfirmButton>
              ))}
            </Group>
          </Stack>
        </Paper>
      ) : null}

      {offered('restartRegistration') && page.registrations.length > 0 ? (
        <Stack gap={6}>
          {page.registrations.map((r) => {
            const st = r.code ? codeStatus(r.code, now) : null;
            return (
              <Paper key={r.factorId} p="sm" withBorder>
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Text size="sm" miw={0}>
                    <strong>{r.type === 'email' ? 'Email method' : 'Authenticator app'}</strong> waiting since {formatDateTime(r.startedAt)}
                    {r.emailAddress ? (
                      <>
                        , codes to <Address address={r.emailAddress} />
                      </>
                    ) : null}
                    : {st ? st.label.charAt(0).toLowerCase() + st.label.slice(1) : 'no code sent yet'}.
                  </Text>
                  <ActionButton
                    size="xs"
                    variant="default"
                    data-action="restartRegistration"
                    unavailable={reasonOf('restartRegistration')}
                    loading={restart.isPending && restart.variables?.factorId === r.factorId}
                    onClick={() => restart.mutate({ employeeId: e.id, ticketRef, factorId: r.factorId })}
                  >
                    {st?.state === 'active' ? 'Send a new registration code' : 'Restart registration'}
                  </ActionButton>
                </Group>
              </Paper>
            );
          })}
        </Stack>
      ) : null}

      {offered('removeFactor') ? (
        <Group gap="xs" align="center">
          {activeApp && activeEmail ? (
            [activeApp, activeEmail].map((f) => (
              <ConfirmButton
                key={f.id}
                data-action="removeFactor"
                variant="light"
                color="red"
                unavailable={reasonOf('removeFactor')}
                confirm={{
                  title: f.type === 'email' ? 'Remove the email method?' : 'Remove the authenticator app?',
                  body: (
                    <>
                      <p>
                        {f.type === 'email'
                          ? `Codes stop going to ${f.emailAddress ?? 'the address on record'}; the employee signs in with their authenticator app.`
                          : 'The authenticator app stops working now; the employee signs in with codes by email.'}
                      </p>
                      <p>{told}. MFA stays enabled.</p>
                    </>
                  ),
                  confirmLabel: f.type === 'email' ? 'Remove email method' : 'Remove authenticator app',
                  onConfirm: () => remove.mutateAsync({ employeeId: e.id, ticketRef, factorId: f.id }),
                }}
              >
                {f.type === 'email' ? 'Remove email factor' : 'Remove authenticator app'}
              </ConfirmButton>
            ))
          ) : (
            <ActionButton variant="light" color="red" data-action="removeFactor" unavailable={reasonOf('removeFactor') ?? 'A method can be removed only when both (app and email) are set up.'}>
              Remove a method
            </ActionButton>
          )}
        </Group>
      ) : null}

      {offered('unlock') ? (
        <Group gap="xs" align="center">
          <ActionButton
            variant="default"
            data-action="unlock"
            unavailable={reasonOf('unlock')}
            loading={unlock.isPending}
            leftSection={<IconCircleCheck size={16} aria-hidden="true" />}
            onClick={() => unlock.mutate({ employeeId: e.id, ticketRef })}
          >
            Unlock codes
          </ActionButton>
          {page.codeLock.lockedAt ? (
            <Text size="xs" c="dimmed">
              Locked {formatDateTime(page.codeLock.lockedAt)} after {plural(page.codeLock.failures, 'wrong code', 'wrong codes')}.
            </Text>
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}
