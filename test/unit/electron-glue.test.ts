import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../shared/contract';
import { IPC_PREFIX } from '../../shared/events';
import { ManualClock } from '../../electron/core/clock';
import { registerContract, type InvokeEventLike, type IpcMainLike, type WebContentsLike } from '../../electron/main/ipc';
import { appKeyProvider, WRAPPED_KEY_FILE, type SafeStorageLike } from '../../electron/main/keys';
import { saveDialogChooser, type SaveDialogLike } from '../../electron/main/save-dialog';
import { APP_ORIGIN, CSP, denyPermission, EXTERNAL_HOSTS, externalLinkAllowed, hardenContents, isAppUrl, resolveAppPath, secureWebPreferences, type ContentsLike } from '../../electron/main/security';
import { KeyFileProvider, Vault } from '../../electron/core/secrets/vault';
import { openTestCore, tempDir, type TestCore } from '../support/targets';
import { totpAt } from '../support/http';

/** Stand-ins for the Electron module: the only fakes allowed, for the thin glue. */
class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: InvokeEventLike, payload: unknown) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<unknown>) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

function fakeContents(id: number): WebContentsLike & { sent: Array<[string, unknown]>; destroy(): void } {
  const sent: Array<[string, unknown]> = [];
  const onDestroyed: Array<() => void> = [];
  let destroyed = false;
  return {
    id,
    sent,
    send: (c, p) => sent.push([c, p]),
    isDestroyed: () => destroyed,
    once: (_e, fn) => onDestroyed.push(fn),
    destroy() {
      destroyed = true;
      for (const fn of onDestroyed.splice(0)) fn();
    },
  };
}

class FakeSafeStorage implements SafeStorageLike {
  constructor(private available = true, private backend = 'gnome_libsecret') {}
  isEncryptionAvailable() {
    return this.available;
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
  encryptString(plain: string) {
    return Buffer.from('wrapped:' + Buffer.from(plain).reverse().toString('base64'));
  }
  decryptString(buf: Buffer) {
    const s = buf.toString();
    if (!s.startsWith('wrapped:')) throw new Error('not ours');
    return Buffer.from(s.slice(8), 'base64').reverse().toString();
  }
}

describe('window hardening', () => {
  it('turns on every isolation option and no Node in the renderer', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    for (const on of ['contextIsolation', 'sandbox', 'webSecurity'] as const) expect(prefs[on], on).toBe(true);
    const off = ['nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames', 'allowRunningInsecureContent', 'experimentalFeatures', 'webviewTag'] as const;
    for (const name of off) expect(prefs[name], name).toBe(false);
  });

  it('serves the same CSP as the browser host and the page itself', () => {
    expect(CSP).toContain("script-src 'self'");
    const html = fs.readFileSync(path.resolve(__dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // frame-ancestors means nothing in a meta tag; the headers carry it.
    expect(meta?.replace(/;\s*frame-ancestors[^;]*/, '')).toBe(CSP.replace(/;\s*frame-ancestors[^;]*/, ''));
  });

  it('recognises only the app:// origin as ours', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html`)).toBe(true);
    for (const url of ['file:///etc/passwd', 'https://desk', 'app://desk.evil.com/', 'app://other/', 'javascript:alert(1)', '', undefined]) {
      expect(isAppUrl(url)).toBe(false);
    }
  });

  it('keeps every webContents on app://: navigation, redirects and webviews refused, no window opens, allowed links go to the browser', () => {
    type Listener = (event: { preventDefault(): void }, url?: string) => void;
    const listeners = new Map<string, Listener>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const contents: ContentsLike = {
      on: (event, listener) => listeners.set(event, listener as Listener),
      setWindowOpenHandler: (handler) => {
        openHandler = handler;
      },
    };
    const opened: string[] = [];
    hardenContents(contents, (url) => opened.push(url));
    const prevented = (event: string, url?: string) => {
      let stopped = false;
      listeners.get(event)!({ preventDefault: () => (stopped = true) }, url);
      return stopped;
    };
    expect(prevented('will-navigate', `${APP_ORIGIN}/index.html#x`)).toBe(false);
    for (const url of ['https://www.example.nhs.uk/', 'file:///etc/passwd', 'app://evil/', 'javascript:alert(1)']) {
      expect(prevented('will-navigate', url), url).toBe(true);
      expect(prevented('will-redirect', url), url).toBe(true);
    }
    expect(prevented('will-attach-webview')).toBe(true);
    for (const url of ['https://www.example.nhs.uk/shared-services/webchat', 'https://evil.example/', 'smb://host/share', `${APP_ORIGIN}/index.html`]) {
      expect(openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://www.example.nhs.uk/shared-services/webchat']);
  });

  it('denies every permission a page asks for', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let answer: boolean | undefined;
      denyPermission({}, permission, (granted) => (answer = granted));
      expect(answer, permission).toBe(false);
    }
  });

  it('opens in the browser only https links to the allowed hosts, never look-alikes or other schemes', () => {
    expect(EXTERNAL_HOSTS).toEqual(['www.example.nhs.uk', 'support.microsoft.com']);
    for (const url of ['https://www.example.nhs.uk/shared-services/webchat', 'https://WWW.Example.NHS.uk/x?y=1#z', 'https://support.microsoft.com/en-gb/account-billing']) {
      expect(externalLinkAllowed(url), url).toBe(true);
    }
    for (const url of [
      'file:///etc/passwd',
      'file://www.example.nhs.uk/share',
      'smb://www.example.nhs.uk/share',
      'javascript:alert(1)',
      'JavaScript://www.example.nhs.uk/%0Aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://www.example.nhs.uk/shared-services/webchat',
      'ftp://www.example.nhs.uk/',
      'app://desk/index.html',
      'https://www.example.nhs.uk.evil.example/',
      'https://evil.example/www.example.nhs.uk',
      'https://www.example.nhs.uk@evil.example/',
      'https://user:pass@www.example.nhs.uk/',
      'https://www.example.nhs.uk:8443/',
      'https://example.nhs.uk/',
      'https://sub.www.example.nhs.uk/',
      'https://www.examp1e.nhs.uk/',
      'https://www.ex\u0430mple.nhs.uk/', // Cyrillic а: punycode, another host
      'https://support.microsoft.com.evil.example/',
      'https://www.example.nhs.uk./',
      'not a url',
      '',
    ]) {
      expect(externalLinkAllowed(url), url).toBe(false);
    }
  });

  it('maps app:// paths into the renderer folder and refuses traversal', () => {
    const root = '/srv/out/renderer';
    expect(resolveAppPath(root, 'app://desk/')).toBe('/srv/out/renderer/index.html');
    expect(resolveAppPath(root, 'app://desk/assets/x.js')).toBe('/srv/out/renderer/assets/x.js');
    // The URL parser folds ../ and %2e%2e segments, and encoded slashes are folded at the root: whatever the path, the file stays inside.
    for (const url of ['app://desk/../../etc/passwd', 'app://desk/%2e%2e/%2e%2e/etc/passwd', 'app://desk/assets/..%2f..%2f..%2fsecret', 'app://desk/%00']) {
      const file = resolveAppPath(root, url);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppPath(root, 'app://desk/%00')).toBeNull();
    expect(resolveAppPath(root, 'app://desk/%E0%A4%A')).toBeNull();
  });
});

describe('contract on ipcMain', () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await openTestCore({ name: 'sqlite' }, { clock: new ManualClock() });
  });
  afterAll(async () => core?.dispose());

  it('registers exactly one handler per channel, and removes them', () => {
    const ipc = new FakeIpcMain();
    const reg = registerContract(ipc, core.router);
    expect([...ipc.handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((n) => IPC_PREFIX + n).sort());
    reg.dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('answers the app’s own top frame and refuses any other sender', async () => {
    const ipc = new FakeIpcMain();
    registerContract(ipc, core.router);
    const handler = ipc.handlers.get(IPC_PREFIX + 'app.status')!;
    const ok = await handler({ sender: fakeContents(1), senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } }, {});
    expect(ok).toMatchObject({ ok: true, value: { productName: 'MFA Desk' } });
    for (const frame of [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/x.html', parent: null },
      { url: `${APP_ORIGIN}/index.html`, parent: {} },
      null,
    ]) {
      const res = await handler({ sender: fakeContents(2), senderFrame: frame }, {});
      expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('keeps sessions per window, and ends a window’s session when it closes', async () => {
    const ipc = new FakeIpcMain();
    const closed: string[] = [];
    registerContract(ipc, core.router, async (token) => {
      closed.push(token);
      await core.signOut(token);
    });
    const frame = { url: `${APP_ORIGIN}/index.html`, parent: null };
    const call = (sender: WebContentsLike, channel: string, payload: unknown) =>
      ipc.handlers.get(IPC_PREFIX + channel)!({ sender, senderFrame: frame }, payload);
    const one = fakeContents(11);
    const two = fakeContents(12);
    // Window one signs in (first admin, enrolment, code).
    await call(one, 'auth.createFirstAdmin', { username: 'glue.admin', displayName: 'Glue', password: 'glue-admin-password' });
    const step = (await call(one, 'auth.signIn', { username: 'glue.admin', password: 'glue-admin-password' })) as {
      value: { challenge: string; otpauthUri: string };
    };
    const secret = new URL(step.value.otpauthUri).searchParams.get('secret')!;
    const done = await call(one, 'auth.completeSignIn', { challenge: step.value.challenge, code: totpAt(secret, core.clock) });
    expect(done).toMatchObject({ ok: true, value: { username: 'glue.admin' } });
    expect(await call(one, 'employees.search', { query: 'smith' })).toMatchObject({ ok: true });
    expect(await call(two, 'employees.search', { query: 'smith' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // Closing window one signs its session out, with an audit row.
    one.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toHaveLength(1);
    expect(await core.db('audit_events').where({ action: 'desk_user.signout' })).toHaveLength(1);
    expect(core.sessions.touch(closed[0]).state).toBe('none');
  });
});

describe('data key in the app', () => {
  it('wraps the key with safeStorage, never writing it in clear, and reads it back', () => {
    const dir = tempDir();
    const safe = new FakeSafeStorage();
    const first = appKeyProvider(dir, safe);
    const key = first.getKey();
    expect(key.length).toBe(32);
    const onDisk = fs.readFileSync(path.join(dir, WRAPPED_KEY_FILE));
    expect(onDisk.includes(key)).toBe(false);
    expect(onDisk.toString()).not.toContain(key.toString('base64'));
    expect(appKeyProvider(dir, safe).getKey().equals(key)).toBe(true);
    expect(first.storage()).toMatchObject({ kind: 'keychain', file: path.join(dir, WRAPPED_KEY_FILE), warning: null });
    const sealed = new Vault(first).seal('JBSWY3DPEHPK3PXP', 'x');
    expect(new Vault(appKeyProvider(dir, safe)).open(sealed, 'x')).toBe('JBSWY3DPEHPK3PXP');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to the 0600 key file where safeStorage has no keychain', () => {
    const dir = tempDir();
    const noKeyring = appKeyProvider(dir, new FakeSafeStorage(true, 'basic_text'));
    expect(noKeyring).toBeInstanceOf(KeyFileProvider);
    expect(appKeyProvider(dir, new FakeSafeStorage(false))).toBeInstanceOf(KeyFileProvider);
    // Settings says so, in plain words.
    expect(noKeyring.storage()).toEqual({
      kind: 'file',
      where: "a key file readable by this computer's user only",
      file: path.join(dir, 'secret.key'),
      warning: expect.stringMatching(/no OS keychain.*Linux without a keyring/),
    });
    expect(appKeyProvider(dir, new FakeSafeStorage(false)).storage().warning).toMatch(/safeStorage is not available/);
    // The browser host and the CLI use the key file by design: no warning there.
    expect(new KeyFileProvider(dir).storage().warning).toBeNull();
    const p = new KeyFileProvider(dir);
    p.getKey();
    expect(fs.statSync(p.file).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('save dialog for exports', () => {
  type Win = { id: number };
  function fakeDialog(answer: { canceled: boolean; filePath?: string }) {
    const calls: Array<{ win: Win; options: Parameters<SaveDialogLike<Win>['showSaveDialog']>[1] }> = [];
    const dialog: SaveDialogLike<Win> = {
      showSaveDialog: (win, options) => {
        calls.push({ win, options });
        return Promise.resolve(answer);
      },
    };
    return { dialog, calls };
  }

  it('asks the main window, suggests the name in the documents folder, and returns the chosen path', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePath: '/home/sue/audit-2026-03-02.csv' });
    const choose = saveDialogChooser(dialog, () => ({ id: 7 }), () => '/home/sue/Documents');
    expect(await choose('audit-2026-03-02.csv')).toBe('/home/sue/audit-2026-03-02.csv');
    expect(calls).toEqual([
      {
        win: { id: 7 },
        options: {
          title: 'Save the audit export',
          defaultPath: '/home/sue/Documents/audit-2026-03-02.csv',
          filters: [{ name: 'CSV', extensions: ['csv'] }],
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        },
      },
    ]);
  });

  it('returns null when the user cancels, or when there is no window to ask from', async () => {
    expect(await saveDialogChooser(fakeDialog({ canceled: true }).dialog, () => ({ id: 1 }), () => '/d')('a.csv')).toBeNull();
    expect(await saveDialogChooser(fakeDialog({ canceled: false }).dialog, () => ({ id: 1 }), () => '/d')('a.csv')).toBeNull();
    const never = fakeDialog({ canceled: false, filePath: '/x.csv' });
    expect(await saveDialogChooser(never.dialog, () => null, () => '/d')('a.csv')).toBeNull();
    expect(never.calls).toEqual([]);
  });
});
