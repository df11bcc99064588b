import type { hrChannels } from '../../../shared/channels/hr';
import { DeskError } from '../../../shared/errors';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import type { HrImportJobs } from './hr-jobs';

export type HrHandlerDeps = CoreDeps & { hrJobs?: HrImportJobs };

export function hrHandlers(deps: HrHandlerDeps): HandlersOf<typeof hrChannels> {
  const jobs = (): HrImportJobs => {
    if (!deps.hrJobs) throw new DeskError('UNAVAILABLE', 'HR imports are not available here.');
    return deps.hrJobs;
  };
  // Uploads and imports belong to the desk user who started them.
  return {
    'hr.upload.begin': (input, ctx) => jobs().begin(ctx.session.userId, input.name, input.size),
    'hr.upload.chunk': (input, ctx) => jobs().chunk(ctx.session.userId, input.uploadId, input.offset, input.data),
    'hr.import.start': (input, ctx) => jobs().start(ctx.session.userId, actorOf(ctx.session), input.uploadId, input.dryRun),
    'hr.import.status': (input, ctx) => jobs().status(ctx.session.userId, input.jobId),
    'hr.import.cancel': (input, ctx) => jobs().cancel(ctx.session.userId, input.jobId),
    'hr.import.report': (input, ctx) => jobs().report(ctx.session.userId, input.jobId),
  };
}
