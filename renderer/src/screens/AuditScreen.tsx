import { useState } from 'react';
import type { AuditBreakKind, AuditCheckpointInfo, AuditVerifyReport } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, HeaderScreen, errorMessage } from '../components/legacy-ui';
import { formatDateTime, formatNumber } from '../format';
import { AuditReport } from './AuditReport';
import { AuditDashboard } from './AuditDashboard';

const BREAK_LABELS: Record<AuditBreakKind, string> = {
  edited: 'An event was changed',
  deleted: 'Events were deleted',
  reordered: 'Events were moved',
  inserted: 'An event was slipped in',
  truncated: 'Events were cut off the end',
  rewritten: 'The chain was rewritten',
  forged_checkpoint: 'A checkpoint is not genuine',
};

interface Props {
  call: Invoke;
  onBack: () => void;
}

/**
 * Supervisors and admins: the dashboard, the trail's integrity, and the audit events (filtered,
 * sorted, paged, exported). "Verify" walks the hash chain in the main
 * process and checks the signed checkpoints; the answer says in plain words whether the trail is
 * intact, or where it first breaks and how. "Sign checkpoint" pins the current head.
 */
export function AuditScreen({ call, onBack }: Props) {
  const [verifying, setVerifying] = useState(false);
  const [report, setReport] = useState<AuditVerifyReport | null>(null);
  const [signing, setSigning] = useState(false);
  const [signed, setSigned] = useState<AuditCheckpointInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function verify() {
    if (verifying) return;
    setVerifying(true);
    setError(null);
    setReport(null);
    try {
      setReport(await call('audit.verify', {}));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setVerifying(false);
    }
  }

  async function sign() {
    if (signing) return;
    setSigning(true);
    setError(null);
    try {
      setSigned(await call('audit.checkpoint', {}));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSigning(false);
    }
  }

  return (
    <HeaderScreen title="Audit" className="audit" onBack={onBack}>
      <AuditDashboard call={call} />
      <section aria-labelledby="audit-integrity">
        <h2 id="audit-integrity">Integrity of the audit trail</h2>
        <p className="hint">
          Every event is chained to the one before it by its hash, and the database refuses changes and deletions. Checking walks the whole chain and the signed
          checkpoints (written daily, on every export and when you sign one here).
        </p>
        <p className="actions">
          <button type="button" className="button" onClick={verify} aria-disabled={verifying || undefined}>
            {verifying ? 'Checking…' : 'Verify audit trail'}
          </button>{' '}
          <button type="button" className="button button--secondary" onClick={sign} aria-disabled={signing || undefined}>
            {signing ? 'Signing…' : 'Sign checkpoint'}
          </button>
        </p>
        <ErrorAlert message={error} />
        {signed ? (
          <p role="status">
            Checkpoint signed at {formatDateTime(signed.at)}: {formatNumber(signed.eventCount)} events, head #{formatNumber(signed.headSeq)}.
          </p>
        ) : null}
        {report ? <VerifyResult report={report} /> : null}
      </section>
      <AuditReport call={call} />
    </HeaderScreen>
  );
}

function VerifyResult({ report }: { report: AuditVerifyReport }) {
  const cp = report.latestCheckpoint;
  return (
    <div className={report.ok ? 'notice notice--ok' : 'notice notice--error'} role={report.ok ? 'status' : 'alert'} data-testid="audit-verify-result">
      {report.ok ? (
        <p>
          <strong>Intact.</strong> {formatNumber(report.events)} events checked; every link holds
          {report.checkpointsChecked > 0 ? ` and ${formatNumber(report.checkpointsChecked)} signed checkpoints match` : ''}.
        </p>
      ) : (
        <>
          <p>
            <strong>Broken at event #{formatNumber(report.firstBreak!.seq)}: {BREAK_LABELS[report.firstBreak!.kind]}.</strong> {report.firstBreak!.detail}.
          </p>
          {report.breaks.length > 1 ? (
            <ul>
              {report.breaks.slice(1).map((b, i) => (
                <li key={i}>
                  #{formatNumber(b.seq)}: {BREAK_LABELS[b.kind]} — {b.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
      <dl className="details-list details-list--grid">
        <dt>Head</dt>
        <dd>
          {report.headSeq === 0 ? 'No events yet' : `#${formatNumber(report.headSeq)}`} <code className="hash">{report.headHash.slice(0, 16)}…</code>
        </dd>
        <dt>Latest checkpoint</dt>
        <dd>{cp ? `${formatDateTime(cp.at)} (${cp.reason}, by ${cp.createdBy}) at #${formatNumber(cp.headSeq)}` : 'None yet'}</dd>
      </dl>
    </div>
  );
}
