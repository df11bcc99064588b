/**
 * The life of a one-time code, worked out from its timestamps at a given moment: the page shows a
 * live countdown by calling this every second with the (server-corrected) time.
 */
import type { OneTimeCodeView } from './domain';
import { ukClock } from './uk-time';

export type CodeState = 'used' | 'locked' | 'superseded' | 'expired' | 'active';

export interface CodeStatus {
  state: CodeState;
  /** Seconds until it expires (0 unless active). */
  secondsLeft: number;
  attemptsLeft: number;
  /** Plain words: "Expires in 12:04", "Expired at 10:41", "Used at 10:33"… */
  label: string;
}

const clockTime = ukClock;

export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function codeStatus(code: OneTimeCodeView, now: Date): CodeStatus {
  const attemptsLeft = Math.max(0, code.maxAttempts - code.attempts);
  if (code.consumedAt) return { state: 'used', secondsLeft: 0, attemptsLeft, label: `Used at ${clockTime(code.consumedAt)}` };
  if (code.lockedAt || attemptsLeft === 0) {
    return { state: 'locked', secondsLeft: 0, attemptsLeft: 0, label: 'Locked after too many wrong tries: start again for a new code' };
  }
  if (code.supersededAt) return { state: 'superseded', secondsLeft: 0, attemptsLeft, label: `Replaced by a newer code at ${clockTime(code.supersededAt)}` };
  const left = (new Date(code.expiresAt).getTime() - now.getTime()) / 1000;
  if (left <= 0) {
    return { state: 'expired', secondsLeft: 0, attemptsLeft, label: `Expired at ${clockTime(code.expiresAt)}: the employee must start again for a new code` };
  }
  return { state: 'active', secondsLeft: Math.ceil(left), attemptsLeft, label: `Expires in ${formatCountdown(left)}` };
}
