/** The HR import's words and sizes: its counts' labels, durations and file sizes. */
import type { HrImportCountsView } from '../../../../shared/domain';
import { formatNumber, plural } from '../../format';

export const COUNT_LABELS: Array<[keyof HrImportCountsView, string]> = [
  ['rows', 'Rows read'],
  ['created', 'New employees'],
  ['updated', 'Updated'],
  ['unchanged', 'Unchanged'],
  ['leavers', 'Became leavers'],
  ['rejoined', 'Active again'],
  ['rejected', 'Rejected rows'],
  ['conflicts', 'Conflicts (addresses kept)'],
  ['emailsAdded', 'Emails added'],
  ['emailsRemoved', 'Emails removed'],
  ['pendingFactorsCancelled', 'Pending registrations cancelled'],
  ['codesCancelled', 'Unused codes cancelled'],
];

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'working it out';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function bytes(n: number): string {
  if (n < 1024) return plural(n, 'byte', 'bytes');
  if (n < 1024 ** 2) return `${formatNumber(Math.round(n / 102.4) / 10)} KB`;
  return `${formatNumber(Math.round(n / (1024 ** 2 / 10)) / 10)} MB`;
}
