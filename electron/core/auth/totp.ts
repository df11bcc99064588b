import { generateSecret, generateURI, verifySync } from 'otplib';
import type { Clock } from '../clock';

/** RFC 6238 as Microsoft Authenticator expects it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD = 30;

export function newTotpSeed(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(opts: { issuer: string; account: string; secret: string }): string {
  return generateURI({ issuer: opts.issuer, label: opts.account, secret: opts.secret });
}

/**
 * Check a code against a seed at the clock's time, allowing one step of drift either way and
 * refusing any step at or before `afterStep` (a code is accepted once). Returns the matched step.
 */
export function verifyTotp(opts: {
  secret: string;
  code: string;
  clock: Clock;
  afterStep?: number | null;
}): { ok: true; step: number } | { ok: false } {
  const epoch = Math.floor(opts.clock.now().getTime() / 1000);
  const latestAcceptable = Math.floor(epoch / TOTP_PERIOD) + 1;
  // The clock is behind the last step used (clock change, replay): nothing can be accepted.
  if (opts.afterStep != null && opts.afterStep >= latestAcceptable) return { ok: false };
  if (!/^\d{6}$/.test(opts.code)) return { ok: false };
  const result = verifySync({
    secret: opts.secret,
    token: opts.code,
    epoch,
    period: TOTP_PERIOD,
    epochTolerance: TOTP_PERIOD,
    ...(opts.afterStep != null ? { afterTimeStep: opts.afterStep } : {}),
  });
  if (!result.valid) return { ok: false };
  return { ok: true, step: Math.floor(epoch / TOTP_PERIOD) + result.delta };
}
