import type { dashboardChannels } from '../../../shared/channels/dashboard';
import type { CoreDeps, HandlersOf } from '../handler';
import { auditDashboard } from './dashboard.service';

export function dashboardHandlers(deps: CoreDeps): HandlersOf<typeof dashboardChannels> {
  // Only reads: on sqlite it goes to the query-only connection.
  return { 'audit.dashboard': async (input) => auditDashboard(deps.reader ?? deps.db, deps.clock, input) };
}
