import { DeskError } from '../../../shared/errors';
import { HR_RECORD_COLUMNS } from '../employees/employee-rows';
import type { CsvRecord } from './csv';

/**
 * The columns of the HR extract, as named in its header row (case and surrounding spaces ignored):
 * the employee record's own columns, then HR's two addresses.
 */
export const HR_COLUMNS = [...HR_RECORD_COLUMNS, 'work_email', 'personal_email'] as const;
export type HrColumn = (typeof HR_COLUMNS)[number];

function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
}

export interface HeaderMap {
  index: Record<HrColumn, number>;
  fieldCount: number;
  warnings: string[];
}

/** Map the header row to the columns; refuse a header that lacks one (nothing is written then). */
export function readHeader(record: CsvRecord | undefined): HeaderMap {
  const list = HR_COLUMNS.join(', ');
  if (!record) throw new DeskError('VALIDATION', `The file is empty. An HR extract starts with a header row naming its columns: ${list}.`);
  if (record.error) throw new DeskError('VALIDATION', `The header row (line ${record.line}) is not well-formed CSV: ${record.error}.`);
  const known = new Set<string>(HR_COLUMNS);
  const index: Partial<Record<HrColumn, number>> = {};
  const warnings: string[] = [];
  record.fields.forEach((raw, i) => {
    const name = normaliseHeader(raw);
    if (known.has(name)) {
      if (index[name as HrColumn] !== undefined) {
        throw new DeskError('VALIDATION', `The header row names the column ${name} twice (columns ${index[name as HrColumn]! + 1} and ${i + 1}). Nothing was imported.`);
      }
      index[name as HrColumn] = i;
    } else {
      warnings.push(`Column ${i + 1} (${JSON.stringify(raw.trim().slice(0, 60))}) is not an HR import column: ignored.`);
    }
  });
  const found = HR_COLUMNS.filter((c) => index[c] !== undefined);
  if (found.length === 0) {
    throw new DeskError(
      'VALIDATION',
      `The first line is not a header row: none of its names is an HR import column. The file must start with a header row naming the columns ${list}. Nothing was imported.`,
    );
  }
  const missing = HR_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new DeskError(
      'VALIDATION',
      `The header row lacks the required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (the import needs ${list}). Nothing was imported.`,
      { missing },
    );
  }
  return { index: index as Record<HrColumn, number>, fieldCount: record.fields.length, warnings };
}
