import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  TICKET_CATEGORIES,
  TICKET_CATEGORY_LABELS,
  TICKET_STATUS_LABELS,
  type DeskRole,
  type EmployeePageData,
  type EmployeeSummary,
  type ManagerTaskView,
  type TicketCategory,
  type TicketDetail,
  type TicketListPage,
  type TicketStatus,
  type TicketSummary,
} from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Invoke } from '../client';
import { ErrorAlert, Field, HeaderScreen, None, errorMessage } from '../components/legacy-ui';
import { auditActionLabel, detailValue, formatDateTime } from '../format';
import { EmployeeActions } from './EmployeeActions';

type Tab = TicketStatus | 'active' | 'all';
const TABS: ReadonlyArray<{ tab: Tab; label: string }> = [
  { tab: 'active', label: 'Not resolved' },
  { tab: 'open', label: 'Open' },
  { tab: 'waiting_employee', label: 'Waiting on employee' },
  { tab: 'waiting_manager', label: 'Waiting on manager' },
  { tab: 'resolved', label: 'Resolved' },
  { tab: 'all', label: 'All' },
];

const SLA_LABELS: Record<TicketSummary['sla'], string> = { ok: 'Within SLA', warn: 'Near SLA', breached: 'Past SLA' };

function age(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return h < 48 ? `${h} h ${minutes % 60} min` : `${Math.floor(h / 24)} days`;
}

/** The inbox: tickets by status, yours or everyone's, newest first; Enter on a row opens it. */
export function TicketInbox({ call, onBack, onOpen, onNew }: { call: Invoke; onBack: () => void; onOpen: (id: number) => void; onNew: () => void }) {
  const [tab, setTab] = useState<Tab>('active');
  const [mine, setMine] = useState(false);
  const [query, setQuery] = useState('');
  const [page, setPage] = useState<TicketListPage | null>(null);
  const [more, setMore] = useState<TicketSummary[]>([]);
  const [lastCursor, setLastCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call('tickets.list', { status: tab, mine, query, cursor: null, limit: 50 }).then(
      (p) => {
        if (!live) return;
        setPage(p);
        setMore([]);
        setLastCursor(null);
        setError(null);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [call, tab, mine, query]);

  async function loadMore() {
    const cursor = more.length > 0 ? lastCursor : page?.nextCursor;
    if (!cursor) return;
    try {
      const next = await call('tickets.list', { status: tab, mine, query, cursor, limit: 50 });
      setMore((m) => [...m, ...next.rows]);
      setLastCursor(next.nextCursor);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  const rows = [...(page?.rows ?? []), ...more];
  const hasMore = more.length > 0 ? lastCursor !== null : !!page?.nextCursor;

  return (
    <HeaderScreen title="Tickets" className="tickets" onBack={onBack}>
      <p className="button-row">
        <button type="button" className="button button--primary" onClick={onNew}>
          New ticket <kbd>Ctrl+N</kbd>
        </button>
      </p>
      <div className="button-row" role="group" aria-label="Ticket status">
        {TABS.map((t) => (
          <button key={t.tab} type="button" className="button button--small" aria-pressed={tab === t.tab} onClick={() => setTab(t.tab)}>
            {t.label}
            {page && t.tab !== 'all' && t.tab !== 'active' && t.tab !== 'resolved' ? ` (${page.counts[t.tab]})` : ''}
          </button>
        ))}
      </div>
      <label className="choice__option">
        <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Only tickets assigned to me
      </label>
      <Field label="Find a ticket" hint="Its reference (or the start of it), or an 8-digit employee number." value={query} maxLength={64} onChange={(e) => setQuery(e.target.value)} />
      <ErrorAlert message={error} />
      {page ? (
        <p className="field__hint">
          Service level: {page.slaMinutes} minutes. {rows.length === 0 ? 'No tickets here.' : ''}
        </p>
      ) : (
        <p role="status">Loading…</p>
      )}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Category</th>
                <th scope="col">Employee</th>
                <th scope="col">Status</th>
                <th scope="col">Assignee</th>
                <th scope="col">Opened</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id}>
                  <td>
                    <button type="button" className="button--link" onClick={() => onOpen(t.id)}>
                      {t.reference}
                    </button>
                  </td>
                  <td>{TICKET_CATEGORY_LABELS[t.category]}</td>
                  <td>{t.employee ? `${t.employee.name} (${t.employee.employeeNumber})` : <None label="No employee linked" />}</td>
                  <td>{TICKET_STATUS_LABELS[t.status]}</td>
                  <td>{t.assignee?.name ?? <None label="Nobody" />}</td>
                  <td>{formatDateTime(t.openedAt)}</td>
                  <td>
                    <span className={`sla sla--${t.sla}`}>{age(t.ageMinutes)}</span> <span className="visually-hidden">{SLA_LABELS[t.sla]}</span>
                    {t.sla !== 'ok' ? <span aria-hidden="true"> {SLA_LABELS[t.sla]}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {hasMore ? (
        <button type="button" className="button" onClick={loadMore}>
          Show more tickets
        </button>
      ) : null}
    </HeaderScreen>
  );
}

/**
 * A new ticket (Ctrl+N from anywhere): the webchat's chat id, the category, the employee found by
 * search — or a change reference from a confirmation mail ("wasn't me"), which finds the employee
 * and the exact event itself.
 */
export function NewTicketDialog({
  call,
  initialChange,
  onClose,
  onOpened,
}: {
  call: Invoke;
  initialChange?: string;
  onClose: () => void;
  onOpened: (id: number) => void;
}) {
  const [reference, setReference] = useState('');
  const [category, setCategory] = useState<TicketCategory>(initialChange ? 'change_not_made_by_me' : 'code_not_received');
  const [change, setChange] = useState(initialChange ?? '');
  const [who, setWho] = useState('');
  const [found, setFound] = useState<EmployeeSummary[]>([]);
  const [employee, setEmployee] = useState<EmployeeSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const firstRef = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const categoryId = useId();
  // Linking the employee removes the list: the focus goes on to "Open ticket".
  useEffect(() => {
    if (employee) submitRef.current?.focus();
  }, [employee]);

  useEffect(() => firstRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  useEffect(() => {
    const q = who.trim();
    if (q.length < 2 || employee) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      call('employees.search', { query: q, limit: 5 }).then(
        (p) => live && setFound(p.rows),
        () => live && setFound([]),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [call, who, employee]);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const t = change.trim()
        ? await call('tickets.openFromChange', { changeReference: change.trim(), reference: reference.trim() })
        : await call('tickets.create', { reference: reference.trim(), category, ...(employee ? { employeeId: employee.id } : {}) });
      onOpened(t.id);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'CONFLICT' && typeof err.details?.['ticketId'] === 'number') {
        onOpened(err.details['ticketId']);
        return;
      }
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="new-ticket-title" className="dialog">
        <h2 id="new-ticket-title">New ticket</h2>
        <form onSubmit={submit}>
          <Field ref={firstRef} label="Webchat reference" hint="The chat id from the webchat platform (typed or pasted)." value={reference} maxLength={64} autoComplete="off" spellCheck={false} onChange={(e) => setReference(e.target.value)} />
          <Field
            label="Change reference from the email (if the change was not made by them)"
            hint="CHG-… or REC-…: the ticket is then about that change."
            value={change}
            maxLength={200}
            autoComplete="off"
            onChange={(e) => setChange(e.target.value)}
          />
          {change.trim() ? null : (
            <>
              <div className="field">
                <label htmlFor={categoryId}>Category</label>
                <select id={categoryId} value={category} onChange={(e) => setCategory(e.target.value as TicketCategory)}>
                  {TICKET_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {TICKET_CATEGORY_LABELS[c]}
                    </option>
                  ))}
                </select>
              </div>
              {employee ? (
                <p>
                  Employee: <strong>{`${employee.firstName} ${employee.lastName}`}</strong> ({employee.employeeNumber}){' '}
                  <button type="button" className="button button--small" onClick={() => setEmployee(null)}>
                    Change employee
                  </button>
                </p>
              ) : (
                <>
                  <Field label="Employee" hint="Name, employee number, username or email; choose from the list." value={who} autoComplete="off" onChange={(e) => setWho(e.target.value)} />
                  {found.length > 0 ? (
                    <ul className="plain-list" aria-label="Matching employees">
                      {found.map((f) => (
                        <li key={f.id}>
                          <button type="button" className="button button--small" onClick={() => setEmployee(f)}>
                            Link {f.firstName} {f.lastName} ({f.employeeNumber}, {f.organisation})
                          </button>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </>
              )}
            </>
          )}
          <ErrorAlert message={error} />
          <p className="button-row">
            <button ref={submitRef} type="submit" className="button button--primary" aria-disabled={busy || undefined}>
              Open ticket
            </button>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
          </p>
        </form>
      </div>
    </div>
  );
}

const STATE_MARK: Record<string, string> = { done: '✓', todo: '☐', info: 'ℹ', warning: '!' };

/**
 * One ticket: its facts, the category's checklist with the facts already looked up, the actions
 * the rules allow now (the same panel as on the employee page, fixed to this ticket), canned
 * replies to copy, notes, waiting on a manager, resolve and reopen, and what was done on it.
 */
export function TicketView({ call, role, ticketId, onBack, onOpenEmployee }: { call: Invoke; role: DeskRole; ticketId: number; onBack: () => void; onOpenEmployee: (id: number) => void }) {
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [page, setPage] = useState<{ data: EmployeePageData; offset: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      // One round trip: the ticket brings the employee's page with it.
      const t = await call('tickets.get', { ticketId });
      setTicket(t);
      setPage(t.page ? { data: t.page, offset: Date.parse(t.page.serverTime) - Date.now() } : null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [call, ticketId]);
  useEffect(() => {
    void load();
  }, [load]);

  async function act(what: () => Promise<unknown>, message: string) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await what();
      await load();
      setDone(message);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!ticket) {
    return (
      <HeaderScreen title="Ticket" className="ticket" onBack={onBack}>
        <ErrorAlert message={error} />
        {error ? null : <p role="status">Loading…</p>}
      </HeaderScreen>
    );
  }
  const resolved = ticket.status === 'resolved';
  const enabled = (kind: string) => ticket.guidance?.actions.find((a) => a.kind === kind);

  return (
    <HeaderScreen title={`Ticket ${ticket.reference}`} className="ticket" onBack={onBack}>
      <dl className="details-list details-list--grid">
        <dt>Category</dt>
        <dd>{TICKET_CATEGORY_LABELS[ticket.category]}</dd>
        <dt>Status</dt>
        <dd data-testid="ticket-status">{TICKET_STATUS_LABELS[ticket.status]}</dd>
        <dt>Employee</dt>
        <dd>
          {ticket.employee ? (
            <button type="button" className="button--link" onClick={() => onOpenEmployee(ticket.employee!.id)}>
              {ticket.employee.name} ({ticket.employee.employeeNumber})
            </button>
          ) : (
            <None label="No employee linked" />
          )}
        </dd>
        <dt>Assignee</dt>
        <dd>{ticket.assignee?.name ?? <None label="Nobody" />}</dd>
        <dt>Opened</dt>
        <dd>
          {formatDateTime(ticket.openedAt)} by {ticket.openedBy} ({age(ticket.ageMinutes)}, {SLA_LABELS[ticket.sla].toLowerCase()})
        </dd>
        {ticket.reopenedCount > 0 ? (
          <>
            <dt>Reopened</dt>
            <dd>{ticket.reopenedCount} times</dd>
          </>
        ) : null}
        {ticket.resolutionNote ? (
          <>
            <dt>Resolution</dt>
            <dd>{ticket.resolutionNote}</dd>
          </>
        ) : null}
      </dl>
      <ErrorAlert message={error} />
      <div role="status" className={done ? 'notice' : 'visually-hidden'}>
        {done}
      </div>

      {!resolved ? (
        <TicketControls call={call} ticket={ticket} busy={busy} act={act} />
      ) : null}

      {ticket.linkedEvent ? (
        <section aria-labelledby="linked-event" className="panel panel--highlight">
          <h2 id="linked-event">The change the employee did not make</h2>
          <p>
            <strong>{auditActionLabel(ticket.linkedEvent.action)}</strong> on {formatDateTime(ticket.linkedEvent.occurredAt)} by {ticket.linkedEvent.actor}
            {ticket.linkedEvent.details['reference'] ? ` (reference ${detailValue(ticket.linkedEvent.details['reference'])})` : ''}.
          </p>
        </section>
      ) : null}

      {ticket.guidance ? (
        <section aria-labelledby="checklist">
          <h2 id="checklist">Checklist: {TICKET_CATEGORY_LABELS[ticket.category]}</h2>
          <p>{ticket.guidance.summary}</p>
          <ul className="checklist">
            {ticket.guidance.checklist.map((i) => (
              <li key={i.id} className={`checklist__item checklist__item--${i.state}`} data-item={i.id}>
                <span aria-hidden="true">{STATE_MARK[i.state]} </span>
                <span className="visually-hidden">{i.state === 'done' ? 'Done: ' : i.state === 'todo' ? 'To do: ' : i.state === 'warning' ? 'Warning: ' : ''}</span>
                {i.text}
              </li>
            ))}
          </ul>
          <h3>What you can do</h3>
          <ul className="plain-list" aria-label="Actions for this ticket">
            {ticket.guidance.actions.map((a) => (
              <li key={a.kind} data-action={a.kind} data-enabled={a.enabled}>
                {ACTION_LABELS[a.kind]}: {a.enabled ? 'available' : a.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p>Link the employee to see the checklist.</p>
      )}

      {page && !resolved && role !== 'manager' ? (
        <section aria-labelledby="ticket-actions">
          <h2 id="ticket-actions">Help this caller</h2>
          <EmployeeActions
            call={call}
            role={role}
            page={page.data}
            offset={page.offset}
            onChanged={load}
            fixedTicketRef={ticket.reference}
            // The category's actions; verification is the panel's own first step.
            allowed={new Set((ticket.guidance?.actions ?? []).filter((a) => a.enabled || a.reason === 'Verify the caller first.').map((a) => a.kind))}
          />
        </section>
      ) : null}

      {!resolved && ticket.employee && enabled('waitOnManager')?.enabled ? <WaitOnManager ticket={ticket} call={call} busy={busy} act={act} /> : null}

      <section aria-labelledby="replies">
        <h2 id="replies">Canned replies</h2>
        <ul className="plain-list">
          {ticket.replies.map((r) => (
            <li key={r.id} className="reply">
              <strong>{r.title}</strong>
              <p className="reply__text">{r.text}</p>
              <button type="button" className="button button--small" onClick={() => void copy(r.text).then((how) => setDone(how))}>
                Copy “{r.title}”
              </button>
            </li>
          ))}
        </ul>
      </section>

      {ticket.tasks.length > 0 ? (
        <section aria-labelledby="tasks">
          <h2 id="tasks">Manager tasks</h2>
          <ul className="plain-list">
            {ticket.tasks.map((t) => (
              <li key={t.id}>
                {t.description} — {t.status === 'open' ? `open since ${formatDateTime(t.createdAt)}` : `done by ${t.closedBy ?? '?'} ${t.closedAt ? formatDateTime(t.closedAt) : ''}`}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {resolved ? <Reopen call={call} ticket={ticket} busy={busy} act={act} /> : <Resolve call={call} ticket={ticket} busy={busy} act={act} />}

      <section aria-labelledby="ticket-trail">
        <h2 id="ticket-trail">Actions taken on this ticket</h2>
        <ol className="plain-list">
          {ticket.actions.map((a) => (
            <li key={a.id} className={ticket.linkedEvent?.id === a.id ? 'highlight' : undefined}>
              {formatDateTime(a.occurredAt)} — {auditActionLabel(a.action)} by {a.actor}
              {a.result === 'refused' ? ' (refused)' : ''}
            </li>
          ))}
        </ol>
      </section>
    </HeaderScreen>
  );
}

const ACTION_LABELS: Record<string, string> = {
  verify: 'Verify the caller',
  reRegisterApp: 'Re-register the authenticator app',
  reRegisterEmail: 'Re-register the email method',
  restartRegistration: 'Restart a registration (new code)',
  removeFactor: 'Remove one of two methods',
  unlock: 'Unlock codes',
  waitOnManager: 'Ask a manager to correct the record',
};

/** Copy a reply for the webchat: the clipboard when allowed, else the text is selected for Ctrl+C. */
async function copy(text: string): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return 'Copied to the clipboard: paste it into the webchat.';
  } catch {
    return 'The clipboard is not available here: select the reply and copy it.';
  }
}

type Act = (what: () => Promise<unknown>, message: string) => Promise<void>;

function TicketControls({ call, ticket, busy, act }: { call: Invoke; ticket: TicketDetail; busy: boolean; act: Act }) {
  const [notes, setNotes] = useState(ticket.notes);
  const categoryId = useId();
  const notesId = useId();
  return (
    <section aria-labelledby="ticket-controls" className="panel">
      <h2 id="ticket-controls" className="visually-hidden">
        Ticket details
      </h2>
      <div className="field">
        <label htmlFor={categoryId}>Category</label>
        <select
          id={categoryId}
          value={ticket.category}
          disabled={busy}
          onChange={(e) => void act(() => call('tickets.update', { ticketId: ticket.id, category: e.target.value as TicketCategory }), 'Category changed.')}
        >
          {TICKET_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {TICKET_CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </div>
      <p className="button-row">
        {ticket.status !== 'waiting_employee' && ticket.status !== 'waiting_manager' ? (
          <button type="button" className="button" disabled={busy} onClick={() => void act(() => call('tickets.update', { ticketId: ticket.id, status: 'waiting_employee' }), 'Waiting on the employee.')}>
            Waiting on employee
          </button>
        ) : null}
        {ticket.status === 'waiting_employee' ? (
          <button type="button" className="button" disabled={busy} onClick={() => void act(() => call('tickets.update', { ticketId: ticket.id, status: 'open' }), 'The ticket is open again.')}>
            Back to open
          </button>
        ) : null}
        <button type="button" className="button" disabled={busy} onClick={() => void act(() => call('tickets.update', { ticketId: ticket.id, assignToMe: true }), 'Assigned to you.')}>
          Assign to me
        </button>
      </p>
      <div className="field">
        <label htmlFor={notesId}>Notes</label>
        <textarea id={notesId} rows={3} value={notes} maxLength={4000} onChange={(e) => setNotes(e.target.value)} />
      </div>
      <button type="button" className="button" disabled={busy || notes === ticket.notes} onClick={() => void act(() => call('tickets.update', { ticketId: ticket.id, notes }), 'Notes saved.')}>
        Save notes
      </button>
    </section>
  );
}

/** A short form with one text (what the manager should do, the resolution note, why reopened) and its button. */
function TextActionForm(props: { title: string; label: string; button: string; initial?: string; max: number; primary?: boolean; busy: boolean; onSubmit: (text: string) => void }) {
  const [text, setText] = useState(props.initial ?? '');
  const id = useId();
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(text);
      }}
    >
      <h2>{props.title}</h2>
      <div className="field">
        <label htmlFor={id}>{props.label}</label>
        <textarea id={id} rows={2} value={text} maxLength={props.max} onChange={(e) => setText(e.target.value)} />
      </div>
      <button type="submit" className={props.primary ? 'button button--primary' : 'button'} disabled={props.busy}>
        {props.button}
      </button>
    </form>
  );
}

function WaitOnManager({ call, ticket, busy, act }: { call: Invoke; ticket: TicketDetail; busy: boolean; act: Act }) {
  return (
    <TextActionForm
      title="Ask a manager"
      label="What the manager should do"
      button="Wait on manager"
      initial={`Correct the email on record for ${ticket.employee?.name ?? 'the employee'} (${ticket.employee?.employeeNumber ?? ''}).`}
      max={500}
      busy={busy}
      onSubmit={(description) => void act(() => call('tickets.waitOnManager', { ticketId: ticket.id, description }), 'A task went to the managers’ queue; the ticket waits on a manager.')}
    />
  );
}

function Resolve({ call, ticket, busy, act }: { call: Invoke; ticket: TicketDetail; busy: boolean; act: Act }) {
  return (
    <TextActionForm
      title="Resolve"
      label="Resolution note"
      button="Resolve ticket"
      primary
      max={4000}
      busy={busy}
      onSubmit={(note) => void act(() => call('tickets.resolve', { ticketId: ticket.id, note }), 'Resolved.')}
    />
  );
}

function Reopen({ call, ticket, busy, act }: { call: Invoke; ticket: TicketDetail; busy: boolean; act: Act }) {
  return (
    <TextActionForm
      title="Reopen"
      label="Why it is reopened"
      button="Reopen ticket"
      max={1000}
      busy={busy}
      onSubmit={(reason) => void act(() => call('tickets.reopen', { ticketId: ticket.id, reason }), 'Reopened.')}
    />
  );
}

/** The managers' queue: records to correct for tickets waiting on a manager. */
export function ManagerTasksScreen({ call, onBack, onOpenEmployee }: { call: Invoke; onBack: () => void; onOpenEmployee: (employeeId: number, ticketRef: string) => void }) {
  const [status, setStatus] = useState<'open' | 'done'>('open');
  const [tasks, setTasks] = useState<ManagerTaskView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('tasks.list', { status }).then(
      (t) => live && setTasks(t),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [call, status]);
  return (
    <HeaderScreen title="Manager tasks" className="tasks" onBack={onBack}>
      <div className="button-row" role="group" aria-label="Task status">
        <button type="button" className="button button--small" aria-pressed={status === 'open'} onClick={() => setStatus('open')}>
          Open
        </button>
        <button type="button" className="button button--small" aria-pressed={status === 'done'} onClick={() => setStatus('done')}>
          Done
        </button>
      </div>
      <ErrorAlert message={error} />
      {tasks === null ? <p role="status">Loading…</p> : tasks.length === 0 ? <p>No tasks.</p> : null}
      <ul className="plain-list">
        {(tasks ?? []).map((t) => (
          <li key={t.id} className="panel">
            <p>
              <strong>{t.description}</strong>
            </p>
            <p>
              Ticket {t.ticketRef}, from {t.createdBy} {formatDateTime(t.createdAt)}
              {t.status === 'done' ? `; done by ${t.closedBy ?? '?'} ${t.closedAt ? formatDateTime(t.closedAt) : ''}` : ''}.
            </p>
            {t.status === 'open' ? (
              <button type="button" className="button" onClick={() => onOpenEmployee(t.employee.id, t.ticketRef)}>
                Correct the record of {t.employee.name} ({t.employee.employeeNumber})
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </HeaderScreen>
  );
}
