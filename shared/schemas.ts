/**
 * The shapes of values every layer checks the same way: ids, ticket references, usernames, job and
 * upload ids, days and periods, and the limits the contract, the CLI and the core share.
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS } from './validation';

/** Ids are 32-bit integers on both databases. */
export const MAX_ROW_ID = 2_147_483_647;
export const isRowId = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= MAX_ROW_ID;
export const rowIdSchema = z.number().int().positive().max(MAX_ROW_ID);
export const employeeIdSchema = rowIdSchema;
/** A seed for the deterministic demo data: any 31-bit number. */
export const SEED_MAX = 2 ** 31 - 1;

/** Rows per HR import batch: the most one transaction may hold, whatever is asked. */
export const HR_IMPORT_MAX_BATCH = 10_000;

/** Control characters, save tab and line breaks: what multi-line free text may not hold. */
export const TEXT_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
export const CONTROL_REFUSED = 'Control characters are not allowed';
/** One line of text (a name, a filter): no control characters at all. */
export const noControls = (v: string): boolean => !CONTROL_CHARACTERS.test(v);
/** Free text that may run over several lines (notes, reasons): tabs and line breaks allowed. */
export const noTextControls = (v: string): boolean => !TEXT_CONTROL_CHARACTERS.test(v);

/** A desk username: 3–64 lower-case letters, digits, dots, dashes or underscores, a letter or digit first. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const USERNAME_RULE = 'Use 3–64 letters, digits, dots, dashes or underscores';
export const usernameSchema = z.string().trim().toLowerCase().regex(USERNAME_PATTERN, USERNAME_RULE);

/** A portal integration's name (`desk portal keys add NAME`, the actor `portal:NAME`). */
export const INTEGRATION_NAME_RULE = 'Use 2–40 lower-case letters, digits or dashes, starting with a letter';
export const integrationNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, INTEGRATION_NAME_RULE);
/** What a portal key starts with (the rest is 32 random bytes, base64url). */
export const PORTAL_KEY_PREFIX = 'mdk_';
/** How many characters of a key its hint keeps (the prefix and 8 more). */
export const PORTAL_KEY_HINT_LENGTH = PORTAL_KEY_PREFIX.length + 8;
export const portalKeyHintSchema = z.string().trim().regex(/^mdk_[A-Za-z0-9_-]{8}$/, 'Give the key’s hint as listed, e.g. mdk_Ab12Cd34');

/** The webchat ticket an action is done on, as the agent types it (the platform's chat id). */
export const TICKET_REF_PATTERN = /^[A-Za-z0-9._:/-]{3,64}$/;
export const ticketRefSchema = z
  .string()
  .trim()
  .min(3, 'Enter the ticket reference (at least 3 characters)')
  .max(64, 'A ticket reference has at most 64 characters')
  .regex(/^[A-Za-z0-9._:/-]+$/, 'Use letters, digits and . _ : / - only in the ticket reference');

/** A background job (import, export) and an upload in progress, as the main process names them. */
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
export const uploadIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** A whole UTC day, YYYY-MM-DD, that exists. */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'No such date');

/** A period of whole days, at most a year (the dashboard, the ticket report). */
export const periodSchema = z
  .object({ from: daySchema, to: daySchema })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'The first day comes after the last', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 24 * 60 * 60_000, { message: 'Choose at most a year', path: ['to'] });

/**
 * A 6-digit code as people type or paste it: spaces and dashes between the digits are dropped
 * ("121 725", "121-725"), so a code copied from an app or a mail is taken as it is. Only the
 * digits 0–9 make a code: fullwidth or other scripts' digits ("１２３４５６") are refused, saying so.
 */
export const sixDigitCodeSchema = z
  .string()
  .max(40, 'Enter the 6-digit code')
  .transform((v) => v.replace(/[\s\u00a0\u2010-\u2015-]/g, ''))
  .pipe(
    z
      .string()
      .refine((v) => !/[^\P{Nd}0-9]/u.test(v), { message: 'Type the code with the digits 0 to 9 (not fullwidth or other digits)', abort: true })
      .regex(/^\d{6}$/, 'Enter the 6-digit code'),
  );
