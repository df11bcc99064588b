import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES, type ChannelName } from '../../shared/contract';
import { ERROR_CODES, type WireResult } from '../../shared/errors';
import { ManualClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { putSetting } from '../../electron/core/settings/settings.service';
import type { SessionSlot } from '../../electron/core/ipc/router';
import { snapshot } from '../support/snapshot';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';

/**
 * Property-based: every channel of the contract, called by a signed-in admin (so no call is
 * refused for its role before its input is looked at) with random and hostile payloads, answers
 * with a correct result or a typed error from the closed set, never INTERNAL and never a stack
 * trace; and a refused input (VALIDATION) writes nothing.
 *
 * Four channels need care, as a payload that happens to be valid would otherwise reach outside the
 * test or outlive the call: smtp.testMail runs with no SMTP host set (the test mail goes to the
 * outbox folder, never to whatever host a fuzzed smtp.update left), an export that audit.export.start
 * began is waited for, and auth.signOut ends a session of its own, not the one the other calls use.
 */
const CAREFUL = new Set<ChannelName>(['smtp.testMail', 'audit.export.start', 'auth.signOut']);

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
    await seedDemoData({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { employees: 30, seed: 5, deskUsers: false });
    await adminSession();
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('knows the channels that need care', () => {
    for (const n of CAREFUL) expect(CHANNEL_NAMES).toContain(n);
  });

  /** Before a call: what the careful channels need. */
  async function prepare(name: ChannelName): Promise<SessionSlot> {
    if (name === 'smtp.testMail') await putSetting(core.db, clock, 'smtp.host', '');
    if (name !== 'auth.signOut') return slot;
    const row = await core.db('desk_users').where({ username: 'fuzz.admin' }).first();
    const own = core.sessions.create({ userId: row.id, username: 'fuzz.admin', displayName: 'Fuzz Admin', role: 'admin', idleMinutes: 480, epoch: Number(row.session_epoch) });
    return { get: () => own.token, set: () => {} };
  }

  /** After a call: an export it started has finished before the next call looks at the database. */
  async function settle(name: ChannelName, res: WireResult<unknown>): Promise<void> {
    if (name !== 'audit.export.start' || !res.ok || !res.value) return;
    const jobId = (res.value as { jobId: string }).jobId;
    for (let i = 0; i < 250; i++) {
      const status = await core.router.invoke('audit.export.status', { jobId }, { slot, emit: () => {} });
      if (!status.ok || (status.value as { state: string }).state !== 'running') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`export ${jobId} still running`);
  }

  /** zod's own messages ("Too small: expected number to be >=1", "Invalid input") and key prefixes. */
  const VALIDATOR_WORDS = /Too (small|big)|expected |Invalid (input|option|string|type)|Unrecognized key|[<>]=|^[a-z]+\.[a-zA-Z]+:|Some of the input is not valid/;

  for (const name of CHANNEL_NAMES) {
    it(`${name}: a result or a typed error, never INTERNAL; nothing written when the input is refused`, async () => {
      await fc.assert(
        fc.asyncProperty(payloads(name), async (payload) => {
          const as = await prepare(name);
          const before = await snapshot(core.db);
          const res = (await core.router.invoke(name, payload, { slot: as, emit: () => {} }));
          await settle(name, res);
          const text = JSON.stringify(res);
          expect(text).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
          if (!res.ok) {
            expect(CODES.has(res.error.code), `${name} answered ${res.error.code}: ${res.error.message}`).toBe(true);
            expect(typeof res.error.message).toBe('string');
            if (res.error.code === 'VALIDATION') {
              expect(await snapshot(core.db)).toEqual(before);
              // Plain English for people: never the validator's own words, never an internal key.
              const words = [res.error.message, ...(((res.error.details?.['issues'] as Array<{ message: string }> | undefined) ?? []).map((i) => i.message))];
              for (const w of words) expect(w, `${name}: ${w}`).not.toMatch(VALIDATOR_WORDS);
            }
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
