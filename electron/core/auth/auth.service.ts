import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { DeskError } from '../../../shared/errors';
import type { SessionInfo, SignInStep } from '../../../shared/domain';
import type { Clock } from '../clock';
import { recordAudit } from '../audit/audit.service';
import { findDeskUser, getDeskUser, type DeskUserRow } from '../deskusers/deskusers.service';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../deskusers/password';
import type { Vault } from '../secrets/vault';
import { getSetting } from '../settings/settings.service';
import { newTotpSeed, totpUri, verifyTotp } from './totp';
import { ChallengeStore, SessionStore, type Session } from './sessions';
import { clearFailures, nameKey, recordFailure, releaseAttempt, reserveAttempt } from '../deskusers/signin-failures';

export { LOCK_MINUTES, MAX_FAILED_SIGNINS } from '../deskusers/signin-failures';
const SEED_PURPOSE = 'desk_user.totp';

const WRONG_CREDENTIALS = 'Wrong username or password';
const WRONG_CODE = 'That code is not right. Enter the current 6-digit code from your authenticator app.';
const TIMED_OUT = 'Sign-in timed out. Enter your username and password again.';

export interface AuthDeps {
  db: Knex;
  clock: Clock;
  vault: Vault;
  sessions: SessionStore;
  challenges: ChallengeStore;
}

/** Who a refused sign-in is recorded against when the name is not a desk user. */
const UNKNOWN_NAME = { userId: null, name: 'not a desk user' } as const;

export function sessionInfo(s: Session): SessionInfo {
  return { userId: s.userId, username: s.username, displayName: s.displayName, role: s.role, idleMinutes: s.idleMinutes };
}

/**
 * A check of a secret failed: counted against the name (the fifth in a row locks it for 15
 * minutes) and audited, in one transaction. The same for a desk user and for a name that is not
 * one, so that the two cannot be told apart (see signin-failures.ts).
 */
async function attemptFailed(deps: AuthDeps, key: string, actor: { userId: number | null; name: string }, stage: 'password' | 'totp' | 'replay'): Promise<void> {
  await deps.db.transaction(async (trx) => {
    const { failures, locked } = await recordFailure(trx, deps.clock, key);
    await recordAudit(trx, deps.clock, { actor, action: 'desk_user.signin', result: 'refused', details: { stage, failures, locked } });
  });
}

export async function signIn(deps: AuthDeps, { username, password }: { username: string; password: string }): Promise<SignInStep> {
  // One path for every name: a desk user's, a disabled one's and one that does not exist take the
  // same statements, the same password check (against a fixed dummy hash when there is no live
  // account) and get the same answers, lock-out included.
  const key = nameKey(deps.vault, username);
  const found = await findDeskUser(deps.db, username);
  const user = found && found.disabled_at == null ? found : null;
  await reserveAttempt(deps.db, deps.clock, key);
  let ok: boolean;
  try {
    ok = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  } catch (err) {
    await releaseAttempt(deps.db, key);
    throw err;
  }
  if (!user || !ok) {
    await attemptFailed(deps, key, found ? { userId: found.id, name: found.username } : UNKNOWN_NAME, 'password');
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  await releaseAttempt(deps.db, key);
  if (user.must_change_password) {
    // A temporary password (an admin made or reset it) works once: the user chooses their own now.
    return { step: 'newPassword', challenge: deps.challenges.create(user.id, null, 'newPassword').id };
  }
  return codeStep(deps, user);
}

/** After the password: the code from the authenticator app, or enrolling one (a new seed, not yet stored). */
async function codeStep(deps: AuthDeps, user: DeskUserRow): Promise<SignInStep> {
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

/**
 * Replace a temporary password with the user's own (the 'newPassword' step of sign-in), then go on
 * to the code. The new password must differ from the temporary one. Audited.
 */
export async function setNewPassword(deps: AuthDeps, { challenge: challengeId, password }: { challenge: string; password: string }): Promise<SignInStep> {
  const challenge = deps.challenges.get(challengeId);
  if (!challenge || challenge.stage !== 'newPassword') throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
  deps.challenges.delete(challengeId); // one try: a refusal below starts the sign-in again
  const user = await getDeskUser(deps.db, challenge.userId);
  if (!user || user.disabled_at != null || !user.must_change_password) throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
  if (await verifyPassword(password, user.password_hash)) {
    throw new DeskError('VALIDATION', 'Choose a new password: not the temporary one. Sign in again with the temporary password.', { field: 'password' });
  }
  const hash = await hashPassword(password);
  const now = deps.clock.now().toISOString();
  const changed = await deps.db.transaction(async (trx) => {
    // Only if nothing changed meanwhile (another reset, the user disabled): the same epoch, still temporary.
    const n = await trx('desk_users')
      .where({ id: user.id, session_epoch: user.session_epoch })
      .whereNull('disabled_at')
      .andWhere('must_change_password', true)
      .update({ password_hash: hash, must_change_password: false, updated_at: now });
    if (n !== 1) return false;
    await recordAudit(trx, deps.clock, { actor: { userId: user.id, name: user.username }, action: 'desk_user.password_changed' });
    return true;
  });
  if (!changed) throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
  return codeStep(deps, user);
}

export async function completeSignIn(deps: AuthDeps, { challenge: challengeId, code }: { challenge: string; code: string }): Promise<Session> {
  // Counted before the first await, so guesses sent at once on one challenge cannot exceed five.
  const challenge = deps.challenges.get(challengeId);
  if (!challenge || challenge.stage !== 'code') throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
  challenge.attempts += 1;
  if (challenge.attempts > ChallengeStore.MAX_ATTEMPTS) {
    deps.challenges.delete(challengeId);
    throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
  }
  const user = await getDeskUser(deps.db, challenge.userId);
  if (!user || user.disabled_at != null || user.must_change_password) {
    deps.challenges.delete(challengeId);
    throw new DeskError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  const epoch = Number(user.session_epoch);
  const key = nameKey(deps.vault, user.username);
  const actor = { userId: user.id, name: user.username };
  try {
    await reserveAttempt(deps.db, deps.clock, key);
  } catch (err) {
    deps.challenges.delete(challengeId);
    throw err;
  }
  // From here the reserved attempt ends as a counted failure, a sign-in (which clears the count) or,
  // on any other way out (an error, the account changed meanwhile), is given back.
  let settled = false;
  let idleMinutes: number;
  try {
    const seed = challenge.enrolSeed ?? (user.totp_seed_enc ? openSeed(deps.vault, user.totp_seed_enc) : null);
    if (!seed) {
      deps.challenges.delete(challengeId);
      throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
    }
    const lastStep = user.totp_last_step == null ? null : Number(user.totp_last_step);
    const check = verifyTotp({ secret: seed, code, clock: deps.clock, afterStep: challenge.enrolSeed ? null : lastStep });
    if (!check.ok) {
      if (challenge.attempts >= ChallengeStore.MAX_ATTEMPTS) deps.challenges.delete(challengeId);
      settled = true;
      await attemptFailed(deps, key, actor, 'totp');
      throw new DeskError('UNAUTHENTICATED', WRONG_CODE);
    }
    idleMinutes = await getSetting(deps.db, 'session.idleMinutes');
    const now = deps.clock.now().toISOString();
    // Accept the code once: the update only happens if no other sign-in used this step (or, at
    // enrolment, stored a seed) in the meantime, on this machine or another sharing the database.
    const accepted = await deps.db.transaction(async (trx) => {
      const update = trx('desk_users')
        .where({ id: user.id, session_epoch: epoch })
        .whereNull('disabled_at')
        .andWhere((b) => void b.whereNull('totp_last_step').orWhere('totp_last_step', '<', check.step));
      if (challenge.enrolSeed) update.whereNull('totp_seed_enc');
      const changed = await update.update({
        totp_last_step: check.step,
        last_signin_at: now,
        updated_at: now,
        ...(challenge.enrolSeed ? { totp_seed_enc: deps.vault.seal(challenge.enrolSeed, SEED_PURPOSE), totp_enrolled_at: now } : {}),
      });
      if (changed !== 1) return false;
      await clearFailures(trx, key); // signed in: the name's failures are forgotten
      if (challenge.enrolSeed) {
        await recordAudit(trx, deps.clock, { actor, action: 'desk_user.totp_enrolled' });
      }
      await recordAudit(trx, deps.clock, { actor, action: 'desk_user.signin' });
      return true;
    });
    deps.challenges.delete(challengeId);
    if (accepted) settled = true;
    else {
      const latest = await getDeskUser(deps.db, user.id);
      if (!latest || latest.disabled_at != null || Number(latest.session_epoch) !== epoch) {
        // An admin changed the account while the user was signing in.
        throw new DeskError('UNAUTHENTICATED', TIMED_OUT);
      }
      settled = true;
      await attemptFailed(deps, key, actor, 'replay');
      throw new DeskError('UNAUTHENTICATED', 'That code has already been used. Wait for the next code from your authenticator app.');
    }
  } finally {
    if (!settled) await releaseAttempt(deps.db, key);
  }
  return deps.sessions.create({
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    idleMinutes,
    epoch,
  });
}

function openSeed(vault: Vault, sealed: string): string {
  try {
    return vault.open(sealed, SEED_PURPOSE);
  } catch {
    throw new DeskError(
      'UNAVAILABLE',
      "This machine's data key cannot open the stored authenticator keys. Use the key file from the machine that set this database up (see `desk keys`).",
    );
  }
}

export async function signOut(deps: AuthDeps, { token }: { token: string | undefined }): Promise<void> {
  const session = deps.sessions.revoke(token);
  if (!session) return;
  await recordAudit(deps.db, deps.clock, {
    actor: { userId: session.userId, name: session.username },
    action: 'desk_user.signout',
  });
}
