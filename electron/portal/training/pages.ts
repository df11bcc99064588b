/**
 * The training copy of the portal's MFA pages, as the employee sees them (the steps of the
 * employee guides in ../shared/seeds): choose a method; Add under Authenticator app with its QR
 * code; the email addresses on record with the preferred one chosen; the OTP field; the
 * confirmation; Update Details; and the sign-in page that asks for the second factor. Every page
 * says it is training. Plain HTML forms, no script.
 */
import type { DemoPick } from '../../core/demo/demo-employees';
import type {
  PortalAppEnrolment,
  PortalEmailCodeSent,
  PortalMethod,
  PortalMethodRemoved,
  PortalMfaStatus,
  PortalRegistered,
  SignInChallenged,
  SignInVerdict,
} from '../../../shared/portal-api';
import type { FactorType } from '../../../shared/domain';
import { html, type Html } from './html';

export const TRAINING_ROOT = '/training';

const METHOD_NAME: Record<FactorType, string> = { authenticator_app: 'Authenticator app', email: 'Email' };
const PORTAL_METHOD: Record<FactorType, PortalMethod> = { authenticator_app: 'app', email: 'email' };

const at = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'never');
const clock = (iso: string) => `${iso.slice(11, 16)} UTC`;
const base = (username: string) => `${TRAINING_ROOT}/e/${encodeURIComponent(username)}`;

export function layout(title: string, body: Html, who?: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Training · Employee Self Service</title>
<link rel="stylesheet" href="${TRAINING_ROOT}/training.css">
</head>
<body>
<div class="training" role="note"><strong>Training</strong> <span>A copy of the portal’s MFA pages on demo data, for Shared Services: what the caller sees. Its mail stays on this machine.</span></div>
<header class="portal"><span class="brand">Employee Self Service</span>${
    who ? html`<span class="who">Signed in as <strong>${who}</strong> · <a href="${TRAINING_ROOT}/">Switch employee</a></span>` : ''
  }</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A message above a form: what went wrong that no one field is to blame for. */
function alert(text: string | undefined): Html {
  return text ? html`<div class="alert" role="alert">${text}</div>` : html``;
}

/** A text field with its hint, and its error under it in plain words. */
function field(o: { name: string; label: string; hint?: string; error?: string | undefined; value?: string; code?: boolean }): Html {
  const described = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
<label for="${o.name}">${o.label}</label>
${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
<input id="${o.name}" name="${o.name}" type="text" value="${o.value ?? ''}"${
    o.code ? html` inputmode="numeric" autocomplete="one-time-code" maxlength="9" class="code"` : html` autocomplete="off"`
  }${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}>
${o.error ? html`<p class="error" id="${o.name}-error">${o.error}</p>` : ''}
</div>`;
}

export function pickPage(picks: DemoPick[], error?: string, value?: string): Html {
  return layout(
    'Training: choose a demo employee',
    html`<p class="lead">Open the portal’s MFA pages as a demo employee, to see exactly what the caller sees. The portal has already checked their username and password.</p>
<form method="get" action="${TRAINING_ROOT}/open" class="card" novalidate>
${field({ name: 'username', label: 'Username of a demo employee', error, value: value ?? '' })}
<button type="submit">Open their MFA pages</button>
</form>
${
  picks.length
    ? html`<h2>Demo employees to try</h2>
<ul class="picks">${picks.map(
        (p) =>
          html`<li><a href="${base(p.username)}">${p.name}</a> <span class="muted">${p.username}</span> <span class="tag ${p.mfaEnabled ? 'on' : ''}">${
            p.mfaEnabled ? 'MFA enabled' : 'Not registered'
          }</span></li>`,
      )}</ul>`
    : ''
}`,
  );
}

function methodRow(username: string, m: PortalMfaStatus['methods'][number]): Html {
  const state = m.locked ? 'Locked' : m.state === 'active' ? 'Set up' : 'Not finished';
  return html`<li class="method">
<div><h3>${METHOD_NAME[m.type]}${m.address ? html` <span class="muted">${m.address}</span>` : ''}</h3>
<p class="muted">${m.state === 'active' ? html`Added ${at(m.registeredAt)} · last used ${at(m.lastUsedAt)}` : 'Started, not finished: add it again to finish.'}</p>
${m.locked ? html`<p class="warn">Locked after too many wrong codes: contact Shared Services by webchat to have it unlocked.</p>` : ''}</div>
<div class="actions"><span class="tag ${m.state === 'active' && !m.locked ? 'on' : 'off'}">${state}</span>${
    m.canRemove ? html`<a class="button secondary" href="${base(username)}/remove/${PORTAL_METHOD[m.type]}">Remove</a>` : ''
  }</div>
</li>`;
}

function addCard(username: string, type: FactorType): Html {
  return type === 'authenticator_app'
    ? html`<li class="method"><div><h3>Authenticator app</h3>
<p class="muted">If you don’t already have an authenticator app on your mobile phone, download a free one from the Google Play Store or Apple App Store first. We recommend the Microsoft Authenticator app.</p></div>
<form method="post" action="${base(username)}/app" class="actions"><button type="submit">Add</button></form></li>`
    : html`<li class="method"><div><h3>Email</h3>
<p class="muted">A one-time code is sent to an email address on your record (work or personal).</p></div>
<div class="actions"><a class="button" href="${base(username)}/email">Add</a></div></li>`;
}

export function mfaPage(s: PortalMfaStatus, notice?: string, error?: string): Html {
  const active = s.methods.filter((m) => m.state === 'active');
  const missing = (['authenticator_app', 'email'] as const).filter((t) => !active.some((m) => m.type === t));
  const blocked = s.reasons.filter((r) => r.blocks);
  const body = html`${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}${alert(error)}
${
  blocked.length
    ? html`<div class="alert" role="alert"><p><strong>You cannot register for multi-factor authentication.</strong></p><ul>${blocked.map((r) => html`<li>${r.message}</li>`)}</ul>
<p>If no email addresses are on your record, or an address is wrong, contact your manager: they can update your record for you.</p></div>`
    : ''
}
${
  active.length
    ? html`<section aria-labelledby="update"><h2 id="update">Update Details</h2>
<p class="muted">MFA has been enabled${s.mfaEnabledAt ? ` since ${at(s.mfaEnabledAt)}` : ''}. Once enabled it cannot be turned off. You can only remove a method if you have both set up.</p>
<ul class="methods">${s.methods.map((m) => methodRow(s.username, m))}${!blocked.length ? missing.map((t) => addCard(s.username, t)) : ''}</ul>
<p><a class="button" href="${base(s.username)}/sign-in">Try signing in</a></p></section>`
    : !blocked.length
      ? html`<section aria-labelledby="choose"><h2 id="choose">Choose a verification method</h2>
<p class="muted">In addition to your username and password, a second check keeps your personal data safer. Select either authenticator app or email address.</p>
<ul class="methods">${missing.map((t) => addCard(s.username, t))}</ul>
${s.methods.some((m) => m.state === 'pending') ? html`<p class="muted">A registration was started and not finished: add the method again to finish it.</p>` : ''}</section>`
      : ''
}
<p class="muted small">If a change was not made by you, contact Shared Services by webchat: <a href="${s.webchatUrl}">${s.webchatUrl}</a></p>`;
  return layout('Multi-Factor Authentication', body, s.username);
}

export function appAddPage(username: string, e: PortalAppEnrolment, error?: string): Html {
  let secret = '';
  try {
    secret = new URL(e.otpauthUri).searchParams.get('secret') ?? '';
  } catch {
    // Not a URI this site made: the QR code alone is shown.
  }
  return layout(
    'Add an authenticator app',
    html`<div class="two">
<div class="card qr">
<img src="${e.qrCode}" width="240" height="240" alt="QR code for the ${e.issuer} account ${e.account}: scan it with the authenticator app">
<p class="muted small">Can’t scan? Enter this key in the app: <code class="key">${secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
</div>
<div>
<ol class="steps">
<li>Open the authenticator app on your phone (we recommend Microsoft Authenticator).</li>
<li>Add an account: choose <em>Other account</em> and scan the QR code.</li>
<li>The app now shows the <strong>${e.issuer}</strong> account and a 6-digit code that changes every 30 seconds.</li>
<li>Enter the current code below.</li>
</ol>
<p class="tip"><strong>Tip:</strong> If you cannot find the Hants account, save your username and password in the Passwords app and try again.</p>
<form method="post" action="${base(username)}/app/activate" class="card" novalidate>
<input type="hidden" name="enrolment" value="${JSON.stringify(e)}">
${field({ name: 'code', label: 'Code from the app', hint: '6 digits', error, code: true })}
<button type="submit">Verify and finish</button> <a href="${base(username)}">Cancel</a>
</form>
</div>
</div>`,
    username,
  );
}

/** After Shared Services reset the app, the emailed registration code opens a new registration. */
export function appCodeNeededPage(username: string, message: string, error?: string): Html {
  return layout(
    'Add an authenticator app',
    html`<p class="lead">${message}</p>
<form method="post" action="${base(username)}/app" class="card" novalidate>
${field({ name: 'code', label: 'Registration code from Shared Services’ email', hint: '6 digits; check your spam or junk folders if it has not arrived', error, code: true })}
<button type="submit">Continue</button> <a href="${base(username)}">Cancel</a>
</form>`,
    username,
  );
}

export function emailChoosePage(s: PortalMfaStatus, error?: string): Html {
  const preferred = s.emails.find((e) => e.receivesCodes) ?? s.emails[0];
  const body = s.emails.length
    ? html`<p class="lead">${
        s.emails.length === 1
          ? 'This is the email address on your record. The one-time code will be sent to it.'
          : 'These email addresses are on your record (work or personal). Select the one you prefer to receive one-time codes.'
      }</p>
<form method="post" action="${base(s.username)}/email" class="card" novalidate>
<fieldset${error ? html` aria-describedby="emailId-error"` : ''}><legend>Email address for codes</legend>
${s.emails.map(
  (e) =>
    html`<label class="choice"><input type="radio" name="emailId" value="${e.id}"${e.id === preferred?.id ? html` checked` : ''}> ${e.address} <span class="muted">(${e.kind})</span></label>`,
)}
${error ? html`<p class="error" id="emailId-error">${error}</p>` : ''}
</fieldset>
<p class="hint">If an address shown is incorrect, contact your manager: they can update your record for you.</p>
<button type="submit">Send code</button> <a href="${base(s.username)}">Cancel</a>
</form>`
    : html`<div class="alert" role="alert">No email addresses are on your record. Contact your manager: they can update your record so that you can use this method.</div>
<p><a href="${base(s.username)}">Back</a></p>`;
  return layout('Add an email address', body, s.username);
}

export function otpPage(username: string, sent: PortalEmailCodeSent, error?: string): Html {
  return layout(
    'Enter the code we emailed you',
    html`<p class="lead">A one-time code (OTP) has been sent to <strong>${sent.address}</strong>.</p>
<p>The OTP will time out after ${sent.lifetimeMinutes} minutes, at ${clock(sent.expiresAt)}. If it has not been used by then, start again and request a new OTP.</p>
<p class="tip">If you do not receive the code, check your spam or junk folders.</p>
<form method="post" action="${base(username)}/email/activate" class="card" novalidate>
<input type="hidden" name="sent" value="${JSON.stringify(sent)}">
${field({ name: 'code', label: 'OTP', hint: '6 digits from the email', error, code: true })}
<button type="submit">Verify and finish</button> <a href="${base(username)}/email">Send a new code</a>
</form>`,
    username,
  );
}

export function registeredPage(username: string, r: PortalRegistered): Html {
  return layout(
    `${METHOD_NAME[r.registered]} added`,
    html`<div class="notice" role="status"><p><strong>Multi-factor authentication is enabled.</strong> You will be asked for a code when you sign in.</p></div>
<p>A confirmation has been emailed to all ${r.confirmations} ${r.confirmations === 1 ? 'address' : 'addresses'} held on your record. If the change was not made by you, use the link in the email to contact Shared Services via webchat as soon as possible.</p>
<p class="muted">Change reference: <code>${r.reference}</code></p>
<p><a class="button" href="${base(username)}">Back to Multi-Factor Authentication</a></p>`,
    username,
  );
}

export function removeConfirmPage(username: string, method: PortalMethod, error?: string): Html {
  const name = method === 'app' ? 'authenticator app' : 'email method';
  return layout(
    `Remove the ${name}?`,
    html`${alert(error)}
<p class="lead">You will no longer be able to sign in with the ${name}. The other method stays, and MFA stays enabled.</p>
<p>A confirmation will be emailed to every address on your record.</p>
<form method="post" action="${base(username)}/remove/${method}" class="card">
<button type="submit" class="danger">Remove the ${name}</button> <a href="${base(username)}">Cancel</a>
</form>`,
    username,
  );
}

export function removedPage(username: string, r: PortalMethodRemoved): Html {
  return layout(
    `${METHOD_NAME[r.removed]} removed`,
    html`<div class="notice" role="status"><p><strong>The ${METHOD_NAME[r.removed].toLowerCase()} is removed.</strong> MFA stays enabled with your other method.</p></div>
<p>A confirmation has been emailed to all ${r.confirmations} ${r.confirmations === 1 ? 'address' : 'addresses'} held on your record.</p>
<p class="muted">Change reference: <code>${r.reference}</code></p>
<p><a class="button" href="${base(username)}">Back to Multi-Factor Authentication</a></p>`,
    username,
  );
}

export function signInChoosePage(s: PortalMfaStatus, error?: string): Html {
  const active = s.methods.filter((m) => m.state === 'active');
  return layout(
    'Sign in: verify it’s you',
    html`<p class="lead">Your username and password are right. Now verify it’s you with your second method.</p>
${
  active.length
    ? html`<form method="post" action="${base(s.username)}/sign-in" class="card" novalidate>
<fieldset${error ? html` aria-describedby="method-error"` : ''}><legend>How do you want to verify?</legend>
${active.map(
  (m, i) =>
    html`<label class="choice"><input type="radio" name="method" value="${m.type}"${i === 0 ? html` checked` : ''}> ${
      m.type === 'email' ? `Email a code to ${m.address ?? 'my address'}` : 'Use the code from my authenticator app'
    }</label>`,
)}
${error ? html`<p class="error" id="method-error">${error}</p>` : ''}
</fieldset>
<button type="submit">Continue</button>
</form>`
    : html`<div class="alert" role="alert">No method is set up yet: MFA is not enabled, so the password alone signs this employee in.</div>`
}
<p><a href="${base(s.username)}">Back to Multi-Factor Authentication</a></p>`,
    s.username,
  );
}

export function signInCodePage(username: string, c: SignInChallenged, error?: string, notice?: string): Html {
  return layout(
    'Sign in: enter your code',
    html`${notice ? html`<div class="alert" role="alert">${notice}</div>` : ''}
<p class="lead">${c.message}</p>
${c.method === 'email' && c.expiresAt ? html`<p>The code can be used until ${clock(c.expiresAt)}.</p>` : ''}
<form method="post" action="${base(username)}/sign-in/verify" class="card" novalidate>
<input type="hidden" name="challenge" value="${JSON.stringify(c)}">
${field({ name: 'code', label: c.method === 'email' ? 'Code from the email' : 'Code from the authenticator app', hint: '6 digits', error, code: true })}
<button type="submit">Sign in</button> ${
      c.method === 'email' ? html`<a href="${base(username)}/sign-in">Send a new code</a>` : html`<a href="${base(username)}/sign-in">Use another method</a>`
    }
</form>`,
    username,
  );
}

export function signedInPage(username: string, v: SignInVerdict): Html {
  return layout(
    'You are signed in',
    html`<div class="notice" role="status"><p><strong>Signed in with the ${METHOD_NAME[v.method].toLowerCase()}</strong> at ${clock(v.checkedAt)}. (Training: the portal would now open.)</p></div>
<p>Shared Services sees this sign-in on the employee’s page in the desk.</p>
<p><a class="button" href="${base(username)}">Back to Multi-Factor Authentication</a></p>`,
    username,
  );
}

export function signInEndedPage(username: string, v: SignInVerdict): Html {
  return layout(
    v.result === 'locked' ? 'Sign-in locked' : 'Ask for a new code',
    html`<div class="alert" role="alert">${v.message}</div>
<p><a class="button" href="${base(username)}/sign-in">Start signing in again</a> <a href="${base(username)}">Back to Multi-Factor Authentication</a></p>`,
    username,
  );
}

/** A refusal that ends the page: an employee the training pages do not open, a missing page. */
export function problemPage(title: string, message: string, username?: string): Html {
  return layout(title, html`<div class="alert" role="alert">${message}</div><p><a href="${TRAINING_ROOT}/">Choose a demo employee</a></p>`, username);
}
