/** Keyset cursors: where the next page starts, as an opaque token the renderer hands back. */
import type { SortDirection, SortKey } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { MAX_ROW_ID } from '../../../shared/schemas';

/** The columns a column sort orders by (then id); a cursor carries their values. */
export const SORT_COLUMNS: Record<Exclude<SortKey, 'relevance'>, readonly string[]> = {
  name: ['sort_name'],
  employeeNumber: ['employee_number'],
  organisation: ['organisation', 'sort_name'],
  status: ['status', 'sort_name'],
  mfa: ['mfa_state', 'sort_name'],
};

export type Cursor =
  | { m: 'r'; t: 0 | 1 | 2; k: string; i: number } // relevance: tier, key, id
  | { m: 's'; v: string[]; i: number }; // column sort: the sort tuple, id

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string | null | undefined, sort: { by: SortKey; dir: SortDirection }): Cursor | null {
  if (!raw) return null;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new DeskError('VALIDATION', 'The page cursor is not valid; start the search again.');
  }
  const text = (x: unknown) => typeof x === 'string' && x.length <= 1000 && !x.includes('\u0000');
  const ok =
    typeof c === 'object' &&
    c !== null &&
    Number.isInteger((c as { i: unknown }).i) &&
    (c as { i: number }).i >= 0 &&
    (c as { i: number }).i <= MAX_ROW_ID &&
    (((c as Cursor).m === 'r' && sort.by === 'relevance' && [0, 1, 2].includes((c as { t: number }).t) && text((c as { k: unknown }).k)) ||
      ((c as Cursor).m === 's' &&
        sort.by !== 'relevance' &&
        Array.isArray((c as { v: unknown }).v) &&
        (c as { v: unknown[] }).v.length === SORT_COLUMNS[sort.by].length &&
        (c as { v: unknown[] }).v.every(text)));
  if (!ok) throw new DeskError('VALIDATION', 'The page cursor does not belong to this search; start the search again.');
  return c as Cursor;
}
