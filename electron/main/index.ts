/**
 * Electron glue only: lifecycle, the hardened window, the app:// protocol serving the renderer,
 * the contract on ipcMain, and safeStorage for the data key. All the work is in electron/core.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDeskCore, type DeskCore } from '../core/app';
import { resolveConfig } from '../core/config';
import { registerContract } from './ipc';
import { appKeyProvider } from './keys';
import { saveDialogChooser } from './save-dialog';
import { APP_ORIGIN, APP_SCHEME, CSP, denyPermission, hardenContents, resolveAppPath, secureWebPreferences } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererRoot = path.resolve(here, '../renderer');
const preloadPath = path.resolve(here, '../preload/index.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let core: DeskCore | undefined;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'MFA Desk',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  const config = resolveConfig({ fallbackDataDir: app.getPath('userData') });
  core = await openDeskCore({
    config,
    keys: appKeyProvider(config.dataDir, safeStorage),
    deliverMail: true,
    auditCheckpoints: true,
    chooseSavePath: saveDialogChooser(dialog, () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null, () => app.getPath('documents')),
  });
  session.defaultSession.setPermissionRequestHandler(denyPermission);
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(rendererRoot, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
  const opened = core;
  registerContract(ipcMain, opened.router, (token) => opened.signOut(token));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

// Every webContents, the window's included (this fires as each is made, before it loads anything).
app.on('web-contents-created', (_e, contents) => hardenContents(contents, (url) => void shell.openExternal(url)));

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('will-quit', (event) => {
  if (!core || closing) return;
  // Let the database close cleanly (WAL checkpoint) before the process ends.
  event.preventDefault();
  closing = true;
  void core.close().finally(() => app.quit());
});

start().catch((err: unknown) => {
  console.error('MFA Desk could not start:', err instanceof Error ? err.message : err);
  app.exit(1);
});
