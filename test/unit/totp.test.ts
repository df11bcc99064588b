import { describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { ManualClock } from '../../electron/core/clock';
import { newTotpSeed, TOTP_PERIOD, totpUri, verifyTotp } from '../../electron/core/auth/totp';

/** RFC 4226 / RFC 6238 test secret: the ASCII bytes "12345678901234567890", base32-encoded. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** RFC 6238 Appendix B, SHA-1 column (8 digits); a 6-digit code is the same number's last 6 digits. */
const RFC6238_SHA1: Array<[number, string]> = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

/** RFC 4226 Appendix D: HOTP values for counters 0–9; a TOTP at step n is HOTP(n). */
const RFC4226_HOTP = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

const at = (epochSeconds: number) => new ManualClock(new Date(epochSeconds * 1000));

describe('TOTP', () => {
  it('uses 30-second steps', () => {
    expect(TOTP_PERIOD).toBe(30);
  });

  it.each(RFC6238_SHA1)('accepts the RFC 6238 SHA-1 vector at T=%i (last six digits of %s)', (t, eight) => {
    const code = eight.slice(-6);
    expect(generateSync({ secret: RFC_SECRET, epoch: t })).toBe(code);
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t) })).toEqual({ ok: true, step: Math.floor(t / 30) });
  });

  it.each(RFC4226_HOTP.map((code, counter) => ({ code, counter, n: String(counter) })))('matches RFC 4226 HOTP($n) = $code at that step', ({ code, counter }) => {
    const mid = counter * 30 + 15;
    expect(generateSync({ secret: RFC_SECRET, epoch: counter * 30 })).toBe(code);
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(mid) })).toEqual({ ok: true, step: counter });
    // Three steps later it is no longer good.
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(mid + 90) })).toEqual({ ok: false });
  });

  it('allows one step of drift either way and reports the step that matched', () => {
    const t = 1_767_603_615; // 2026-01-05T09:00:15Z, mid-step
    const step = Math.floor(t / 30);
    const codeAt = (offset: number) => generateSync({ secret: RFC_SECRET, epoch: t + offset * 30 });
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(-1), clock: at(t) })).toEqual({ ok: true, step: step - 1 });
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(0), clock: at(t) })).toEqual({ ok: true, step });
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(1), clock: at(t) })).toEqual({ ok: true, step: step + 1 });
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(-2), clock: at(t) })).toEqual({ ok: false });
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(2), clock: at(t) })).toEqual({ ok: false });
    // Right at a step boundary the previous step is still "one step of drift".
    const boundary = (step + 1) * 30;
    expect(verifyTotp({ secret: RFC_SECRET, code: codeAt(0), clock: at(boundary) })).toEqual({ ok: true, step });
  });

  it('refuses a step at or before afterStep, so a code is accepted once', () => {
    const t = 1_767_603_615;
    const step = Math.floor(t / 30);
    const code = generateSync({ secret: RFC_SECRET, epoch: t });
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: step - 1 })).toEqual({ ok: true, step });
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: step })).toEqual({ ok: false });
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: step + 1 })).toEqual({ ok: false });
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: null })).toEqual({ ok: true, step });
    const next = generateSync({ secret: RFC_SECRET, epoch: t + 30 });
    expect(verifyTotp({ secret: RFC_SECRET, code: next, clock: at(t), afterStep: step })).toEqual({ ok: true, step: step + 1 });
  });

  it('refuses (does not throw) when afterStep is ahead of the whole window, as after the clock went back', () => {
    const t = 1_767_603_615;
    const step = Math.floor(t / 30);
    const code = generateSync({ secret: RFC_SECRET, epoch: t });
    expect(() => verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: step + 4 })).not.toThrow();
    expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t), afterStep: step + 4 })).toEqual({ ok: false });
  });

  it('refuses a code for another secret', () => {
    const t = 1_767_603_615;
    const other = newTotpSeed();
    const code = generateSync({ secret: other, epoch: t });
    const near = new Set([-1, 0, 1].map((o) => generateSync({ secret: RFC_SECRET, epoch: t + o * 30 })));
    if (!near.has(code)) expect(verifyTotp({ secret: RFC_SECRET, code, clock: at(t) })).toEqual({ ok: false });
    expect(verifyTotp({ secret: other, code, clock: at(t) }).ok).toBe(true);
  });

  it('makes fresh 160-bit base32 seeds', () => {
    const seeds = Array.from({ length: 50 }, () => newTotpSeed());
    for (const s of seeds) expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(seeds).size).toBe(50);
  });

  it('builds an otpauth URI an authenticator app understands', () => {
    const uri = new URL(totpUri({ issuer: 'MFA Desk', account: 'alice.smith', secret: RFC_SECRET }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/MFA Desk:alice.smith');
    expect(uri.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(uri.searchParams.get('issuer')).toBe('MFA Desk');
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
  });
});
