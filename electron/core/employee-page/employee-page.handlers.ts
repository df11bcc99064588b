import type { employeePageChannels } from '../../../shared/channels/employee-page';
import { getEmployee } from '../employees/employees.service';
import type { CoreDeps, HandlersOf } from '../handler';
import { employeeAudit, employeePage } from './employee-page.service';

export function employeePageHandlers(deps: CoreDeps): HandlersOf<typeof employeePageChannels> {
  const { db, clock } = deps;
  return {
    'employees.page': async (input) => employeePage(db, clock, input.employeeId),
    'employees.audit': async (input) => {
      await getEmployee(db, input.employeeId); // NOT_FOUND for an unknown employee
      return employeeAudit(db, input.employeeId, input.cursor);
    },
  };
}
