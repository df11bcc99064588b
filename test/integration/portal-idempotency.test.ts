/**
 * What the portal keeps for Idempotency-Key, on both databases: a claim left pending by an
 * instance that died mid-request is taken over after two minutes (once only); answers are kept 24
 * hours and then pruned, so a key can be used again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { CLI_ACTOR } from '../../electron/core/audit/audit.service';
import { addPortalKey } from '../../electron/core/portal/keys.service';
import { claimRequest, KEEP_MS, PENDING_STALE_MS, requestHash, settleRequest } from '../../electron/core/portal/idempotency';
import { openTestCore, TARGETS, type TestCore } from '../support/targets';
import { recordingLogger } from '../support/mfa-fixtures';

describe.each(TARGETS)('Idempotency-Key records on $name', (target) => {
  const clock = new ManualClock('2026-04-01T09:00:00.000Z');
  let core: TestCore;
  let portalKeyId: number;

  beforeAll(async () => {
    core = await openTestCore(target, { clock, logger: recordingLogger() });
    await addPortalKey(core, CLI_ACTOR, { integration: 'esr-portal' });
    portalKeyId = Number((await core.db('portal_keys').first('id')).id);
  });
  afterAll(async () => {
    await core?.dispose();
  });

  const hash = requestHash('POST', '/v1/employees/a.b/mfa/email', { emailId: 1 });
  const claim = (idempotencyKey: string, requestHashValue = hash) => claimRequest(core, { portalKeyId, idempotencyKey, requestHash: requestHashValue });

  it('a claim left pending is refused while it may still be answered, then taken over by one retry', async () => {
    const first = await claim('crashed-1');
    expect(first.kind).toBe('first');
    await expect(claim('crashed-1')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/still being answered/) });
    clock.advance(PENDING_STALE_MS - 1000);
    await expect(claim('crashed-1')).rejects.toMatchObject({ code: 'CONFLICT' });
    clock.advance(1000);
    const taken = await claim('crashed-1');
    expect(taken).toMatchObject({ kind: 'first', id: first.kind === 'first' ? first.id : -1, claimedAt: clock.now().toISOString() });
    // The dead request's late answer or release does not touch the claim taken over.
    if (first.kind === 'first') await settleRequest(core.db, first, 200, '{"late":true}');
    expect((await core.db('portal_requests').where({ idempotency_key: 'crashed-1' }).first()).status).toBe('pending');
    // The takeover is a fresh claim: a second retry right after it waits again.
    await expect(claim('crashed-1')).rejects.toMatchObject({ code: 'CONFLICT' });
    // Another request under the same key is still refused, stale or not.
    clock.advance(PENDING_STALE_MS);
    await expect(claim('crashed-1', requestHash('POST', '/v1/other', {}))).rejects.toMatchObject({ message: expect.stringMatching(/another request/) });
  });

  it('answers are kept 24 hours, then pruned; the key can then be used again', async () => {
    const first = await claim('kept-1');
    if (first.kind !== 'first') throw new Error('expected a first claim');
    await settleRequest(core.db, first, 200, '{"ok":true}');
    clock.advance(KEEP_MS - 60_000);
    expect(await claim('kept-1')).toEqual({ kind: 'replay', status: 200, body: '{"ok":true}' });
    clock.advance(60_000);
    const again = await claim('kept-1');
    expect(again.kind).toBe('first');
    // Everything older than a day is gone (the crashed claim of the test above too).
    const old = await core.db('portal_requests').where('created_at', '<', new Date(clock.now().getTime() - KEEP_MS).toISOString()).count({ n: '*' }).first();
    expect(Number(old!.n)).toBe(0);
    expect(await core.db('portal_requests').where({ idempotency_key: 'crashed-1' })).toHaveLength(0);
  });
});
