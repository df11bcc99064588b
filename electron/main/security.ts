/**
 * Window hardening, kept free of side effects so a unit test can check it with a fake Electron.
 */
import { resolveStaticFile } from '../core/static-files';
import { WEBCHAT_URL } from '../core/mail/templates';

export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface HardenedWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  spellcheck: boolean;
}

export function secureWebPreferences(preload: string): HardenedWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: true,
  };
}

/** Is this URL one of ours (the app:// origin)? */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The hosts whose pages a link in the app may open in the user's browser: the Shared Services
 * webchat the mails point to, and Microsoft's help for its Authenticator app. Nothing else leaves.
 */
export const EXTERNAL_HOSTS: readonly string[] = [new URL(WEBCHAT_URL).hostname, 'support.microsoft.com'];

/**
 * Whether shell.openExternal may open this URL: https only (no file:, smb:, javascript:…), on one
 * of the hosts exactly (not a look-alike or a subdomain), on the default port, with no user name
 * or password in it (https://trusted@evil.example is evil.example).
 */
export function externalLinkAllowed(raw: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.username === '' && u.password === '' && u.port === '' && hosts.includes(u.hostname);
}

/** What of Electron's webContents the hardening uses (a fake in unit tests). */
export interface ContentsLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Every webContents the app makes (its window, and any other a page might open): navigation away
 * from app:// and webviews are refused, no window opens inside the app, and a link goes to the
 * user's browser only when externalLinkAllowed says so.
 */
export function hardenContents(contents: ContentsLike, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event: { preventDefault(): void }) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (externalLinkAllowed(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** The answer to every permission a page asks for (camera, notifications, clipboard, …): no. */
export function denyPermission(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** Map an app:// request to a file under the renderer folder, or null (another host, traversal). */
export function resolveAppPath(rendererRoot: string, requestUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  return u.host === APP_HOST ? resolveStaticFile(rendererRoot, u.pathname) : null;
}

export { CONTENT_SECURITY_POLICY as CSP } from '../core/csp';
