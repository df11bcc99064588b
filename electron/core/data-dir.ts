import fs from 'node:fs';
import path from 'node:path';

/**
 * The data directory holds the employee records, the desk users' password hashes, the log and the
 * data key: nobody but the account that runs the desk may read it, whatever the umask. Everything
 * the desk writes there is made 0700 (folders) or 0600 (files); `secureDataDir` tightens what an
 * older version (or a copy made by hand) left wider at start. POSIX only: on Windows the folder
 * inherits the ACL of the user's profile and chmod means nothing, so all of this is a no-op there.
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const GROUP_OTHER = 0o077;

const posix = process.platform !== 'win32';

export interface SecuredDataDir {
  /** The data directory was not there and has been created (0700). */
  created: boolean;
  /** What had group/other bits and now has none: relative to the data directory, folders end in '/' ('./' is the data directory itself). */
  tightened: string[];
  /** What could not be tightened (not ours, a read-only or foreign file system), with the error code. */
  failed: Array<{ path: string; code: string }>;
}

export interface DataDirLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/**
 * Create dir (not its parents) as 0700 if missing; make it 0700 if it has group/other bits. True
 * when it changed the mode of an existing folder. An existing folder whose mode cannot be changed
 * (another owner, a file system without modes) is left as it is: secureDataDir reports those.
 */
export function ensurePrivateDir(dir: string): boolean {
  const parent = path.dirname(dir);
  if (parent !== dir) fs.mkdirSync(parent, { recursive: true });
  try {
    // The mode given to mkdir() and open() is masked by the umask, which can only take bits away.
    fs.mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    return false;
  } catch (err) {
    if (!fs.existsSync(dir)) throw err;
  }
  return tightenIfPossible(dir, PRIVATE_DIR_MODE);
}

/** Create file (empty) as 0600 if missing; make it 0600 if it has group/other bits. Never truncates. True when it changed the mode of an existing file. */
export function ensurePrivateFile(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (err) {
    if (!fs.existsSync(file)) throw err;
    return tightenIfPossible(file, PRIVATE_FILE_MODE);
  }
  fs.closeSync(fd);
  return false;
}

function tightenIfPossible(p: string, mode: number): boolean {
  try {
    return tighten(p, mode);
  } catch {
    return false;
  }
}

/** chmod to `mode` when the current mode has any group/other bit. */
function tighten(p: string, mode: number): boolean {
  if (!posix) return false;
  if ((fs.statSync(p).mode & GROUP_OTHER) === 0) return false;
  fs.chmodSync(p, mode);
  return true;
}

/**
 * Make the data directory private: create it 0700 if missing, then walk it (without following
 * symbolic links) and take the group/other bits from every folder (0700) and regular file (0600)
 * that has any. Runs before the logger and the database open, so it logs nothing itself: hand the
 * result to `reportSecuredDataDir` once the logger exists. A file it may not change (another
 * owner, a file system without modes) is reported in `failed`, never thrown: the desk still starts.
 */
export function secureDataDir(dataDir: string): SecuredDataDir {
  const result: SecuredDataDir = { created: false, tightened: [], failed: [] };
  const root = path.resolve(dataDir);
  if (!fs.existsSync(root)) {
    ensurePrivateDir(root);
    result.created = true;
  }
  if (!posix) return result;
  const visit = (abs: string, rel: string, isDir: boolean): void => {
    const shown = isDir ? (rel === '' ? './' : rel + '/') : rel;
    try {
      if (tighten(abs, isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE)) result.tightened.push(shown);
    } catch (err) {
      result.failed.push({ path: shown, code: (err as NodeJS.ErrnoException).code ?? 'ERROR' });
    }
    if (!isDir) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      result.failed.push({ path: shown, code: (err as NodeJS.ErrnoException).code ?? 'ERROR' });
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      // Dirent types come from lstat: a symbolic link is neither a directory nor a file here.
      if (!e.isDirectory() && !e.isFile()) continue;
      visit(path.join(abs, e.name), rel === '' ? e.name : `${rel}/${e.name}`, e.isDirectory());
    }
  };
  // The data directory itself may be a symbolic link the user made (to another disk): that one is followed.
  visit(root, '', true);
  return result;
}

/** Log what secureDataDir did, if anything: names only, never content. Logs nothing when there was nothing to do. */
export function reportSecuredDataDir(logger: DataDirLogger, result: SecuredDataDir): void {
  if (result.tightened.length > 0) {
    const n = result.tightened.length;
    logger.warn(`tightened the permissions of ${n} ${n === 1 ? 'file' : 'files'} in the data folder: other users could read ${n === 1 ? 'it' : 'them'}`, {
      paths: result.tightened,
    });
  }
  if (result.failed.length > 0) {
    logger.warn(`could not make ${result.failed.length} of the data folder's files private: other users may be able to read them`, {
      paths: result.failed.map((f) => `${f.path} (${f.code})`),
    });
  }
}
