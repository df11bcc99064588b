import type { demoChannels } from '../../../shared/channels/demo';
import { DeskError } from '../../../shared/errors';
import type { OrganisationList } from '../employees/employees.handlers';
import { hasEmployees } from '../employees/employees.service';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import { seedDemoData } from './seed.service';

export function demoHandlers(deps: CoreDeps & { organisations: OrganisationList }): HandlersOf<typeof demoChannels> {
  const { db } = deps;
  let running = false;
  return {
    'demo.load': async (input, ctx) => {
      if (running) throw new DeskError('CONFLICT', 'Demo data is already being loaded');
      running = true;
      try {
        if (await hasEmployees(db)) throw new DeskError('CONFLICT', 'Demo data can only be loaded into an empty database');
        const result = await seedDemoData(deps, actorOf(ctx.session), {
          employees: input.employees,
          seed: input.seed,
          deskUsers: false,
          onProgress: (done, total) => ctx.emit('progress', { task: 'demo.load', done, total }),
        });
        deps.organisations.forget();
        return { employees: result.employees, deskUsers: [] };
      } finally {
        running = false;
      }
    },
  };
}
