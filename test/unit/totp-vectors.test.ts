/**
 * The published test vectors, through the desk's own code path (hotpCode / totpCodeAt, which the
 * verification of employees' and desk users' codes also uses).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { hotpCode, matchTotp, totpCodeAt, totpStep, verifyTotp } from '../../electron/core/auth/totp';

/** RFC 4648 base32 (what otpauth URIs and otplib use for secrets). */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Both RFCs' SHA-1 secret: the ASCII string "12345678901234567890". */
const SECRET = base32(Buffer.from('12345678901234567890', 'ascii'));

/** RFC 6238 Appendix B, the SHA-1 rows: time (s), T (hex), TOTP (8 digits). */
const RFC6238: Array<{ time: number; t: string; totp: string }> = [
  { time: 59, t: '0000000000000001', totp: '94287082' },
  { time: 1111111109, t: '00000000023523EC', totp: '07081804' },
  { time: 1111111111, t: '00000000023523ED', totp: '14050471' },
  { time: 1234567890, t: '000000000273EF07', totp: '89005924' },
  { time: 2000000000, t: '0000000003F940AA', totp: '69279037' },
  { time: 20000000000, t: '0000000027BC86AA', totp: '65353130' },
];

/** RFC 4226 Appendix D: HOTP for counts 0–9 (6 digits). */
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('RFC test vectors through our code path', () => {
  it('the secret is the base32 form of "12345678901234567890"', () => {
    expect(SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it.each(RFC6238)('RFC 6238 Appendix B, SHA-1, time $time: T = $t, TOTP = $totp', ({ time, t, totp }) => {
    const step = totpStep(new Date(time * 1000));
    expect(step.toString(16).toUpperCase().padStart(16, '0')).toBe(t);
    expect(totpCodeAt(SECRET, step, 8)).toBe(totp);
    // The 6-digit code the desk accepts is the same number's last six digits, and it verifies.
    expect(totpCodeAt(SECRET, step)).toBe(totp.slice(-6));
    const clock = new ManualClock(new Date(time * 1000));
    expect(verifyTotp({ secret: SECRET, code: totp.slice(-6), clock })).toEqual({ ok: true, step });
  });

  it.each(RFC4226.map((hotp, count) => ({ count, hotp })))('RFC 4226 Appendix D: HOTP(count $count) = $hotp', ({ count, hotp }) => {
    expect(hotpCode(SECRET, count)).toBe(hotp);
    expect(totpCodeAt(SECRET, count)).toBe(hotp);
    // As a TOTP: the code of step `count` is accepted in that step, once.
    const clock = new ManualClock(new Date((count * 30 + 10) * 1000));
    expect(matchTotp({ secret: SECRET, code: hotp, clock })).toEqual({ ok: true, step: count });
    expect(matchTotp({ secret: SECRET, code: hotp, clock, afterStep: count })).toEqual({ ok: false, replay: true });
  });

  it('drift: one step either way is accepted, two are not', () => {
    const step = 5;
    const clock = new ManualClock(new Date((step * 30 + 15) * 1000));
    for (const [offset, ok] of [
      [-2, false],
      [-1, true],
      [0, true],
      [1, true],
      [2, false],
    ] as const) {
      const code = RFC4226[step + offset]!;
      expect(matchTotp({ secret: SECRET, code, clock }).ok, `offset ${offset}`).toBe(ok);
    }
  });

  it('refuses a bad counter instead of computing something else', () => {
    expect(() => hotpCode(SECRET, -1)).toThrow(RangeError);
    expect(() => hotpCode(SECRET, 1.5)).toThrow(RangeError);
  });
});
