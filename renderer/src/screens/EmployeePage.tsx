import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { EmployeeDetail, EmployeeSummary } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, None, errorMessage, useDocumentTitle } from '../components/ui';
import {
  EMAIL_KIND_LABELS,
  FACTOR_STATE_LABELS,
  FACTOR_TYPE_LABELS,
  STATUS_LABELS,
  formatDate,
  formatDateTime,
} from '../format';

interface Props {
  call: Invoke;
  employeeId: number;
  /** What the search already knows, so the heading shows at once. */
  summary: EmployeeSummary | null;
  onBack: () => void;
}

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; employee: EmployeeDetail };

/** One employee, read-only: record, emails on record, MFA state and factors. Escape goes back. */
export function EmployeePage({ call, employeeId, summary, onBack }: Props) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const known = load.kind === 'ready' ? load.employee : summary;
  const fullName = known ? `${known.firstName} ${known.lastName}` : 'Employee';
  useDocumentTitle(fullName);

  useEffect(() => {
    let live = true;
    setLoad({ kind: 'loading' });
    call('employees.get', { employeeId }).then(
      (employee) => live && setLoad({ kind: 'ready', employee }),
      (err: unknown) => live && setLoad({ kind: 'error', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [call, employeeId]);

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
      {load.kind === 'loading' ? <p role="status">Loading the employee’s record…</p> : null}
      <ErrorAlert message={load.kind === 'error' ? load.message : null} />
      {load.kind === 'ready' ? <EmployeeSections employee={load.employee} /> : null}
    </article>
  );
}

function Section({ title, children }: { title: string; children: (headingId: string) => ReactNode }) {
  const id = useId();
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children(id)}
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

function EmployeeSections({ employee: e }: { employee: EmployeeDetail }) {
  return (
    <>
      <Section title="Record">
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
            <Row term="Record version">{e.version}</Row>
          </dl>
        )}
      </Section>

      <Section title="Emails on record">
        {(headingId) =>
          e.emails.length === 0 ? (
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
          )
        }
      </Section>

      <Section title="MFA">
        {() => (
          <>
            <p className={`mfa-state mfa-state--${e.mfaState}`}>
              {e.mfaState === 'enabled'
                ? e.mfaEnabledAt
                  ? `Enabled since ${formatDateTime(e.mfaEnabledAt)}`
                  : 'Enabled'
                : e.mfaState === 'pending'
                  ? 'Pending registration'
                  : 'Not registered'}
            </p>
            {e.mfaState === 'enabled' ? <p className="note">Once MFA is enabled it cannot be turned off.</p> : null}
          </>
        )}
      </Section>

      <Section title="Factors">
        {(headingId) =>
          e.factors.length === 0 ? (
            <p className="panel">No factors registered.</p>
          ) : (
            <div className="table-wrap">
              <table className="data" aria-labelledby={headingId}>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">State</th>
                    <th scope="col">Email address</th>
                    <th scope="col">Registered</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Removed</th>
                  </tr>
                </thead>
                <tbody>
                  {e.factors.map((f) => (
                    <tr key={f.id} className={f.state === 'removed' ? 'row--removed' : undefined}>
                      <td>{FACTOR_TYPE_LABELS[f.type]}</td>
                      <td>
                        <span className={`badge badge--factor-${f.state}`}>{FACTOR_STATE_LABELS[f.state]}</span>
                      </td>
                      <td className="break">{f.emailAddress ?? <None label="Not applicable" />}</td>
                      <td>{f.registeredAt ? formatDateTime(f.registeredAt) : <None label="Not yet" />}</td>
                      <td>{f.lastUsedAt ? formatDateTime(f.lastUsedAt) : <None label="Never" />}</td>
                      <td>{f.removedAt ? formatDateTime(f.removedAt) : <None label="No" />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Section>
    </>
  );
}
