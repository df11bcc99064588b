import { useEffect, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS, type AuditDashboard as Dashboard, type TicketReport } from '../../../shared/domain';
import type { Invoke } from '../client';
import { ErrorAlert, Field, errorMessage } from '../components/legacy-ui';
import { formatNumber } from '../format';

const FACTOR_LABELS: Record<string, string> = { authenticator_app: 'Authenticator app', email: 'Email' };
const STATE_LABELS: Record<string, string> = { active: 'was working (new or lost phone, changed address)', locked: 'was locked', pending: 'registration unfinished' };

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** A chart with its heading, and its numbers in words for anyone who cannot see it. */
function Chart({ title, summary, children }: { title: string; summary: string; children: React.ReactElement }) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        <strong>{title}</strong> <span className="hint">{summary}</span>
      </figcaption>
      <div className="chart__plot">
        <ResponsiveContainer width="100%" height={220}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/**
 * The supervisors' dashboard over a chosen period (the last 30 days to start with): actions per
 * day, codes issued vs redeemed vs expired, re-registrations by reason, mail failures and the
 * busiest actors. Counted in the main process; drawn with Recharts.
 */
export function AuditDashboard({ call }: { call: Invoke }) {
  const today = Date.now();
  const [from, setFrom] = useState(isoDay(today - 29 * 24 * 3600_000));
  const [to, setTo] = useState(isoDay(today));
  const [period, setPeriod] = useState({ from, to });
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    call('audit.dashboard', period).then(
      (d) => live && setData(d),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [call, period]);

  function show(ev: FormEvent) {
    ev.preventDefault();
    setPeriod({ from, to });
  }

  const reasons = (data?.reRegistrations ?? []).map((r) => ({
    reason: `${FACTOR_LABELS[r.factorType] ?? r.factorType}, ${STATE_LABELS[r.removedState] ?? r.removedState}`,
    count: r.count,
  }));
  const codeTotals = (data?.codesPerDay ?? []).reduce((t, d) => ({ redeemed: t.redeemed + d.redeemed, expired: t.expired + d.expired, open: t.open + d.open }), { redeemed: 0, expired: 0, open: 0 });

  return (
    <section aria-labelledby="audit-dashboard" className="dashboard">
      <h2 id="audit-dashboard">Dashboard</h2>
      <form className="audit-filters" aria-label="Dashboard period" onSubmit={show}>
        <Field label="From (day)" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label="To (day)" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <p className="actions">
          <button type="submit" className="button">
            Show period
          </button>
        </p>
      </form>
      <ErrorAlert message={error} />
      {data ? (
        <div className="dashboard__charts">
          <Chart title="Actions per day" summary={`${formatNumber(data.totals.events)} in all`}>
            <LineChart data={data.actionsPerDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Line type="monotone" dataKey="count" name="Actions" stroke="#1d4ed8" dot={false} isAnimationActive={false} />
            </LineChart>
          </Chart>
          <Chart
            title="One-time codes by the day they were issued"
            summary={`${formatNumber(data.totals.codesIssued)} issued: ${formatNumber(codeTotals.redeemed)} redeemed, ${formatNumber(codeTotals.expired)} expired unused, ${formatNumber(codeTotals.open)} open or replaced`}
          >
            <BarChart data={data.codesPerDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="redeemed" name="Redeemed" stackId="codes" fill="#15803d" isAnimationActive={false} />
              <Bar dataKey="expired" name="Expired unused" stackId="codes" fill="#b91c1c" isAnimationActive={false} />
              <Bar dataKey="open" name="Open or replaced" stackId="codes" fill="#a3a3a3" isAnimationActive={false} />
            </BarChart>
          </Chart>
          <Chart title="Re-registrations by reason" summary={reasons.length ? reasons.map((r) => `${r.reason}: ${formatNumber(r.count)}`).join('; ') : 'None in this period'}>
            <BarChart data={reasons} layout="vertical" margin={{ left: 24 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="reason" width={260} />
              <Tooltip />
              <Bar dataKey="count" name="Re-registrations" fill="#7c3aed" isAnimationActive={false} />
            </BarChart>
          </Chart>
          <Chart title="Mail failures per day" summary={`${formatNumber(data.totals.mailFailures)} mails given up on`}>
            <BarChart data={data.mailFailuresPerDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar dataKey="count" name="Failed mails" fill="#b45309" isAnimationActive={false} />
            </BarChart>
          </Chart>
          <Chart title="Actions per actor" summary={data.actionsPerActor.slice(0, 5).map((a) => `${a.actor}: ${formatNumber(a.count)}`).join('; ') || 'Nobody acted'}>
            <BarChart data={data.actionsPerActor} layout="vertical" margin={{ left: 24 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="actor" width={160} />
              <Tooltip />
              <Bar dataKey="count" name="Actions" fill="#0f766e" isAnimationActive={false} />
            </BarChart>
          </Chart>
        </div>
      ) : error ? null : (
        <p role="status">Counting…</p>
      )}
      {data ? <TicketsReport call={call} report={data.tickets} period={period} /> : null}
    </section>
  );
}

/** Webchat tickets in the period: by category and status, reopened, median time to resolve; and its CSV. */
function TicketsReport({ call, report, period }: { call: Invoke; report: TicketReport; period: { from: string; to: string } }) {
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  useEffect(() => () => {
    if (link) URL.revokeObjectURL(link.url);
  }, [link]);
  async function exportCsv() {
    setError(null);
    try {
      const r = await call('tickets.reportCsv', period);
      setLink({ url: URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' })), name: r.fileName });
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <section aria-labelledby="tickets-report" className="dashboard__tickets">
      <h3 id="tickets-report">Tickets</h3>
      <p>
        {formatNumber(report.opened)} opened, {formatNumber(report.resolved)} resolved in the period; {formatNumber(report.reopened)} reopened; median time to
        resolve: {report.medianMinutesToResolve === null ? 'none resolved' : `${report.medianMinutesToResolve} minutes`}.
      </p>
      <div className="button-row">
        <table className="data-table">
          <caption>By category</caption>
          <tbody>
            {report.byCategory.map((c) => (
              <tr key={c.category}>
                <th scope="row">{TICKET_CATEGORY_LABELS[c.category]}</th>
                <td>{formatNumber(c.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="data-table">
          <caption>By status now</caption>
          <tbody>
            {report.byStatus.map((c) => (
              <tr key={c.status}>
                <th scope="row">{TICKET_STATUS_LABELS[c.status]}</th>
                <td>{formatNumber(c.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="button-row">
        <button type="button" className="button" onClick={exportCsv}>
          Export ticket report (CSV)
        </button>
        {link ? (
          <a className="button button--primary" href={link.url} download={link.name}>
            Download {link.name}
          </a>
        ) : null}
      </p>
      <ErrorAlert message={error} />
    </section>
  );
}
