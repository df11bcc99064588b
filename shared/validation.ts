/**
 * Validation messages in plain English. The contract's schemas carry their own words where a field
 * needs them ("Enter the 6-digit code"); everything else — a length, a range, a choice — gets its
 * words here instead of the validator's ("Too small: expected number to be >=1"). The router parses
 * every input with this as the error map, so a VALIDATION error never shows the validator's text.
 */
import type { z } from 'zod';

const n = (v: number | bigint) => Number(v).toLocaleString('en-GB');

/** A zod error map: the words for an issue the schema gave none for. */
export function plainIssueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'This is needed';
      switch (issue.expected) {
        case 'string':
          return 'Enter text here';
        case 'number':
        case 'int':
          return 'Enter a number';
        case 'boolean':
          return 'Choose yes or no';
        default:
          return 'The desk cannot take this kind of value here';
      }
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'This cannot be empty' : `Use at least ${n(min)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? 'Choose at least one' : `Choose at least ${n(min)}`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Enter a number above ${n(min)}` : `Enter a number from ${n(min)}`;
      return 'This is too small';
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `Use at most ${n(max)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `At most ${n(max)} here`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Enter a number below ${n(max)}` : `Enter a number no bigger than ${n(max)}`;
      return 'This is too big';
    }
    case 'not_multiple_of':
      return 'Enter a whole number';
    case 'invalid_format':
      return issue.format === 'email' ? 'Enter an email address such as name@nhs.net' : 'This is not in the right form';
    case 'invalid_value':
      return 'Choose one of the options offered';
    case 'unrecognized_keys':
      return 'The desk was sent something it does not expect here';
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
    default:
      return 'This is not valid';
  }
}

/** One problem with an input, where it is (a dotted path, '' for the whole input) and what to do. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The issues of a failed parse, at most 20, with plain messages. */
export function validationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** The one-line message of a VALIDATION error: its first problem, and how many more there are. */
export function validationSummary(issues: readonly ValidationIssue[]): string {
  const first = issues[0]?.message ?? 'Check what you entered';
  const more = issues.length - 1;
  return more > 0 ? `${first} (and ${more} more ${more === 1 ? 'problem' : 'problems'})` : first;
}

/**
 * Control characters: C0 (NUL, tab, CR, LF…), DEL, C1, and the Unicode line and paragraph
 * separators. A value that ends up in a mail header or an SMTP command must carry none of them.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The words for a field that refuses control characters, naming the field. */
export function noControlCharactersMessage(field: string): string {
  return `${field} cannot contain control characters such as line breaks`;
}
