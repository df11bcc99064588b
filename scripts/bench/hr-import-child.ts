/**
 * One HR import of the benchmark, in a process of its own (hr-import.ts forks it for each import it
 * times), so that its peak RSS is the import's and not also what the benchmark's earlier steps left
 * in the parent's heap: before its 2,000,000-row runs the benchmark process itself held 500–700 MiB.
 * It opens the scratch desk the parent made (the same data folder, its vault, and on PostgreSQL the
 * same schema), runs the import sampling RSS and heap every 50 ms, and sends progress lines and the
 * result back over the fork's channel.
 */
import { systemClock } from '../../electron/core/clock';
import { openDatabase } from '../../electron/core/db/connection';
import { importHrFile } from '../../electron/core/hr/hr-import.service';
import { attachVault } from '../../electron/core/secrets/db-vault';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';
import { int, settle, timed } from './stats';

/** What the parent asks for. */
export interface ChildImportJob {
  dataDir: string;
  pgUrl?: string;
  schema?: string;
  file: string;
  reportFile: string;
  batchSize?: number;
}

/** What the child answers: progress lines, then the result or the error. */
export type ChildImportMessage =
  | { type: 'log'; message: string }
  | {
      type: 'done';
      result: Awaited<ReturnType<typeof importHrFile>>;
      seconds: number;
      startRssMiB: number;
      peakRssMiB: number;
      peakHeapMiB: number;
    }
  | { type: 'failed'; message: string };

const MiB = 1024 * 1024;
const ACTOR = { userId: null, name: 'bench' };

function send(m: ChildImportMessage): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}

/** The import, its time and memory; the desk closed again. */
async function run(job: ChildImportJob): Promise<Extract<ChildImportMessage, { type: 'done' }>> {
  const database = await openDatabase({ dataDir: job.dataDir, databaseUrl: job.pgUrl, schema: job.schema });
  try {
    attachVault(database.knex, new Vault(new KeyFileProvider(job.dataDir)));
    await settle(100);
    const startRss = process.memoryUsage().rss;
    let peakRss = startRss;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    }, 50);
    let lastLog = 0;
    try {
      const t = await timed(() =>
        importHrFile(
          { db: database.knex, clock: systemClock },
          {
            file: job.file,
            actor: ACTOR,
            reportFile: job.reportFile,
            ...(job.batchSize ? { batchSize: job.batchSize } : {}),
            onProgress: (p) => {
              const now = Date.now();
              if (now - lastLog < 10_000) return;
              lastLog = now;
              const rss = Math.round(process.memoryUsage().rss / MiB);
              void send({
                type: 'log',
                message:
                  p.phase === 'indexing'
                    ? `  building the deferred indexes: ${p.rows} / ${p.totalRows ?? '?'}, RSS ${rss} MiB`
                    : `  ${p.phase}: ${int(p.rows)}${p.totalRows ? ` / ${int(p.totalRows)}` : ''} rows, ${int(Math.round(p.rowsPerSecond))} rows/s, RSS ${rss} MiB`,
              });
            },
          },
        ),
      );
      return { type: 'done', result: t.value, seconds: t.ms / 1000, startRssMiB: startRss / MiB, peakRssMiB: peakRss / MiB, peakHeapMiB: peakHeap / MiB };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await database.close();
  }
}

process.once('message', (job: ChildImportJob) => {
  run(job).then(
    async (done) => {
      await send(done);
      process.disconnect();
    },
    async (err: unknown) => {
      await send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.disconnect();
    },
  );
});
