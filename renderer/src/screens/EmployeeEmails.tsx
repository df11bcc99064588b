import { useId, useState, type FormEvent } from 'react';
import { emailAddressProblem } from '../../../shared/contract';
import type { DeskRole, EmailKind, EmailOwner, EmployeeEmail, EmployeePageData } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Invoke } from '../client';
import { ErrorAlert, errorMessage } from '../components/legacy-ui';
import { EMAIL_KIND_LABELS } from '../format';

interface Props {
  call: Invoke;
  role: DeskRole;
  page: EmployeePageData;
  headingId: string;
  /** Something changed: load the page again. */
  onChanged: () => Promise<void>;
  /** The ticket reference to start with (a manager's task names it). */
  initialTicketRef?: string;
}

const TICKET_RE = /^[A-Za-z0-9._:/-]{3,64}$/;
const EDITOR_ROLES: readonly DeskRole[] = ['manager', 'admin'];
export const EDIT_REFUSED_REASON = 'Only managers and admins can change the emails on record';

/** An address in the list being edited; `key` stays put while the address is typed. */
interface Draft {
  key: string;
  id: number | null;
  kind: EmailKind;
  address: string;
}

interface Form {
  drafts: Draft[];
  /** The draft the one-time codes go to, or null for none. */
  codes: string | null;
  /** The draft the email method is re-registered to, or null. */
  reRegister: string | null;
  /** The version the edit started from. */
  version: number;
}

function fromPage(emails: EmployeeEmail[], version: number): Form {
  const drafts = emails.map((m) => ({ key: `id-${m.id}`, id: m.id, kind: m.kind, address: m.address }));
  return { drafts, codes: drafts.find((_d, i) => emails[i]!.usedForCodes)?.key ?? null, reRegister: null, version };
}

let serial = 0;
const newKey = () => `new-${++serial}`;

function label(d: Draft, drafts: Draft[]): string {
  const same = drafts.filter((x) => x.kind === d.kind);
  const base = `${EMAIL_KIND_LABELS[d.kind]} address`;
  return same.length > 1 ? `${base} ${same.indexOf(d) + 1}` : base;
}

/**
 * The "Emails on record" section: the addresses (and which one gets one-time codes) for everyone;
 * managers and admins change them here — correct or remove an address, add a work or personal
 * one, choose the one for codes — on a ticket, against the record version they loaded. The main
 * process checks everything again; a stale version comes back as "someone else changed this
 * record", an address on another employee's record needs a confirmation with a reason.
 */
export function EmployeeEmails({ call, role, page, headingId, onChanged, initialTicketRef }: Props) {
  const e = page.employee;
  const canEdit = EDITOR_ROLES.includes(role);
  const [form, setForm] = useState<Form | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const reasonId = useId();

  return (
    <div className="emails">
      {e.emails.length === 0 ? (
        <p className="panel">No email on record — a manager must add one.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Address</th>
                <th scope="col">Used for codes</th>
              </tr>
            </thead>
            <tbody>
              {e.emails.map((m) => (
                <tr key={m.id}>
                  <td>{EMAIL_KIND_LABELS[m.kind]}</td>
                  <td className="break">{m.address}</td>
                  <td>{m.usedForCodes ? 'Yes' : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div role="status" className={done ? 'notice' : 'visually-hidden'}>
        {done}
      </div>
      {form ? (
        <EmailsForm
          call={call}
          page={page}
          initialTicketRef={initialTicketRef}
          form={form}
          setForm={setForm}
          onCancel={() => setForm(null)}
          onSaved={async (message) => {
            setForm(null);
            setDone(message);
            await onChanged();
          }}
          onReload={async () => {
            await onChanged();
          }}
        />
      ) : (
        <p className="emails__start">
          <button
            type="button"
            className="button"
            disabled={!canEdit}
            aria-describedby={canEdit ? undefined : reasonId}
            onClick={() => {
              setDone(null);
              setForm(fromPage(e.emails, e.version));
            }}
          >
            Change emails on record
          </button>
          {canEdit ? null : (
            <span id={reasonId} className="field__hint emails__reason">
              {EDIT_REFUSED_REASON}.
            </span>
          )}
        </p>
      )}
    </div>
  );
}

interface FormProps {
  call: Invoke;
  page: EmployeePageData;
  form: Form;
  setForm: (f: Form | null) => void;
  onCancel: () => void;
  onSaved: (message: string) => Promise<void>;
  onReload: () => Promise<void>;
  initialTicketRef: string | undefined;
}

type Problem =
  | { kind: 'error'; message: string }
  | { kind: 'stale'; message: string }
  | { kind: 'duplicate'; message: string; owners: EmailOwner[] };

function EmailsForm({ call, page, form, setForm, onCancel, onSaved, onReload, initialTicketRef }: FormProps) {
  const e = page.employee;
  const [ticket, setTicket] = useState(initialTicketRef ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [confirmed, setConfirmed] = useState(false);
  const [reason, setReason] = useState('');
  const [offerReRegister, setOfferReRegister] = useState(false);
  const ids = { ticket: useId(), reason: useId(), confirm: useId(), codes: useId(), rereg: useId() };

  const { drafts } = form;
  const update = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const onRecord = new Map(e.emails.map((m) => [m.id, m]));

  // The email method and the address it uses (matched to the address on record).
  const live = e.factors.find((f) => f.type === 'email' && f.state === 'active') ?? e.factors.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
  const factorEmail = live?.emailAddress ? (e.emails.find((m) => m.address.toLowerCase() === live.emailAddress!.toLowerCase()) ?? null) : null;
  const factorDraft = factorEmail ? (drafts.find((d) => d.id === factorEmail.id) ?? null) : null;
  const factorAddressGoes = factorEmail !== null && (factorDraft === null || factorDraft.address.trim().toLowerCase() !== factorEmail.address.toLowerCase());
  const needsReRegister = live?.state === 'active' && factorAddressGoes;
  const showReRegister = live !== null && (needsReRegister || offerReRegister);
  const codesKey = form.reRegister ?? form.codes;

  const setDraft = (key: string, patch: Partial<Draft>) => update({ drafts: drafts.map((d) => (d.key === key ? { ...d, ...patch } : d)) });
  const remove = (key: string) =>
    update({
      drafts: drafts.filter((d) => d.key !== key),
      codes: form.codes === key ? null : form.codes,
      reRegister: form.reRegister === key ? null : form.reRegister,
    });
  const add = (kind: EmailKind) => update({ drafts: [...drafts, { key: newKey(), id: null, kind, address: '' }] });

  const ticketRef = ticket.trim();

  async function save(ev: FormEvent) {
    ev.preventDefault();
    setProblem(null);
    // Check what can be checked here; the main process checks it all again.
    const errors: Record<string, string> = {};
    for (const d of drafts) {
      const address = d.address.trim();
      const was = d.id !== null ? onRecord.get(d.id) : undefined;
      if (address === '') errors[d.key] = 'Enter the address, or remove it';
      else if (!was || was.address !== address) {
        const p = emailAddressProblem(address);
        if (p) errors[d.key] = p;
      }
    }
    if (!TICKET_RE.test(ticketRef)) errors['ticketRef'] = 'Enter the webchat ticket reference (3–64 letters, digits or . _ : / -)';
    if (needsReRegister && !form.reRegister) errors['reRegister'] = 'Choose the address to re-register the email method to';
    if (problem?.kind === 'duplicate' || confirmed) {
      if (!confirmed) errors['confirm'] = 'Confirm the address is right for this employee, or change it';
      else if (reason.trim().length < 10) errors['reason'] = 'Write the reason (at least 10 characters)';
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      setProblem({ kind: 'error', message: 'Check the highlighted fields.' });
      return;
    }
    const sent = drafts.map((d) => d.key);
    const address = (key: string | null) => drafts.find((d) => d.key === key)?.address.trim();
    setBusy(true);
    try {
      const r = await call('records.updateEmails', {
        employeeId: e.id,
        ticketRef,
        version: form.version,
        emails: drafts.map((d) => ({ ...(d.id !== null ? { id: d.id } : {}), kind: d.kind, address: d.address.trim(), usedForCodes: d.key === codesKey })),
        ...(form.reRegister ? { reEmailFactorTo: address(form.reRegister)! } : {}),
        ...(confirmed ? { confirmDuplicate: true, reason: reason.trim() } : {}),
      });
      const extra = r.reRegistration ? ` A registration code for the email method was sent to ${r.reRegistration.recipient}.` : '';
      await onSaved(
        `The emails on record were changed (record version ${r.version}).${extra} A confirmation went to ${r.confirmations === 1 ? 'the address' : `all ${r.confirmations} addresses`}, old and new (reference ${r.reference}).`,
      );
    } catch (err) {
      if (err instanceof DeskError && err.code === 'CONFLICT' && err.details?.['conflict'] === 'duplicate') {
        setProblem({ kind: 'duplicate', message: err.message, owners: (err.details?.['duplicates'] as EmailOwner[] | undefined) ?? [] });
      } else if (err instanceof DeskError && err.code === 'CONFLICT' && err.details?.['conflict'] === 'stale') {
        setProblem({ kind: 'stale', message: err.message });
      } else {
        const issues = err instanceof DeskError ? err.details?.['issues'] : undefined;
        if (Array.isArray(issues)) {
          const byPath: Record<string, string> = {};
          for (const issue of issues as Array<{ path?: unknown; message?: unknown }>) {
            const m = typeof issue.path === 'string' ? /^emails\.(\d+)\./.exec(issue.path) : null;
            const key = m ? sent[Number(m[1])] : issue.path === 'ticketRef' ? 'ticketRef' : issue.path === 'reason' ? 'reason' : null;
            if (key && typeof issue.message === 'string' && !(key in byPath)) byPath[key] = issue.message;
          }
          setFieldErrors(byPath);
        }
        setProblem({ kind: 'error', message: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  const missingKinds = (['work', 'personal'] as const).filter((k) => !drafts.some((d) => d.kind === k));
  const fieldError = (key: string) => fieldErrors[key] ?? null;

  return (
    <form
      className="form emails__form"
      onSubmit={save}
      noValidate
      aria-label="Change emails on record"
      onKeyDown={(ev) => {
        // Escape leaves the form (not the employee page) while it is open.
        if (ev.key === 'Escape' && !busy) {
          ev.preventDefault();
          onCancel();
        }
      }}
    >
      <p className="field__hint">
        Changing record version {form.version}. Correct or remove an address, add one, and choose where one-time codes go. A
        confirmation goes to every address, including any you remove or correct; a new address gets no code until it is
        used for codes.
      </p>
      {drafts.length === 0 ? <p>No addresses: saving leaves the record without an email.</p> : null}
      {drafts.map((d) => {
        const id = `email-${d.key}`;
        const err = fieldError(d.key);
        const text = label(d, drafts);
        return (
          <div key={d.key} className={'field emails__row' + (err ? ' field--error' : '')}>
            <label htmlFor={id}>{text}</label>
            {err ? (
              <p className="field__error" id={`${id}-error`}>
                <span className="visually-hidden">Error: </span>
                {err}
              </p>
            ) : null}
            <div className="emails__line">
              <input
                id={id}
                value={d.address}
                inputMode="email"
                autoComplete="off"
                spellCheck={false}
                maxLength={254}
                aria-invalid={err ? true : undefined}
                aria-describedby={err ? `${id}-error` : undefined}
                onChange={(ev) => setDraft(d.key, { address: ev.target.value })}
              />
              <button type="button" className="button button--danger" onClick={() => remove(d.key)} disabled={busy}>
                Remove {text.toLowerCase()}
              </button>
            </div>
          </div>
        );
      })}
      {missingKinds.length > 0 ? (
        <p className="form__actions">
          {missingKinds.map((k) => (
            <button key={k} type="button" className="button" onClick={() => add(k)} disabled={busy}>
              Add a {k} address
            </button>
          ))}
        </p>
      ) : null}

      {drafts.length > 0 ? (
        <fieldset className="choice" aria-describedby={form.reRegister ? `${ids.codes}-hint` : undefined}>
          <legend>One-time codes go to</legend>
          {form.reRegister ? (
            <p className="field__hint" id={`${ids.codes}-hint`}>
              Codes go to the address the email method is re-registered to.
            </p>
          ) : null}
          {drafts.map((d) => (
            <label key={d.key} className="choice__option">
              <input
                type="radio"
                name={ids.codes}
                checked={codesKey === d.key}
                disabled={busy || form.reRegister !== null}
                onChange={() => update({ codes: d.key })}
              />{' '}
              <span className="break">{d.address.trim() || `(new ${d.kind} address)`}</span>
            </label>
          ))}
          <label className="choice__option">
            <input type="radio" name={ids.codes} checked={codesKey === null} disabled={busy || form.reRegister !== null} onChange={() => update({ codes: null })} /> No address
          </label>
        </fieldset>
      ) : null}

      {live !== null && !needsReRegister ? (
        <label className="choice__option">
          <input
            type="checkbox"
            checked={offerReRegister}
            onChange={(ev) => {
              setOfferReRegister(ev.target.checked);
              if (!ev.target.checked) update({ reRegister: null });
            }}
          />{' '}
          Re-register the email method (one-time codes) to another address
        </label>
      ) : null}
      {showReRegister ? (
        <fieldset className={'choice' + (fieldError('reRegister') ? ' field--error' : '')} aria-describedby={`${ids.rereg}-hint`}>
          <legend>Re-register the email method to</legend>
          <p className="field__hint" id={`${ids.rereg}-hint`}>
            {needsReRegister
              ? `The email method uses ${factorEmail!.address}, which this change removes or corrects: it must move to another address in the same change.`
              : 'The email method moves to the address you choose.'}{' '}
            A registration code is sent there and the employee finishes setting it up on the self-service portal; MFA stays enabled.
          </p>
          {fieldError('reRegister') ? (
            <p className="field__error">
              <span className="visually-hidden">Error: </span>
              {fieldError('reRegister')}
            </p>
          ) : null}
          {drafts
            .filter((d) => d.address.trim() !== '' && !(factorDraft && d.key === factorDraft.key && !factorAddressGoes))
            .map((d) => (
              <label key={d.key} className="choice__option">
                <input type="radio" name={ids.rereg} checked={form.reRegister === d.key} disabled={busy} onChange={() => update({ reRegister: d.key })} />{' '}
                <span className="break">{d.address.trim()}</span>
              </label>
            ))}
        </fieldset>
      ) : null}

      <div className={'field' + (fieldError('ticketRef') ? ' field--error' : '')}>
        <label htmlFor={ids.ticket}>Webchat ticket reference</label>
        <p className="field__hint" id={`${ids.ticket}-hint`}>
          The change is recorded in the audit trail against this ticket.
        </p>
        {fieldError('ticketRef') ? (
          <p className="field__error" id={`${ids.ticket}-error`}>
            <span className="visually-hidden">Error: </span>
            {fieldError('ticketRef')}
          </p>
        ) : null}
        <input
          id={ids.ticket}
          value={ticket}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={fieldError('ticketRef') ? true : undefined}
          aria-describedby={`${ids.ticket}-hint` + (fieldError('ticketRef') ? ` ${ids.ticket}-error` : '')}
          onChange={(ev) => setTicket(ev.target.value)}
        />
      </div>

      {problem?.kind === 'duplicate' || confirmed ? (
        <div className="panel emails__duplicate">
          <p>
            <strong>Also on another employee’s record:</strong>
          </p>
          {problem?.kind === 'duplicate' ? (
            <ul>
              {problem.owners.map((o) => (
                <li key={`${o.address}-${o.employeeId}`}>
                  <span className="break">{o.address}</span>: employee {o.employeeNumber} ({o.name})
                </li>
              ))}
            </ul>
          ) : null}
          <label className="choice__option" htmlFor={ids.confirm}>
            <input id={ids.confirm} type="checkbox" checked={confirmed} onChange={(ev) => setConfirmed(ev.target.checked)} /> I checked: the
            address is right for this employee too
          </label>
          {fieldError('confirm') ? <p className="field__error">{fieldError('confirm')}</p> : null}
          <div className={'field' + (fieldError('reason') ? ' field--error' : '')}>
            <label htmlFor={ids.reason}>Reason for going ahead</label>
            {fieldError('reason') ? (
              <p className="field__error" id={`${ids.reason}-error`}>
                <span className="visually-hidden">Error: </span>
                {fieldError('reason')}
              </p>
            ) : null}
            <textarea
              id={ids.reason}
              rows={2}
              maxLength={1000}
              value={reason}
              aria-invalid={fieldError('reason') ? true : undefined}
              aria-describedby={fieldError('reason') ? `${ids.reason}-error` : undefined}
              onChange={(ev) => setReason(ev.target.value)}
            />
          </div>
        </div>
      ) : null}

      <ErrorAlert message={problem ? problem.message : null} />
      {problem?.kind === 'stale' ? (
        <p>
          <button
            type="button"
            className="button"
            onClick={async () => {
              setProblem(null);
              await onReload();
              setForm(null);
            }}
          >
            Reload the record
          </button>
        </p>
      ) : null}

      <p className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </p>
    </form>
  );
}
