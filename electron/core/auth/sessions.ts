import crypto from 'node:crypto';
import type { Clock } from '../clock';
import type { Session } from '../handler';

export type { Session } from '../handler';

export type SessionLookup =
  | { state: 'none' }
  | { state: 'expired'; session: Session }
  /** Ended by an admin's change to the desk user (disabled, role changed, sign-in reset). */
  | { state: 'revoked'; session: Session }
  | { state: 'active'; session: Session };

/**
 * Signed-in desk users, in the memory of the process that serves them (the Electron main process
 * or the browser host). A session locks after its idle minutes; locked means gone: the user signs
 * in again with password and code.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: Clock) {}

  /** A new session; `epoch` is the desk user's session_epoch as read at sign-in (0 for a new user). */
  create(user: Omit<Session, 'token' | 'lastSeen' | 'checkedAt' | 'epoch'> & { epoch?: number }): Session {
    const now = this.clock.now().getTime();
    const session: Session = { ...user, epoch: user.epoch ?? 0, token: crypto.randomBytes(32).toString('base64url'), lastSeen: now, checkedAt: now };
    this.sessions.set(session.token, session);
    return session;
  }

  /** Look a token up; an active session's idle timer restarts. */
  touch(token: string | undefined): SessionLookup {
    if (!token) return { state: 'none' };
    const session = this.sessions.get(token);
    if (!session) return { state: 'none' };
    if (session.revoked) {
      this.sessions.delete(token);
      return { state: 'revoked', session };
    }
    const now = this.clock.now().getTime();
    if (now - session.lastSeen > session.idleMinutes * 60_000) {
      this.sessions.delete(token);
      return { state: 'expired', session };
    }
    session.lastSeen = now;
    return { state: 'active', session };
  }

  revoke(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    this.sessions.delete(token);
    return s;
  }

  /**
   * End every session of a desk user in this process (an admin disabled them, changed their role…):
   * each one's next call is refused and told why.
   */
  revokeUser(userId: number): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.userId === userId && !s.revoked) {
        s.revoked = true;
        n++;
      }
    }
    return n;
  }
}

export interface Challenge {
  id: string;
  userId: number;
  /** What the challenge waits for: a new password (the current one is temporary), or a code. */
  stage: 'newPassword' | 'code';
  /** Set during first-time enrolment: the seed shown as a QR code, not yet stored. */
  enrolSeed: string | null;
  attempts: number;
  expiresAt: number;
}

/** Half-finished sign-ins: password checked, TOTP code outstanding. Five minutes, five tries. */
export class ChallengeStore {
  private readonly challenges = new Map<string, Challenge>();
  static readonly TTL_MS = 5 * 60_000;
  static readonly MAX_ATTEMPTS = 5;

  constructor(private readonly clock: Clock) {}

  create(userId: number, enrolSeed: string | null, stage: Challenge['stage'] = 'code'): Challenge {
    for (const [id, c] of this.challenges) if (c.userId === userId) this.challenges.delete(id);
    const c: Challenge = {
      id: crypto.randomBytes(24).toString('base64url'),
      userId,
      stage,
      enrolSeed,
      attempts: 0,
      expiresAt: this.clock.now().getTime() + ChallengeStore.TTL_MS,
    };
    this.challenges.set(c.id, c);
    return c;
  }

  get(id: string): Challenge | undefined {
    const c = this.challenges.get(id);
    if (!c) return undefined;
    if (this.clock.now().getTime() > c.expiresAt) {
      this.challenges.delete(id);
      return undefined;
    }
    return c;
  }

  delete(id: string): void {
    this.challenges.delete(id);
  }
}
