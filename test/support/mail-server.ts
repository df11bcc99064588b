/**
 * A real SMTP server on loopback (the smtp-server package) that the tests and the mail
 * benchmark send real nodemailer mail to, with knobs for the answers a real server gives:
 * temporary (4xx) and permanent (5xx) refusals, slow replies, required logins.
 */
import net from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** The Message-ID header as sent, with its angle brackets. */
  messageId: string;
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, string>;
  /** The session (connection) it came in on. */
  session: string;
  user: string | null;
}

/** An SMTP refusal: `code` and text, as the server would answer. */
export interface Refusal {
  code: number;
  message: string;
}

export interface SmtpServerOptions {
  /** Listen on this port (default: any free one). */
  port?: number;
  /** Answer RCPT TO: a refusal, or nothing to accept. `n` counts RCPT commands from 1. */
  onRcpt?: (address: string, n: number) => Refusal | void;
  /** Answer the end of DATA: a refusal, or nothing to accept. `n` counts messages from 1. */
  onData?: (mail: ReceivedMail, n: number) => Refusal | void;
  /** Wait this long before answering the end of DATA (a slow server). */
  dataDelayMs?: number;
  /** Wait this long before the greeting of every new connection (what a real server costs to reach). */
  connectDelayMs?: number;
  /** Require this login (PLAIN/LOGIN over the plain connection). */
  auth?: { user: string; pass: string };
  /** What a 250 after DATA says; gets the count appended. */
  acceptText?: string;
}

export interface TestSmtpServer {
  port: number;
  /** Messages the server accepted (answered 250 after DATA), in order. */
  received: ReceivedMail[];
  /** Messages whose DATA the server refused. */
  refused: number;
  /** Connections opened to it. */
  connections: number;
  /** Logins tried, with whether they were right (never the password itself). */
  logins: Array<{ user: string; ok: boolean }>;
  close(): Promise<void>;
}

function refusal(r: Refusal): Error {
  return Object.assign(new Error(r.message), { responseCode: r.code });
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  let rcpts = 0;
  let datas = 0;
  const state: Omit<TestSmtpServer, 'port' | 'close'> = { received: [], refused: 0, connections: 0, logins: [] };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    size: 10 * 1024 * 1024,
    closeTimeout: 200,
    onConnect(_session, cb) {
      state.connections++;
      if (opts.connectDelayMs) setTimeout(() => cb(), opts.connectDelayMs);
      else cb();
    },
    onAuth(auth, _session, cb) {
      const ok = !!opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass;
      state.logins.push({ user: String(auth.username ?? ''), ok });
      if (!ok) return cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      const r = opts.onRcpt?.(address.address, ++rcpts);
      cb(r ? refusal(r) : null);
    },
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = parseMail(raw, session);
        const n = ++datas;
        const answer = () => {
          const r = opts.onData?.(mail, n);
          if (r) {
            state.refused++;
            return cb(refusal(r));
          }
          state.received.push(mail);
          cb(null, `${opts.acceptText ?? 'OK queued as'} ${state.received.length}`);
        };
        if (opts.dataDelayMs) setTimeout(answer, opts.dataDelayMs);
        else answer();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;
  const running: TestSmtpServer = Object.assign(state, {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // close() waits for clients to leave: end their connections so it does not hang.
        for (const c of server.connections) (c as unknown as { close?: () => void }).close?.();
        server.close(() => resolve());
      }),
  });
  return running;
}

/** A server that accepts TCP connections and drops each at once, before any greeting. */
export async function startDroppingServer(port = 0): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return Object.assign(state, {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A loopback port nothing listens on (taken and released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Split an RFC 5322 message into headers (lower-case names, unfolded) and body. */
export function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodePart(headers: Map<string, string>, body: string): string {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** The text and HTML parts of a message (multipart/alternative or a single part). */
export function bodies(raw: string): { text: string; html: string } {
  const out = { text: '', html: '' };
  const walk = (headers: Map<string, string>, body: string) => {
    const type = headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      const parts = body.split(`--${boundary}`).slice(1);
      for (const part of parts) {
        if (part.startsWith('--')) break;
        const p = splitMessage(part.replace(/^\r?\n/, ''));
        walk(p.headers, p.body.replace(/\r?\n$/, ''));
      }
      return;
    }
    if (/^text\/html/i.test(type)) out.html += decodePart(headers, body);
    else if (/^text\/plain/i.test(type)) out.text += decodePart(headers, body);
  };
  const m = splitMessage(raw);
  walk(m.headers, m.body);
  out.text = out.text.replace(/\r\n/g, '\n');
  out.html = out.html.replace(/\r\n/g, '\n');
  return out;
}

export function parseMail(raw: string, session?: SMTPServerSession): ReceivedMail {
  const { headers } = splitMessage(raw);
  const { text, html } = bodies(raw);
  const env = session?.envelope;
  return {
    messageId: headers.get('message-id') ?? '',
    from: env && env.mailFrom ? env.mailFrom.address : '',
    to: env ? env.rcptTo.map((r) => r.address) : [],
    raw,
    subject: headers.get('subject') ?? '',
    text,
    html,
    headers,
    session: session?.id ?? '',
    user: session?.user == null ? null : String(session.user),
  };
}
