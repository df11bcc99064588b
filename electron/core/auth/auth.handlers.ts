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
      await createFirstAdmin({ db, clock }, { userId: null, name: 'first-run' }, input);
      return { username: input.username };
    },
    'auth.signIn': async (input) => signIn(deps, { username: input.username, password: input.password }),
    'auth.completeSignIn': async (input, ctx) => {
      const session = await completeSignIn(deps, { challenge: input.challenge, code: input.code });
      const previous = ctx.slot.get();
      if (previous) deps.sessions.revoke(previous);
      ctx.slot.set(session.token);
      return sessionInfo(session);
    },
    'auth.setNewPassword': async (input) => setNewPassword(deps, { challenge: input.challenge, password: input.password }),
    'auth.signOut': async (_input, ctx) => {
      await signOut(deps, { token: ctx.slot.get() });
      ctx.slot.set(undefined);
      return null;
    },
  };
}
