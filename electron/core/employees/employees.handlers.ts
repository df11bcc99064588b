import type { employeesChannels } from '../../../shared/channels/employees';
import type { CoreDeps, HandlersOf } from '../handler';
import { getEmployee } from './employees.service';
import { EmployeeSearch } from './search.service';

/**
 * The organisations for the look-up filter. They change only with imports and demo data, so a
 * minute's staleness is fine; whoever loads employees calls forget().
 */
export class OrganisationList {
  private cached: { at: number; list: string[] } | null = null;
  async get(search: EmployeeSearch, now: number): Promise<string[]> {
    if (!this.cached || now - this.cached.at > 60_000) this.cached = { at: now, list: await search.organisations() };
    return this.cached.list;
  }
  forget(): void {
    this.cached = null;
  }
}

export type EmployeesHandlerDeps = CoreDeps & { organisations: OrganisationList };

export function employeesHandlers(deps: EmployeesHandlerDeps): HandlersOf<typeof employeesChannels> {
  const { db, clock } = deps;
  const search = new EmployeeSearch(db, deps.reader ?? db);
  return {
    'employees.search': async (input) => search.page(input),
    'employees.count': async (input) => search.count(input.query, input.filters),
    'employees.organisations': async () => deps.organisations.get(search, clock.now().getTime()),
    'employees.get': async (input) => getEmployee(db, input.employeeId),
  };
}
