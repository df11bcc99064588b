/** `desk export …`: the audit trail and the ticket report to files, as the screens export them. */
import fs from 'node:fs';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat } from '../../../shared/domain';
import { auditReportFilterSchema } from '../../../shared/channels/audit';
import { periodSchema } from '../../../shared/schemas';
import { CLI_ACTOR, recordAudit } from '../../core/audit/audit.service';
import { exportAudit } from '../../core/audit/reports.service';
import { ticketReport, ticketReportCsv } from '../../core/tickets/report.service';
import { outputFile, UsageError } from '../failures';
import { check, idArgument, int, parse, say, withCore } from '../support';
import { choices, needs, type CommandFamily, type CommandUsage } from '../usage';

const DAY = 'a day as YYYY-MM-DD (UTC)';

const auditUsage: CommandUsage = {
  command: 'export audit',
  options: [
    { flag: '--out', value: 'FILE', required: true, words: 'The file to write' },
    { flag: '--format', value: AUDIT_EXPORT_FORMATS.join('|'), default: 'csv', words: 'The file format (default csv)' },
    { flag: '--from', value: 'DATE', words: `The first day, ${DAY}, included` },
    { flag: '--to', value: 'DATE', words: `The last day, ${DAY}, included` },
    { flag: '--agent', value: 'NAME', words: 'Who acted: a desk username, or system, cli or employee' },
    { flag: '--action', value: 'ACTION', words: 'An action such as factor.removed; factor. takes the whole family' },
    { flag: '--employee', value: 'ID', choice: 'employee', words: 'The employee, by id' },
    { flag: '--employee-number', value: 'N', choice: 'employee', words: 'The employee, by their 8-digit employee number' },
    { flag: '--ticket', value: 'REF', words: 'The ticket reference' },
    { flag: '--result', value: 'ok|refused', words: 'Only actions done, or only those refused' },
  ],
  summary:
    'Write the audit events the filter selects to FILE (CSV by default), oldest first (dates YYYY-MM-DD, UTC, both inclusive; --action factor. takes the whole family), ending with the filter, the row count and the signed chain head',
  details:
    'For scheduled exports: it streams a page at a time, so memory stays flat, and writes to `FILE.part` until done. A bad filter is refused (exit code 2) and writes nothing.',
  examples: ['desk export audit --out march.csv --from 2026-03-01 --to 2026-03-31 --action factor.'],
};

const ticketsUsage: CommandUsage = {
  command: 'export tickets',
  options: [
    { flag: '--out', value: 'FILE', required: true, words: 'The file to write (readable by your user only)' },
    { flag: '--from', value: 'DATE', required: true, words: `The first day, ${DAY}` },
    { flag: '--to', value: 'DATE', required: true, words: `The last day, ${DAY}; at most a year after the first` },
  ],
  summary: 'The ticket report (by category and status, reopened, median time to resolve) as CSV (audited)',
  details:
    'As **Export ticket report** on the dashboard does: tickets opened by category and by status, reopened, resolved, the median minutes to resolve; audited as `tickets.report_exported`. A missing or reversed period is refused (exit code 2) and writes nothing.',
};

async function exportTickets(args: string[]): Promise<number> {
  const options = parse(args, ticketsUsage);
  const [file, from, to] = [options.string('out'), options.string('from'), options.string('to')];
  if (!file || !from || !to) throw new UsageError(needs(ticketsUsage));
  const period = check(periodSchema, { from, to }, 'period');
  const out = outputFile(file, '--out');
  return withCore(options.dataDir, async (core) => {
    const report = await ticketReport(core.database.reader ?? core.db, period);
    fs.writeFileSync(out, ticketReportCsv(report), { mode: 0o600 });
    await recordAudit(core.db, core.clock, { actor: CLI_ACTOR, action: 'tickets.report_exported', details: { from: period.from, to: period.to, opened: report.opened, file: true } });
    say(`Wrote the ticket report ${period.from} to ${period.to} to ${out}: ${int(report.opened)} opened, ${int(report.resolved)} resolved, median ${report.medianMinutesToResolve ?? '-'} minutes`);
    return 0;
  });
}

async function exportAuditCommand(args: string[]): Promise<number> {
  const options = parse(args, auditUsage);
  const file = options.string('out');
  if (!file) throw new UsageError(needs(auditUsage));
  const format = options.string('format') as AuditExportFormat;
  if (!(AUDIT_EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${AUDIT_EXPORT_FORMATS.join(', ')}`);
  const employee = options.string('employee');
  const filter = check(
    auditReportFilterSchema,
    {
      from: options.string('from'),
      to: options.string('to'),
      actor: options.string('agent'),
      action: options.string('action'),
      employeeId: employee === undefined ? undefined : check(idArgument, employee, '--employee'),
      employeeNumber: options.string('employee-number'),
      ticketRef: options.string('ticket'),
      result: options.string('result'),
    },
    'filter',
  );
  const out = outputFile(file, '--out');
  const partial = `${out}.part`;
  return withCore(options.dataDir, async (core) => {
    // Opened here, so a file that cannot be made fails at once and in words, not as a stream event.
    const stream = fs.createWriteStream('', { fd: fs.openSync(partial, 'w', 0o600) });
    // A write that fails part-way (a full disk) ends the export: the stream's error is raced
    // against it, never left as an unhandled rejection, and the export is told to stop.
    const failed = new Promise<never>((_resolve, reject) => stream.once('error', reject));
    const closed = new Promise<void>((resolve) => stream.once('close', resolve));
    const stop = new AbortController();
    try {
      const r = await Promise.race([
        exportAudit(core.db, core.clock, core.vault, filter, format, stream, {
          actor: CLI_ACTOR,
          reader: core.database.reader,
          dataDir: core.config.dataDir,
          signal: stop.signal,
          onProgress: (n, total) => {
            if (process.stderr.isTTY) process.stderr.write(`\r${int(n)} / ${int(total)} events…`);
          },
        }),
        failed,
      ]);
      await Promise.race([closed, failed]);
      fs.renameSync(partial, out);
      if (process.stderr.isTTY) process.stderr.write('\n');
      say(`Wrote ${int(r.rows)} events to ${out} (chain head #${int(r.headSeq)} ${r.headHash}, signed ${r.checkpointAt})`);
      return 0;
    } catch (err) {
      stop.abort();
      stream.destroy();
      fs.rmSync(partial, { force: true });
      throw err;
    }
  });
}

async function exportCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'tickets') return exportTickets(rest);
  if (what === 'audit') return exportAuditCommand(rest);
  throw new UsageError(`export needs: ${choices(exportFamily)} (see \`desk help\`)`);
}

export const exportFamily: CommandFamily = { name: 'export', usages: [ticketsUsage, auditUsage], run: exportCommand };
