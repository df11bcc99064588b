import type { portalChannels } from '../../../shared/channels/portal';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import { addPortalKey, listPortalKeys, revokePortalKey } from './keys.service';

export function portalHandlers(deps: CoreDeps): HandlersOf<typeof portalChannels> {
  const { db, clock } = deps;
  return {
    'portal.keys.list': async () => listPortalKeys(db),
    'portal.keys.add': async (input, ctx) => addPortalKey({ db, clock }, actorOf(ctx.session), input),
    'portal.keys.revoke': async (input, ctx) => revokePortalKey({ db, clock }, actorOf(ctx.session), input),
  };
}
