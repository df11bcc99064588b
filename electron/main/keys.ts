import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_FILE_NAME, KeyFileProvider, type KeyProvider } from '../core/secrets/vault';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export const WRAPPED_KEY_FILE = 'secret.key.safe';

/**
 * In the app the data key is wrapped by the OS keychain through safeStorage. Where there is none
 * (Linux without a keyring falls back to a plain-text "basic_text" store), or where the CLI or
 * browser host already created a key file, the 0600 key file is used instead.
 */
export function appKeyProvider(dataDir: string, safeStorage: SafeStorageLike): KeyProvider {
  const wrapped = path.join(dataDir, WRAPPED_KEY_FILE);
  const plainFile = path.join(dataDir, KEY_FILE_NAME);
  const backend = safeStorage.getSelectedStorageBackend?.() ?? 'os';
  const usable = safeStorage.isEncryptionAvailable() && backend !== 'basic_text';
  if (!usable) {
    return new KeyFileProvider(
      dataDir,
      `This computer has no OS keychain MFA Desk can use (${backend === 'basic_text' ? 'Linux without a keyring: safeStorage would keep it as plain text' : 'safeStorage is not available'}), so the data key is in the key file instead. Keep the data directory private and back the key up with the database.`,
    );
  }
  if (fs.existsSync(plainFile) && !fs.existsSync(wrapped)) return new KeyFileProvider(dataDir);
  let key: Buffer | undefined;
  return {
    getKey() {
      if (key) return key;
      if (fs.existsSync(wrapped)) {
        key = Buffer.from(safeStorage.decryptString(fs.readFileSync(wrapped)), 'base64');
      } else {
        const fresh = crypto.randomBytes(32);
        fs.mkdirSync(dataDir, { recursive: true });
        fs.writeFileSync(wrapped, safeStorage.encryptString(fresh.toString('base64')), { mode: 0o600 });
        key = fresh;
      }
      if (key.length !== 32) throw new Error(`${wrapped} does not hold a 32-byte key`);
      return key;
    },
    exists: () => key !== undefined || fs.existsSync(wrapped),
    describe: () => `data key wrapped by the OS keychain (${backend}) in ${wrapped}`,
    storage: () => ({ kind: 'keychain', where: `the OS keychain (${backend}), which wraps it in a file`, file: wrapped, warning: null }),
  };
}
