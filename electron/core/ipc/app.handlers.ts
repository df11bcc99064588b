import type { appChannels } from '../../../shared/channels/app';
import { sessionInfo } from '../auth/auth.service';
import { countDeskUsers } from '../deskusers/deskusers.service';
import { hasEmployees } from '../employees/employees.service';
import type { CoreDeps, HandlersOf } from '../handler';
import { PRODUCT_NAME, VERSION } from '../version';

export function appHandlers(deps: CoreDeps): HandlersOf<typeof appChannels> {
  const { db } = deps;
  return {
    'app.status': async (_input, ctx) => ({
      productName: PRODUCT_NAME,
      version: VERSION,
      database: deps.databaseKind,
      needsFirstAdmin: (await countDeskUsers(db)) === 0,
      hasEmployees: ctx.session ? await hasEmployees(db) : false,
      session: ctx.session ? sessionInfo(ctx.session) : null,
      serverTime: deps.clock.now().toISOString(),
    }),
  };
}
