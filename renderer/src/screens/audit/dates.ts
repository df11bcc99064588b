/**
 * Days as the Audit screen asks for them: typed and shown as DD/MM/YYYY (UK), sent as the contract's
 * 'YYYY-MM-DD', and drawn on the charts' axes as "3 Dec".
 */
import { ukDay } from '../../format';

/** The display format of every date field here. */
export const UK_DATE_FORMAT = 'DD/MM/YYYY';

/**
 * A typed day as 'YYYY-MM-DD', or null while it is not (yet) a real day: DD/MM/YYYY, with
 * slashes, dots, dashes or spaces and one- or two-digit day and month; 'YYYY-MM-DD' is taken too.
 * Never month first (03/12/2024 is 3 December).
 */
export function parseUkDay(text: string): string | null {
  const t = text.trim();
  let y: number, m: number, d: number;
  const uk = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (uk) [d, m, y] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return null;
  return at.toISOString().slice(0, 10);
}

/** The last `days` days up to today, in UK time (today included). */
export function lastDays(days: number, now: number = Date.now()): { from: string; to: string } {
  const to = ukDay(now);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 24 * 3600_000).toISOString().slice(0, 10);
  return { from, to };
}

const tickShort = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const tickLong = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

function asDate(day: string): Date | null {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A chart's day tick: "3 Dec". */
export function dayTick(day: string): string {
  const d = asDate(day);
  return d ? tickShort.format(d) : day;
}

/** A day in a sentence: "3 Dec 2024". */
export function dayText(day: string): string {
  const d = asDate(day);
  return d ? tickLong.format(d) : day;
}

/** A day in a chart's tooltip: "Tue, 3 Dec 2024". */
export function dayLong(day: string): string {
  const d = asDate(day);
  return d ? weekday.format(d) : day;
}
