/**
 * The numbers behind the MFA rules, in one place. The employee guides give the 20-minute code
 * lifetime (a setting, `otp.lifetimeMinutes`); the rest are the desk's own limits.
 */

/** Digits in an emailed one-time code. */
export const CODE_DIGITS = 6;
/** Wrong tries one code allows; the fifth locks it (the employee requests a new one). */
export const CODE_MAX_ATTEMPTS = 5;
/** Wrong codes in a row, across codes, before all of the employee's codes are locked until an agent unlocks. */
export const EMPLOYEE_MAX_CODE_FAILURES = 10;
/** Codes one employee may be sent in any rolling hour (all purposes together). */
export const MAX_CODES_PER_HOUR = 10;
export const CODE_RATE_WINDOW_MS = 60 * 60_000;
/** Wrong authenticator codes in a row before the factor locks (like an emailed code). */
export const FACTOR_MAX_ATTEMPTS = 5;
/** How long a caller verification allows sensitive actions on its ticket. */
export const VERIFICATION_VALID_MINUTES = 60;
/** Caller verifications shown on the employee page. */
export const VERIFICATIONS_SHOWN = 20;

/** Vault purpose of a one-time code's keyed hash. (Seeds use FACTOR_SEED_PURPOSE from the demo seed.) */
export const CODE_MAC_PURPOSE = 'one_time_code';

/** How many of an employee's latest sign-in checks their page lists. */
export const SIGNIN_CHECKS_SHOWN = 20;
