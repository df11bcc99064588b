import crypto from 'node:crypto';
import { generateSecret, generateSync, generateURI } from 'otplib';
import type { Clock } from '../clock';

/** RFC 6238 as Microsoft Authenticator expects it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either way. */
export const TOTP_DRIFT_STEPS = 1;
/** Seed length in bytes (160 bits, RFC 4226's recommendation). */
export const TOTP_SEED_BYTES = 20;

export function newTotpSeed(): string {
  // otplib draws the bytes from the platform's secure generator; base32 for the otpauth URI.
  return generateSecret({ length: TOTP_SEED_BYTES });
}

export function totpUri(opts: { issuer: string; account: string; secret: string }): string {
  return generateURI({ issuer: opts.issuer, label: opts.account, secret: opts.secret });
}

/**
 * RFC 4226 HOTP(secret, counter) with HMAC-SHA-1, truncated to `digits`. A TOTP code is the HOTP
 * of the time step (RFC 6238), so this is the one place a code is ever computed: verification
 * below and the RFC test vectors go through it.
 */
export function hotpCode(secret: string, counter: number, digits: 6 | 8 = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('HOTP counter must be a non-negative integer');
  return generateSync({ strategy: 'hotp', secret, counter, digits, algorithm: 'sha1' });
}

/** The 30-second step a moment falls in (RFC 6238, T0 = 0). */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD);
}

/** The TOTP code of a step. */
export function totpCodeAt(secret: string, step: number, digits: 6 | 8 = TOTP_DIGITS): string {
  return hotpCode(secret, step, digits);
}

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Check a code against a seed at the clock's time, allowing one step of drift either way and
 * refusing any step at or before `afterStep` (a code is accepted once). Returns the matched step.
 * Every step of the window is compared (in constant time), whether or not an earlier one matched.
 */
export function verifyTotp(opts: {
  secret: string;
  code: string;
  clock: Clock;
  afterStep?: number | null;
}): { ok: true; step: number } | { ok: false } {
  const r = matchTotp(opts);
  return r.ok ? { ok: true, step: r.step } : { ok: false };
}

/**
 * As verifyTotp, but tells a replay (the code is right for a step already used) from a wrong code.
 */
export function matchTotp(opts: {
  secret: string;
  code: string;
  clock: Clock;
  afterStep?: number | null;
}): { ok: true; step: number } | { ok: false; replay: boolean } {
  if (!/^\d{6}$/.test(opts.code)) return { ok: false, replay: false };
  const now = totpStep(opts.clock.now());
  let fresh: number | null = null;
  let used = false;
  for (let offset = -TOTP_DRIFT_STEPS; offset <= TOTP_DRIFT_STEPS; offset++) {
    const step = now + offset;
    if (step < 0) continue;
    if (!sameCode(totpCodeAt(opts.secret, step), opts.code)) continue;
    if (opts.afterStep != null && step <= opts.afterStep) used = true;
    else if (fresh === null) fresh = step;
  }
  if (fresh !== null) return { ok: true, step: fresh };
  return { ok: false, replay: used };
}
