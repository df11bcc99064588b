import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { DESK_ROLES, type DeskRole, type DeskUserView, type DeskUserWithTemporaryPassword } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Invoke } from '../client';
import { ErrorAlert, Field, HeaderScreen, None, errorMessage, fieldErrors } from '../components/legacy-ui';
import { formatDateTime, ROLE_LABELS } from '../format';

interface Props {
  call: Invoke;
  /** The signed-in admin (their own row says so). */
  selfId: number;
  onBack: () => void;
}

/** What needs a second click: each of these ends the desk user's sessions. */
type Confirm =
  | { kind: 'disable'; user: DeskUserView }
  | { kind: 'resetPassword'; user: DeskUserView }
  | { kind: 'resetTotp'; user: DeskUserView }
  | { kind: 'role'; user: DeskUserView; role: DeskRole };

function confirmText(c: Confirm): { question: string; button: string } {
  const who = c.user.username;
  switch (c.kind) {
    case 'disable':
      return { question: `Disable ${who}? They cannot sign in until enabled again, and their sessions end now.`, button: `Disable ${who}` };
    case 'resetPassword':
      return {
        question: `Give ${who} a temporary password? Their current password stops working and their sessions end; they choose a new password at their next sign-in.`,
        button: `Reset password of ${who}`,
      };
    case 'resetTotp':
      return {
        question: `Forget ${who}'s authenticator app (for a lost or new phone)? Their sessions end; they set up the app again at their next sign-in.`,
        button: `Reset authenticator of ${who}`,
      };
    case 'role':
      return { question: `Make ${who} ${ROLE_LABELS[c.role].toLowerCase()}? Their sessions end; they sign in again with the new role.`, button: `Change role of ${who}` };
  }
}

/**
 * Admins: the desk users, with their state, and what can be done to them (create, disable or enable,
 * change role, reset the password or the authenticator app, lift a lock-out). Every change is made
 * and audited in the main process, which also refuses to disable or demote the last active admin.
 * A temporary password is shown once, here; nothing else secret ever reaches this screen.
 */
export function DeskUsersScreen({ call, selfId, onBack }: Props) {
  const [users, setUsers] = useState<DeskUserView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [temporary, setTemporary] = useState<DeskUserWithTemporaryPassword | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [roles, setRoles] = useState<Record<number, DeskRole>>({});
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setUsers(await call('desk.users.list', {}));
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Run one change; the list is read again afterwards, whatever happened. */
  async function act(what: () => Promise<string>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await what());
      setConfirm(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      await load();
    }
  }

  function runConfirmed(c: Confirm) {
    const id = c.user.id;
    return act(async () => {
      if (c.kind === 'disable') {
        await call('desk.users.setEnabled', { userId: id, enabled: false });
        return `${c.user.username} is disabled.`;
      }
      if (c.kind === 'role') {
        const u = await call('desk.users.setRole', { userId: id, role: c.role });
        return `${u.username} is now ${ROLE_LABELS[u.role].toLowerCase()}.`;
      }
      if (c.kind === 'resetTotp') {
        await call('desk.users.resetTotp', { userId: id });
        return `${c.user.username} sets up an authenticator app again at their next sign-in.`;
      }
      setTemporary(await call('desk.users.resetPassword', { userId: id }));
      return `${c.user.username} has a temporary password.`;
    });
  }

  const asked = confirm ? confirmText(confirm) : null;

  return (
    <HeaderScreen title="Desk users" className="desk-users" onBack={onBack}>
      <ErrorAlert message={error} />
      <div role="status" className="notice" hidden={!done}>
        {done}
      </div>
      {temporary ? <TemporaryPassword shown={temporary} onDone={() => setTemporary(null)} /> : null}
      {confirm && asked ? (
        <section className="confirm" aria-label="Confirm the change">
          <p>{asked.question}</p>
          <div className="form__actions">
            <button type="button" className="button button--primary" aria-disabled={busy || undefined} onClick={() => void runConfirmed(confirm)}>
              {asked.button}
            </button>
            <button type="button" className="button" onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
      {users === null ? (
        error ? null : <p role="status">Loading…</p>
      ) : (
        <div className="table-wrap">
          <table className="desk-users__table">
            <caption className="visually-hidden">Desk users</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => {
                const chosen = roles[u.id] ?? u.role;
                return (
                  <tr key={u.id}>
                    <th scope="row">
                      {u.username}
                      {u.id === selfId ? <span className="field__hint"> (you)</span> : null}
                    </th>
                    <td>{u.displayName}</td>
                    <td>
                      <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                        Role of {u.username}
                      </label>
                      <select id={`role-${u.id}`} value={chosen} onChange={(e) => setRoles({ ...roles, [u.id]: e.currentTarget.value as DeskRole })}>
                        {DESK_ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>{' '}
                      {chosen !== u.role ? (
                        <button type="button" className="button" onClick={() => setConfirm({ kind: 'role', user: u, role: chosen })}>
                          Change role
                        </button>
                      ) : null}
                    </td>
                    <td>{stateOf(u)}</td>
                    <td>{u.lastSigninAt ? formatDateTime(u.lastSigninAt) : <None label="Never" />}</td>
                    <td className="desk-users__actions">
                      {u.disabled ? (
                        <button
                          type="button"
                          className="button"
                          onClick={() =>
                            void act(async () => {
                              await call('desk.users.setEnabled', { userId: u.id, enabled: true });
                              return `${u.username} can sign in again.`;
                            })
                          }
                        >
                          Enable<span className="visually-hidden"> {u.username}</span>
                        </button>
                      ) : (
                        <button type="button" className="button" onClick={() => setConfirm({ kind: 'disable', user: u })}>
                          Disable<span className="visually-hidden"> {u.username}</span>
                        </button>
                      )}
                      <button type="button" className="button" onClick={() => setConfirm({ kind: 'resetPassword', user: u })}>
                        Reset password<span className="visually-hidden"> of {u.username}</span>
                      </button>
                      {u.totpEnrolled ? (
                        <button type="button" className="button" onClick={() => setConfirm({ kind: 'resetTotp', user: u })}>
                          Reset authenticator<span className="visually-hidden"> of {u.username}</span>
                        </button>
                      ) : null}
                      {u.lockedUntil || u.failedSignins > 0 ? (
                        <button
                          type="button"
                          className="button"
                          onClick={() =>
                            void act(async () => {
                              await call('desk.users.unlock', { userId: u.id });
                              return `${u.username} is unlocked.`;
                            })
                          }
                        >
                          Unlock<span className="visually-hidden"> {u.username}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <CreateDeskUser
        call={call}
        onCreated={async (created) => {
          setTemporary(created);
          setDone(`Created ${created.user.username}.`);
          await load();
        }}
      />
    </HeaderScreen>
  );
}

function stateOf(u: DeskUserView): string {
  const parts = [
    u.disabled ? 'Disabled' : 'Active',
    u.lockedUntil ? `locked out until ${formatDateTime(u.lockedUntil)}` : u.failedSignins > 0 ? `${u.failedSignins} failed sign-in${u.failedSignins === 1 ? '' : 's'}` : null,
    u.mustChangePassword ? 'temporary password' : null,
    u.totpEnrolled ? null : 'authenticator not set up yet',
  ];
  return parts.filter(Boolean).join('; ');
}

/** The temporary password, once: the admin passes it on; the user replaces it at sign-in. */
function TemporaryPassword({ shown, onDone }: { shown: DeskUserWithTemporaryPassword; onDone: () => void }) {
  return (
    <section className="temporary-password" aria-label="Temporary password">
      <p>
        Temporary password for <strong>{shown.user.username}</strong>: <code className="secret-key">{shown.temporaryPassword}</code>
      </p>
      <p className="field__hint">
        It is shown only now. Give it to {shown.user.displayName} in person or by phone. It works for one sign-in, at which they
        choose their own password.
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have passed it on
      </button>
    </section>
  );
}

function CreateDeskUser({ call, onCreated }: { call: Invoke; onCreated: (u: DeskUserWithTemporaryPassword) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<DeskRole>('agent');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const roleId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setAlert(null);
    setErrors({});
    try {
      const created = await call('desk.users.create', { username, displayName, role });
      setUsername('');
      setDisplayName('');
      await onCreated(created);
    } catch (err) {
      setAlert(errorMessage(err));
      if (err instanceof DeskError) setErrors(fieldErrors(err.details));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="create-desk-user">
      <h2 id="create-desk-user">Add a desk user</h2>
      <ErrorAlert message={alert} />
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label="Username"
          hint="3–64 letters, digits, dots, dashes or underscores"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          error={errors['username']}
          onChange={(e) => setUsername(e.currentTarget.value)}
        />
        <Field label="Full name" value={displayName} error={errors['displayName']} onChange={(e) => setDisplayName(e.currentTarget.value)} />
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.currentTarget.value as DeskRole)}>
            {DESK_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
          {busy ? 'Adding…' : 'Add desk user'}
        </button>
      </form>
    </section>
  );
}
