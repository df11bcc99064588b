import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string | Buffer,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// OWASP's scrypt floor is N=2^17, r=8, p=1; 128 * N * r bytes = 128 MiB of memory per hash.
const PARAMS = { N: 2 ** 17, r: 8, p: 1, keylen: 32 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, PARAMS.keylen, {
    N: PARAMS.N,
    r: PARAMS.r,
    p: PARAMS.p,
    maxmem: 256 * 1024 * 1024,
  });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/**
 * What a password is checked against when the name has no live account, so that the check costs
 * what a real one does (the same scrypt parameters) from the first attempt on. Fixed: the hash of
 * a random password that was thrown away when this line was written; nothing verifies against it.
 */
export const DUMMY_PASSWORD_HASH = 'scrypt$131072$8$1$lxtoqNLhHh8agWjfiyo_OQ$A7C_R0Ex0nlRUcm0XFamOtMxOm0uCDNthwfDDOKyVFo';

/** A one-time password for a new or reset desk user: 120 random bits, 20 characters. */
export function temporaryPassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}
