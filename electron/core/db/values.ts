/** Small conversions between what the two drivers return and what the contract carries. */

/** A text column as text: '' for null, numbers and booleans written out (drivers differ on numerics). */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${value}`;
  if (value instanceof Date) return value.toISOString();
  return '';
}

/** PostgreSQL returns Date for timestamptz; sqlite returns what was stored (ISO text). */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const s = toText(value);
  const d = new Date(s.includes('T') || s.endsWith('Z') ? s : s.replace(' ', 'T') + 'Z');
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

/** sqlite stores booleans as 0/1. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

/** COUNT(*) comes back as a string on PostgreSQL. */
export function toCount(row: unknown): number {
  if (!row || typeof row !== 'object') return 0;
  const v = Object.values(row as Record<string, unknown>)[0];
  return Number(v ?? 0);
}

/** What `insert(...).returning('id')` gives back: a row on PostgreSQL, the id itself on sqlite. */
export type InsertedId = { id: number | string } | number;

export function insertedId(r: InsertedId | undefined): number {
  if (r === undefined) throw new Error('the insert returned no id');
  return typeof r === 'object' ? Number(r.id) : Number(r);
}
