/** When a mail that could not be sent is tried again, and when it is given up. */

/** Waits before the 1st, 2nd, … retry; the last one repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000];
/** A mail is given up (failed) after this many attempts… */
export const MAX_ATTEMPTS = 30;
/** …or once it has waited this long since it was queued. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/** The wait after `attempts` failed attempts: 30 s, 1 min, 2 min, 5 min, … capped at 1 h. */
export function retryDelayMs(attempts: number): number {
  const i = Math.max(1, Math.floor(attempts)) - 1;
  return RETRY_DELAYS_MS[Math.min(i, RETRY_DELAYS_MS.length - 1)]!;
}
