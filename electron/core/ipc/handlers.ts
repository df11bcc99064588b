import type { DataKeyView } from '../../../shared/domain';
import { auditHandlers, type AuditHandlerDeps } from '../audit/audit.handlers';
import { authHandlers, type AuthHandlerDeps } from '../auth/auth.handlers';
import { dashboardHandlers } from '../dashboard/dashboard.handlers';
import { demoHandlers } from '../demo/demo.handlers';
import { employeePageHandlers } from '../employee-page/employee-page.handlers';
import { deskUserHandlers } from '../deskusers/deskusers.handlers';
import { employeesHandlers, OrganisationList } from '../employees/employees.handlers';
import { hrHandlers, type HrHandlerDeps } from '../imports/hr.handlers';
import { mailHandlers } from '../mail/mail.handlers';
import { mfaHandlers } from '../mfa/mfa.handlers';
import { portalHandlers } from '../portal/portal.handlers';
import { recordsHandlers } from '../records/records.handlers';
import { settingsHandlers } from '../settings/settings.handlers';
import { ticketsHandlers } from '../tickets/tickets.handlers';
import { appHandlers } from './app.handlers';
import type { Handlers } from './router';

/** Everything the features' handlers need, as the core was opened. */
export type HandlerDeps = AuthHandlerDeps & AuditHandlerDeps & HrHandlerDeps & { dataKey?: () => DataKeyView };

/** The contract's handlers, joined from the features' maps (the router has checked role and input). */
export function createHandlers(deps: HandlerDeps): Handlers {
  const organisations = new OrganisationList();
  return {
    ...appHandlers(deps),
    ...authHandlers(deps),
    ...employeesHandlers({ ...deps, organisations }),
    ...employeePageHandlers(deps),
    ...mfaHandlers(deps),
    ...ticketsHandlers(deps),
    ...recordsHandlers(deps),
    ...mailHandlers(deps),
    ...hrHandlers(deps),
    ...auditHandlers(deps),
    ...dashboardHandlers(deps),
    ...deskUserHandlers({ ...deps, endSessions: (userId) => deps.sessions.revokeUser(userId) }),
    ...settingsHandlers(deps),
    ...portalHandlers(deps),
    ...demoHandlers({ ...deps, organisations }),
  };
}
