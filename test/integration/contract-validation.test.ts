import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES } from '../../shared/contract';
import { ManualClock } from '../../electron/core/clock';
import { startHost, type RunningHost } from '../../electron/host/server';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { HostClient, signInAsFirstAdmin } from '../support/http';
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
    await seedDemoData(core.db, clock, { employees: 50, seed: 9, deskUsers: false, actor: { userId: null, name: 'test' }, vault: core.vault });
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

  for (const name of CHANNEL_NAMES) {
    it(`${name}: VALIDATION for every malformed payload, and the database is unchanged`, async () => {
      const before = await snapshot(core.db);
      for (const payload of malformedPayloads(name)) {
        const res = await client.invoke(name, payload);
        expect(res.status, `${name} ${JSON.stringify(payload).slice(0, 80)}`).toBe(400);
        expect(res.body.ok).toBe(false);
        expect(res.body.error.code).toBe('VALIDATION');
        expect(typeof res.body.error.message).toBe('string');
        expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
      }
      expect(await snapshot(core.db)).toEqual(before);
      // Still signed in: nothing about the session changed either.
      expect((await client.invoke('app.status', {})).body.value.session?.role).toBe('admin');
    });
  }
});
