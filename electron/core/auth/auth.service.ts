import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { DeskError } from '../../../shared/errors';
import type { SessionInfo, SignInStep } from '../../../shared/domain';
import type { Clock } from '../clock';
import { recordAudit } from '../audit/audit.service';
import { findDeskUser, getDeskUser, type DeskUserRow } from '../deskusers/deskusers.service';
import { dummyPasswordHash, verifyPassword } from '../deskusers/password';
import type { Vault } from '../secrets/vault';
import { getSetting } from '../settings/settings.service';
import { toIso } from '../db/values';
import { newTotpSeed, totpUri, verifyTotp } from './totp';
import { ChallengeStore, SessionStore, type Session } from './sessions';

export const MAX_FAILED_SIGNINS = 5;
export const LOCK_MINUTES = 15;
const SEED_PURPOSE = 'desk_user.totp';

const WRONG_CREDENTIALS = 'Wrong username or password';

export interface AuthDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
  sessions: SessionStore;
  challenges: ChallengeStore;
}

export function sessionInfo(s: Session): SessionInfo {
  return { userId: s.userId, username: s.username, displayName: s.displayName, role: s.role, idleMinutes: s.idleMinutes };
}

function lockedUntil(user: DeskUserRow, now: Date): Date | null {
  const iso = toIso(user.locked_until);
  if (!iso) return null;
  const until = new Date(iso);
  return until > now ? until : null;
}

/**
 * Count a failed sign-in; the fifth in a row locks the desk user for 15 minutes. Audited. The
 * counter is incremented in SQL, so failures arriving at once are all counted.
 */
async function failSignIn(deps: AuthDeps, user: DeskUserRow, stage: 'password' | 'totp'): Promise<void> {
  await deps.db.transaction(async (trx) => {
    const now = deps.clock.now();
    await trx('desk_users').where({ id: user.id }).increment('failed_signins', 1).update({ updated_at: now.toISOString() });
    const row = (await trx('desk_users').where({ id: user.id }).first('failed_signins')) as { failed_signins: number };
    const failures = Number(row.failed_signins);
    const lock = failures >= MAX_FAILED_SIGNINS;
    if (lock) {
      await trx('desk_users')
        .where({ id: user.id })
        .update({ failed_signins: 0, locked_until: new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString() });
    }
    await recordAudit(trx, deps.clock, {
      actor: { userId: user.id, name: user.username },
      action: 'desk_user.signin',
      result: 'refused',
      details: { stage, failures, locked: lock },
    });
  });
}

function lockedError(until: Date): DeskError {
  return new DeskError(
    'UNAUTHENTICATED',
    `Too many failed sign-ins. Try again after ${until.toISOString().slice(11, 16)} UTC or ask an admin.`,
    { lockedUntil: until.toISOString() },
  );
}

export async function signIn(deps: AuthDeps, username: string, password: string): Promise<SignInStep> {
  const user = await findDeskUser(deps.db, username);
  if (!user) {
    await verifyPassword(password, await dummyPasswordHash());
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  const now = deps.clock.now();
  if (user.disabled_at != null) {
    await verifyPassword(password, user.password_hash);
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  const until = lockedUntil(user, now);
  if (until) throw lockedError(until);
  if (!(await verifyPassword(password, user.password_hash))) {
    await failSignIn(deps, user, 'password');
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  if (user.totp_seed_enc) {
    return { step: 'totp', challenge: deps.challenges.create(user.id, null).id };
  }
  const seed = newTotpSeed();
  const issuer = await getSetting(deps.db, 'totp.issuer');
  const uri = totpUri({ issuer, account: user.username, secret: seed });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    step: 'enrol',
    challenge: deps.challenges.create(user.id, seed).id,
    otpauthUri: uri,
    qrSvg,
    issuer,
    account: user.username,
  };
}

export async function completeSignIn(deps: AuthDeps, challengeId: string, code: string): Promise<Session> {
  const challenge = deps.challenges.get(challengeId);
  if (!challenge) throw new DeskError('UNAUTHENTICATED', 'Sign-in timed out. Enter your username and password again.');
  const user = await getDeskUser(deps.db, challenge.userId);
  if (!user || user.disabled_at != null) {
    deps.challenges.delete(challengeId);
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  const until = lockedUntil(user, deps.clock.now());
  if (until) {
    deps.challenges.delete(challengeId);
    throw lockedError(until);
  }
  const seed = challenge.enrolSeed ?? (user.totp_seed_enc ? deps.vault.open(user.totp_seed_enc, SEED_PURPOSE) : null);
  if (!seed) {
    deps.challenges.delete(challengeId);
    throw new DeskError('UNAUTHENTICATED', 'Sign-in timed out. Enter your username and password again.');
  }
  const lastStep = user.totp_last_step == null ? null : Number(user.totp_last_step);
  const check = verifyTotp({ secret: seed, code, clock: deps.clock, afterStep: challenge.enrolSeed ? null : lastStep });
  if (!check.ok) {
    challenge.attempts += 1;
    if (challenge.attempts >= ChallengeStore.MAX_ATTEMPTS) deps.challenges.delete(challengeId);
    await failSignIn(deps, user, 'totp');
    throw new DeskError('UNAUTHENTICATED', 'That code is not right. Enter the current 6-digit code from your authenticator app.');
  }
  deps.challenges.delete(challengeId);
  const idleMinutes = await getSetting(deps.db, 'session.idleMinutes');
  const now = deps.clock.now().toISOString();
  await deps.db.transaction(async (trx) => {
    await trx('desk_users')
      .where({ id: user.id })
      .update({
        totp_last_step: check.step,
        failed_signins: 0,
        locked_until: null,
        last_signin_at: now,
        updated_at: now,
        ...(challenge.enrolSeed
          ? { totp_seed_enc: deps.vault.seal(challenge.enrolSeed, SEED_PURPOSE), totp_enrolled_at: now }
          : {}),
      });
    if (challenge.enrolSeed) {
      await recordAudit(trx, deps.clock, { actor: { userId: user.id, name: user.username }, action: 'desk_user.totp_enrolled' });
    }
    await recordAudit(trx, deps.clock, { actor: { userId: user.id, name: user.username }, action: 'desk_user.signin' });
  });
  return deps.sessions.create({
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    idleMinutes,
  });
}

export async function signOut(deps: AuthDeps, token: string | undefined): Promise<void> {
  const session = deps.sessions.revoke(token);
  if (!session) return;
  await recordAudit(deps.db, deps.clock, {
    actor: { userId: session.userId, name: session.username },
    action: 'desk_user.signout',
  });
}
