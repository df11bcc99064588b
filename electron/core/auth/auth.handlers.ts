import type { authChannels } from '../../../shared/channels/auth';
import { createFirstAdmin } from '../deskusers/deskusers.service';
import type { CoreDeps, HandlersOf } from '../handler';
import { completeSignIn, sessionInfo, setNewPassword, signIn, signOut } from './auth.service';
import type { ChallengeStore, SessionStore } from './sessions';

export type AuthHandlerDeps = CoreDeps & { sessions: SessionStore; challenges: ChallengeStore };

export function authHandlers(deps: AuthHandlerDeps): HandlersOf<typeof authChannels> {
  const { db, clock } = deps;
  return {
    'auth.createFirstAdmin': async (input) => {
      await createFirstAdmin(db, clock, input, { userId: null, name: 'first-run' });
      return { username: input.username };
    },
    'auth.signIn': async (input) => signIn(deps, input.username, input.password),
    'auth.completeSignIn': async (input, ctx) => {
      const session = await completeSignIn(deps, input.challenge, input.code);
      const previous = ctx.slot.get();
      if (previous) deps.sessions.revoke(previous);
      ctx.slot.set(session.token);
      return sessionInfo(session);
    },
    'auth.setNewPassword': async (input) => setNewPassword(deps, input.challenge, input.password),
    'auth.signOut': async (_input, ctx) => {
      await signOut(deps, ctx.slot.get());
      ctx.slot.set(undefined);
      return null;
    },
  };
}
