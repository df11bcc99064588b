import type { recordsChannels } from '../../../shared/channels/records';
import { mailQueued, type CoreDeps, type HandlersOf } from '../handler';
import { agentOn } from '../mfa/mfa.handlers';
import { updateEmails } from './emails.service';

export function recordsHandlers(deps: CoreDeps): HandlersOf<typeof recordsChannels> {
  const mfa = { db: deps.db, clock: deps.clock, vault: deps.vault };
  return {
    'records.updateEmails': async ({ ticketRef, ...change }, ctx) => mailQueued(deps, await updateEmails(mfa, agentOn(ctx.session, ticketRef), change)),
  };
}
