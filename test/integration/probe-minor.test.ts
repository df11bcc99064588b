/**
 * The outside probe's minor points (issue 18) that live in the contract: a canned reply may not
 * carry a six-digit run in any script's digits, and a code typed in fullwidth or other digits is
 * refused in plain words (a VALIDATION answer, never a crash), with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock';
import { hasCodeLikeDigitRun } from '../../shared/canned-replies';
import { caller, deskUser, expectWireRefusedUnchanged } from '../support/mfa-fixtures';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

describe('the six-digit check of canned replies', () => {
  it('counts any Unicode decimal digit, with spaces, dashes or invisible characters between them', () => {
    for (const text of [
      'Your code is 123456',
      'Your code is １２３４５６', // fullwidth
      'Your code is ١٢٣٤٥٦', // Arabic-Indic
      'Your code is ۱۲۳۴۵۶', // extended Arabic-Indic (Persian)
      'Your code is १२३४५६', // Devanagari
      'Your code is 12３4٥6', // mixed
      'Your code is １２３ ４５６',
      'Your code is ١٢٣-٤٥٦',
      'Your code is 123\u2013456',
      'Your code is 123\u00a0456',
      'Your code is 123\u200b456', // a zero-width space hides the run from nobody
      'Your code is 1 2 3 4 5 6',
    ]) {
      expect(hasCodeLikeDigitRun(text), text).toBe(true);
    }
    for (const text of ['Valid for 20 minutes (until 10:30)', 'Your code is 12345', '１２３４５', 'Step 1 of 2, then 3 of 4', 'Thanks {{firstName}}.']) {
      expect(hasCodeLikeDigitRun(text), text).toBe(false);
    }
  });
});

describe.each(TARGETS)('codes in other digits, through the contract on $name', (target: Target) => {
  let core: TestCore;
  let admin: ReturnType<typeof caller>;
  let agent: ReturnType<typeof caller>;

  beforeAll(async () => {
    core = await openTestCore(target, { clock: new ManualClock('2026-03-02T10:00:00Z') });
    admin = caller(core, await deskUser(core, 'probe.admin', 'admin'));
    agent = caller(core, await deskUser(core, 'probe.agent', 'agent'));
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('refuses a canned reply with a six-digit run in fullwidth, Arabic-Indic or mixed digits, naming the reply, and changes nothing', async () => {
    const listed = await admin('replies.get', {});
    expect(listed.ok).toBe(true);
    const list = listed.ok ? listed.value : [];
    const mine = { id: 'probe-reply', category: 'code_not_received' as const, title: 'Probe', text: '' };
    for (const text of ['Your code is １２３４５６', 'Your code is ١٢٣٤٥٦', 'Your code is ۱۲۳ ۴۵۶', 'Your code is 12３-4٥6', 'Your code is 123\u200b456']) {
      const error = await expectWireRefusedUnchanged(
        core.db,
        () => admin('replies.update', { replies: [...list, { ...mine, text }] }),
        'VALIDATION',
        /six or more digits/,
      );
      expect(error.details?.issues, text).toEqual([{ path: `replies.${list.length}.text`, message: expect.stringMatching(/six or more digits/) }]);
    }
    // Five digits and a time of day are fine.
    const saved = await admin('replies.update', { replies: [...list, { ...mine, text: 'It is valid until 10:30; ref 12345.' }] });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
  });

  it('refuses a code typed in fullwidth or Arabic-Indic digits with VALIDATION in plain words, not a crash', async () => {
    for (const [channel, code] of [
      ['mfa.checkIdentityCode', '１２３４５６'],
      ['mfa.checkAuthenticatorCode', '١٢٣ ٤٥٦'],
      ['mfa.checkIdentityCode', '12３456'],
    ] as const) {
      const error = await expectWireRefusedUnchanged(core.db, () => agent(channel, { employeeId: 1, ticketRef: 'WC-1001', code }), 'VALIDATION');
      expect(error.message, code).toBe('Type the code with the digits 0 to 9 (not fullwidth or other digits)');
      expect(error.details?.issues).toEqual([{ path: 'code', message: error.message }]);
    }
    const signIn = await admin('auth.completeSignIn', { challenge: 'c'.repeat(32), code: '１２３４５６' });
    expect(signIn.ok ? 'ok' : signIn.error.code).toBe('VALIDATION');
  });
});
