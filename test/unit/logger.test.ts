import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../electron/core/log/logger';
import { tempDir } from '../support/targets';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A line of the log as written: its fixed fields and whatever the call gave. */
type LogLine = Record<string, unknown> & { level: string; message: string; timestamp: string; error?: { name: string; message: string } };

async function logged(write: (log: ReturnType<typeof createLogger>) => void): Promise<{ raw: string; lines: LogLine[] }> {
  const dir = tempDir('desk-log-');
  dirs.push(dir);
  const log = createLogger(dir);
  write(log);
  await log.close();
  const raw = fs.readFileSync(path.join(dir, 'logs', 'desk.log'), 'utf8');
  return { raw, lines: raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) };
}

const URI = 'otpauth://totp/MFA%20Desk:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=MFA%20Desk';

describe('logger', () => {
  it('writes one JSON object per line to logs/desk.log with level, message and timestamp', async () => {
    const { lines } = await logged((log) => {
      log.info('core opened', { database: 'sqlite', employees: 3 });
      log.warn('slow query', { ms: 812 });
      log.error('internal error', { channel: 'employees.search' });
    });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'core opened'],
      ['warn', 'slow query'],
      ['error', 'internal error'],
    ]);
    expect(lines[0]).toMatchObject({ database: 'sqlite', employees: 3 });
    expect(lines[1]).toMatchObject({ ms: 812 });
    for (const l of lines) expect(new Date(l.timestamp).toString()).not.toBe('Invalid Date');
  });

  it('redacts secret-looking keys at any depth, and otpauth URIs anywhere in text', async () => {
    const { raw, lines } = await logged((log) =>
      log.info(`enrolment shown: ${URI}`, {
        username: 'alice',
        password: 'hunter2-hunter2',
        code: '123456',
        seed: 'JBSWY3DPEHPK3PXP',
        token: 'tok-abcdef',
        nested: { secret: 's3cr3t', challenge: 'chal-xyz', list: [{ otp: '654321' }, `see ${URI}`], kept: 'visible' },
        note: `uri was ${URI}`,
      }),
    );
    const [l] = lines;
    expect(l).toMatchObject({
      username: 'alice',
      password: '[redacted]',
      code: '[redacted]',
      seed: '[redacted]',
      token: '[redacted]',
      nested: { secret: '[redacted]', challenge: '[redacted]', list: [{ otp: '[redacted]' }, 'see otpauth://[redacted]'], kept: 'visible' },
      note: 'uri was otpauth://[redacted]',
    });
    expect(l!.message).toBe('enrolment shown: otpauth://[redacted]');
    for (const secret of ['hunter2', '123456', 'JBSWY3DP', 'tok-abcdef', 's3cr3t', 'chal-xyz', '654321']) expect(raw).not.toContain(secret);
  });

  it('keeps an error’s name and message, without letting an otpauth URI in it through', async () => {
    const err = new Error(`could not render ${URI}`);
    const { raw, lines } = await logged((log) => log.error('failed', { error: err }));
    expect(lines[0]!.error).toMatchObject({ name: 'Error' });
    expect(lines[0]!.error?.message).toContain('could not render');
    expect(raw).not.toContain('JBSWY3DP');
  });

  it('redact() leaves plain values alone and stops at depth', () => {
    expect(redact(42)).toBe(42);
    expect(redact(null)).toBe(null);
    expect(redact('plain')).toBe('plain');
    expect(redact({ a: { b: 1 } })).toEqual({ a: { b: 1 } });
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).toContain('[deep]');
  });
});
