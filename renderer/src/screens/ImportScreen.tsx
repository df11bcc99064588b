import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { HrImportCountsView, HrImportJobView } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, HeaderScreen, errorMessage } from '../components/legacy-ui';
import { formatNumber } from '../format';

interface Props {
  call: Invoke;
  onBack: () => void;
}

type Stage =
  | { kind: 'idle' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'job'; job: HrImportJobView };

const POLL_MS = 500;

const COUNT_LABELS: Array<[keyof HrImportCountsView, string]> = [
  ['rows', 'Rows read'],
  ['created', 'New employees'],
  ['updated', 'Updated'],
  ['unchanged', 'Unchanged'],
  ['leavers', 'Became leavers'],
  ['rejoined', 'Active again'],
  ['rejected', 'Rejected rows'],
  ['conflicts', 'Conflicts (addresses kept)'],
  ['emailsAdded', 'Emails added'],
  ['emailsRemoved', 'Emails removed'],
  ['pendingFactorsCancelled', 'Pending registrations cancelled'],
  ['codesCancelled', 'Unused codes cancelled'],
];

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'working it out';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * Admins import the HR extract (CSV): choose the file, optionally a dry run that only says what
 * would change; the file goes to the main process in parts over the contract, then the import runs
 * there while this screen shows its progress (rows, rows/s, time left) and can cancel it. Each
 * batch is all-or-nothing and running the same file again is safe.
 */
export function ImportScreen({ call, onBack }: Props) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<{ url: string; truncated: boolean } | null>(null);
  const live = useRef(true);
  const ids = { file: useId(), dry: useId(), progress: useId() };

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  useEffect(() => () => {
    if (report) URL.revokeObjectURL(report.url);
  }, [report]);

  const running = stage.kind === 'uploading' || (stage.kind === 'job' && stage.job.state === 'running');

  // Follow a running import.
  const jobId = stage.kind === 'job' && stage.job.state === 'running' ? stage.job.jobId : null;
  useEffect(() => {
    if (!jobId) return;
    const timer = window.setInterval(() => {
      call('hr.import.status', { jobId }).then(
        (job) => live.current && setStage({ kind: 'job', job }),
        (err: unknown) => live.current && setError(errorMessage(err)),
      );
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [call, jobId]);

  // Once finished with rejected rows or conflicts: the report as a download.
  const finished = stage.kind === 'job' && stage.job.state !== 'running' ? stage.job : null;
  useEffect(() => {
    if (!finished || !finished.result || finished.result.reportLines === 0) return;
    call('hr.import.report', { jobId: finished.jobId }).then(
      (r) => {
        if (!live.current) return;
        setReport({ url: URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' })), truncated: r.truncated });
      },
      (err: unknown) => live.current && setError(errorMessage(err)),
    );
  }, [call, finished]);

  async function start(ev: FormEvent) {
    ev.preventDefault();
    if (running) return;
    if (!file) {
      setError('Choose the HR extract (a CSV file) first.');
      fileRef.current?.focus();
      return;
    }
    setError(null);
    setReport(null);
    try {
      const { uploadId, chunkBytes } = await call('hr.upload.begin', { name: file.name, size: file.size });
      setStage({ kind: 'uploading', sent: 0, total: file.size });
      for (let offset = 0; offset < file.size; offset += chunkBytes) {
        const part = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
        await call('hr.upload.chunk', { uploadId, offset, data: base64(part) });
        if (!live.current) return;
        setStage({ kind: 'uploading', sent: Math.min(file.size, offset + part.length), total: file.size });
      }
      const job = await call('hr.import.start', { uploadId, dryRun });
      if (live.current) setStage({ kind: 'job', job });
    } catch (err) {
      if (!live.current) return;
      setError(errorMessage(err));
      setStage({ kind: 'idle' });
    }
  }

  async function cancel() {
    if (stage.kind !== 'job') return;
    try {
      setStage({ kind: 'job', job: await call('hr.import.cancel', { jobId: stage.job.jobId }) });
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <HeaderScreen title="HR import" className="import" onBack={onBack}>
      <p>
        Import the HR extract: a CSV file with a header row (the columns are listed in the README). Employees are
        matched by employee number; each batch of rows is saved whole or not at all, and importing the same file again
        changes nothing. A dry run reads the whole file and says what would change without saving anything.
      </p>
      <ErrorAlert message={error} />
      <form className="form" onSubmit={start} noValidate>
        <div className="field">
          <label htmlFor={ids.file}>HR extract (CSV)</label>
          <input
            ref={fileRef}
            id={ids.file}
            type="file"
            accept=".csv,text/csv"
            disabled={running}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setStage({ kind: 'idle' });
              setError(null);
            }}
          />
        </div>
        <label className="checkbox">
          <input id={ids.dry} type="checkbox" checked={dryRun} disabled={running} onChange={(e) => setDryRun(e.target.checked)} /> Dry run: show
          what would change, save nothing
        </label>
        <button type="submit" className="button button--primary" aria-disabled={running || undefined}>
          {dryRun ? 'Check the file' : 'Import'}
        </button>
      </form>

      {stage.kind === 'uploading' ? (
        <div className="import__progress">
          <label htmlFor={ids.progress}>Sending the file</label>
          <progress id={ids.progress} max={stage.total} value={stage.sent} />
          <p role="status">
            Sent {formatNumber(stage.sent)} of {formatNumber(stage.total)} bytes
          </p>
        </div>
      ) : null}

      {stage.kind === 'job' ? <JobView job={stage.job} onCancel={cancel} progressId={ids.progress} /> : null}

      {finished && report ? (
        <p>
          <a href={report.url} download={`${finished.name.replace(/\.csv$/i, '')}.report.csv`}>
            Download the report of rejected rows and conflicts
          </a>
          {report.truncated ? ' (the first megabyte; the whole report is in the data directory)' : ''}
        </p>
      ) : null}
    </HeaderScreen>
  );
}

function JobView({ job, onCancel, progressId }: { job: HrImportJobView; onCancel: () => void; progressId: string }) {
  const p = job.progress;
  const counts = job.result?.counts ?? p?.counts ?? null;
  const what = job.dryRun ? 'Dry run' : 'Import';
  let status: string;
  if (job.state === 'running') {
    if (!p) status = `${what}: starting…`;
    else if (p.phase === 'checking') status = `${what}: checking the file (${formatNumber(p.rows)} rows read)…`;
    else if (p.phase === 'indexing')
      status = `${what}: every row is in; building the look-up's indexes (${formatNumber(p.rows)} of ${formatNumber(p.totalRows ?? 0)} done)…`;
    else
      status = `${what}: ${formatNumber(p.rows)} of ${formatNumber(p.totalRows ?? 0)} rows, ${formatNumber(Math.round(p.rowsPerSecond))} rows/s, about ${duration(p.etaSeconds)} left`;
  } else if (job.state === 'done') {
    status = `${what} finished: ${formatNumber(job.result?.totalRows ?? 0)} rows in ${duration(job.result?.seconds ?? 0)}.${job.dryRun ? ' Nothing was saved.' : ''}`;
  } else if (job.state === 'cancelled') {
    status = `${what} cancelled. The batches done stay done; importing the file again is safe.`;
  } else {
    status = `${what} stopped: ${job.error ?? 'an unexpected error'}`;
  }
  return (
    <section className="section" aria-label="Import progress">
      {job.state === 'running' && p ? (
        <div className="import__progress">
          <label htmlFor={progressId}>{p.phase === 'checking' ? 'Checking the file' : p.phase === 'indexing' ? 'Building the indexes' : 'Importing'}</label>
          <progress
            id={progressId}
            max={p.phase === 'checking' ? p.totalBytes : (p.totalRows ?? 1)}
            value={p.phase === 'checking' ? p.bytes : p.rows}
          />
        </div>
      ) : null}
      <p role="status">{status}</p>
      {job.state === 'running' ? (
        <button type="button" className="button" onClick={onCancel}>
          Cancel the import
        </button>
      ) : null}
      {job.result && job.result.warnings.length > 0 ? (
        <>
          <h2>Warnings</h2>
          <ul>
            {job.result.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
      {counts ? (
        <table className="data" aria-label={job.state === 'running' ? 'So far' : 'Result'}>
          <tbody>
            {COUNT_LABELS.map(([k, label]) => (
              <tr key={k}>
                <th scope="row">{label}</th>
                <td>{formatNumber(counts[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
