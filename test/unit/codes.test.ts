import { describe, expect, it } from 'vitest';
import type { OneTimeCodeView } from '../../shared/domain';
import { codeStatus, formatCountdown } from '../../shared/codes';
import { oneTimeCodeSchema } from '../../shared/channels/mfa';
import { totpCodeSchema } from '../../shared/channels/auth';

const ISSUED = Date.parse('2026-01-05T10:00:00.000Z');
const EXPIRES = ISSUED + 20 * 60_000; // 10:20
const t = (ms: number) => new Date(ms);
const iso = (ms: number) => new Date(ms).toISOString();

function code(o: Partial<OneTimeCodeView> = {}): OneTimeCodeView {
  return {
    id: 1,
    purpose: 'registration',
    recipient: 'jane@example.org',
    issuedAt: iso(ISSUED),
    expiresAt: iso(EXPIRES),
    consumedAt: null,
    supersededAt: null,
    lockedAt: null,
    attempts: 0,
    maxAttempts: 5,
    ...o,
  };
}

const LOCKED_LABEL = 'Locked after too many wrong tries: start again for a new code';
const EXPIRED_LABEL = 'Expired at 10:20: the employee must start again for a new code';

describe('formatCountdown', () => {
  it.each([
    [0, '0:00'],
    [-5, '0:00'],
    [0.001, '0:01'],
    [0.5, '0:01'],
    [1, '0:01'],
    [59, '0:59'],
    [59.01, '1:00'],
    [60, '1:00'],
    [61, '1:01'],
    [125, '2:05'],
    [599.2, '10:00'],
    [1199.5, '20:00'],
    [1200, '20:00'],
    [3599.5, '60:00'],
    [3661, '61:01'],
  ])('%s seconds → %s (whole seconds rounded up)', (s, want) => {
    expect(formatCountdown(s)).toBe(want);
  });
});

describe('codeStatus', () => {
  it('is active at issue with the full 20 minutes and every attempt left', () => {
    expect(codeStatus(code(), t(ISSUED))).toEqual({ state: 'active', secondsLeft: 1200, attemptsLeft: 5, label: 'Expires in 20:00' });
  });

  it('counts down, rounding part seconds up', () => {
    expect(codeStatus(code(), t(ISSUED + 1))).toEqual({ state: 'active', secondsLeft: 1200, attemptsLeft: 5, label: 'Expires in 20:00' });
    expect(codeStatus(code(), t(ISSUED + 1000))).toMatchObject({ secondsLeft: 1199, label: 'Expires in 19:59' });
    expect(codeStatus(code(), t(EXPIRES - 61_000))).toMatchObject({ secondsLeft: 61, label: 'Expires in 1:01' });
    expect(codeStatus(code(), t(EXPIRES - 1500))).toMatchObject({ state: 'active', secondsLeft: 2, label: 'Expires in 0:02' });
    expect(codeStatus(code(), t(EXPIRES - 1000))).toEqual({ state: 'active', secondsLeft: 1, attemptsLeft: 5, label: 'Expires in 0:01' });
    expect(codeStatus(code(), t(EXPIRES - 1))).toEqual({ state: 'active', secondsLeft: 1, attemptsLeft: 5, label: 'Expires in 0:01' });
  });

  it('is expired exactly at expiry and after', () => {
    const want = { state: 'expired', secondsLeft: 0, attemptsLeft: 5, label: EXPIRED_LABEL };
    expect(codeStatus(code(), t(EXPIRES))).toEqual(want);
    expect(codeStatus(code(), t(EXPIRES + 1))).toEqual(want);
    expect(codeStatus(code(), t(EXPIRES + 3 * 3_600_000))).toEqual(want);
    expect(codeStatus(code({ attempts: 2 }), t(EXPIRES))).toMatchObject({ state: 'expired', attemptsLeft: 3 });
  });

  it('is used once consumed, whatever the time', () => {
    const used = code({ consumedAt: iso(ISSUED + 5 * 60_000 + 30_000), attempts: 1 });
    const want = { state: 'used', secondsLeft: 0, attemptsLeft: 4, label: 'Used at 10:05' };
    expect(codeStatus(used, t(ISSUED + 6 * 60_000))).toEqual(want);
    expect(codeStatus(used, t(EXPIRES + 60_000))).toEqual(want);
  });

  it('is locked by lockedAt, or when the attempts reach the maximum', () => {
    const want = { state: 'locked', secondsLeft: 0, attemptsLeft: 0, label: LOCKED_LABEL };
    expect(codeStatus(code({ lockedAt: iso(ISSUED + 60_000), attempts: 2 }), t(ISSUED + 120_000))).toEqual(want);
    expect(codeStatus(code({ attempts: 5 }), t(ISSUED + 120_000))).toEqual(want);
    expect(codeStatus(code({ attempts: 7 }), t(ISSUED + 120_000))).toEqual(want);
    expect(codeStatus(code({ attempts: 3, maxAttempts: 3 }), t(ISSUED))).toEqual(want);
  });

  it('counts the attempts left until the last one', () => {
    for (let attempts = 0; attempts < 5; attempts++) {
      expect(codeStatus(code({ attempts }), t(ISSUED + 60_000)), String(attempts)).toMatchObject({ state: 'active', attemptsLeft: 5 - attempts });
    }
  });

  it('is superseded when a newer code replaced it', () => {
    const old = code({ supersededAt: iso(ISSUED + 7 * 60_000), attempts: 1 });
    const want = { state: 'superseded', secondsLeft: 0, attemptsLeft: 4, label: 'Replaced by a newer code at 10:07' };
    expect(codeStatus(old, t(ISSUED + 8 * 60_000))).toEqual(want);
    expect(codeStatus(old, t(EXPIRES + 60_000))).toEqual(want);
  });

  it('shows UK clock times with two-digit hours, midnight as 00, BST in summer', () => {
    const midnight = Date.parse('2026-01-05T23:50:00.000Z');
    const c = code({ issuedAt: iso(midnight), expiresAt: iso(midnight + 20 * 60_000) });
    expect(codeStatus(c, t(midnight + 30 * 60_000)).label).toBe('Expired at 00:10: the employee must start again for a new code');
    expect(codeStatus(code({ consumedAt: '2026-01-05T09:03:59.999Z' }), t(ISSUED)).label).toBe('Used at 09:03');
    // In British Summer Time the UK clock is an hour ahead of UTC.
    expect(codeStatus(code({ consumedAt: '2026-07-05T09:03:00.000Z' }), t(ISSUED)).label).toBe('Used at 10:03');
  });

  describe('precedence: used, then locked, then superseded, then expired', () => {
    const late = t(EXPIRES + 60_000); // expired too
    const all = { consumedAt: iso(ISSUED + 60_000), lockedAt: iso(ISSUED + 120_000), supersededAt: iso(ISSUED + 180_000), attempts: 5 };
    it.each([
      ['used + locked (both ways) + superseded + expired', code(all), 'used'],
      ['used + attempts at the maximum', code({ consumedAt: all.consumedAt, attempts: 5 }), 'used'],
      ['locked + superseded + expired', code({ lockedAt: all.lockedAt, supersededAt: all.supersededAt }), 'locked'],
      ['attempts at the maximum + superseded + expired', code({ supersededAt: all.supersededAt, attempts: 5 }), 'locked'],
      ['superseded + expired', code({ supersededAt: all.supersededAt }), 'superseded'],
      ['expired only', code(), 'expired'],
    ])('%s → %s', (_what, c, state) => {
      expect(codeStatus(c, late).state).toBe(state);
      expect(codeStatus(c, late).secondsLeft).toBe(0);
    });
  });
});

describe('a 6-digit code as people paste it', () => {
  it('drops spaces and dashes between the digits (an app shows "121 725", a mail may say "121-725")', () => {
    for (const typed of ['121725', '121 725', ' 121 725 ', '121-725', '121\u2013725', '1 2 1 7 2 5', '121\u00a0725']) {
      expect(oneTimeCodeSchema.parse(typed), typed).toBe('121725');
      expect(totpCodeSchema.parse(typed), typed).toBe('121725');
    }
  });

  it('still wants exactly six digits, in plain words', () => {
    for (const typed of ['12 345', '1234567', '12a456', '', '121/725']) {
      const r = oneTimeCodeSchema.safeParse(typed);
      expect(r.success, typed).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.message).toBe('Enter the 6-digit code');
    }
  });

  it('takes only the digits 0–9, and says so for fullwidth or other scripts\' digits', () => {
    for (const typed of ['１２３４５６', '١٢٣٤٥٦', '۱۲۳ ۴۵۶', '12３-456']) {
      for (const schema of [oneTimeCodeSchema, totpCodeSchema]) {
        const r = schema.safeParse(typed);
        expect(r.success, typed).toBe(false);
        if (!r.success) expect(r.error.issues.map((i) => i.message)).toEqual(['Type the code with the digits 0 to 9 (not fullwidth or other digits)']);
      }
    }
  });
});
