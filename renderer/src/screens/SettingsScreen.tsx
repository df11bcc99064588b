import { useEffect, useId, useState, type FormEvent } from 'react';
import { SMTP_SECURITIES, TICKET_CATEGORIES, TICKET_CATEGORY_LABELS, type CannedReplyTemplate, type TicketCategory, type DataKeyView, type SmtpSecurityMode, type SmtpSettingsView, type TestMailResult } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { Invoke } from '../client';
import { ErrorAlert, Field, HeaderScreen, errorMessage, fieldErrors } from '../components/legacy-ui';

const SECURITY_LABELS: Record<SmtpSecurityMode, string> = {
  none: 'None (plain SMTP)',
  starttls: 'STARTTLS (upgrade the connection; usually port 587)',
  tls: 'TLS from the start (usually port 465)',
};

interface Props {
  call: Invoke;
  onBack: () => void;
}

/**
 * Admin settings: where the data key is kept, and the mail (SMTP) server mail goes out through. With no host set the desk writes
 * each mail as an .eml file to the data directory's outbox folder. The password is sent once and
 * never shown again (the main process keeps it sealed and only says whether one is set).
 */
export function SettingsScreen({ call, onBack }: Props) {
  const [view, setView] = useState<SmtpSettingsView | null>(null);
  const [dataKey, setDataKey] = useState<DataKeyView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call('smtp.get', {}).then(
      (v) => live && setView(v),
      (err: unknown) => live && setLoadError(errorMessage(err)),
    );
    call('settings.dataKey', {}).then(
      (v) => live && setDataKey(v),
      (err: unknown) => live && setLoadError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [call]);

  return (
    <HeaderScreen title="Settings" className="settings" onBack={onBack}>
      <ErrorAlert message={loadError} />
      {dataKey ? (
        <section aria-labelledby="data-key-heading">
          <h2 id="data-key-heading">Data key</h2>
          <p>
            Authenticator keys, the SMTP password and code mails are sealed with a data key kept in {dataKey.where}.
          </p>
          {dataKey.warning ? (
            <p className="notice notice--error" role="status">
              {dataKey.warning}
            </p>
          ) : null}
        </section>
      ) : null}
      {view ? <MailSettings call={call} initial={view} onSaved={setView} /> : loadError ? null : <p role="status">Loading…</p>}
      <CannedReplies call={call} />
    </HeaderScreen>
  );
}

function MailSettings({ call, initial, onSaved }: { call: Invoke; initial: SmtpSettingsView; onSaved: (v: SmtpSettingsView) => void }) {
  const [host, setHost] = useState(initial.host);
  const [port, setPort] = useState(String(initial.port));
  const [security, setSecurity] = useState<SmtpSecurityMode>(initial.security);
  const [user, setUser] = useState(initial.user);
  const [from, setFrom] = useState(initial.from);
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [passwordSet, setPasswordSet] = useState(initial.passwordSet);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [testTo, setTestTo] = useState('');
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestMailResult | null>(null);
  const securityId = useId();
  const sectionId = useId();

  async function save(ev: FormEvent) {
    ev.preventDefault();
    if (saving) return;
    setSaving(true);
    setError(null);
    setErrors({});
    setSaved(null);
    const portNumber = Number(port);
    try {
      const next = await call('smtp.update', {
        host: host.trim(),
        port: Number.isInteger(portNumber) ? portNumber : -1,
        security,
        user: user.trim(),
        from: from.trim(),
        password: removePassword ? null : password,
      });
      onSaved(next);
      setPasswordSet(next.passwordSet);
      setPassword('');
      setRemovePassword(false);
      setSaved(next.configured ? `Saved. Mail goes out through ${next.host}:${next.port}.` : 'Saved. No server is set: mail is written as .eml files to the outbox folder in the data directory.');
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof DeskError) setErrors(fieldErrors(err.details));
    } finally {
      setSaving(false);
    }
  }

  async function sendTest(ev: FormEvent) {
    ev.preventDefault();
    if (testing) return;
    setTesting(true);
    setTest(null);
    setError(null);
    try {
      setTest(await call('smtp.testMail', { to: testTo.trim() }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setTesting(false);
    }
  }

  return (
    <section className="section" aria-labelledby={sectionId}>
      <h2 id={sectionId}>Mail (SMTP)</h2>
      <p>
        Codes and change confirmations go out through this server. Leave the host empty to write each mail as an .eml
        file to the outbox folder in the data directory instead.
      </p>
      <ErrorAlert message={error} />
      <form className="form" onSubmit={save} noValidate>
        <Field label="Host" hint="A host name or IP address; empty means no server." value={host} onChange={(e) => setHost(e.target.value)} autoComplete="off" error={errors['host']} />
        <Field label="Port" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} error={errors['port']} />
        <div className="field">
          <label htmlFor={securityId}>Security</label>
          <select id={securityId} value={security} onChange={(e) => setSecurity(e.target.value as SmtpSecurityMode)}>
            {SMTP_SECURITIES.map((s) => (
              <option key={s} value={s}>
                {SECURITY_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <Field label="Username" hint="Empty: send without logging in." value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" error={errors['user']} />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={passwordSet ? 'A password is stored (it is never shown). Leave this empty to keep it.' : 'No password is stored.'}
          value={password}
          disabled={removePassword}
          onChange={(e) => setPassword(e.target.value)}
          error={errors['password']}
        />
        {passwordSet ? (
          <label className="checkbox">
            <input type="checkbox" checked={removePassword} onChange={(e) => setRemovePassword(e.target.checked)} /> Remove the stored password
          </label>
        ) : null}
        <Field label="From" hint='An address, or a name and an address: Shared Services <desk@example.org>' value={from} onChange={(e) => setFrom(e.target.value)} error={errors['from']} />
        <button type="submit" className="button button--primary" aria-disabled={saving || undefined}>
          Save mail settings
        </button>
      </form>
      <div role="status" className={saved ? 'notice' : 'visually-hidden'}>
        {saved}
      </div>

      <h3>Send a test mail</h3>
      <form className="inline-form" onSubmit={sendTest} noValidate>
        <Field label="Send a test mail to" type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} autoComplete="off" />
        <button type="submit" className="button" aria-disabled={testing || undefined}>
          Send test mail
        </button>
      </form>
      <div role="status" aria-live="polite">
        {testing ? 'Sending…' : test ? (test.ok ? `Sent (${test.transport === 'file' ? 'outbox folder' : 'SMTP'}): ${test.response}` : `Not sent: ${test.response}`) : null}
      </div>
    </section>
  );
}

/**
 * The canned replies agents copy into the webchat, per ticket category. Placeholders such as
 * {{maskedEmail}} are filled with the ticket's facts; the main process refuses unknown ones and
 * anything that could be a code (six digits or more).
 */
function CannedReplies({ call }: { call: Invoke }) {
  const [list, setList] = useState<CannedReplyTemplate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('replies.get', {}).then(
      (r) => live && setList(r),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [call]);
  if (!list) return <ErrorAlert message={error} />;
  const edit = (i: number, patch: Partial<CannedReplyTemplate>) => setList(list.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  async function save(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    setDone(null);
    try {
      setList(await call('replies.update', { replies: list! }));
      setDone('Canned replies saved.');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <section aria-labelledby="replies-heading">
      <h2 id="replies-heading">Canned replies</h2>
      <p className="field__hint">
        Placeholders: {'{{firstName}} {{maskedEmail}} {{codeExpiresAt}} {{minutes}} {{ticketRef}} {{webchatUrl}} {{leavingDate}} {{appAccount}}'}. A reply never holds a code.
      </p>
      <form onSubmit={save}>
        {list.map((r, i) => (
          <fieldset key={i} className="panel">
            <legend>{r.title || 'New reply'}</legend>
            <label>
              Category{' '}
              <select value={r.category} onChange={(e) => edit(i, { category: e.target.value as TicketCategory })}>
                {TICKET_CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {TICKET_CATEGORY_LABELS[c]}
                  </option>
                ))}
              </select>
            </label>
            <Field label={`Title of reply ${i + 1}`} value={r.title} maxLength={80} onChange={(e) => edit(i, { title: e.target.value })} />
            <label className="field">
              Text of reply {i + 1}
              <textarea rows={3} value={r.text} maxLength={1000} onChange={(e) => edit(i, { text: e.target.value })} />
            </label>
            <button type="button" className="button button--small" onClick={() => setList(list.filter((_x, j) => j !== i))}>
              Remove this reply
            </button>
          </fieldset>
        ))}
        <p className="button-row">
          <button
            type="button"
            className="button"
            onClick={() => setList([...list, { id: `reply-${Date.now().toString(36)}`, category: 'other', title: '', text: '' }])}
          >
            Add a reply
          </button>
          <button type="submit" className="button button--primary">
            Save canned replies
          </button>
        </p>
      </form>
      <ErrorAlert message={error} />
      <div role="status" className={done ? 'notice' : 'visually-hidden'}>
        {done}
      </div>
    </section>
  );
}
