/** `desk audit …`: the audit trail's integrity: walk the chain, sign its head. */
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { verifyAuditChain, writeCheckpoint } from '../../core/audit/integrity';
import { UsageError } from '../failures';
import { int, parse, say, withCore } from '../support';
import { choices, type CommandFamily, type CommandUsage } from '../usage';

const verifyUsage: CommandUsage = {
  command: 'audit verify',
  options: [{ flag: '--json', words: 'Print the whole report as JSON' }],
  summary:
    "Walk the audit trail's hash chain and check every signed checkpoint; prints the first broken link (edited, deleted, reordered, inserted, truncated, rewritten) with its sequence number. Exit code 0: intact, 3: broken",
  details:
    'It checks every event’s signature and every signed checkpoint, in the database and in `<data dir>/audit/checkpoints.jsonl`. It prints the event count, the head and the latest checkpoint, then "OK: the audit trail is intact" or "BROKEN at #N: KIND — what happened" and any further breaks.',
};

const checkpointUsage: CommandUsage = {
  command: 'audit checkpoint',
  summary: "Sign the chain's head now (also done daily and on every export)",
  details:
    'The head, the event count and the time are signed under a key derived from the data key. The app and `desk serve` also sign within minutes of new events and daily, and every desk when it closes.',
};

async function verify(rest: string[]): Promise<number> {
  const options = parse(rest, verifyUsage);
  const json = options.flag('json');
  return withCore(options.dataDir, async (core) => {
    const started = Date.now();
    let lastReport = started;
    const report = await verifyAuditChain(core.database.reader, core.vault, {
      dataDir: core.config.dataDir,
      onProgress: (n) => {
        if (!json && process.stderr.isTTY && Date.now() - lastReport > 1000) {
          lastReport = Date.now();
          process.stderr.write(`\r${int(n)} events checked…`);
        }
      },
    });
    if (!json && process.stderr.isTTY && lastReport !== started) process.stderr.write('\n');
    if (json) {
      say(JSON.stringify(report, null, 2));
      return report.ok ? 0 : 3;
    }
    say(`Audit chain: ${int(report.events)} events, head ${report.headSeq === 0 ? '(empty)' : `#${int(report.headSeq)} ${report.headHash}`}`);
    const cp = report.latestCheckpoint;
    say(`Checkpoints: ${int(report.checkpointsChecked)} checked` + (cp ? `; latest ${cp.at} (${cp.reason}) at #${int(cp.headSeq)}` : '; none written yet'));
    if (report.ok) say(`OK: the audit trail is intact (${((Date.now() - started) / 1000).toFixed(1)} s).`);
    else {
      say(`BROKEN at #${int(report.firstBreak!.seq)}: ${report.firstBreak!.kind} — ${report.firstBreak!.detail}`);
      for (const b of report.breaks.slice(1)) say(`  also #${int(b.seq)}: ${b.kind} — ${b.detail}`);
    }
    return report.ok ? 0 : 3;
  });
}

async function checkpoint(rest: string[]): Promise<number> {
  const options = parse(rest, checkpointUsage);
  await withCore(options.dataDir, async (core) => {
    const cp = await writeCheckpoint({ ...core, dataDir: core.config.dataDir }, CLI_ACTOR, { reason: 'manual' });
    say(`Checkpoint signed: ${int(cp.eventCount)} events, head #${int(cp.headSeq)} ${cp.headHash}, at ${cp.at}`);
  });
  return 0;
}

async function audit(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'verify') return verify(rest);
  if (action === 'checkpoint') return checkpoint(rest);
  throw new UsageError(`audit needs: ${choices(auditFamily)} (see \`desk help\`)`);
}

export const auditFamily: CommandFamily = { name: 'audit', usages: [verifyUsage, checkpointUsage], run: audit };
