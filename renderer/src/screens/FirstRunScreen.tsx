import { useState, type FormEvent } from 'react';
import { displayNameSchema, passwordSchema, usernameSchema } from '../../../shared/contract';
import { DeskError } from '../../../shared/errors';
import { invoke } from '../client';
import { ErrorAlert, Field, errorMessage, fieldErrors, useDocumentTitle } from '../components/legacy-ui';

type FieldName = 'username' | 'displayName' | 'password' | 'confirm';
type Errors = Partial<Record<FieldName, string>>;

const FIELD_ORDER: FieldName[] = ['username', 'displayName', 'password', 'confirm'];

/** First run: no desk user exists yet, so the first admin is created here. */
export function FirstRunScreen({ onCreated }: { onCreated: (username: string) => void }) {
  useDocumentTitle('Create the first admin');
  const [values, setValues] = useState({ username: '', displayName: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: FieldName) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [name]: value }));
  };

  function validate(): Errors {
    const out: Errors = {};
    const u = usernameSchema.safeParse(values.username);
    if (!u.success) out.username = values.username.trim() ? (u.error.issues[0]?.message ?? 'Enter a valid username') : 'Enter a username';
    const d = displayNameSchema.safeParse(values.displayName);
    if (!d.success) out.displayName = d.error.issues[0]?.message ?? 'Enter a name';
    const p = passwordSchema.safeParse(values.password);
    if (!p.success) out.password = values.password ? (p.error.issues[0]?.message ?? 'Enter a valid password') : 'Enter a password';
    if (!values.confirm) out.confirm = 'Enter the password again';
    else if (values.confirm !== values.password) out.confirm = 'The passwords do not match';
    return out;
  }

  function focusFirst(errs: Errors) {
    const first = FIELD_ORDER.find((f) => errs[f]);
    if (first) document.getElementById(`first-admin-${first}`)?.focus();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      setAlert('Check the form: ' + FIELD_ORDER.filter((f) => errs[f]).map((f) => errs[f]).join('. ') + '.');
      focusFirst(errs);
      return;
    }
    setBusy(true);
    setAlert(null);
    try {
      const { username } = await invoke('auth.createFirstAdmin', {
        username: values.username,
        displayName: values.displayName,
        password: values.password,
      });
      onCreated(username);
    } catch (err) {
      setBusy(false);
      if (err instanceof DeskError) {
        const server = fieldErrors(err.details) as Errors;
        if (err.details?.['field'] === 'username') server.username = err.message;
        setErrors(server);
        focusFirst(server);
      }
      setAlert(errorMessage(err));
    }
  }

  return (
    <>
      <h1>Create the first admin</h1>
      <p>
        There are no desk users yet. Create the first admin account. You will set up an authenticator app when
        you first sign in.
      </p>
      <ErrorAlert message={alert} />
      <form className="form" onSubmit={submit} noValidate>
        <Field
          id="first-admin-username"
          label="Username"
          hint="3 to 64 letters, digits, dots, dashes or underscores."
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          value={values.username}
          onChange={set('username')}
          error={errors.username}
        />
        <Field
          id="first-admin-displayName"
          label="Display name"
          name="displayName"
          autoComplete="name"
          required
          value={values.displayName}
          onChange={set('displayName')}
          error={errors.displayName}
        />
        <Field
          id="first-admin-password"
          label="Password"
          hint="At least 12 characters."
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set('password')}
          error={errors.password}
        />
        <Field
          id="first-admin-confirm"
          label="Confirm password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={values.confirm}
          onChange={set('confirm')}
          error={errors.confirm}
        />
        <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
          {busy ? 'Creating…' : 'Create admin'}
        </button>
      </form>
    </>
  );
}
