import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { DeskRole, EmployeeEmail, EmployeePageData, FactorType, TicketActionKind } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, errorMessage } from '../components/legacy-ui';
import { FACTOR_TYPE_LABELS, formatDateTime } from '../format';
import { useServerNow } from '../lib/useServerNow';

interface Props {
  call: Invoke;
  role: DeskRole;
  page: EmployeePageData;
  /** The main process's clock minus this one's (verifications and codes expire on its time). */
  offset: number;
  /** Something changed: load the page again. */
  onChanged: () => Promise<void>;
  /** The ticket these actions are done on, when shown on the ticket itself (no reference to type). */
  fixedTicketRef?: string;
  /** A reference to start with (the agent may change it). */
  initialTicketRef?: string;
  /** On a ticket: only the actions its category's checklist enables (the rest are disabled). */
  allowed?: ReadonlySet<TicketActionKind>;
}

const TICKET_RE = /^[A-Za-z0-9._:/-]{3,64}$/;

const METHOD_LABELS = {
  email_code: 'an identity-check code sent by email',
  authenticator_app: 'a code from their authenticator app',
  supervisor_override: 'a supervisor’s override',
} as const;

/**
 * What an agent does for the caller on a webchat ticket: verify them (an emailed identity-check
 * code they read back, or their authenticator code; a supervisor may override with a reason), then
 * re-register a factor, restart an expired registration, remove a factor (only when both are set
 * up) or unlock their codes. Every action carries the ticket reference; the main process enforces
 * every rule and records it in the audit trail. There is no way to turn MFA off.
 */
export function EmployeeActions({ call, role, page, offset, onChanged, fixedTicketRef, initialTicketRef, allowed }: Props) {
  const may = (kind: TicketActionKind) => !allowed || allowed.has(kind);
  const now = useServerNow(offset, true);
  const e = page.employee;
  const [ticket, setTicket] = useState(fixedTicketRef ?? initialTicketRef ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const ticketId = useId();
  const ticketRef = ticket.trim();
  const ticketOk = TICKET_RE.test(ticketRef);

  const verification =
    page.verifications.find((v) => v.ticketRef === ticketRef && Date.parse(v.validUntil) > now.getTime()) ?? null;
  const activeApp = e.factors.find((f) => f.type === 'authenticator_app' && f.state === 'active') ?? null;
  const activeEmail = e.factors.find((f) => f.type === 'email' && f.state === 'active') ?? null;
  const locked = page.codeLock.lockedAt !== null || e.locked;

  if (role === 'manager') {
    return <p>Agents verify callers and change their factors; managers correct the record (the emails on record).</p>;
  }

  async function act(what: () => Promise<string>) {
    if (!ticketOk) {
      setError('Enter the webchat ticket reference first (3–64 letters, digits or . _ : / -).');
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const message = await what();
      await onChanged();
      setDone(message);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="actions">
      {fixedTicketRef ? null : <div className="field">
        <label htmlFor={ticketId}>Webchat ticket reference</label>
        <p className="field__hint" id={`${ticketId}-hint`}>
          Every action below is recorded against this ticket.
        </p>
        <input
          id={ticketId}
          aria-describedby={`${ticketId}-hint`}
          value={ticket}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          onChange={(ev) => {
            setTicket(ev.target.value);
            setDone(null);
            setError(null);
          }}
        />
      </div>}

      <div className="panel" aria-live="polite">
        {!ticketOk ? (
          <p>Enter the ticket reference to verify the caller.</p>
        ) : verification ? (
          <p className="verified">
            <strong>Caller verified</strong> for ticket {verification.ticketRef} by {METHOD_LABELS[verification.method]},{' '}
            {formatDateTime(verification.verifiedAt)}, by {verification.verifiedBy}
            {verification.reason ? ` (reason: ${verification.reason})` : ''}. Valid until {formatDateTime(verification.validUntil)}.
          </p>
        ) : (
          <p>
            <strong>Caller not verified</strong> for ticket {ticketRef}. Verify them before changing their factors.
          </p>
        )}
      </div>

      <ErrorAlert message={error} />
      <div role="status" className={done ? 'notice' : 'visually-hidden'}>
        {done}
      </div>

      {ticketOk && !verification ? (
        <VerifyCaller call={call} role={role} page={page} ticketRef={ticketRef} busy={busy} act={act} hasApp={activeApp !== null} />
      ) : null}

      <h3>Change factors</h3>
      {!verification ? <p className="field__hint">These need a verified caller for this ticket.</p> : null}
      <p className="field__hint">MFA stays enabled: there is no way to turn it off once it is on.</p>
      <ReRegister call={call} page={page} ticketRef={ticketRef} busy={busy} act={act} disabled={!verification} allowApp={may('reRegisterApp')} allowEmail={may('reRegisterEmail')} />

      {page.registrations.length > 0 ? (
        <>
          <h4>Pending registrations</h4>
          <ul className="plain-list">
            {page.registrations.map((r) => {
              const code = r.code;
              const codeLive = code !== null && code.consumedAt === null && code.lockedAt === null && code.supersededAt === null && Date.parse(code.expiresAt) > now.getTime();
              return (
                <li key={r.factorId}>
                  {FACTOR_TYPE_LABELS[r.type]} since {formatDateTime(r.startedAt)}
                  {r.emailAddress ? `, codes to ${r.emailAddress}` : ''}:{' '}
                  {codeLive ? `code sent, valid until ${formatDateTime(code.expiresAt)}` : code ? 'the code has expired or can no longer be used' : 'no code sent yet'}.{' '}
                  <button
                    type="button"
                    className="button"
                    disabled={busy || !verification || !may('restartRegistration')}
                    onClick={() =>
                      act(async () => {
                        const sent = await call('mfa.restartRegistration', { employeeId: e.id, ticketRef, factorId: r.factorId });
                        return `A new registration code was sent to ${sent.recipient}; it is valid until ${formatDateTime(sent.expiresAt)}.`;
                      })
                    }
                  >
                    {codeLive ? 'Send a new registration code' : 'Restart registration'}
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}

      <h4>Remove a factor</h4>
      {activeApp && activeEmail ? (
        <p className="button-row">
          {[activeApp, activeEmail].map((f) => (
            <button
              key={f.id}
              type="button"
              className="button button--danger"
              disabled={busy || !verification || !may('removeFactor')}
              onClick={() =>
                act(async () => {
                  const r = await call('mfa.removeFactor', { employeeId: e.id, ticketRef, factorId: f.id });
                  return `${f.type === 'email' ? 'The email factor' : 'The authenticator app'} was removed. Every address on record was told (reference ${r.reference}).`;
                })
              }
            >
              {f.type === 'email' ? 'Remove email factor' : 'Remove authenticator app'}
            </button>
          ))}
        </p>
      ) : (
        <p>A factor can be removed only when both the authenticator app and email are set up.</p>
      )}

      {locked ? (
        <>
          <h4>Locked</h4>
          <p>
            {page.codeLock.lockedAt
              ? `One-time codes were locked on ${formatDateTime(page.codeLock.lockedAt)} after ${page.codeLock.failures} wrong codes.`
              : 'A factor is locked after too many wrong codes.'}{' '}
            <button
              type="button"
              className="button"
              disabled={busy || !verification || !may('unlock')}
              onClick={() =>
                act(async () => {
                  await call('mfa.unlock', { employeeId: e.id, ticketRef });
                  return 'Unlocked: the employee can use and request codes again.';
                })
              }
            >
              Unlock
            </button>
          </p>
        </>
      ) : null}
    </div>
  );
}

type Act = (what: () => Promise<string>) => Promise<void>;

function EmailChoice({ emails, value, onChange, legend }: { emails: EmployeeEmail[]; value: number | null; onChange: (id: number) => void; legend: string }) {
  const name = useId();
  return (
    <fieldset className="choice">
      <legend>{legend}</legend>
      {emails.map((m) => (
        <label key={m.id} className="choice__option">
          <input type="radio" name={name} checked={value === m.id} onChange={() => onChange(m.id)} /> <span className="break">{m.address}</span>
        </label>
      ))}
    </fieldset>
  );
}

function VerifyCaller(props: { call: Invoke; role: DeskRole; page: EmployeePageData; ticketRef: string; busy: boolean; act: Act; hasApp: boolean }) {
  const { call, role, page, ticketRef, busy, act, hasApp } = props;
  const e = page.employee;
  const [emailId, setEmailId] = useState<number | null>(e.emails[0]?.id ?? null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const reasonId = useId();

  const submit = (fn: () => Promise<string>) => (ev: FormEvent) => {
    ev.preventDefault();
    void act(fn);
  };

  return (
    <div className="verify">
      <h3>Verify the caller</h3>
      {e.emails.length === 0 ? (
        <p>No email on record, so no identity-check code can be sent.</p>
      ) : (
        <form
          onSubmit={submit(async () => {
            if (emailId === null) throw new Error('Choose the address to send the code to.');
            const sent = await call('mfa.sendIdentityCode', { employeeId: e.id, ticketRef, emailId });
            setSentTo(sent.recipient);
            return `An identity-check code was sent to ${sent.recipient}; it is valid until ${formatDateTime(sent.expiresAt)}. Ask the caller to read it out.`;
          })}
        >
          {e.emails.length > 1 ? (
            <EmailChoice emails={e.emails} value={emailId} onChange={setEmailId} legend="Send an identity-check code to" />
          ) : (
            <p>
              Send an identity-check code to <span className="break">{e.emails[0]!.address}</span>.
            </p>
          )}
          <button type="submit" className="button" disabled={busy}>
            {sentTo ? 'Send another code' : 'Send identity-check code'}
          </button>
        </form>
      )}
      {sentTo ? (
        <CodeCheckForm
          label="Code the caller reads back"
          button="Check code"
          busy={busy}
          act={act}
          check={async (code) => {
            await call('mfa.checkIdentityCode', { employeeId: e.id, ticketRef, code });
            return 'The code is right: the caller is verified for this ticket.';
          }}
        />
      ) : null}
      {hasApp ? (
        <CodeCheckForm
          label="Or: the current code in the caller’s authenticator app"
          button="Check authenticator code"
          busy={busy}
          act={act}
          check={async (code) => {
            await call('mfa.checkAuthenticatorCode', { employeeId: e.id, ticketRef, code });
            return 'The authenticator code is right: the caller is verified for this ticket.';
          }}
        />
      ) : null}
      {role === 'supervisor' || role === 'admin' ? (
        <form
          onSubmit={submit(async () => {
            await call('mfa.overrideVerification', { employeeId: e.id, ticketRef, reason: reason.trim() });
            setReason('');
            return 'Verification overridden for this ticket; your reason is in the audit trail.';
          })}
        >
          <div className="field">
            <label htmlFor={reasonId}>Supervisor override: why the caller cannot be verified another way</label>
            <textarea id={reasonId} rows={2} maxLength={500} value={reason} onChange={(ev) => setReason(ev.target.value)} />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Override verification
          </button>
        </form>
      ) : null}
    </div>
  );
}

/** A 6-digit code the caller gives, checked by the main process; the box empties once it is right. */
function CodeCheckForm(props: { label: string; button: string; busy: boolean; act: Act; check: (code: string) => Promise<string> }) {
  const { label, button, busy, act, check } = props;
  const [code, setCode] = useState('');
  const id = useId();
  return (
    <form
      className="inline-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        void act(async () => {
          const message = await check(code.trim());
          setCode('');
          return message;
        });
      }}
    >
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} inputMode="numeric" autoComplete="off" maxLength={6} value={code} onChange={(ev) => setCode(ev.target.value)} />
      </div>
      <button type="submit" className="button" disabled={busy}>
        {button}
      </button>
    </form>
  );
}

function ReRegister(props: { call: Invoke; page: EmployeePageData; ticketRef: string; busy: boolean; act: Act; disabled: boolean; allowApp: boolean; allowEmail: boolean }) {
  const { call, page, ticketRef, busy, act, disabled } = props;
  const e = page.employee;
  const [emailId, setEmailId] = useState<number | null>(e.emails.find((m) => m.usedForCodes)?.id ?? e.emails[0]?.id ?? null);
  const hasType = (t: FactorType) => e.factors.some((f) => f.type === t && f.state !== 'removed');

  const start = (factorType: FactorType) =>
    act(async () => {
      if (emailId === null) throw new Error('The registration code goes by email: a manager must add an address first.');
      const r = await call('mfa.reRegister', { employeeId: e.id, ticketRef, factorType, emailId });
      return `${FACTOR_TYPE_LABELS[factorType]} re-registration started: a registration code was sent to ${r.recipient} (valid until ${formatDateTime(r.expiresAt)}), and every address on record was told (reference ${r.reference}).`;
    });

  let body: ReactNode;
  if (e.emails.length === 0) body = <p>No email on record: a manager must add one before a registration code can be sent.</p>;
  else
    body = (
      <>
        {e.emails.length > 1 ? (
          <EmailChoice emails={e.emails} value={emailId} onChange={setEmailId} legend="Send the registration code to" />
        ) : (
          <p>
            The registration code goes to <span className="break">{e.emails[0]!.address}</span>.
          </p>
        )}
        <p>
          <button type="button" className="button" disabled={busy || disabled || !props.allowApp || !hasType('authenticator_app')} onClick={() => start('authenticator_app')}>
            Re-register authenticator app (new or lost phone)
          </button>{' '}
          <button type="button" className="button" disabled={busy || disabled || !props.allowEmail || !hasType('email')} onClick={() => start('email')}>
            Re-register email
          </button>
        </p>
      </>
    );
  return (
    <div className="reregister">
      <h4>Re-register</h4>
      {body}
    </div>
  );
}
