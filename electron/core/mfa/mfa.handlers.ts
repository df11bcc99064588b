import type { mfaChannels } from '../../../shared/channels/mfa';
import { actorOf, mailQueued, type CoreDeps, type HandlersOf, type Session } from '../handler';
import { reRegister, removeFactor, restartRegistration, unlock } from './agent-actions.service';
import { checkAuthenticatorCode, checkIdentityCode, overrideVerification, sendIdentityCode } from './caller-verification.service';
import type { AgentContext } from './on-ticket';

/** The signed-in desk user acting on the ticket the agent typed. */
export function agentOn(session: Session, ticketRef: string): AgentContext {
  return { actor: actorOf(session), role: session.role, ticketRef };
}

export function mfaHandlers(deps: CoreDeps): HandlersOf<typeof mfaChannels> {
  const mfa = { db: deps.db, clock: deps.clock, vault: deps.vault };
  return {
    'mfa.sendIdentityCode': async ({ ticketRef, ...input }, ctx) =>
      mailQueued(deps, await sendIdentityCode(mfa, agentOn(ctx.session, ticketRef), input)),
    'mfa.checkIdentityCode': async ({ ticketRef, ...input }, ctx) => checkIdentityCode(mfa, agentOn(ctx.session, ticketRef), input),
    'mfa.checkAuthenticatorCode': async ({ ticketRef, ...input }, ctx) => checkAuthenticatorCode(mfa, agentOn(ctx.session, ticketRef), input),
    'mfa.overrideVerification': async ({ ticketRef, ...input }, ctx) => overrideVerification(mfa, agentOn(ctx.session, ticketRef), input),
    'mfa.reRegister': async ({ ticketRef, emailId, ...input }, ctx) =>
      mailQueued(deps, await reRegister(mfa, agentOn(ctx.session, ticketRef), { ...input, emailId: emailId ?? null })),
    'mfa.restartRegistration': async ({ ticketRef, ...input }, ctx) =>
      mailQueued(deps, await restartRegistration(mfa, agentOn(ctx.session, ticketRef), input)),
    'mfa.removeFactor': async ({ ticketRef, ...input }, ctx) => mailQueued(deps, await removeFactor(mfa, agentOn(ctx.session, ticketRef), input)),
    'mfa.unlock': async ({ ticketRef, ...input }, ctx) => unlock(mfa, agentOn(ctx.session, ticketRef), input),
  };
}
