import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type SortingState, type Updater } from '@tanstack/react-table';
import { AUDIT_EXPORT_FORMATS, AUDIT_EXPORT_MIME, type AuditExportFormat, type AuditExportJobView, type AuditReportFilter, type AuditReportRow, type AuditSortKey, type SortDirection } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, Field, errorMessage, fieldErrors } from '../components/legacy-ui';
import { auditActionLabel, detailValue, formatDateTime, formatNumber } from '../format';
import { DeskError } from '../../../shared/errors';

const PAGE = 50;

// Sorting lives in the main process (manualSorting, no sorted row model): rows are shown in the
// order they arrive, a keyset page at a time.
const features = tableFeatures({ rowSortingFeature });
const column = createColumnHelper<typeof features, AuditReportRow>();
const columns = column.columns([
  column.accessor('occurredAt', { id: 'time', header: 'When', cell: (info) => <span title={`Event #${info.row.original.seq}`}>{formatDateTime(info.getValue())}</span> }),
  column.accessor('actor', { id: 'actor', header: 'Who' }),
  column.accessor('action', { id: 'action', header: 'Action', cell: (info) => auditActionLabel(info.getValue()) }),
  column.accessor('result', { id: 'result', header: 'Result', cell: (info) => <span className={`badge badge--result-${info.getValue()}`}>{info.getValue() === 'ok' ? 'Done' : 'Refused'}</span> }),
  column.accessor((r) => r.employeeNumber ?? (r.employeeId !== null ? `#${r.employeeId}` : ''), { id: 'employee', header: 'Employee', enableSorting: false }),
  column.accessor((r) => r.ticketRef ?? '', { id: 'ticket', header: 'Ticket', enableSorting: false }),
  column.accessor(
    (r) =>
      Object.entries(r.details)
        .map(([k, v]) => `${k}: ${detailValue(v)}`)
        .join('; '),
    { id: 'details', header: 'Details', enableSorting: false },
  ),
]);
const getRowId = (r: AuditReportRow) => String(r.seq);
const SORTABLE = new Set<string>(['time', 'actor', 'action', 'result']);

interface FilterForm {
  from: string;
  to: string;
  actor: string;
  action: string;
  employeeNumber: string;
  ticketRef: string;
  result: '' | 'ok' | 'refused';
}
const EMPTY: FilterForm = { from: '', to: '', actor: '', action: '', employeeNumber: '', ticketRef: '', result: '' };

function toFilter(f: FilterForm): AuditReportFilter {
  const t = (s: string) => s.trim() || undefined;
  return {
    from: t(f.from),
    to: t(f.to),
    actor: t(f.actor),
    action: t(f.action),
    employeeNumber: t(f.employeeNumber),
    ticketRef: t(f.ticketRef),
    result: f.result || undefined,
  };
}

/**
 * The audit events a supervisor asks for: filters (days, who, action or family, ticket, result),
 * sorted by any sortable column in the main process, a page at a time, with the total.
 */
export function AuditReport({ call }: { call: Invoke }) {
  const [form, setForm] = useState<FilterForm>(EMPTY);
  const [filter, setFilter] = useState<AuditReportFilter>({});
  const [sort, setSort] = useState<{ by: AuditSortKey; dir: SortDirection }>({ by: 'time', dir: 'desc' });
  const [rows, setRows] = useState<AuditReportRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const generation = useRef(0);
  const resultId = useId();

  const load = useCallback(
    async (cursor: string | null) => {
      const gen = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await call('audit.report', { filter, sort, cursor, limit: PAGE });
        if (gen !== generation.current) return;
        setRows((old) => (cursor ? [...old, ...page.rows] : page.rows));
        setNext(page.nextCursor);
        setErrors({});
      } catch (err) {
        if (gen !== generation.current) return;
        setError(errorMessage(err));
        setErrors(err instanceof DeskError ? fieldErrors(err.details) : {});
        if (!cursor) setRows([]);
        setNext(null);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [call, filter, sort],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useEffect(() => {
    let live = true;
    setTotal(null);
    call('audit.reportCount', { filter }).then(
      (r) => live && setTotal(r.count),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [call, filter]);

  const sorting = useMemo<SortingState>(() => [{ id: sort.by, desc: sort.dir === 'desc' }], [sort]);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const first = (typeof updater === 'function' ? updater(sorting) : updater)[0];
      if (first && SORTABLE.has(first.id)) setSort({ by: first.id as AuditSortKey, dir: first.desc ? 'desc' : 'asc' });
    },
    [sorting],
  );
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange,
  });

  function apply(ev: FormEvent) {
    ev.preventDefault();
    setFilter(toFilter(form));
  }

  const set = (k: keyof FilterForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-labelledby="audit-events">
      <h2 id="audit-events">Audit events</h2>
      <form className="audit-filters" aria-label="Filter audit events" onSubmit={apply}>
        <Field label="From (day)" type="date" value={form.from} onChange={set('from')} error={errors['filter.from']} />
        <Field label="To (day)" type="date" value={form.to} onChange={set('to')} error={errors['filter.to']} />
        <Field label="Who" value={form.actor} onChange={set('actor')} hint="Desk username, or system" error={errors['filter.actor']} />
        <Field label="Action" value={form.action} onChange={set('action')} hint="e.g. factor.removed, or factor. for all" error={errors['filter.action']} />
        <Field label="Employee number" value={form.employeeNumber} onChange={set('employeeNumber')} inputMode="numeric" error={errors['filter.employeeNumber']} />
        <Field label="Ticket" value={form.ticketRef} onChange={set('ticketRef')} error={errors['filter.ticketRef']} />
        <div className="field">
          <label htmlFor={resultId}>Result</label>
          <select id={resultId} value={form.result} onChange={set('result')}>
            <option value="">Any</option>
            <option value="ok">Done</option>
            <option value="refused">Refused</option>
          </select>
        </div>
        <p className="actions">
          <button type="submit" className="button">
            Show events
          </button>{' '}
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              setForm(EMPTY);
              setFilter({});
            }}
          >
            Clear
          </button>
        </p>
      </form>
      <ErrorAlert message={error} />
      <p role="status" className="audit-total">
        {total === null ? 'Counting…' : `${formatNumber(total)} ${total === 1 ? 'event' : 'events'}`}
      </p>
      <div className="table-scroll">
        <table className="audit-table" aria-label="Audit events" aria-busy={loading || undefined}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const id = header.column.id;
                  const sorted = sort.by === id ? sort.dir : null;
                  return (
                    <th key={header.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                      {SORTABLE.has(id) ? (
                        <button type="button" className="sort-button" onClick={() => header.column.toggleSorting(sorted === 'asc')}>
                          <table.FlexRender header={header} />
                          <span className="sort-button__icon" aria-hidden="true">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && rows.length === 0 && !error ? <p>No events match.</p> : null}
      <AuditExport call={call} filter={filter} />
      {next ? (
        <p>
          <button type="button" className="button button--secondary" onClick={() => void load(next)} aria-disabled={loading || undefined}>
            {loading ? 'Loading…' : 'Show more events'}
          </button>
        </p>
      ) : null}
    </section>
  );
}

type Download = { url: string; name: string };

/**
 * Export what the filter shows (CSV, XLSX or PDF): the main process writes it in the background while a
 * progress bar follows; Cancel stops it. In the app the file goes where the save dialog said; in
 * the browser host it is fetched in parts and offered as a download.
 */
function AuditExport({ call, filter }: { call: Invoke; filter: AuditReportFilter }) {
  const [job, setJob] = useState<AuditExportJobView | null>(null);
  const [download, setDownload] = useState<Download | null>(null);
  const [fetching, setFetching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = job?.state === 'running';

  useEffect(() => () => {
    if (download) URL.revokeObjectURL(download.url);
  }, [download]);

  useEffect(() => {
    if (!job || job.state !== 'running') return;
    const timer = window.setInterval(() => {
      call('audit.export.status', { jobId: job.jobId }).then(setJob, (err: unknown) => setError(errorMessage(err)));
    }, 400);
    return () => window.clearInterval(timer);
  }, [call, job]);

  // Finished, and not saved by the app: fetch it in parts and offer it as a download.
  useEffect(() => {
    if (!job || job.state !== 'done' || job.savedTo !== null) return;
    let live = true;
    setFetching(true);
    (async () => {
      const parts: BlobPart[] = [];
      let offset = 0;
      for (;;) {
        const part = await call('audit.export.chunk', { jobId: job.jobId, offset });
        const bytes = Uint8Array.from(atob(part.data), (c) => c.charCodeAt(0));
        parts.push(bytes);
        offset = part.offset;
        if (part.done || !live) break;
      }
      if (live) setDownload({ url: URL.createObjectURL(new Blob(parts, { type: AUDIT_EXPORT_MIME[job.format] })), name: job.fileName });
    })().then(
      () => live && setFetching(false),
      (err: unknown) => {
        if (!live) return;
        setFetching(false);
        setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [call, job]);

  async function start(format: AuditExportFormat) {
    if (running) return;
    setError(null);
    setDownload(null);
    try {
      setJob(await call('audit.export.start', { filter, format }));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function cancel() {
    if (!job) return;
    try {
      setJob(await call('audit.export.cancel', { jobId: job.jobId }));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section aria-labelledby="audit-export" className="audit-export">
      <h3 id="audit-export">Export</h3>
      <p className="actions">
        {AUDIT_EXPORT_FORMATS.map((format) => (
          <span key={format}>
            <button type="button" className="button" onClick={() => void start(format)} aria-disabled={running || undefined}>
              Export {format.toUpperCase()}
            </button>{' '}
          </span>
        ))}
        {running ? (
          <button type="button" className="button button--secondary" onClick={cancel}>
            Cancel the export
          </button>
        ) : null}
      </p>
      <ErrorAlert message={error} />
      {job ? (
        <div role="status" aria-live="polite">
          {job.state === 'running' ? (
            <>
              <progress max={job.total ?? undefined} value={job.total ? job.rows : undefined} aria-label="Export progress" />{' '}
              {formatNumber(job.rows)}
              {job.total !== null ? ` of ${formatNumber(job.total)}` : ''} events written…
            </>
          ) : job.state === 'done' ? (
            job.savedTo ? (
              <p>
                Exported {formatNumber(job.rows)} events to {job.savedTo}.
              </p>
            ) : download ? (
              <p>
                Exported {formatNumber(job.rows)} events.{' '}
                <a href={download.url} download={download.name}>
                  Download {download.name}
                </a>
              </p>
            ) : (
              <p>{fetching ? 'Preparing the download…' : ''}</p>
            )
          ) : job.state === 'cancelled' ? (
            <p>The export was cancelled; nothing was kept.</p>
          ) : (
            <p>The export failed: {job.error}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
