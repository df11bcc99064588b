import os from 'node:os';
import path from 'node:path';

export interface CoreConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}

/**
 * Where data lives when nothing says otherwise and Electron's userData is not at hand (the CLI and
 * the browser host): the same folder Electron would use for "MFA Desk".
 */
export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'MFA Desk');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'MFA Desk');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'MFA Desk');
}

/** --data-dir beats DESK_DATA_DIR beats the platform default (or Electron's userData). */
export function resolveConfig(opts: {
  dataDir?: string | undefined;
  fallbackDataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
}): CoreConfig {
  const env = opts.env ?? process.env;
  const dataDir = path.resolve(opts.dataDir || env.DESK_DATA_DIR || opts.fallbackDataDir || defaultDataDir());
  return {
    dataDir,
    databaseUrl: env.DESK_DATABASE_URL || undefined,
    databaseSchema: env.DESK_DATABASE_SCHEMA || undefined,
  };
}
