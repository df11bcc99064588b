/** How a failed command says so: one plain line on stderr, the exit code by kind of failure. */
import fs from 'node:fs';
import path from 'node:path';

/** Wrong usage (exit code 2): checked before anything is done. */
export class UsageError extends Error {}

/** A failure the person running the command can act on, said in one line (exit code 1). */
export class CliFailure extends Error {}

export const folderExists = (dir: string): boolean => {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

/** What a failed file or network call means, in words (the system's own text is terse: "ENOENT: …"). */
function systemErrorWords(err: NodeJS.ErrnoException & { dest?: string; address?: string; port?: number }): string | null {
  const where = err.path ?? err.dest;
  if (where) {
    switch (err.code) {
      case 'ENOENT':
        return folderExists(path.dirname(path.resolve(where))) ? `There is no file ${where}.` : `The folder ${path.dirname(path.resolve(where))} does not exist (for ${where}).`;
      case 'EACCES':
      case 'EPERM':
        return `Permission denied: you cannot use ${where}.`;
      case 'EEXIST':
        return err.syscall === 'mkdir' ? `${where} is there already and is not a folder.` : `${where} already exists; give a new file name.`;
      case 'EISDIR':
        return `${where} is a folder, not a file.`;
      case 'ENOTDIR':
        return `A part of ${where} is not a folder.`;
      case 'ENOSPC':
        return `The disk is full (writing ${where}).`;
      case 'EROFS':
        return `${where} is on a disk that cannot be written to.`;
      default:
        return null;
    }
  }
  const at = err.address ? `${err.address}${err.port !== undefined ? `:${err.port}` : ''}` : null;
  if (at && err.code === 'ECONNREFUSED') return `Nothing answered at ${at} (connection refused).`;
  if (at && err.code === 'EADDRINUSE') return `${at} is in use by another program: choose another port with --port.`;
  if (at && err.code === 'EACCES' && err.syscall === 'listen') return `Not allowed to listen on ${at}: choose a port above 1023 with --port.`;
  return null;
}

/**
 * Any failure as one plain line: never a stack, never a multi-line dump. An error the desk did not
 * expect is its message only.
 */
export function oneLine(err: unknown): string {
  if (err instanceof AggregateError && !err.message && err.errors.length > 0) return oneLine(err.errors[0]);
  let text: string;
  if (err instanceof Error) text = systemErrorWords(err) ?? (err.message || err.name);
  else text = String(err);
  return text.replace(/\s+/g, ' ').trim() || 'Something went wrong.';
}

export function sayFailure(message: string): void {
  process.stderr.write(`desk: ${message}\n`);
}

/**
 * A file a command is about to write: its folder must exist and be a folder, said plainly before
 * anything is done (no half-written export, no audit row for a file that could not be made).
 */
export function outputFile(file: string, option: string): string {
  const out = path.resolve(file);
  const dir = path.dirname(out);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CliFailure(`The folder ${dir} does not exist (${option} ${file}): create it first, or choose another folder.`);
  }
  if (!stat.isDirectory()) throw new CliFailure(`${dir} is not a folder (${option} ${file}).`);
  if (folderExists(out)) throw new CliFailure(`${out} is a folder: give ${option} a file name.`);
  return out;
}
