import crypto from 'node:crypto';

/**
 * A real scrypt hash of `password` with cheaper parameters (verifyPassword uses whatever
 * parameters the stored hash names), so a test sign-in costs ~1 ms instead of ~0.3 s. The
 * production parameters are covered by password.test.ts and by the tests that go through
 * hashPassword (the first admin, temporary passwords).
 */
export function cheapHash(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password.normalize('NFKC'), salt, 32, { N: 2 ** 12, r: 8, p: 1 });
  return ['scrypt', 2 ** 12, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}
