import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES } from '../../shared/contract';
import { ManualClock } from '../../electron/core/clock';
import { startHost, type RunningHost } from '../../electron/host/server';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { HostClient, signInAsFirstAdmin } from '../support/http';
import { refusalOf, valueOf } from '../support/call-as';
import { snapshot } from '../support/snapshot';
import { openTestCore, tempDir, TARGETS, type TestCore } from '../support/targets';

/** Hostile values for one field: each is the wrong type or out of range for every field we have. */
const WRONG_VALUES: unknown[] = [
  { nested: { deep: true } },
  ['array'],
  -1.5,
  'x'.repeat(100_000),
  "'; DROP TABLE employees; --",
  '\r\nBcc: evil@example.com',
  true,
];

/** Payloads that are malformed for every channel (all inputs are strict objects). */
const GENERIC: unknown[] = [null, 42, 'text', [], [{}], { __proto__: { admin: true }, constructor: 1, unexpected: 'field' }, { unexpected: 'field' }];

function malformedPayloads(name: (typeof CHANNEL_NAMES)[number]): unknown[] {
  const schema = channels[name].input as unknown as z.ZodObject<z.ZodRawShape>;
  const out = [...GENERIC];
  for (const key of Object.keys(schema.shape)) {
    for (const bad of WRONG_VALUES) {
      const candidate = { [key]: bad };
      // Only keep it if the schema really refuses it (a free-text field may accept some strings).
      if (!schema.safeParse(candidate).success) out.push(candidate);
    }
  }
  return out;
}

/**
 * The MFA channels, field by field: a payload the schema accepts, and values for one field that
 * must each be refused (with everything else valid).
 */
const TICKET_BAD: unknown[] = ['', '   ', 'ab', ' a ', 'x'.repeat(65), 'INC 1', 'INC\n1', 'INC;1', "INC'1", '<b>INC</b>', 'INC-1\u0000', 'ÍNC-1', 42, null, ['INC-1']];
const CODE_BAD: unknown[] = ['', '12345', '1234567', 'abcdef', '12 345', '12345a', '１２３４５６', '٠١٢٣٤٥', '+12345', '-12345', '1e5000', 123456, null];
const ID_BAD: unknown[] = [0, -1, 1.5, '1', 2 ** 31, Number.NaN, null, true];
const MFA_CASES: Record<string, { base: Record<string, unknown>; bad: Record<string, unknown[]> }> = {
  'mfa.sendIdentityCode': {
    base: { employeeId: 1, ticketRef: 'INC-1', emailId: 1 },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, emailId: ID_BAD },
  },
  'mfa.checkIdentityCode': {
    base: { employeeId: 1, ticketRef: 'INC-1', code: '123456' },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, code: CODE_BAD },
  },
  'mfa.checkAuthenticatorCode': {
    base: { employeeId: 1, ticketRef: 'CHAT:2026/01.x_y', code: '000000' },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, code: CODE_BAD },
  },
  'mfa.overrideVerification': {
    base: { employeeId: 1, ticketRef: 'INC-1', reason: 'Caller known to the supervisor by voice' },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, reason: ['', 'too short', '          short     ', 'x'.repeat(1001), 'a long reason with a \u0000 in it', 'a long reason with an \u001b escape', 42, null] },
  },
  'mfa.reRegister': {
    base: { employeeId: 1, ticketRef: 'INC-1', factorType: 'authenticator_app', emailId: 1 },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, factorType: ['', 'sms', 'EMAIL', 'both', null], emailId: [0, -1, '1', 1.5, null] },
  },
  'mfa.restartRegistration': {
    base: { employeeId: 1, ticketRef: 'INC-1', factorId: 1 },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, factorId: ID_BAD },
  },
  'mfa.removeFactor': {
    base: { employeeId: 1, ticketRef: 'INC-1', factorId: 1 },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD, factorId: ID_BAD },
  },
  'mfa.unlock': {
    base: { employeeId: 1, ticketRef: 'INC-1' },
    bad: { employeeId: ID_BAD, ticketRef: TICKET_BAD },
  },
};

describe('the MFA channels’ schemas', () => {
  it('cover every mfa.* channel; each base payload is accepted and each bad value refused', () => {
    expect(Object.keys(MFA_CASES).sort()).toEqual(CHANNEL_NAMES.filter((n) => n.startsWith('mfa.')).sort());
    for (const [name, { base, bad }] of Object.entries(MFA_CASES)) {
      const schema = channels[name as (typeof CHANNEL_NAMES)[number]].input;
      expect(schema.safeParse(base).success, name).toBe(true);
      for (const [field, values] of Object.entries(bad)) {
        for (const v of values) expect(schema.safeParse({ ...base, [field]: v }).success, `${name}.${field} = ${JSON.stringify(v)}`).toBe(false);
      }
      expect(schema.safeParse({ ...base, extra: 1 }).success, `${name} with an extra field`).toBe(false);
    }
    // Ticket references and codes are trimmed, not refused for surrounding spaces.
    const parsed = channels['mfa.checkIdentityCode'].input.parse({ employeeId: 1, ticketRef: '  INC-9  ', code: ' 123456 ' });
    expect(parsed).toEqual({ employeeId: 1, ticketRef: 'INC-9', code: '123456' });
  });
});

describe.each(TARGETS)('every channel refuses malformed input on $name', (target) => {
  let core: TestCore;
  let host: RunningHost;
  let client: HostClient;
  const clock = new ManualClock('2026-04-01T08:00:00Z');
  const rendererDir = tempDir('desk-renderer-');

  beforeAll(async () => {
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    core = await openTestCore(target, { clock });
    host = await startHost({ router: core.router, logger: core.logger, rendererDir });
    client = new HostClient(host);
    await client.open();
    // Signed in as an admin, so no call is refused for its role before its input is looked at.
    await signInAsFirstAdmin(client, clock);
    await seedDemoData({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { employees: 50, seed: 9, deskUsers: false });
  });
  afterAll(async () => {
    await host?.close();
    await core?.dispose();
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  it('covers every channel of the contract', () => {
    expect(CHANNEL_NAMES.length).toBeGreaterThanOrEqual(8);
    for (const name of CHANNEL_NAMES) expect(malformedPayloads(name).length).toBeGreaterThanOrEqual(GENERIC.length);
  });

  for (const [name, { base, bad }] of Object.entries(MFA_CASES)) {
    it(`${name}: VALIDATION for each bad field in an otherwise good payload, and the database is unchanged`, async () => {
      const before = await snapshot(core.db);
      const verifications = await core.db('caller_verifications').count({ n: '*' }).first();
      for (const [field, values] of Object.entries(bad)) {
        for (const v of values) {
          const res = await client.invoke(name, { ...base, [field]: v });
          expect(res.body.ok, `${name}.${field} = ${JSON.stringify(v)}`).toBe(false);
          const error = refusalOf(res.body, `${name}.${field}`);
          expect(error.code).toBe('VALIDATION');
          expect((error.details?.issues as Array<{ path: string }> | undefined)?.[0]?.path).toBe(field);
        }
      }
      expect(await snapshot(core.db)).toEqual(before);
      expect(await core.db('caller_verifications').count({ n: '*' }).first()).toEqual(verifications);
    });
  }

  for (const name of CHANNEL_NAMES) {
    it(`${name}: VALIDATION for every malformed payload, and the database is unchanged`, async () => {
      const before = await snapshot(core.db);
      for (const payload of malformedPayloads(name)) {
        const res = await client.invoke(name, payload);
        expect(res.status, `${name} ${JSON.stringify(payload).slice(0, 80)}`).toBe(400);
        expect(res.body.ok).toBe(false);
        const error = refusalOf(res.body, name);
        expect(error.code).toBe('VALIDATION');
        expect(typeof error.message).toBe('string');
        expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
      }
      expect(await snapshot(core.db)).toEqual(before);
      // Still signed in: nothing about the session changed either.
      expect(valueOf((await client.invoke('app.status', {})).body).session?.role).toBe('admin');
    });
  }
});
