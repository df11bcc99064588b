import path from 'node:path';

/**
 * Map a request path (still percent-encoded, as in a URL) to a file inside `root`, or null when it
 * would leave the folder, cannot be decoded, or holds a NUL. The browser host and the Electron
 * app:// protocol both serve the renderer through this one guard.
 */
export function resolveStaticFile(root: string, encodedPathname: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(encodedPathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rel));
  return file.startsWith(base + path.sep) ? file : null;
}
