/** Small conversions between what the two drivers return and what the contract carries. */

/** PostgreSQL returns Date for timestamptz; sqlite returns what was stored (ISO text). */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const s = String(value);
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
