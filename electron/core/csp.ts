/**
 * The Content Security Policy every renderer page is served with, by the Electron app:// protocol
 * and by the browser host alike (renderer/index.html carries the same policy in a meta tag).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
