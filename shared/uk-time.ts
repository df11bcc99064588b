/**
 * Times as the desk and its people read them: UK time (Europe/London, GMT in winter and BST in
 * summer), whatever the time zone of the machine the desk runs on.
 */
export const UK_TIME_ZONE = 'Europe/London';

const clockFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: UK_TIME_ZONE });
const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: UK_TIME_ZONE });
const calendarDayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "09:05": the UK clock time of an instant. */
export function ukClock(iso: string): string {
  return clockFormat.format(new Date(iso));
}

/**
 * "20 November 2025": the UK day of an instant, or a calendar date ("2025-11-20", a leaving date)
 * as it is written (a bare date never moves with the time zone).
 */
export function ukDay(isoOrDate: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(isoOrDate)) return calendarDayFormat.format(new Date(`${isoOrDate}T00:00:00Z`));
  return dayFormat.format(new Date(isoOrDate));
}
