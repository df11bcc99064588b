import path from 'node:path';
import winston from 'winston';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from '../data-dir';

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Keys whose values are never written to a log, whatever the caller passes. */
const SECRET_KEY_RE = /pass(word)?|secret|seed|token|code|otp|otpauth|challenge|cookie|authorization|key/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack === undefined ? undefined : redactText(value.stack) };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY_RE.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string') return redactText(value);
  return value;
}

/** Secrets that can hide inside free text: otpauth URIs and their secret= parameter. */
function redactText(text: string): string {
  return text.replace(/otpauth:\/\/\S+/gi, 'otpauth://[redacted]').replace(/secret=[A-Za-z2-7=]+/gi, 'secret=[redacted]');
}

/**
 * Structured JSON log in DATA_DIR/logs/desk.log, rotated by size (winston's file transport keeps
 * the newest files). Metadata passes through redact() so secrets never reach the file. The folder
 * is 0700 and every log file 0600 whatever the umask: the file is made before winston opens it, and
 * winston opens the ones it rotates to with the same mode.
 */
export function createLogger(dataDir: string, opts: { console?: boolean } = {}): Logger {
  const dir = path.join(dataDir, 'logs');
  ensurePrivateDir(dataDir);
  ensurePrivateDir(dir);
  const file = path.join(dir, 'desk.log');
  ensurePrivateFile(file);
  const scrub = winston.format((info) => {
    for (const k of Object.keys(info)) {
      if (k === 'level' || k === 'message' || k === 'timestamp') continue;
      (info as Record<string, unknown>)[k] = SECRET_KEY_RE.test(k) ? '[redacted]' : redact(info[k]);
    }
    info.message = redact(info.message);
    return info;
  });
  const transports: winston.transport[] = [
    new winston.transports.File({
      filename: file,
      // Handed to fs.createWriteStream for desk.log and for each file it rotates to.
      options: { flags: 'a', mode: PRIVATE_FILE_MODE },
      maxsize: 5 * 1024 * 1024,
      maxFiles: 5,
      tailable: true,
    }),
  ];
  if (opts.console) transports.push(new winston.transports.Console({ level: 'warn' }));
  const logger = winston.createLogger({
    level: 'info',
    format: winston.format.combine(scrub(), winston.format.timestamp(), winston.format.json()),
    transports,
  });
  return {
    info: (m, meta) => logger.info(m, meta),
    warn: (m, meta) => logger.warn(m, meta),
    error: (m, meta) => logger.error(m, meta),
    close: () =>
      new Promise<void>((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
        setTimeout(resolve, 500).unref();
      }),
  };
}

/** For tests and tools that want no file. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  close: async () => {},
};
