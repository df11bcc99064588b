import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets at rest (TOTP seeds, later the SMTP password) are sealed with AES-256-GCM under a data
 * key. Where that key comes from is the host's business: Electron wraps it with safeStorage, the
 * browser host and CLI keep it in a 0600 key file in the data directory.
 */
export interface KeyProvider {
  /** 32 bytes; created on first use where the provider can create one. */
  getKey(): Buffer;
  /** Is there already a key (so getKey() will not create a new one)? */
  exists(): boolean;
  describe(): string;
  /** Where the key is kept, for the admins' Settings screen (never the key itself). */
  storage(): DataKeyStorage;
}

export interface DataKeyStorage {
  kind: 'keychain' | 'file';
  /** In plain words, without the path: the OS keychain and its backend, or a key file. */
  where: string;
  /** The file on this computer: the key itself, or the key wrapped by the keychain. */
  file: string;
  /** Set when the app wanted the OS keychain and could not have it. */
  warning: string | null;
}

/** A fingerprint of the data key, stored in the database so a wrong or new key is noticed. */
export function keyCheck(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('mfa-desk data key check v1').digest('hex').slice(0, 32);
}

/** Read and validate a key file's content (base64 of 32 bytes). */
export function parseKeyFile(raw: string, where: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} does not hold a 32-byte key`);
  return key;
}

const VERSION = 'v1';

export class Vault {
  /** HKDF-derived MAC keys by purpose, with the data key they came from. */
  private readonly macKeys = new Map<string, { from: Buffer; key: Buffer }>();

  constructor(private readonly keys: KeyProvider) {}

  seal(plain: string, purpose: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keys.getKey(), iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  /**
   * A keyed hash (HMAC-SHA-256, hex) of `data` under a key derived with HKDF from the data key for
   * `purpose`. For values too guessable to hash plainly (a 6-digit code has a million values):
   * without the data key the hash says nothing. Compare results with `macEquals`.
   */
  mac(purpose: string, data: string): string {
    return crypto.createHmac('sha256', this.macKey(purpose)).update(data, 'utf8').digest('hex');
  }

  /** Does `data` hash to `expected` under `purpose`? Compared in constant time. */
  macEquals(purpose: string, data: string, expected: string): boolean {
    const actual = Buffer.from(this.mac(purpose, data), 'hex');
    const wanted = /^[0-9a-f]{64}$/.test(expected) ? Buffer.from(expected, 'hex') : Buffer.alloc(32);
    // Always one comparison of equal lengths; a malformed stored value compares against zeros.
    return crypto.timingSafeEqual(actual, wanted) && /^[0-9a-f]{64}$/.test(expected);
  }

  private macKey(purpose: string): Buffer {
    const key = this.keys.getKey();
    const cached = this.macKeys.get(purpose);
    if (cached && cached.from.equals(key)) return cached.key;
    const derived = Buffer.from(crypto.hkdfSync('sha256', key, Buffer.from('mfa-desk mac v1', 'utf8'), Buffer.from(purpose, 'utf8'), 32));
    this.macKeys.set(purpose, { from: Buffer.from(key), key: derived });
    return derived;
  }

  open(sealed: string, purpose: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('Unreadable sealed value');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== 16) throw new Error('Unreadable sealed value');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.keys.getKey(), Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

export const KEY_FILE_NAME = 'secret.key';

/** The 0600 key file used by the browser host and the CLI. Created on first use. */
export class KeyFileProvider implements KeyProvider {
  private key: Buffer | undefined;
  readonly file: string;

  /** `warning`: why the key file is used although the OS keychain was wanted (the app on Linux without a keyring). */
  constructor(
    dataDir: string,
    private readonly warning: string | null = null,
  ) {
    this.file = path.join(dataDir, KEY_FILE_NAME);
  }

  getKey(): Buffer {
    if (this.key) return this.key;
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const fresh = crypto.randomBytes(32).toString('base64');
      try {
        fs.writeFileSync(this.file, fresh + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process won the race
      }
      raw = fs.readFileSync(this.file);
    }
    if (process.platform !== 'win32') {
      const mode = fs.statSync(this.file).mode & 0o777;
      if (mode & 0o077) fs.chmodSync(this.file, 0o600);
    }
    const key = parseKeyFile(raw.toString('utf8'), this.file);
    this.key = key;
    return key;
  }

  exists(): boolean {
    return this.key !== undefined || fs.existsSync(this.file);
  }

  describe(): string {
    return `key file ${this.file} (mode 0600)`;
  }

  storage(): DataKeyStorage {
    return { kind: 'file', where: "a key file readable by this computer's user only", file: this.file, warning: this.warning };
  }
}
