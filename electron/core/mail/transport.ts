import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';

export type SmtpSecurity = 'none' | 'starttls' | 'tls';

/** The SMTP settings with the password opened: for the mail code only, never returned or logged. */
export interface SmtpConfig {
  /** A host is set. Otherwise mail is written as .eml files to DATA_DIR/outbox. */
  configured: boolean;
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  password: string | null;
  from: string;
}

export interface SmtpTransportOptions {
  /** Pooled: a few connections kept open and reused for many messages. */
  pool: boolean;
  maxConnections?: number;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** The folder .eml files go to when no SMTP server is set. */
export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

/** A nodemailer SMTP transport for the settings: pooled for the sender, one-off for a test mail. */
export function smtpTransport(config: SmtpConfig, opts: SmtpTransportOptions): Transporter {
  const common = {
    host: config.host,
    port: config.port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    ...(config.user !== '' ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    connectionTimeout: opts.connectionTimeoutMs ?? 15_000,
    greetingTimeout: opts.connectionTimeoutMs ?? 15_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    // nodemailer's own logging stays off: a debug log would carry message bodies and AUTH lines.
    logger: false,
    debug: false,
  };
  let transport: Transporter;
  if (opts.pool) {
    transport = nodemailer.createTransport({
      ...common,
      pool: true,
      maxConnections: opts.maxConnections ?? 5,
      maxMessages: 100,
      // A connection that drops mid-message is retried by the outbox (with backoff and a count),
      // except once at once: a pooled connection the server closed as idle just as it was picked.
      maxRequeues: 1,
    }) as Transporter; // the pool's overload is typed with any
  } else {
    transport = nodemailer.createTransport(common);
  }
  // Every failure is reported to the sendMail that met it; an 'error' event nobody listened to
  // would take the whole process down instead.
  transport.on('error', () => undefined);
  return transport;
}

export function closeTransport(transport: Transporter): void {
  try {
    transport.close();
  } catch {
    // closing a transport that never connected
  }
}

/** What a failed send says: the server's answer when there is one, else the error text. */
export function describeSmtpError(err: unknown): string {
  const e = err as { message?: unknown; response?: unknown; code?: unknown };
  if (typeof e?.response === 'string' && e.response !== '') return clip(e.response);
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return clip(code + message);
}

export function clip(text: string, max = 1000): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export type FailureKind = 'permanent' | 'temporary';

/**
 * Permanent: the server refused this message for good (a 5xx reply to MAIL FROM, RCPT TO or
 * DATA), or the message itself cannot be sent (an invalid address, too large). Everything else
 * is temporary and retried: 4xx replies, dropped connections, timeouts, and session-level
 * refusals (a 5xx greeting, a failed login or TLS upgrade) that fixing the settings cures.
 */
export function classifySmtpError(err: unknown): FailureKind {
  const e = err as { code?: unknown; responseCode?: unknown; permanent?: unknown; command?: unknown };
  const command = typeof e?.command === 'string' ? e.command.toUpperCase() : '';
  const messageLevel = command === 'MAIL FROM' || command === 'RCPT TO' || command === 'DATA';
  if (typeof e?.responseCode === 'number') {
    const permanent = typeof e.permanent === 'boolean' ? e.permanent : e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
    return permanent && messageLevel ? 'permanent' : 'temporary';
  }
  // No reply from the server: an address nodemailer would not put in an envelope, or a message
  // over the size the server announced, will not get better by trying again.
  return e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE' ? 'permanent' : 'temporary';
}

let streamTransport: Transporter | undefined;

/** Render a message to RFC 5322 text (CRLF line ends), as it would go over SMTP. */
export async function renderEml(message: SendMailOptions): Promise<Buffer> {
  streamTransport ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await streamTransport.sendMail(message);
  return info.message as Buffer;
}

/**
 * Write a message as DATA_DIR/outbox/<name>.eml, atomically: to a temporary file first (synced),
 * then renamed into place, so a reader never sees half a message and a retry after a crash
 * replaces the same file instead of adding a second one. Only the desk's user can read it.
 * Returns the path relative to the data directory.
 */
export async function writeEml(dataDir: string, name: string, message: SendMailOptions): Promise<string> {
  const dir = outboxDir(dataDir);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${safeFileName(name)}.eml`);
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const content = await renderEml(message);
  const handle = await fs.promises.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return path.relative(dataDir, file);
}

export function safeFileName(name: string): string {
  return name.replace(/[<>]/g, '').replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 180);
}
