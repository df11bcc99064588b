/** Small accessible building blocks shared by the screens. */
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';

/** Keep the window title in step with the screen, so people (and screen readers) know where they are. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} – MFA Desk` : 'MFA Desk';
  }, [title]);
}

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: ReactNode;
  error?: string | null | undefined;
  id?: string;
  ref?: Ref<HTMLInputElement>;
}

/** A text field with a visible <label for>, an optional hint and an error tied to it by aria-describedby. */
export function Field({ label, hint, error, id, className, ref, ...input }: FieldProps) {
  const autoId = useId();
  const inputId = id ?? `field${autoId}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={'field' + (error ? ' field--error' : '') + (className ? ` ${className}` : '')}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <input ref={ref} id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
    </div>
  );
}

/**
 * The one live error region of a screen. It is always in the page (so assistive technology
 * announces new text reliably) and shows nothing when there is no error.
 */
export function ErrorAlert({ message }: { message: string | null }) {
  return (
    <div role="alert" className={message ? 'alert alert--error' : 'alert alert--empty'}>
      {message}
    </div>
  );
}

/** A visible dash for "nothing here", read out as "None". */
export function None({ label = 'None' }: { label?: string }) {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">{label}</span>
    </>
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong. Try again.';
}

/** Field errors from a VALIDATION error's details ({ issues: [{ path, message }] }). */
export function fieldErrors(details: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const issues = details?.['issues'];
  if (!Array.isArray(issues)) return out;
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (typeof path === 'string' && typeof message === 'string' && !(path in out)) out[path] = message;
  }
  return out;
}

/**
 * A screen reached from the header (Settings, HR import, Audit, Desk users): Back to search, and
 * the heading, which takes the focus when the screen opens so a screen reader starts there.
 */
export function HeaderScreen({ title, className, onBack, children }: { title: string; className: string; onBack: () => void; children: ReactNode }) {
  useDocumentTitle(title);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <article className={className}>
      <p>
        <button type="button" className="button button--back" onClick={onBack}>
          <span aria-hidden="true">← </span>Back to search
        </button>
      </p>
      <h1 ref={headingRef} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </article>
  );
}
