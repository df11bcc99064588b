import type { auditChannels } from '../../../shared/channels/audit';
import { DeskError } from '../../../shared/errors';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import type { AuditExportJobs } from './export-jobs';
import { verifyAuditTrail, writeCheckpoint } from './integrity';
import { auditReportCount, auditReportPage } from './reports.service';

export type AuditHandlerDeps = CoreDeps & {
  auditExports?: AuditExportJobs;
  /**
   * Ask where to save a file (Electron's native save dialog): the path, or null when the user
   * cancelled. Absent in the browser host, where the renderer downloads the file instead.
   */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
};

export function auditHandlers(deps: AuditHandlerDeps): HandlersOf<typeof auditChannels> {
  const { db, clock } = deps;
  // Reports only read: on sqlite they go to the query-only connection, so a long count or walk
  // never holds up a change.
  const reader = deps.reader ?? db;
  const exports = (): AuditExportJobs => {
    if (!deps.auditExports) throw new DeskError('UNAVAILABLE', 'Audit exports are not available here.');
    return deps.auditExports;
  };
  return {
    'audit.report': async (input) => auditReportPage(reader, input),
    'audit.reportCount': async (input) => ({ count: await auditReportCount(reader, input.filter) }),
    'audit.export.start': async (input, ctx) => {
      const jobs = exports();
      // In the app the user chooses where the file goes (the main process's own dialog; a path
      // never comes from the renderer); in the browser host the renderer fetches it in parts.
      const saveTo = deps.chooseSavePath ? await deps.chooseSavePath(`audit-${clock.now().toISOString().slice(0, 10)}.${input.format}`) : null;
      if (deps.chooseSavePath && saveTo === null) return null;
      return jobs.start(ctx.session.userId, actorOf(ctx.session), input.filter, input.format, saveTo);
    },
    'audit.export.status': (input, ctx) => exports().status(ctx.session.userId, input.jobId),
    'audit.export.cancel': (input, ctx) => exports().cancel(ctx.session.userId, input.jobId),
    'audit.export.chunk': (input, ctx) => exports().chunk(ctx.session.userId, input.jobId, input.offset),
    'audit.verify': async (_input, ctx) =>
      verifyAuditTrail(deps, actorOf(ctx.session), { onProgress: (done) => ctx.emit('progress', { task: 'audit.verify', done, total: 0 }) }),
    'audit.checkpoint': async (_input, ctx) => writeCheckpoint(deps, actorOf(ctx.session), { reason: 'manual' }),
  };
}
