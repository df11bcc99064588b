import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES, type ChannelName } from '../../shared/contract';
import { ERROR_CODES, type WireResult } from '../../shared/errors';
import { ManualClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import type { SessionSlot } from '../../electron/core/ipc/router';
import { snapshot } from '../support/snapshot';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';

/**
 * Property-based: every channel of the contract, called by a signed-in admin (so no call is
 * refused for its role before its input is looked at) with random and hostile payloads, answers
 * with a correct result or a typed error from the closed set, never INTERNAL and never a stack
 * trace; and a refused input (VALIDATION) writes nothing.
 *
 * Left out, because a payload that happens to be valid would reach outside the test or keep
 * working after the call returns (each has tests of its own): smtp.testMail (connects to whatever
 * host the settings name), audit.export.start and hr.import.start (background jobs that write
 * their audit rows later), auth.signOut (ends the session every other call uses).
 */
const LEFT_OUT = new Set<ChannelName>(['smtp.testMail', 'audit.export.start', 'hr.import.start', 'auth.signOut']);

const HOSTILE_STRINGS = [
  "'; DROP TABLE employees; --",
  "1' OR '1'='1",
  '\r\nBcc: evil@example.com',
  'INC-1\r\nX-Injected: yes',
  '%_\\',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '__proto__',
  'constructor',
  '\u0000',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'Zoë Ångström-Łukasiewicz',
  '😀👩‍👩‍👧🏳️‍🌈',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'x'.repeat(100_000),
  ' ',
  '',
];

/** Values of every shape: hostile strings, odd numbers, nesting, prototype-pollution keys. */
const { value: hostile } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53, 1e308, Number.NaN, Number.POSITIVE_INFINITY, -0),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'a', 'employeeId'), tie('value'), { maxKeys: 3 }),
  ),
}));

/** A nesting far deeper than any input has. */
function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { nested: v, list: [v] };
  return v;
}

/** Payloads for one channel: its own fields with hostile values (some left out, some extra), or anything at all. */
function payloads(name: ChannelName): fc.Arbitrary<unknown> {
  const shape = ((channels[name].input as unknown as z.ZodObject<z.ZodRawShape>).shape ?? {}) as Record<string, unknown>;
  const fields = Object.fromEntries(Object.keys(shape).map((k) => [k, hostile]));
  const own = fc.record(fields, { requiredKeys: [] });
  const withExtra = fc.tuple(own, fc.constantFrom('__proto__', 'constructor', 'admin', 'role', 'extra'), hostile).map(([o, k, v]) => {
    const out: Record<string, unknown> = { ...(o as Record<string, unknown>) };
    Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
    return out;
  });
  return fc.oneof(own, withExtra, hostile, fc.constant(deep(2_000)));
}

const CODES = new Set<string>(ERROR_CODES.filter((c) => c !== 'INTERNAL'));

describe.each(TARGETS)('every channel under random and hostile input on $name', (target) => {
  let core: TestCore;
  let slot: SessionSlot;
  const clock = new ManualClock('2026-05-04T10:00:00Z');

  /** A session for the admin as their row stands now (a call may have reset or changed them). */
  async function adminSession(): Promise<void> {
    const row = await core.db('desk_users').where({ username: 'fuzz.admin' }).first();
    await core.db('desk_users').where({ id: row.id }).update({ role: 'admin', disabled_at: null });
    const session = core.sessions.create({ userId: row.id, username: 'fuzz.admin', displayName: 'Fuzz Admin', role: 'admin', idleMinutes: 480, epoch: Number(row.session_epoch) });
    slot = { get: () => session.token, set: () => {} };
  }

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    const now = clock.now().toISOString();
    await core.db('desk_users').insert({ username: 'fuzz.admin', display_name: 'Fuzz Admin', role: 'admin', password_hash: 'not-a-hash', created_at: now, updated_at: now });
    await seedDemoData(core.db, clock, { employees: 30, seed: 5, deskUsers: false, actor: { userId: null, name: 'test' }, vault: core.vault });
    await adminSession();
  });
  afterAll(async () => {
    await core?.dispose();
  });

  const fuzzed = CHANNEL_NAMES.filter((n) => !LEFT_OUT.has(n));

  it('leaves out only the channels named, and knows every other', () => {
    expect(fuzzed.length + LEFT_OUT.size).toBe(CHANNEL_NAMES.length);
    for (const n of LEFT_OUT) expect(CHANNEL_NAMES).toContain(n);
  });

  for (const name of fuzzed) {
    it(`${name}: a result or a typed error, never INTERNAL; nothing written when the input is refused`, async () => {
      await fc.assert(
        fc.asyncProperty(payloads(name), async (payload) => {
          const before = await snapshot(core.db);
          const res = (await core.router.invoke(name, payload, { slot, emit: () => {} })) as WireResult<unknown>;
          const text = JSON.stringify(res);
          expect(text).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
          if (!res.ok) {
            expect(CODES.has(res.error.code), `${name} answered ${res.error.code}: ${res.error.message}`).toBe(true);
            expect(typeof res.error.message).toBe('string');
            if (res.error.code === 'VALIDATION') expect(await snapshot(core.db)).toEqual(before);
          }
          // A valid payload may have changed the admin (a reset of their own sign-in): carry on as them.
          const status = await core.router.invoke('app.status', {}, { slot, emit: () => {} });
          if (!status.ok || !(status.value as { session: unknown }).session) await adminSession();
        }),
        { numRuns: 40, seed: 20_260_504, endOnFailure: true },
      );
    });
  }
});
