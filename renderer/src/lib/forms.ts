/**
 * A VALIDATION error names the fields it is about (its issue paths, e.g. "reference" or
 * "emails.1.address"). These helpers put each message under the field it concerns: the field is
 * marked invalid (aria-invalid) and described by the message, and the first one takes the focus.
 * Whatever names no field on the form is said in a toast, so nothing is lost.
 */
import { useRef, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import type { UseFormReturnType } from '@mantine/form';
import { DeskError } from '../../../shared/errors';
import type { ValidationIssue } from '../../../shared/validation';
import { errorText, notify } from './feedback';

/** The issues of a VALIDATION error, or [] for any other error. */
export function validationIssuesOf(err: unknown): ValidationIssue[] {
  if (!(err instanceof DeskError) || err.code !== 'VALIDATION') return [];
  const issues = err.details?.['issues'];
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is ValidationIssue => typeof i === 'object' && i !== null && typeof (i as ValidationIssue).path === 'string' && typeof (i as ValidationIssue).message === 'string',
  );
}

/** Which form field an issue path belongs to: the same name by default, or as mapped (null: none). */
export type PathMap = Record<string, string> | ((path: string) => string | null);

function fieldOf(path: string, map: PathMap | undefined): string | null {
  if (!map) return path;
  if (typeof map === 'function') return map(path);
  return map[path] ?? null;
}

/** Field errors for a form from an error: { field: message } (the first message per field wins). */
export function fieldErrorsOf(err: unknown, fields: readonly string[], map?: PathMap): { fields: Record<string, string>; rest: string[] } {
  const out: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of validationIssuesOf(err)) {
    const field = fieldOf(issue.path, map);
    if (field !== null && (fields.includes(field) || fields.some((f) => field.startsWith(f + '.')))) {
      if (!(field in out)) out[field] = issue.message;
    } else rest.push(issue.message);
  }
  return { fields: out, rest };
}

/** Focus the first invalid control inside `root` (after React has rendered the errors). */
export function focusFirstInvalid(root: ParentNode = document): void {
  requestAnimationFrame(() => {
    const el = root.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  });
}

/** What applyFieldErrors did with an error. */
export interface AppliedFieldErrors {
  /** Whether any message went under a field (and the first invalid field takes the focus). */
  placed: boolean;
  /**
   * What names no field, in words: the issues left over once some went under their fields, or the
   * whole error when none did; null when nothing is left to say.
   */
  rest: string | null;
}

/**
 * Put a failed submit's VALIDATION issues under the fields of a Mantine form they name (all the
 * form's fields by default, or those given; paths mapped with `map`): each field is marked invalid
 * with its message and the first one takes the focus. The caller says the rest where it belongs
 * (a toast, the alert above a form).
 */
export function applyFieldErrors<V extends Record<string, unknown>>(
  form: UseFormReturnType<V>,
  err: unknown,
  fields: readonly string[] = Object.keys(form.getValues()),
  map?: PathMap,
): AppliedFieldErrors {
  const found = fieldErrorsOf(err, fields, map);
  if (Object.keys(found.fields).length === 0) return { placed: false, rest: errorText(err) };
  // A refusal comes back after an await: the messages are put on the page now, so the focus
  // below finds the first invalid field whatever the browser does first.
  flushSync(() => form.setErrors(found.fields));
  focusFirstInvalid();
  return { placed: true, rest: found.rest.length > 0 ? found.rest.join(' ') : null };
}

/**
 * Report a failed submit on a Mantine form: the issues that name its fields go under them, the
 * first invalid field takes the focus, the rest (and any other kind of error) go in a toast.
 */
export function reportFormError<V extends Record<string, unknown>>(form: UseFormReturnType<V>, err: unknown, map?: PathMap, title?: string): void {
  const { placed, rest } = applyFieldErrors(form, err, undefined, map);
  if (!placed) notify.error(err, title);
  else if (rest !== null) notify.error(new DeskError('VALIDATION', rest), title);
}

/**
 * A Mantine form's submit that runs one at a time (a second press while the first is on its way
 * does nothing): `send` with the values, `failed` with whatever it throws, `invalid` when the
 * form's own rules say no.
 */
export function useSubmitOnce<V extends Record<string, unknown>>(
  form: UseFormReturnType<V>,
  send: (values: V) => Promise<void>,
  failed: (err: unknown) => void,
  invalid: (errors: Record<string, unknown>) => void,
) {
  const busy = useRef(false);
  // The handler is made when the form is sent, so the busy flag is read then and never in render.
  return (event?: FormEvent<HTMLFormElement>) =>
    form.onSubmit(async (values) => {
      if (busy.current) return;
      busy.current = true;
      try {
        await send(values);
      } catch (err) {
        failed(err);
      } finally {
        busy.current = false;
      }
    }, invalid)(event);
}
