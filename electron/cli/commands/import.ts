/** `desk import hr`: the HR extract into the employee records, as the CLI actor. */
import { z } from 'zod';
import { HR_IMPORT_MAX_BATCH } from '../../../shared/schemas';
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { defaultReportFile, HR_COLUMNS, HR_IMPORT_BATCH, importHrFile, type HrImportProgress } from '../../core/hr/hr-import.service';
import { outputFile, UsageError } from '../failures';
import { check, int, parse, say, withCore } from '../support';
import { choices, type CommandFamily, type CommandUsage } from '../usage';

/** The default batch size, as the usage says it (one number when both databases have the same). */
const defaultBatch =
  HR_IMPORT_BATCH.sqlite === HR_IMPORT_BATCH.postgres ? int(HR_IMPORT_BATCH.sqlite) : `${int(HR_IMPORT_BATCH.sqlite)} on sqlite, ${int(HR_IMPORT_BATCH.postgres)} on PostgreSQL`;

const usage: CommandUsage = {
  command: 'import hr',
  args: [{ name: 'FILE.csv', words: `The HR extract, with a header row naming the columns ${HR_COLUMNS.join(', ')}` }],
  options: [
    { flag: '--dry-run', words: 'Count what would change and write nothing' },
    { flag: '--report', value: 'FILE', words: 'Where the line-numbered report of rejected rows and conflicts goes (default FILE.report.csv)' },
    {
      flag: '--batch-size',
      value: 'N',
      words: `Rows per batch, 1 to ${int(HR_IMPORT_MAX_BATCH)} (the most one transaction holds; default ${defaultBatch})`,
    },
  ],
  summary: `Bring the HR extract into the employee records (admins' tool): new, changed and leaving employees by employee number, in batches (--batch-size N; default ${defaultBatch}, at most ${int(HR_IMPORT_MAX_BATCH)}); rejected rows and conflicts go to a line-numbered report (default FILE.report.csv); --dry-run counts what would change and writes nothing; Ctrl+C stops after the current batch (run it again to finish)`,
  details:
    'Audited as `cli`. Progress lines go to standard error; the counts (new, updated, leavers, unchanged, rejected, conflicts, emails added and removed) to standard output. Each batch is committed whole or not at all (on sqlite a few batches at a time), so a stopped or killed import leaves whole batches, and running the same file again finishes the job (exit code 130 when stopped with Ctrl+C).',
  examples: ['desk import hr extract.csv --dry-run', 'desk import hr extract.csv --report extract.report.csv'],
};

function progressLine(p: HrImportProgress): string {
  const n = (v: number) => int(Math.round(v));
  const eta = p.etaSeconds === null ? '' : `, about ${n(Math.ceil(p.etaSeconds))} s to go`;
  if (p.phase === 'checking') {
    const share = p.totalBytes > 0 ? Math.floor((100 * p.bytes) / p.totalBytes) : 100;
    return `import: checking the file: ${n(p.rows)} rows, ${share}% read${eta}`;
  }
  if (p.phase === 'indexing') return `import: every row is in; building the look-up's indexes: ${n(p.rows)} / ${n(p.totalRows ?? 0)} done`;
  const c = p.counts;
  return (
    `import: ${n(p.rows)} / ${n(p.totalRows ?? 0)} rows (${n(p.rowsPerSecond)} rows/s${eta}): ` +
    `${n(c.created)} new, ${n(c.updated)} updated, ${n(c.unchanged)} unchanged, ${n(c.rejected)} rejected`
  );
}

async function importCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'hr') throw new UsageError(`import needs: ${choices(importFamily)}`);
  const options = parse(rest, usage);
  if (options.positionals.length !== 1) throw new UsageError(`import hr needs one CSV file, with a header row naming the columns ${HR_COLUMNS.join(', ')}`);
  const file = options.positionals[0]!;
  const batchText = options.string('batch-size');
  const batchSize = batchText === undefined ? undefined : check(z.coerce.number().int().min(1).max(HR_IMPORT_MAX_BATCH), batchText, '--batch-size');
  const dryRun = options.flag('dry-run');
  const reportFile = options.string('report');
  if (reportFile !== undefined) outputFile(reportFile, '--report');
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('import: stopping after the current batch (Ctrl+C again to stop at once; the batches done stay done)\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await withCore(options.dataDir, async (core) => {
      let last = 0;
      let firstBatch = true;
      const result = await importHrFile(
        { db: core.db, clock: core.clock },
        {
          file,
          dryRun,
          reportFile: reportFile ?? defaultReportFile(file),
          actor: CLI_ACTOR,
          ...(batchSize === undefined ? {} : { batchSize }),
          signal: controller.signal,
          onWarning: (m) => process.stderr.write(`import: warning: ${m}\n`),
          onProgress: (p) => {
            const now = Date.now();
            const first = p.phase === 'importing' && firstBatch;
            if (first || now - last >= 1000 || (p.phase !== 'checking' && p.rows === p.totalRows)) {
              if (p.phase === 'importing') firstBatch = false;
              last = now;
              process.stderr.write(progressLine(p) + '\n');
            }
          },
        },
      );
      const c = result.counts;
      say(
        `HR import of ${file}${result.dryRun ? ' — dry run: nothing was written; this is what would change' : ''}${result.cancelled ? ' — stopped before the end: run it again to finish' : ''}`,
      );
      say(`  rows read   ${int(c.rows)}${result.cancelled ? ` of ${int(result.totalRows)}` : ''}`);
      say(`  new         ${int(c.created)}`);
      say(`  updated     ${int(c.updated)} (leavers ${int(c.leavers)}, back from leaving ${int(c.rejoined)})`);
      say(`  unchanged   ${int(c.unchanged)}`);
      say(`  rejected    ${int(c.rejected)}`);
      say(`  conflicts   ${int(c.conflicts)} (addresses kept against HR's data)`);
      say(`  emails      ${int(c.emailsAdded)} added, ${int(c.emailsRemoved)} removed`);
      say(`  leavers' pending registrations cancelled ${int(c.pendingFactorsCancelled)}, unused codes cancelled ${int(c.codesCancelled)}`);
      say(`Report (rejected rows and conflicts, by line): ${result.reportFile} (${int(result.reportLines)} line${result.reportLines === 1 ? '' : 's'})`);
      say(`Took ${result.seconds.toFixed(1)} s.`);
      return result.cancelled ? 130 : 0;
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

export const importFamily: CommandFamily = { name: 'import', usages: [usage], run: importCommand };
