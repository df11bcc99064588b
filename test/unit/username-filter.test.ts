import { describe, expect, it } from 'vitest';
import { UsernameFilter } from '../../electron/core/hr/row-checks';

describe('UsernameFilter (a first load: which usernames an earlier line may have had)', () => {
  it('never says "not seen" of a username added before, and seldom says "maybe" of a new one', () => {
    const f = new UsernameFilter();
    const names = Array.from({ length: 200_000 }, (_x, i) => `${String.fromCharCode(97 + (i % 26))}person${i}`);
    let maybe = 0;
    for (const u of names) if (f.addMaybeSeen(u)) maybe++;
    // 200,000 distinct names in 2^25 bits with four probes: about 1 in 3,000,000 is a false "maybe".
    expect(maybe).toBeLessThanOrEqual(2);
    expect(names.every((u) => f.addMaybeSeen(u))).toBe(true);
  });

  it('tells names apart that differ in one character, in order, or only beyond ASCII', () => {
    const f = new UsernameFilter();
    expect(f.addMaybeSeen('jsmith1')).toBe(false);
    expect(f.addMaybeSeen('jsmith2')).toBe(false);
    expect(f.addMaybeSeen('jsmiht1')).toBe(false);
    expect(f.addMaybeSeen('jsmith1')).toBe(true);
    expect(f.addMaybeSeen('zoë')).toBe(false);
    expect(f.addMaybeSeen('zoe')).toBe(false);
    expect(f.addMaybeSeen('zoë')).toBe(true);
  });
});
