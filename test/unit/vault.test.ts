import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, KeyFileProvider, Vault, type KeyProvider } from '../../electron/core/secrets/vault';
import { tempDir } from '../support/targets';

function fixedKey(key = crypto.randomBytes(32)): KeyProvider {
  return { getKey: () => key, exists: () => true, describe: () => 'test key', storage: () => ({ kind: 'file', where: 'memory', file: '(none: a test key in memory)', warning: null }) };
}

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('desk-vault-');
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Swap one part of a sealed value ("v1.iv.tag.ct"). */
function withPart(sealed: string, index: number, change: (b: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = change(Buffer.from(parts[index]!, 'base64url')).toString('base64url');
  return parts.join('.');
}

describe('Vault', () => {
  const vault = new Vault(fixedKey());
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('seals to v1.iv.tag.ciphertext and opens it again', () => {
    const sealed = vault.seal(SECRET, 'employee.totp');
    const [version, iv, tag, ct] = sealed.split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ct!, 'base64url')).toHaveLength(SECRET.length);
    expect(sealed).not.toContain(SECRET);
    expect(vault.open(sealed, 'employee.totp')).toBe(SECRET);
  });

  it('round-trips empty and non-ASCII text', () => {
    for (const plain of ['', 'pässwörd ✓ 🔐', 'x'.repeat(10_000)]) expect(vault.open(vault.seal(plain, 'p'), 'p')).toBe(plain);
  });

  it('uses a fresh IV every time', () => {
    const a = vault.seal(SECRET, 'p');
    const b = vault.seal(SECRET, 'p');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('binds a sealed value to its purpose', () => {
    const sealed = vault.seal(SECRET, 'desk_user.totp');
    expect(() => vault.open(sealed, 'employee.totp')).toThrow();
    expect(() => vault.open(sealed, '')).toThrow();
  });

  it('refuses a value sealed under another key', () => {
    const sealed = vault.seal(SECRET, 'p');
    expect(() => new Vault(fixedKey()).open(sealed, 'p')).toThrow();
  });

  it('refuses tampered ciphertext, IV or tag', () => {
    const sealed = vault.seal(SECRET, 'p');
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 1;
      return c;
    };
    expect(() => vault.open(withPart(sealed, 3, flip), 'p')).toThrow();
    expect(() => vault.open(withPart(sealed, 1, flip), 'p')).toThrow();
    expect(() => vault.open(withPart(sealed, 2, flip), 'p')).toThrow();
  });

  it('refuses a truncated authentication tag', () => {
    const sealed = vault.seal(SECRET, 'p');
    for (const bytes of [4, 8, 12]) {
      expect(() => vault.open(withPart(sealed, 2, (b) => b.subarray(0, bytes)), 'p'), `${bytes}-byte tag`).toThrow();
    }
  });

  it('refuses malformed values with a plain error', () => {
    for (const bad of ['', 'v1', 'v1.a.b', 'v2.a.b.c', SECRET, 'v1..']) expect(() => vault.open(bad, 'p')).toThrow();
    expect(() => vault.open('v2.a.b.c', 'p')).toThrow('Unreadable sealed value');
  });
});

describe('KeyFileProvider', () => {
  it('creates a 0600 key file with 32 random bytes on first use, and reuses it', () => {
    const d = path.join(dir(), 'nested', 'data');
    const first = new KeyFileProvider(d);
    const key = first.getKey();
    expect(key).toHaveLength(32);
    const file = path.join(d, KEY_FILE_NAME);
    expect(first.file).toBe(file);
    expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.describe()).toContain(file);

    // Another process (another provider) on the same data directory opens what the first sealed.
    const sealed = new Vault(first).seal('seed', 'p');
    const second = new KeyFileProvider(d);
    expect(second.getKey().equals(key)).toBe(true);
    expect(new Vault(second).open(sealed, 'p')).toBe('seed');
    // A different data directory has a different key.
    expect(new KeyFileProvider(dir()).getKey().equals(key)).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('tightens a key file readable by others back to 0600', () => {
    const d = dir();
    const file = path.join(d, KEY_FILE_NAME);
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    new KeyFileProvider(d).getKey();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that does not hold 32 bytes', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, KEY_FILE_NAME), crypto.randomBytes(16).toString('base64'), { mode: 0o600 });
    expect(() => new KeyFileProvider(d).getKey()).toThrow(/32-byte key/);
  });
});
