import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, channels, type Access } from '../../shared/contract';
import { can } from '../../shared/policy';
import { DeskError, ERROR_CODES } from '../../shared/errors';
import { CHANNEL_NAME_RE } from '../../shared/events';
import { ManualClock } from '../../electron/core/clock';
import { SessionStore } from '../../electron/core/auth/sessions';
import { createRouter, type Handlers, type SessionSlot } from '../../electron/core/ipc/router';
import type { Logger } from '../../electron/core/log/logger';

function recordingLogger() {
  const lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  const logger: Logger = {
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
    close: async () => {},
  };
  return { logger, lines };
}

function slot(token?: string): SessionSlot {
  let t = token;
  return { get: () => t, set: (v) => (t = v) };
}

const noEmit = () => {};

/** Handlers that record that they ran; the router must decide before any of them does. */
function handlers(ran: string[], behaviour: (name: string) => unknown = () => null): Handlers {
  return Object.fromEntries(
    CHANNEL_NAMES.map((n) => [
      n,
      () => {
        ran.push(n);
        return Promise.resolve(behaviour(n));
      },
    ]),
  ) as unknown as Handlers;
}

describe('router', () => {
  const clock = new ManualClock();

  it('refuses signed-out callers with UNAUTHENTICATED and the wrong role with FORBIDDEN, before the handler runs', async () => {
    const sessions = new SessionStore(clock);
    const ran: string[] = [];
    const { logger } = recordingLogger();
    const router = createRouter({ handlers: handlers(ran), sessions, logger });
    const agent = sessions.create({ userId: 1, username: 'a', displayName: 'A', role: 'agent', idleMinutes: 15 });

    const signedOut = await router.invoke('employees.search', { query: 'x' }, { slot: slot(), emit: noEmit });
    expect(signedOut).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const forbidden = await router.invoke('demo.load', {}, { slot: slot(agent.token), emit: noEmit });
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ran).toEqual([]);

    const allowed = await router.invoke('employees.search', { query: 'x' }, { slot: slot(agent.token), emit: noEmit });
    expect(allowed.ok).toBe(true);
    expect(ran).toEqual(['employees.search']);
  });

  it('enforces each channel’s declared roles for every role', async () => {
    const sessions = new SessionStore(clock);
    const ran: string[] = [];
    const router = createRouter({ handlers: handlers(ran), sessions, logger: recordingLogger().logger });
    for (const role of ['agent', 'manager', 'supervisor', 'admin'] as const) {
      const s = sessions.create({ userId: 1, username: role, displayName: role, role, idleMinutes: 15 });
      for (const name of CHANNEL_NAMES) {
        const access = channels[name].access as Access;
        const res = await router.invoke(name, { __probe: 1 }, { slot: slot(s.token), emit: noEmit });
        const allowed = access === 'public' || access === 'signedIn' || can(role, access);
        // Allowed callers reach validation (the probe field is refused); others are refused first.
        expect(res, `${role} → ${name}`).toMatchObject({ ok: false, error: { code: allowed ? 'VALIDATION' : 'FORBIDDEN' } });
      }
    }
    expect(ran).toEqual([]);
  });

  it('every channel has a name the Electron preload lets through (area.action, area.thing.action)', () => {
    for (const name of CHANNEL_NAMES) expect(CHANNEL_NAME_RE.test(name), name).toBe(true);
    for (const bad of ['', 'audit', '.verify', 'audit.', 'audit..verify', 'Audit.verify', 'audit.verify;', 'a.b c', '__proto__']) expect(CHANNEL_NAME_RE.test(bad), bad).toBe(false);
  });

  it('refuses unknown channels, including prototype names', async () => {
    const router = createRouter({ handlers: handlers([]), sessions: new SessionStore(clock), logger: recordingLogger().logger });
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      expect(await router.invoke(name, {}, { slot: slot(), emit: noEmit })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('passes DeskErrors through and turns anything else into INTERNAL, logged with its detail but not returned', async () => {
    const { logger, lines } = recordingLogger();
    const router = createRouter({
      handlers: handlers([], (n) => {
        if (n === 'auth.signIn') throw new DeskError('RULE_VIOLATION', 'Not allowed because of a rule', { rule: 'x' });
        throw new Error("SQLITE_CORRUPT: insert into `desk_users` values ('JBSWY3DPEHPK3PXPSECRET', 'o''brien')");
      }),
      sessions: new SessionStore(clock),
      logger,
    });
    const rule = await router.invoke('auth.signIn', { username: 'someone', password: 'p' }, { slot: slot(), emit: noEmit });
    expect(rule).toEqual({ ok: false, error: { code: 'RULE_VIOLATION', message: 'Not allowed because of a rule', details: { rule: 'x' } } });
    const internal = await router.invoke('app.status', {}, { slot: slot(), emit: noEmit });
    expect(internal.ok).toBe(false);
    if (!internal.ok) {
      expect(internal.error.code).toBe('INTERNAL');
      expect(JSON.stringify(internal)).not.toContain('SQLITE_CORRUPT');
    }
    const logged = lines.find((l) => l.level === 'error');
    expect(JSON.stringify(logged?.meta)).toContain('SQLITE_CORRUPT: insert into `desk_users`');
    expect(JSON.stringify(logged?.meta)).not.toContain('JBSWY3DPEHPK3PXPSECRET');
    expect(JSON.stringify(logged?.meta)).not.toContain('brien');
    expect(ERROR_CODES).toContain('INTERNAL');
  });

  it('locks an idle session, clears the slot and reports why', async () => {
    const sessions = new SessionStore(clock);
    const expired: string[] = [];
    const router = createRouter({
      handlers: handlers([]),
      sessions,
      logger: recordingLogger().logger,
      onSessionExpired: (s) => {
        expired.push(s.username);
        return Promise.resolve();
      },
    });
    const s = sessions.create({ userId: 3, username: 'sam', displayName: 'Sam', role: 'agent', idleMinutes: 15 });
    const theSlot = slot(s.token);
    clock.advance(14 * 60_000);
    expect((await router.invoke('employees.get', { employeeId: 1 }, { slot: theSlot, emit: noEmit })).ok).toBe(true);
    clock.advance(15 * 60_000 + 1);
    const res = await router.invoke('employees.get', { employeeId: 1 }, { slot: theSlot, emit: noEmit });
    expect(res).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', details: { reason: 'idle' } } });
    expect(theSlot.get()).toBeUndefined();
    expect(expired).toEqual(['sam']);
  });
});
