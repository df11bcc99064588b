/** Desk users, their sessions and sign-in, and the app's own state. Plain data only. */

export const DESK_ROLES = ['agent', 'manager', 'supervisor', 'admin'] as const;
export type DeskRole = (typeof DESK_ROLES)[number];

export interface SessionInfo {
  userId: number;
  username: string;
  displayName: string;
  role: DeskRole;
  /** Minutes of inactivity after which the session locks. */
  idleMinutes: number;
}

export interface AppStatus {
  productName: string;
  version: string;
  database: 'sqlite' | 'postgres';
  needsFirstAdmin: boolean;
  /** Whether any employee exists (false on an empty database: an admin is offered demo data). */
  hasEmployees: boolean;
  session: SessionInfo | null;
  /** The main process's time when it answered: relative times on screen count from its clock. */
  serverTime: string;
}

export type SignInStep =
  | { step: 'totp'; challenge: string }
  | { step: 'enrol'; challenge: string; otpauthUri: string; qrSvg: string; issuer: string; account: string }
  /** An admin reset the password (or made the user with a temporary one): choose a new one first. */
  | { step: 'newPassword'; challenge: string };

/** Where this desk keeps the data key that seals secrets (admins' Settings): never the key. */
export interface DataKeyView {
  kind: 'keychain' | 'file';
  /** In plain words, without the path: a key file readable by this user only, or the OS keychain and its backend. */
  where: string;
  /** The file on this computer: the key itself, or the key wrapped by the keychain. */
  file: string;
  /** Why the OS keychain is not used although the app wanted it (Linux without a keyring). */
  warning: string | null;
}

/** A desk user as admins see them: never a password, hash or authenticator key. */
export interface DeskUserView {
  id: number;
  username: string;
  displayName: string;
  role: DeskRole;
  disabled: boolean;
  /** An authenticator app is enrolled (false: the user enrols one at their next sign-in). */
  totpEnrolled: boolean;
  /** Set while the user is locked out after too many failed sign-ins (ISO time it ends). */
  lockedUntil: string | null;
  /** Wrong passwords or codes in a row since the last good sign-in. */
  failedSignins: number;
  /** The password is a temporary one that must be replaced at the next sign-in. */
  mustChangePassword: boolean;
  lastSigninAt: string | null;
  createdAt: string;
}

/** A temporary password, shown once to the admin who made or reset it; replaced at first use. */
export interface DeskUserWithTemporaryPassword {
  user: DeskUserView;
  temporaryPassword: string;
}
