/**
 * What an agent does for the caller on a webchat ticket, on the ticket page (its centre pane) and
 * on the employee page: verify the caller (an emailed identity-check code they read back, or their
 * authenticator code; a supervisor may override with a reason), then re-register a factor, send a
 * new registration code, remove one of two methods, or unlock their codes. Every irreversible
 * action asks first in a dialog that says what happens and who gets mail. The main process
 * enforces every rule and writes the audit trail; there is no way to turn MFA off.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Box, Button, Group, Paper, Radio, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconCircleCheck, IconMail, IconShieldCheck } from '@tabler/icons-react';
import { codeStatus } from '../../../../shared/codes';
import type { EmployeeEmail, EmployeeFactor, EmployeePageData, FactorType, TicketActionKind } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { ActionButton, ConfirmButton } from '../../components/actions';
import { Address, maskAddress } from '../../components/ui';
import { formatDateTime, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { validationIssuesOf } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';
import { useRole } from '../../lib/session';
import { useServerNow } from '../../lib/useServerNow';
import { ukClock } from '../../../../shared/uk-time';

const TICKET_RE = /^[A-Za-z0-9._:/-]{3,64}$/;

const METHOD_WORDS = {
  email_code: 'an identity-check code sent by email',
  authenticator_app: 'a code from their authenticator app',
  supervisor_override: 'a supervisor’s override',
} as const;

/** Per action: null when it can be done now, else why not. Actions left out are not offered here. */
export type ActionAvailability = Partial<Record<TicketActionKind, string | null>>;

export interface CallerActionsProps {
  page: EmployeePageData;
  /** The main process's clock minus this one's (verifications and codes expire on its time). */
  offset: number;
  /** Something changed: load the page (or ticket) again. */
  onChanged: () => Promise<unknown>;
  /** The ticket the actions are done on: fixed on the ticket page. */
  ticketRef?: string;
  /** On the employee page: the reference to start with (the agent may change it). */
  initialTicketRef?: string;
  /** On a ticket: its category's actions and why each is unavailable (from the ticket's guidance). */
  availability?: ActionAvailability;
}

/** Availability by the rules alone, for the employee page (no ticket category to narrow it). */
function localAvailability(page: EmployeePageData, verified: boolean): ActionAvailability {
  const e = page.employee;
  const live = e.factors.filter((f) => f.state !== 'removed');
  const has = (t: FactorType, state?: EmployeeFactor['state']) => live.some((f) => f.type === t && (!state || f.state === state));
  const blocking = page.eligibility.reasons.filter((r) => r.blocks).map((r) => r.message);
  const eligible = blocking.length > 0 ? blocking.join(' ') : null;
  const needVerified = verified ? null : 'Verify the caller first.';
  const pending = 'A registration is already waiting for the employee: send a new registration code instead.';
  const locked = page.codeLock.failures > 0 || page.codeLock.lockedAt !== null || e.locked;
  return {
    verify: verified ? 'The caller is verified on this ticket.' : null,
    reRegisterApp: needVerified ?? eligible ?? (has('authenticator_app', 'pending') ? pending : has('authenticator_app') ? null : 'No authenticator app to re-register: the employee adds one on the portal.'),
    reRegisterEmail:
      needVerified ??
      eligible ??
      (e.emails.length === 0 ? 'No email address on record: a manager must add one.' : has('email', 'pending') ? pending : has('email') ? null : 'No email method to re-register: the employee adds one on the portal.'),
    restartRegistration: needVerified ?? eligible ?? (page.registrations.length > 0 ? null : 'No registration is waiting to be finished.'),
    removeFactor: has('authenticator_app', 'active') && has('email', 'active') ? needVerified : 'A method can be removed only when both (app and email) are set up.',
    unlock: needVerified ?? (locked ? null : 'Nothing is locked: no wrong codes are counted.'),
  };
}

export function CallerActions({ page, offset, onChanged, ticketRef: fixedRef, initialTicketRef, availability }: CallerActionsProps) {
  const role = useRole();
  const now = useServerNow(offset, true);
  const [typedRef, setTypedRef] = useState(initialTicketRef ?? '');
  const refId = useId();
  const ticketRef = (fixedRef ?? typedRef).trim();
  const ticketOk = TICKET_RE.test(ticketRef);

  if (role === 'manager') {
    return <Text size="sm">Agents verify callers and change their factors; managers correct the record (the emails on record).</Text>;
  }

  const verification = ticketOk ? (page.verifications.find((v) => v.ticketRef === ticketRef && Date.parse(v.validUntil) > now.getTime()) ?? null) : null;
  const avail = availability ?? localAvailability(page, verification !== null);
  const offered = (kind: TicketActionKind) => kind in avail;
  const reasonOf = (kind: TicketActionKind) => (ticketOk ? (avail[kind] ?? null) : 'Enter the webchat ticket reference first.');

  return (
    <Stack gap="md">
      {fixedRef ? null : (
        <TextInput
          id={refId}
          label="Webchat ticket reference"
          description="Every action below is recorded against this ticket (a new reference opens a ticket for it)."
          value={typedRef}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setTypedRef(e.currentTarget.value)}
        />
      )}
      <Verification page={page} now={now} ticketRef={ticketRef} ticketOk={ticketOk} verification={verification} onChanged={onChanged} canVerify={offered('verify') || !availability} role={role} />
      <FactorActions page={page} ticketRef={ticketRef} onChanged={onChanged} offered={offered} reasonOf={reasonOf} now={now} />
    </Stack>
  );
}

// ── Verifying the caller ─────────────────────────────────────────────────────────────────────────

function Verification(props: {
  page: EmployeePageData;
  now: Date;
  ticketRef: string;
  ticketOk: boolean;
  verification: EmployeePageData['verifications'][number] | null;
  onChanged: () => Promise<unknown>;
  canVerify: boolean;
  role: string;
}) {
  const { page, now, ticketRef, ticketOk, verification, onChanged, role } = props;
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
          <CodeCheck
            label="Or: the current code in the caller’s authenticator app"
            button="Check authenticator code"
            channel="mfa.checkAuthenticatorCode"
            employeeId={e.id}
            ticketRef={ticketRef}
            onChanged={onChanged}
            success="The authenticator code is right: the caller is verified for this ticket."
          />
        ) : null}
        {role === 'supervisor' || role === 'admin' ? <Override employeeId={e.id} ticketRef={ticketRef} onChanged={onChanged} /> : null}
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
  const [emailId, setEmailId] = useState<string>(String(e.emails.find((m) => m.usedForCodes)?.id ?? e.emails[0]?.id ?? ''));
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
        label="Code the caller reads back"
        description={
          <>
            Sent to <Address address={live.recipient} /> at {ukClock(live.issuedAt)}; {status.label.toLowerCase()}, {plural(status.attemptsLeft, 'try', 'tries')} left.
          </>
        }
        button="Check code"
        channel="mfa.checkIdentityCode"
        employeeId={e.id}
        ticketRef={ticketRef}
        onChanged={onChanged}
        success="The code is right: the caller is verified for this ticket."
        autoFocus
      />
      <details className="send-again">
        <summary>Send another code (the caller did not get it)</summary>
        <Box mt={6}>{sendForm(true)}</Box>
      </details>
    </Stack>
  );
}

function AddressChoice({ emails, value, onChange, label }: { emails: EmployeeEmail[]; value: string; onChange: (id: string) => void; label: string }) {
  return (
    <Radio.Group value={value} onChange={onChange} label={label} size="sm">
      <Stack gap={4} mt={4}>
        {emails.map((m) => (
          <Radio key={m.id} value={String(m.id)} label={<Address address={m.address} />} />
        ))}
      </Stack>
    </Radio.Group>
  );
}

/** A 6-digit code the caller gives, checked by the main process; the box empties once it is right. */
function CodeCheck(props: {
  label: string;
  description?: ReactNode;
  button: string;
  channel: 'mfa.checkIdentityCode' | 'mfa.checkAuthenticatorCode';
  employeeId: number;
  ticketRef: string;
  onChanged: () => Promise<unknown>;
  success: string;
  autoFocus?: boolean;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const check = useChannelMutation(props.channel, {
    onSuccess: async () => {
      setCode('');
      setError(null);
      await props.onChanged();
      notify.success(props.success, 'Caller verified');
    },
    onError: (err) => {
      const issue = validationIssuesOf(err).find((i) => i.path === 'code');
      // A wrong or expired code is about this field: say it under it.
      if (issue) setError(issue.message);
      else if (err instanceof DeskError && (err.code === 'RULE_VIOLATION' || err.code === 'CONFLICT')) {
        setError(err.message);
        // Tries left and locks changed: show them.
        void props.onChanged();
      } else notify.error(err);
    },
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    if (check.isPending) return;
    if (!code.trim()) {
      setError('Enter the 6-digit code');
      return;
    }
    check.mutate({ employeeId: props.employeeId, ticketRef: props.ticketRef, code });
  }
  return (
    <form onSubmit={submit} noValidate>
      <TextInput
        label={props.label}
        description={props.description}
        value={code}
        onChange={(e) => {
          setCode(e.currentTarget.value);
          setError(null);
        }}
        error={error}
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        // Room for a code pasted with spaces or dashes ("121 725"); the main process drops them.
        maxLength={20}
        data-autofocus={props.autoFocus || undefined}
        autoFocus={props.autoFocus}
        // The button sits beside the box, the label, hint and error above and below both.
        inputContainer={(input) => (
          <Group gap="xs" wrap="wrap" align="center">
            <div style={{ width: 170 }}>{input}</div>
            <Button type="submit" loading={check.isPending}>
              {props.button}
            </Button>
          </Group>
        )}
      />
    </form>
  );
}

function Override({ employeeId, ticketRef, onChanged }: { employeeId: number; ticketRef: string; onChanged: () => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const override = useChannelMutation('mfa.overrideVerification', {
    onSuccess: async () => {
      setReason('');
      await onChanged();
      notify.success('Verification overridden for this ticket; your reason is in the audit trail.', 'Caller verified by override');
    },
    onError: (err) => {
      const issue = validationIssuesOf(err).find((i) => i.path === 'reason');
      if (issue) setError(issue.message);
      else notify.error(err);
    },
  });
  const short = reason.trim().length < 10 ? 'Write the reason for the override (at least 10 characters)' : null;
  return (
    <details className="override">
      <summary>Supervisor override (the caller cannot be verified another way)</summary>
      <Stack gap="xs" mt="xs">
        <Textarea
          label="Why the caller cannot be verified another way"
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setError(null);
          }}
          error={error}
          maxLength={1000}
        />
        <Group>
          <ConfirmButton
            variant="light"
            color="red"
            size="xs"
            unavailable={short}
            confirm={{
              title: 'Override the caller verification?',
              body: (
                <>
                  <p>You vouch for this caller on ticket {ticketRef} without a code. Agents can then change their factors on this ticket.</p>
                  <p>Your name and reason go into the audit trail: “{reason.trim()}”.</p>
                </>
              ),
              confirmLabel: 'Override verification',
              onConfirm: () => override.mutateAsync({ employeeId, ticketRef, reason: reason.trim() }),
            }}
          >
            Override verification
          </ConfirmButton>
        </Group>
      </Stack>
    </details>
  );
}

// ── Changing factors ─────────────────────────────────────────────────────────────────────────────


function FactorActions(props: {
  page: EmployeePageData;
  ticketRef: string;
  onChanged: () => Promise<unknown>;
  offered: (k: TicketActionKind) => boolean;
  reasonOf: (k: TicketActionKind) => string | null;
  now: Date;
}) {
  const { page, ticketRef, onChanged, offered, reasonOf, now } = props;
  const e = page.employee;
  const [emailId, setEmailId] = useState<string>(String(e.emails.find((m) => m.usedForCodes)?.id ?? e.emails[0]?.id ?? ''));
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
              {offered('reRegisterApp') ? (
                <ConfirmButton
                  data-action="reRegisterApp"
                  unavailable={reasonOf('reRegisterApp')}
                  confirm={{
                    title: 'Re-register the authenticator app?',
                    body: reRegisterBody('authenticator_app'),
                    confirmLabel: 'Re-register authenticator app',
                    onConfirm: () => reRegister.mutateAsync({ employeeId: e.id, ticketRef, factorType: 'authenticator_app', ...(chosen ? { emailId: chosen.id } : {}) }),
                  }}
                >
                  Re-register authenticator app (new or lost phone)
                </ConfirmButton>
              ) : null}
              {offered('reRegisterEmail') ? (
                <ConfirmButton
                  data-action="reRegisterEmail"
                  variant="default"
                  unavailable={reasonOf('reRegisterEmail')}
                  confirm={{
                    title: 'Re-register the email method?',
                    body: reRegisterBody('email'),
                    confirmLabel: 'Re-register email method',
                    onConfirm: () => reRegister.mutateAsync({ employeeId: e.id, ticketRef, factorType: 'email', ...(chosen ? { emailId: chosen.id } : {}) }),
                  }}
                >
                  Re-register email
                </ConfirmButton>
              ) : null}
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
