/**
 * Window hardening, kept free of side effects so a unit test can check it with a fake Electron.
 */
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

/** Map an app:// request path to a file under the renderer folder, or null (traversal, odd paths). */
export function resolveAppPath(rendererRoot: string, requestUrl: string, pathApi: { resolve(...p: string[]): string; sep: string }): string | null {
  let pathname: string;
  try {
    const u = new URL(requestUrl);
    if (u.host !== APP_HOST) return null;
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = pathApi.resolve(rendererRoot);
  const file = pathApi.resolve(root, '.' + pathname);
  return file.startsWith(root + pathApi.sep) ? file : null;
}

export { CONTENT_SECURITY_POLICY as CSP } from '../core/csp';
