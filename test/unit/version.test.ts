import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCT_NAME, VERSION } from '../../electron/core/version';

describe('product identity', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    expect(PRODUCT_NAME).toBe(pkg.productName);
    expect(pkg.name).toBe('mfa-desk');
    expect(pkg.bin.desk).toBe('bin/desk.js');
    expect(pkg.allowScripts.sqlite3).toBe(true);
  });
});
