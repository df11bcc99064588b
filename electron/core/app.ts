import type { Knex } from 'knex';
import { systemClock, type Clock } from './clock';
import { openDatabase, type Database } from './db/connection';
import { deferredIndexes, restoreIndexes } from './db/deferred-indexes';
import { migrateToLatest } from './db/migrate';
import { createLogger, type Logger } from './log/logger';
import { KeyFileProvider, Vault, type KeyProvider } from './secrets/vault';
import { ChallengeStore, SessionStore } from './auth/sessions';
import { createSessionCheck } from './auth/session-check';
import { createRouter, type Router } from './ipc/router';
import { createHandlers } from './ipc/handlers';
import { checkpointAtShutdown, checkpointIfDue } from './audit/integrity';
import { signLegacyEvents } from './audit/signatures';
import { attachVault } from './secrets/db-vault';
import { reportSecuredDataDir, secureDataDir } from './data-dir';
import { AuditExportJobs } from './audit/export-jobs';
import { recordAudit } from './audit/audit.service';
import { verifyDataKey } from './secrets/data-key';
import { signOut } from './auth/auth.service';
import type { CoreConfig } from './config';
import { createMailSender, type MailSender } from './mail/sender';
import { HrImportJobs } from './imports/hr-jobs';

export interface DeskCore {
  config: CoreConfig;
  db: Knex;
  database: Database;
  clock: Clock;
  logger: Logger;
  vault: Vault;
  sessions: SessionStore;
  router: Router;
  /** The outbox sender (delivering in the background when the core was opened with deliverMail). */
  mail: MailSender;
  /** End a session from outside the contract (its Electron window closed). Audited. */
  signOut(token: string): Promise<void>;
  close(): Promise<void>;
}

export interface CoreOptions {
  config: CoreConfig;
  clock?: Clock;
  logger?: Logger;
  keys?: KeyProvider;
  /**
   * Deliver the outbox in the background (the app and the browser host). Off for one-shot commands
   * and tests, which drain it themselves when they need to.
   */
  deliverMail?: boolean;
  /**
   * Sign the audit chain's head within minutes of new events and daily (checked at open, then every
   * minute; see checkpointIfDue): the app and the browser host, which stay up. One-shot commands
   * and tests leave it off. Every core signs the head when it closes, if events were added since
   * the newest checkpoint.
   */
  auditCheckpoints?: boolean;
  /** Electron's native save dialog, for exports (see HandlerDeps.chooseSavePath). */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
}

/**
 * Everything the main process owns, wired together: database (migrated), vault, sessions and the
 * router over the contract. Electron main, the browser host, the CLI and the tests all start here.
 */
export async function openDeskCore(options: CoreOptions): Promise<DeskCore> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // Before anything writes into it (the logger, sqlite): the data folder 0700, its files 0600.
  const secured = secureDataDir(config.dataDir);
  const logger = options.logger ?? createLogger(config.dataDir);
  reportSecuredDataDir(logger, secured);
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, schema: config.databaseSchema });
  try {
    await migrateToLatest(database.knex);
  } catch (err) {
    await database.close();
    throw err;
  }
  try {
    // An HR import into an empty desk that was stopped (killed, the power cut) before it built the
    // look-up's indexes left them out: build them now, before anyone searches.
    const deferred = await deferredIndexes(database.knex);
    if (deferred) {
      logger.warn('building the look-up indexes an interrupted load left out', { reason: deferred.reason, since: deferred.at });
      await restoreIndexes(database.knex);
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const keys = options.keys ?? new KeyFileProvider(config.dataDir);
  try {
    await verifyDataKey(database.knex, clock, keys);
  } catch (err) {
    await database.close();
    throw err;
  }
  const vault = new Vault(keys);
  const db = database.knex;
  // Audit events are signed under the data key (audit/chain.ts): the database handle carries it.
  attachVault(db, vault);
  const chain = { db, clock, vault, dataDir: config.dataDir };
  try {
    const legacy = await signLegacyEvents(chain);
    if (legacy.boundaryMissing) logger.error('the record of where audit signatures began is missing: nothing was signed; run `desk audit verify`');
    if (legacy.signed > 0) logger.info('signed the audit events written before events were signed', { events: legacy.signed, upTo: legacy.boundary });
    if (legacy.stoppedAt !== null) {
      logger.error('the audit trail is broken where it was being signed: run `desk audit verify`', { atEvent: legacy.stoppedAt });
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const sessions = new SessionStore(clock);
  const challenges = new ChallengeStore(clock);
  const mail = createMailSender({ db, clock, vault, logger, dataDir: config.dataDir });
  const hrJobs = new HrImportJobs({ db, clock, logger, dataDir: config.dataDir });
  const auditExports = new AuditExportJobs({ db, reader: database.reader, clock, vault, logger, dataDir: config.dataDir });
  const handlers = createHandlers({
    db,
    reader: database.reader,
    databaseKind: database.kind,
    clock,
    vault,
    sessions,
    challenges,
    logger,
    onMailQueued: () => mail.wake(),
    dataDir: config.dataDir,
    hrJobs,
    auditExports,
    dataKey: () => keys.storage(),
    ...(options.chooseSavePath ? { chooseSavePath: options.chooseSavePath } : {}),
  });
  const router = createRouter({
    handlers,
    sessions,
    logger,
    onSessionExpired: async (s) => {
      await recordAudit(db, clock, { actor: { userId: s.userId, name: s.username }, action: 'desk_user.session_locked', details: { reason: 'idle' } });
    },
    checkSession: createSessionCheck(db, clock),
  });
  if (options.deliverMail) mail.start();
  let checkpointTimer: NodeJS.Timeout | undefined;
  let checkpointRun: Promise<unknown> = Promise.resolve();
  if (options.auditCheckpoints) {
    const due = () =>
      checkpointIfDue(chain).catch((err: unknown) => {
        logger.error('daily audit checkpoint failed', { error: err instanceof Error ? err.message : String(err) });
      });
    await due();
    checkpointTimer = setInterval(() => {
      checkpointRun = due();
    }, 60_000);
    checkpointTimer.unref();
  }
  logger.info('core opened', { database: database.kind, location: database.location, deliverMail: !!options.deliverMail });
  return {
    config,
    db,
    database,
    clock,
    logger,
    vault,
    sessions,
    router,
    mail,
    signOut: (token) => signOut({ db, clock, vault, sessions, challenges }, { token }),
    async close() {
      clearInterval(checkpointTimer);
      await checkpointRun;
      await hrJobs.close();
      await auditExports.close();
      await mail.stop();
      // Events written since the newest checkpoint are pinned before the desk goes away.
      await checkpointAtShutdown(chain).catch((err: unknown) => {
        logger.error('the audit checkpoint at shutdown failed', { error: err instanceof Error ? err.message : String(err) });
      });
      await database.close();
      await logger.close();
    },
  };
}
