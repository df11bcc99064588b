import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type {
  DeskRole,
  AuditEntry,
  AuditPage,
  EmployeeDetail,
  EmployeePageData,
  EmployeeSummary,
  MailLogEntry,
  OneTimeCodeView,
} from '../../../shared/domain';
import { codeStatus } from '../../../shared/codes';
import type { Invoke } from '../client';
import { EmployeeActions } from './EmployeeActions';
import { EmployeeEmails } from './EmployeeEmails';
import { useServerNow } from '../lib/useServerNow';
import { ErrorAlert, None, errorMessage, useDocumentTitle } from '../components/legacy-ui';
import {
  CODE_PURPOSE_LABELS,
  FACTOR_TYPE_LABELS,
  MAIL_STATUS_LABELS,
  MFA_LABELS,
  STATUS_LABELS,
  auditActionLabel,
  detailValue,
  formatDate,
  formatDateTime,
  mailTemplateLabel,
  plural,
  sentenceCase,
} from '../format';

interface Props {
  call: Invoke;
  /** The desk user's role (a supervisor may override a caller verification). */
  role: DeskRole;
  employeeId: number;
  /** What the search already knows, so the heading shows at once. */
  summary: EmployeeSummary | null;
  onBack: () => void;
  /** A ticket reference to start the forms with (a manager's task, an agent's ticket). */
  ticketRef?: string;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  /** `offset`: the main process's clock minus this one's, at load (so countdowns follow the server). */
  | { kind: 'ready'; page: EmployeePageData; offset: number };

/**
 * One employee, from one `employees.page` round trip: the record, whether they can register, the
 * emails on record (which managers and admins change here), their factors and factor history, the
 * latest one-time codes with a live countdown, the mail log and the audit trail (older events a
 * page at a time). Agents act for the caller in "Help this caller". Escape goes back.
 */
export function EmployeePage({ call, role, employeeId, summary, onBack, ticketRef }: Props) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const known: EmployeeSummary | null = load.kind === 'ready' ? load.page.employee : summary;
  const fullName = known ? `${known.firstName} ${known.lastName}` : 'Employee';
  useDocumentTitle(fullName);

  const live = useRef(true);
  const fetchPage = useCallback(async () => {
    const page = await call('employees.page', { employeeId });
    if (!live.current) return;
    const server = Date.parse(page.serverTime);
    setLoad({ kind: 'ready', page, offset: Number.isNaN(server) ? 0 : server - Date.now() });
  }, [call, employeeId]);

  useEffect(() => {
    live.current = true;
    setLoad({ kind: 'loading' });
    fetchPage().catch((err: unknown) => live.current && setLoad({ kind: 'error', message: errorMessage(err) }));
    return () => {
      live.current = false;
    };
  }, [fetchPage]);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        onBack();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onBack]);

  return (
    <article className="employee">
      <p>
        <button type="button" className="button button--back" onClick={onBack} aria-keyshortcuts="Escape">
          <span aria-hidden="true">← </span>Back to search
        </button>
      </p>
      <h1 ref={headingRef} tabIndex={-1}>
        {fullName}
      </h1>
      {known ? <EmployeeHeader employee={known} /> : null}
      {load.kind === 'loading' ? <p role="status">Loading the employee’s record…</p> : null}
      <ErrorAlert message={load.kind === 'error' ? load.message : null} />
      {load.kind === 'ready' ? <EmployeeSections call={call} role={role} page={load.page} offset={load.offset} onChanged={fetchPage} ticketRef={ticketRef} /> : null}
    </article>
  );
}

function EmployeeHeader({ employee: e }: { employee: EmployeeSummary }) {
  return (
    <dl className="employee__summary">
      <div>
        <dt>Employee number</dt>
        <dd>{e.employeeNumber}</dd>
      </div>
      <div>
        <dt>Organisation</dt>
        <dd>{e.organisation}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <span className={`badge badge--${e.status}`}>{STATUS_LABELS[e.status]}</span>
        </dd>
      </div>
      <div>
        <dt>MFA</dt>
        <dd>
          <span className={`badge badge--mfa-${e.mfaState}`}>{MFA_LABELS[e.mfaState]}</span>
          {e.locked ? <span className="badge badge--locked">Locked</span> : null}
        </dd>
      </div>
    </dl>
  );
}

const SECTIONS = [
  ['eligibility', 'Eligibility'],
  ['actions', 'Help this caller'],
  ['record', 'Record'],
  ['emails', 'Emails on record'],
  ['factors', 'Factors'],
  ['codes', 'One-time codes'],
  ['mail-log', 'Mail log'],
  ['audit', 'Audit trail'],
] as const;

function Section({ id, title, children }: { id: string; title: string; children: (headingId: string) => ReactNode }) {
  const headingId = `${id}-heading`;
  return (
    <section className="section" id={id} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children(headingId)}
    </section>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function EmployeeSections(props: { call: Invoke; role: DeskRole; page: EmployeePageData; offset: number; onChanged: () => Promise<void>; ticketRef?: string | undefined }) {
  const { call, role, page, offset, onChanged, ticketRef } = props;
  const e = page.employee;
  return (
    <>
      <nav aria-label="On this page" className="page-nav">
        <ul>
          {SECTIONS.map(([id, title]) => (
            <li key={id}>
              <a
                href={`#${id}`}
                onClick={(ev) => {
                  // Move there without touching the address (the app has no routes).
                  ev.preventDefault();
                  const heading = document.getElementById(`${id}-heading`);
                  if (heading) {
                    heading.tabIndex = -1;
                    heading.focus();
                    heading.scrollIntoView({ block: 'start' });
                  }
                }}
              >
                {title}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <Section id="eligibility" title="Eligibility">
        {() => <EligibilityPanel page={page} />}
      </Section>

      <Section id="actions" title="Help this caller">
        {() => <EmployeeActions call={call} role={role} page={page} offset={offset} onChanged={onChanged} {...(ticketRef ? { initialTicketRef: ticketRef } : {})} />}
      </Section>

      <Section id="record" title="Record">
        {() => (
          <dl className="details-list details-list--grid">
            <Row term="Employee number">{e.employeeNumber}</Row>
            <Row term="Username">{e.username}</Row>
            <Row term="Organisation">{e.organisation}</Row>
            <Row term="Department">{e.department}</Row>
            <Row term="Job title">{e.jobTitle || <None />}</Row>
            <Row term="Status">
              {STATUS_LABELS[e.status]}
              {e.status === 'leaver' || e.leavingDate
                ? e.leavingDate
                  ? `, leaving date ${formatDate(e.leavingDate)}`
                  : ', no leaving date on record'
                : null}
            </Row>
            <Row term="Internet access approved">{e.internetAccessApproved ? 'Yes' : 'No'}</Row>
            <Row term="MFA">
              {e.mfaState === 'enabled'
                ? e.mfaEnabledAt
                  ? `Enabled since ${formatDateTime(e.mfaEnabledAt)}`
                  : 'Enabled'
                : e.mfaState === 'pending'
                  ? 'Pending registration'
                  : 'Not registered'}
            </Row>
            <Row term="Record version">{e.version}</Row>
          </dl>
        )}
      </Section>

      <Section id="emails" title="Emails on record">
        {(headingId) => <EmployeeEmails call={call} role={role} page={page} headingId={headingId} onChanged={onChanged} {...(ticketRef ? { initialTicketRef: ticketRef } : {})} />}
      </Section>

      <Section id="factors" title="Factors">
        {() => <FactorsSection employee={e} />}
      </Section>

      <Section id="codes" title="One-time codes">
        {(headingId) => <CodesSection codes={page.codes} offset={offset} headingId={headingId} />}
      </Section>

      <Section id="mail-log" title="Mail log">
        {(headingId) => <MailLog mails={page.mails} more={page.mailsMore} headingId={headingId} />}
      </Section>

      <Section id="audit" title="Audit trail">
        {(headingId) => <AuditTrail key={page.audit.rows[0]?.id ?? 0} call={call} employeeId={e.id} first={page.audit} headingId={headingId} />}
      </Section>
    </>
  );
}

function EligibilityPanel({ page }: { page: EmployeePageData }) {
  const { eligibility: el } = page;
  const blocking = el.reasons.filter((r) => r.blocks);
  const other = el.reasons.filter((r) => !r.blocks);
  const how = el.canUseApp && el.canUseEmail ? 'the authenticator app or email' : el.canUseApp ? 'the authenticator app only' : 'email only';
  return (
    <div className={'panel eligibility ' + (el.canRegister ? 'eligibility--ok' : 'eligibility--blocked')}>
      {el.canRegister ? (
        <p className="eligibility__verdict">Can register for MFA with {how}.</p>
      ) : (
        <>
          <p className="eligibility__verdict">Cannot register for MFA:</p>
          <ul>
            {blocking.map((r) => (
              <li key={r.code}>{r.message}</li>
            ))}
          </ul>
        </>
      )}
      {other.length > 0 ? (
        <>
          {el.canRegister ? null : <p>Also:</p>}
          <ul>
            {other.map((r) => (
              <li key={r.code}>{r.message}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function FactorsSection({ employee: e }: { employee: EmployeeDetail }) {
  const current = e.factors.filter((f) => f.state !== 'removed');
  const removed = e.factors.filter((f) => f.state === 'removed');
  const app = current.find((f) => f.type === 'authenticator_app' && f.state === 'active') ?? null;
  const appPending = current.find((f) => f.type === 'authenticator_app' && f.state === 'pending') ?? null;
  const email = current.find((f) => f.type === 'email' && f.state === 'active') ?? null;
  const emailPending = current.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
  return (
    <>
      <div className="factor-cards">
        <div className="panel factor-card">
          <h3>Authenticator app</h3>
          {app ? (
            <dl className="details-list">
              <Row term="State">Registered</Row>
              <Row term="Registered">{app.registeredAt ? formatDateTime(app.registeredAt) : <None label="Not recorded" />}</Row>
              <Row term="Last used">{app.lastUsedAt ? formatDateTime(app.lastUsedAt) : <None label="Never" />}</Row>
            </dl>
          ) : (
            <p>No authenticator app registered.</p>
          )}
          {appPending ? (
            <p className="factor-card__pending">
              {app || removed.some((f) => f.type === 'authenticator_app') ? 'Re-registration pending' : 'Registration pending'}: the
              employee has not yet finished setting up the app (with the registration code emailed to them, then a code from
              the app).
            </p>
          ) : null}
        </div>
        <div className="panel factor-card">
          <h3>Email</h3>
          {email ? (
            <dl className="details-list">
              <Row term="State">Verified</Row>
              <Row term="Codes go to">
                <span className="break">{email.emailAddress ?? 'the address on record'}</span>
              </Row>
              <Row term="Registered">{email.registeredAt ? formatDateTime(email.registeredAt) : <None label="Not recorded" />}</Row>
              <Row term="Last used">{email.lastUsedAt ? formatDateTime(email.lastUsedAt) : <None label="Never" />}</Row>
            </dl>
          ) : (
            <p>No email factor registered.</p>
          )}
          {emailPending ? (
            <p className="factor-card__pending">
              Not verified yet: a code was sent to <span className="break">{emailPending.emailAddress ?? 'the address on record'}</span>{' '}
              and the employee has not entered it (registration pending).
            </p>
          ) : null}
        </div>
      </div>
      <h3 id="factor-history-heading">Factor history</h3>
      {removed.length === 0 ? (
        <p>No removed factors.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-labelledby="factor-history-heading">
            <thead>
              <tr>
                <th scope="col">Factor</th>
                <th scope="col">Email address</th>
                <th scope="col">Registered</th>
                <th scope="col">Last used</th>
                <th scope="col">Removed</th>
              </tr>
            </thead>
            <tbody>
              {removed.map((f) => (
                <tr key={f.id} className="row--removed">
                  <td>{FACTOR_TYPE_LABELS[f.type]}</td>
                  <td className="break">{f.emailAddress ?? <None label="Not applicable" />}</td>
                  <td>{f.registeredAt ? formatDateTime(f.registeredAt) : <None label="Not recorded" />}</td>
                  <td>{f.lastUsedAt ? formatDateTime(f.lastUsedAt) : <None label="Never" />}</td>
                  <td>{f.removedAt ? formatDateTime(f.removedAt) : <None label="Not recorded" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function CodesSection({ codes, offset, headingId }: { codes: OneTimeCodeView[]; offset: number; headingId: string }) {
  const now = useServerNow(offset, codes.length > 0);
  if (codes.length === 0) return <p>No one-time codes have been sent.</p>;
  return (
    <div className="table-wrap">
      <table className="data" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Purpose</th>
            <th scope="col">Sent to</th>
            <th scope="col">Sent</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts left</th>
          </tr>
        </thead>
        <tbody>
          {codes.map((c) => {
            const st = codeStatus(c, now);
            return (
              <tr key={c.id}>
                <th scope="row">{CODE_PURPOSE_LABELS[c.purpose]}</th>
                <td className="break">{c.recipient}</td>
                <td>{formatDateTime(c.issuedAt)}</td>
                <td>
                  <span className={`badge badge--code-${st.state}`}>{CODE_STATE_LABELS[st.state]}</span>{' '}
                  {st.state === 'active' ? (
                    <span role="timer" aria-live="off" aria-atomic="true">
                      {st.label}
                    </span>
                  ) : (
                    <span>{st.label}</span>
                  )}
                </td>
                <td>
                  {st.state === 'used' ? (
                    <None label="Not applicable" />
                  ) : (
                    `${st.attemptsLeft} of ${c.maxAttempts}`
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const CODE_STATE_LABELS: Record<ReturnType<typeof codeStatus>['state'], string> = {
  active: 'Active',
  used: 'Used',
  expired: 'Expired',
  locked: 'Locked',
  superseded: 'Replaced',
};

function MailLog({ mails, more, headingId }: { mails: MailLogEntry[]; more: boolean; headingId: string }) {
  if (mails.length === 0) return <p>No mail has been sent to this employee.</p>;
  return (
    <>
      <p className="field__hint">
        Newest first. The SMTP answer is what the mail server said when it took the message; a failure shows the last
        error.
      </p>
      <div className="table-wrap">
        <table className="data" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">To</th>
              <th scope="col">Template</th>
              <th scope="col">Status</th>
              <th scope="col">SMTP answer or last error</th>
            </tr>
          </thead>
          <tbody>
            {mails.map((m) => (
              <tr key={m.id}>
                <td>
                  {formatDateTime(m.createdAt)}
                  {m.sentAt && m.sentAt !== m.createdAt ? (
                    <span className="cell-note">Sent {formatDateTime(m.sentAt)}</span>
                  ) : null}
                </td>
                <td className="break">{m.recipient}</td>
                <td>
                  {mailTemplateLabel(m.template)}
                  <span className="cell-note">{m.subject}</span>
                </td>
                <td>
                  <span className={`badge badge--mail-${m.status}`}>{MAIL_STATUS_LABELS[m.status]}</span>
                  {m.attempts > 1 ? <span className="cell-note">{plural(m.attempts, 'attempt', 'attempts')}</span> : null}
                </td>
                <td className="break">
                  {m.status === 'failed' || (m.lastError && !m.smtpResponse) ? (
                    m.lastError ?? <None label="No error recorded" />
                  ) : m.smtpResponse ? (
                    <code>{m.smtpResponse}</code>
                  ) : (
                    <None label="No answer yet" />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more ? <p className="field__hint">Showing the latest {mails.length} mails; older ones are not listed.</p> : null}
    </>
  );
}

function AuditTrail({ call, employeeId, first, headingId }: { call: Invoke; employeeId: number; first: AuditPage; headingId: string }) {
  const [rows, setRows] = useState<AuditEntry[]>(first.rows);
  const [cursor, setCursor] = useState<string | null>(first.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const endRef = useRef<HTMLParagraphElement>(null);
  const [focusEnd, setFocusEnd] = useState(false);
  const noteId = useId();

  useEffect(() => {
    if (!focusEnd) return;
    setFocusEnd(false);
    endRef.current?.focus();
  }, [focusEnd]);

  async function older() {
    if (loading || cursor === null) return;
    setLoading(true);
    setError(null);
    try {
      const page = await call('employees.audit', { employeeId, cursor });
      setRows((r) => r.concat(page.rows));
      setCursor(page.nextCursor);
      setMessage(
        `Loaded ${plural(page.rows.length, 'older event', 'older events')}.` +
          (page.nextCursor === null ? ' That is the whole audit trail.' : ''),
      );
      // The button goes once everything is shown: keep the reading position on the note instead.
      if (page.nextCursor === null) setFocusEnd(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }

  if (rows.length === 0) return <p>No events recorded for this employee.</p>;
  return (
    <>
      <p className="field__hint">Newest first.</p>
      <div className="table-wrap">
        <table className="data" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Ticket</th>
              <th scope="col">Action</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>{formatDateTime(a.occurredAt)}</td>
                <td className="break">{a.actor}</td>
                <td>{a.ticketRef ?? <None />}</td>
                <td>{auditActionLabel(a.action)}</td>
                <td>
                  <span className={`badge badge--result-${a.result}`}>{a.result === 'ok' ? 'Done' : 'Refused'}</span>
                </td>
                <td className="break">
                  <AuditDetails details={a.details} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorAlert message={error} />
      <p role="status" className="audit__status">
        {loading ? 'Loading older events…' : message}
      </p>
      {cursor !== null ? (
        <p>
          <button type="button" className="button" onClick={older} aria-disabled={loading || undefined} aria-describedby={noteId}>
            Show older events
          </button>
          <span id={noteId} className="visually-hidden">
            {plural(rows.length, 'event', 'events')} shown so far
          </span>
        </p>
      ) : (
        <p ref={endRef} tabIndex={-1} className="field__hint">
          {plural(rows.length, 'event', 'events')}: the whole audit trail is shown.
        </p>
      )}
    </>
  );
}

function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <None />;
  return (
    <ul className="plain-list">
      {entries.map(([k, v]) => (
        <li key={k}>
          {sentenceCase(k)}: {detailValue(v)}
        </li>
      ))}
    </ul>
  );
}
