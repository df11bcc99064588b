/** The audit events filter: its form values, the filter they make, and the choices of its lists. */
import { AUDIT_ACTION_FAMILIES } from '../../../../shared/audit-actions';
import type { AuditReportFilter } from '../../../../shared/domain';

export interface FilterValues {
  from: string | null;
  to: string | null;
  actor: string;
  action: string | null;
  employeeNumber: string;
  ticketRef: string;
  result: 'any' | 'ok' | 'refused';
}
export const EMPTY: FilterValues = { from: null, to: null, actor: '', action: null, employeeNumber: '', ticketRef: '', result: 'any' };
export const FIELDS = Object.keys(EMPTY);

export function toFilter(v: FilterValues): AuditReportFilter {
  const t = (s: string | null) => s?.trim() || undefined;
  const f: AuditReportFilter = {};
  if (t(v.from)) f.from = t(v.from);
  if (t(v.to)) f.to = t(v.to);
  if (t(v.actor)) f.actor = t(v.actor);
  if (t(v.action)) f.action = t(v.action);
  if (t(v.employeeNumber)) f.employeeNumber = t(v.employeeNumber);
  if (t(v.ticketRef)) f.ticketRef = t(v.ticketRef);
  if (v.result !== 'any') f.result = v.result;
  return f;
}

/** The actions by family, by their names: a family's "(all)" entry asks for the whole family ("factor."). */
export const ACTION_OPTIONS = AUDIT_ACTION_FAMILIES.map((f) => ({
  group: f.label,
  items: [{ value: `${f.family}.`, label: `${f.label} (all)` }, ...Object.entries(f.actions).map(([value, label]) => ({ value, label }))],
}));

export const RESULT_OPTIONS = [
  { value: 'any', label: 'Any' },
  { value: 'ok', label: 'Done' },
  { value: 'refused', label: 'Refused' },
];

/** A filter's issue path ("filter.employeeNumber") as the form field it names. */
export const filterPath = (path: string) => (path.startsWith('filter.') ? path.slice('filter.'.length) : null);
