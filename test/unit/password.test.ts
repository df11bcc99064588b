import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../electron/core/deskusers/password';

const PASSWORD = 'a long enough desk password';

/** A stored hash in the same format with cheaper parameters, as an older build might have written. */
function legacyHash(password: string, N: number): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password.normalize('NFKC'), salt, 32, { N, r: 8, p: 1 });
  return ['scrypt', N, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

describe('password hashing', () => {
  it('stores scrypt with OWASP parameters, a 16-byte salt and a 32-byte hash, and verifies', async () => {
    const stored = await hashPassword(PASSWORD);
    const [alg, n, r, p, salt, hash, ...rest] = stored.split('$');
    expect([alg, n, r, p, rest]).toEqual(['scrypt', String(2 ** 17), '8', '1', []]);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(PASSWORD + ' ', stored)).toBe(false);
    expect(await verifyPassword(PASSWORD.toUpperCase(), stored)).toBe(false);

    // Same password, new salt, different hash.
    const again = await hashPassword(PASSWORD);
    expect(again).not.toBe(stored);
    expect(again.split('$')[4]).not.toBe(salt);
  });

  it('normalises Unicode (NFKC) so the same password typed differently still matches', async () => {
    const stored = await hashPassword('ﬁnance café password'); // "ﬁ" ligature, precomposed é
    expect(await verifyPassword('finance cafe\u0301 password', stored)).toBe(true);
    expect(await verifyPassword('finance cafe password', stored)).toBe(false);
  });

  it('verifies with the parameters stored alongside the hash', async () => {
    const stored = legacyHash(PASSWORD, 2 ** 10);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword('something else entirely', stored)).toBe(false);
  });

  it('answers false, not an exception, for stored values it cannot read', async () => {
    const good = legacyHash(PASSWORD, 2 ** 10);
    const parts = good.split('$');
    for (const bad of ['', 'plain text', 'bcrypt$10$abc', parts.slice(0, 5).join('$'), ['argon2', ...parts.slice(1)].join('$'), [...parts.slice(0, 5), ''].join('$')]) {
      expect(await verifyPassword(PASSWORD, bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('has one fixed dummy hash for unknown users, with the parameters of a real one, which no ordinary password matches', async () => {
    const real = await hashPassword(PASSWORD);
    const params = (h: string) => h.split('$').slice(0, 4).join('$');
    expect(params(DUMMY_PASSWORD_HASH)).toBe(params(real));
    expect(DUMMY_PASSWORD_HASH.split('$').map((p) => p.length)).toEqual(real.split('$').map((p) => p.length));
    expect(await verifyPassword(PASSWORD, DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
