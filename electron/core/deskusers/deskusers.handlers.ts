import type { deskUserChannels } from '../../../shared/channels/deskusers';
import type { DeskUserView } from '../../../shared/domain';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import {
  adminCreateDeskUser,
  listDeskUsers,
  resetDeskUserPassword,
  resetDeskUserTotp,
  setDeskUserDisabled,
  setDeskUserRole,
  unlockDeskUser,
} from './deskusers.service';

/** Ends a desk user's sessions in this process (the session store is auth's; it is passed in). */
export type EndSessions = (userId: number) => void;

export function deskUserHandlers(deps: CoreDeps & { endSessions: EndSessions }): HandlersOf<typeof deskUserChannels> {
  const { db, clock } = deps;
  // Changes that end the desk user's sessions end them here at once; other desks sharing the
  // database notice the raised session epoch (see auth/session-check.ts).
  const ending = (user: DeskUserView, end: boolean): DeskUserView => {
    if (end) deps.endSessions(user.id);
    return user;
  };
  return {
    'desk.users.list': async () => listDeskUsers({ db, clock }),
    'desk.users.create': async (input, ctx) => adminCreateDeskUser({ db, clock }, actorOf(ctx.session), input),
    'desk.users.setEnabled': async (input, ctx) =>
      ending(await setDeskUserDisabled({ db, clock }, actorOf(ctx.session), { userId: input.userId, disabled: !input.enabled }), !input.enabled),
    'desk.users.setRole': async (input, ctx) => ending(await setDeskUserRole({ db, clock }, actorOf(ctx.session), { userId: input.userId, role: input.role }), true),
    'desk.users.resetPassword': async (input, ctx) => {
      const r = await resetDeskUserPassword({ db, clock }, actorOf(ctx.session), { userId: input.userId });
      ending(r.user, true);
      return r;
    },
    'desk.users.resetTotp': async (input, ctx) => ending(await resetDeskUserTotp({ db, clock }, actorOf(ctx.session), { userId: input.userId }), true),
    'desk.users.unlock': async (input, ctx) => unlockDeskUser({ db, clock }, actorOf(ctx.session), { userId: input.userId }),
  };
}
