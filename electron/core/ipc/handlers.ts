import type { Knex } from 'knex';
import { DeskError } from '../../../shared/errors';
import type { Clock } from '../clock';
import type { DatabaseKind } from '../db/connection';
import type { Logger } from '../log/logger';
import type { Vault } from '../secrets/vault';
import { completeSignIn, sessionInfo, setNewPassword, signIn, signOut } from '../auth/auth.service';
import type { ChallengeStore, SessionStore } from '../auth/sessions';
import {
  adminCreateDeskUser,
  countDeskUsers,
  createFirstAdmin,
  listDeskUsers,
  resetDeskUserPassword,
  resetDeskUserTotp,
  setDeskUserDisabled,
  setDeskUserRole,
  unlockDeskUser,
} from '../deskusers/deskusers.service';
import type { DataKeyView, DeskUserView } from '../../../shared/domain';
import { getEmployee, hasEmployees } from '../employees/employees.service';
import { EmployeeSearch } from '../employees/search.service';
import { employeeAudit, employeePage } from '../employees/employee-page.service';
import { seedDemoData } from '../demo/seed.service';
import {
  checkAuthenticatorCode,
  checkIdentityCode,
  overrideVerification,
  reRegister,
  removeFactor,
  restartRegistration,
  sendIdentityCode,
  unlock,
  type AgentContext,
} from '../mfa/agent-actions.service';
import type { Session } from '../auth/sessions';
import { updateEmails } from '../records/emails.service';
import { PRODUCT_NAME, VERSION } from '../version';
import type { Handlers } from './router';
import { getSmtpView, sendTestMail, updateSmtpSettings } from '../mail/smtp-settings';
import type { HrImportJobs } from '../imports/hr-jobs';
import type { AuditExportJobs } from '../audit/export-jobs';
import type { Actor } from '../audit/audit.service';
import { verifyAuditTrail, writeCheckpoint } from '../audit/integrity';
import { auditReportCount, auditReportPage } from '../audit/reports.service';
import { auditDashboard } from '../audit/dashboard.service';
import { recordAudit } from '../audit/audit.service';
import {
  createTicket,
  findChangeReference,
  getTicket,
  listManagerTasks,
  listTickets,
  openFromChangeReference,
  reopenTicket,
  resolveTicket,
  updateTicket,
  waitOnManager,
  type TicketActor,
} from '../tickets/tickets.service';
import { ticketReport, ticketReportCsv } from '../tickets/report.service';
import { changeSetting, getSetting } from '../settings/settings.service';

export interface HandlerDeps {
  db: Knex;
  /** Long read-only queries (the match count) go here, so they do not queue in front of the rest. */
  reader?: Knex;
  databaseKind: DatabaseKind;
  clock: Clock;
  vault: Vault;
  sessions: SessionStore;
  challenges: ChallengeStore;
  logger: Logger;
  /** Called after a handler committed mail to the outbox, so the sender can deliver it now. */
  onMailQueued?: () => void;
  /** The data directory (where mail goes as .eml files when no SMTP server is set). */
  dataDir?: string;
  /** HR imports started from the app. */
  hrJobs?: HrImportJobs;
  /** Audit exports started from the app. */
  auditExports?: AuditExportJobs;
  /**
   * Ask where to save a file (Electron's native save dialog): the path, or null when the user
   * cancelled. Absent in the browser host, where the renderer downloads the file instead.
   */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
  /** Where the data key is kept (the key provider the core was opened with). */
  dataKey?: () => DataKeyView;
}

/** The desk user acting (from the session the router checked) on the ticket the agent typed. */
function agent(session: Session | null, ticketRef: string): AgentContext {
  if (!session) throw new DeskError('UNAUTHENTICATED', 'Sign in first.');
  return { actor: { userId: session.userId, name: session.username }, role: session.role, ticketRef };
}

/** The signed-in desk user working a ticket. */
function ticketActor(session: Session | null): TicketActor {
  const s = requireSession(session);
  return { actor: { userId: s.userId, name: s.username }, role: s.role };
}

function requireSession(session: Session | null): Session {
  if (!session) throw new DeskError('UNAUTHENTICATED', 'Sign in first.');
  return session;
}

/** The desk user's id, for what belongs to them (their uploads and imports). */
function who(session: Session | null): number {
  return requireSession(session).userId;
}

/** The signed-in desk user as the audit trail names them. */
function actorOf(session: Session | null): Actor {
  const s = requireSession(session);
  return { userId: s.userId, name: s.username };
}


/** Thin listeners: the router has already checked the role and parsed the input. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const { db, clock } = deps;
  const mfa = { db, clock, vault: deps.vault };
  const auditExports = () => {
    if (!deps.auditExports) throw new DeskError('UNAVAILABLE', 'Audit exports are not available here.');
    return deps.auditExports;
  };
  const jobs = () => {
    if (!deps.hrJobs) throw new DeskError('UNAVAILABLE', 'HR imports are not available here.');
    return deps.hrJobs;
  };
  /** Wake the mail sender; a failing hook never turns a committed change into an error. */
  const mailQueued = <T>(value: T): T => {
    try {
      deps.onMailQueued?.();
    } catch (err) {
      deps.logger.warn('mail wake-up failed', { error: err instanceof Error ? err.message : String(err) });
    }
    return value;
  };
  /** End the desk user's sessions in this process (when `end`); the view is passed through. */
  const endSessions = (user: DeskUserView, end: boolean): DeskUserView => {
    if (end) deps.sessions.revokeUser(user.id);
    return user;
  };
  let demoRunning = false;
  const search = new EmployeeSearch(db, deps.reader ?? db);
  // The organisation list changes only with imports; a minute's staleness is fine for a filter.
  let organisations: { at: number; list: string[] } | null = null;
  return {
    'app.status': async (_input, ctx) => ({
      productName: PRODUCT_NAME,
      version: VERSION,
      database: deps.databaseKind,
      needsFirstAdmin: (await countDeskUsers(db)) === 0,
      hasEmployees: ctx.session ? await hasEmployees(db) : false,
      session: ctx.session ? sessionInfo(ctx.session) : null,
    }),

    'auth.createFirstAdmin': async (input) => {
      await createFirstAdmin(db, clock, input, { userId: null, name: 'first-run' });
      return { username: input.username };
    },

    'auth.signIn': async (input) => signIn(deps, input.username, input.password),

    'auth.completeSignIn': async (input, ctx) => {
      const session = await completeSignIn(deps, input.challenge, input.code);
      const previous = ctx.slot.get();
      if (previous) deps.sessions.revoke(previous);
      ctx.slot.set(session.token);
      return sessionInfo(session);
    },

    'auth.setNewPassword': async (input) => setNewPassword(deps, input.challenge, input.password),

    'auth.signOut': async (_input, ctx) => {
      await signOut(deps, ctx.slot.get());
      ctx.slot.set(undefined);
      return null;
    },

    'employees.search': async (input) => search.page(input),

    'employees.count': async (input) => search.count(input.query, input.filters),

    'employees.organisations': async () => {
      const now = clock.now().getTime();
      if (!organisations || now - organisations.at > 60_000) organisations = { at: now, list: await search.organisations() };
      return organisations.list;
    },

    'employees.get': async (input) => getEmployee(db, input.employeeId),

    'employees.page': async (input) => employeePage(db, clock, input.employeeId),

    'employees.audit': async (input) => {
      await getEmployee(db, input.employeeId); // NOT_FOUND for an unknown employee
      return employeeAudit(db, input.employeeId, input.cursor);
    },

    'mfa.sendIdentityCode': async (input, ctx) =>
      mailQueued(await sendIdentityCode(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, emailId: input.emailId })),

    'mfa.checkIdentityCode': async (input, ctx) =>
      checkIdentityCode(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, code: input.code }),

    'mfa.checkAuthenticatorCode': async (input, ctx) =>
      checkAuthenticatorCode(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, code: input.code }),

    'mfa.overrideVerification': async (input, ctx) =>
      overrideVerification(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, reason: input.reason }),

    'mfa.reRegister': async (input, ctx) =>
      mailQueued(
        await reRegister(mfa, agent(ctx.session, input.ticketRef), {
          employeeId: input.employeeId,
          factorType: input.factorType,
          emailId: input.emailId ?? null,
        }),
      ),

    'mfa.restartRegistration': async (input, ctx) =>
      mailQueued(await restartRegistration(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, factorId: input.factorId })),

    'mfa.removeFactor': async (input, ctx) =>
      mailQueued(await removeFactor(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId, factorId: input.factorId })),

    'mfa.unlock': async (input, ctx) => unlock(mfa, agent(ctx.session, input.ticketRef), { employeeId: input.employeeId }),

    'tickets.list': async (input, ctx) => listTickets({ db, clock }, who(ctx.session), input),
    'tickets.create': async (input, ctx) => createTicket({ db, clock }, ticketActor(ctx.session), input),
    'tickets.get': async (input) => getTicket({ db, clock }, input.ticketId),
    'tickets.update': async (input, ctx) => updateTicket({ db, clock }, ticketActor(ctx.session), input),
    'tickets.waitOnManager': async (input, ctx) => waitOnManager({ db, clock }, ticketActor(ctx.session), input),
    'tickets.resolve': async (input, ctx) => resolveTicket({ db, clock }, ticketActor(ctx.session), input),
    'tickets.reopen': async (input, ctx) => reopenTicket({ db, clock }, ticketActor(ctx.session), input),
    'tickets.findChange': async (input) => findChangeReference(db, input.text),
    'tickets.openFromChange': async (input, ctx) => openFromChangeReference({ db, clock }, ticketActor(ctx.session), input),
    'tasks.list': async (input) => listManagerTasks(db, input.status),
    'tickets.report': async (input) => ticketReport(deps.reader ?? db, input),
    'tickets.reportCsv': async (input, ctx) => {
      const report = await ticketReport(deps.reader ?? db, input);
      await recordAudit(db, clock, { actor: actorOf(ctx.session), action: 'tickets.report_exported', details: { from: input.from, to: input.to, opened: report.opened } });
      return { csv: ticketReportCsv(report), fileName: `tickets-${input.from}-to-${input.to}.csv` };
    },
    'replies.get': async () => getSetting(db, 'tickets.cannedReplies'),
    'replies.update': async (input, ctx) => changeSetting(db, clock, actorOf(ctx.session), 'tickets.cannedReplies', input.replies, 'replies'),

    'records.updateEmails': async (input, ctx) => {
      const { ticketRef, ...change } = input;
      return mailQueued(await updateEmails(mfa, agent(ctx.session, ticketRef), change));
    },

    'hr.upload.begin': async (input, ctx) => jobs().begin(who(ctx.session), input.name, input.size),
    'hr.upload.chunk': async (input, ctx) => jobs().chunk(who(ctx.session), input.uploadId, input.offset, input.data),
    'hr.import.start': async (input, ctx) => {
      const s = requireSession(ctx.session);
      return jobs().start(s.userId, { userId: s.userId, name: s.username }, input.uploadId, input.dryRun);
    },
    'hr.import.status': async (input, ctx) => jobs().status(who(ctx.session), input.jobId),
    'hr.import.cancel': async (input, ctx) => jobs().cancel(who(ctx.session), input.jobId),
    'hr.import.report': async (input, ctx) => jobs().report(who(ctx.session), input.jobId),
    'smtp.get': async () => getSmtpView(db),
    'smtp.update': async (input, ctx) => {
      if (!ctx.session) throw new DeskError('UNAUTHENTICATED', 'Sign in first.');
      const view = await updateSmtpSettings(db, clock, deps.vault, { userId: ctx.session.userId, name: ctx.session.username }, input);
      // Wake the sender: mail that is due goes out through the new settings now.
      deps.onMailQueued?.();
      return view;
    },
    'smtp.testMail': async (input) => {
      if (!deps.dataDir) throw new DeskError('UNAVAILABLE', 'Test mail is not available here.');
      return sendTestMail(db, deps.vault, deps.dataDir, input.to, clock);
    },
    // Reports only read: on sqlite they go to the query-only connection, so a long count or walk
    // never holds up a change.
    'audit.report': async (input) => auditReportPage(deps.reader ?? db, input),
    'audit.reportCount': async (input) => ({ count: await auditReportCount(deps.reader ?? db, input.filter) }),
    'audit.export.start': async (input, ctx) => {
      const s = requireSession(ctx.session);
      const exports = auditExports();
      // In the app the user chooses where the file goes (the main process's own dialog; a path
      // never comes from the renderer); in the browser host the renderer fetches it in parts.
      const saveTo = deps.chooseSavePath ? await deps.chooseSavePath(`audit-${clock.now().toISOString().slice(0, 10)}.${input.format}`) : null;
      if (deps.chooseSavePath && saveTo === null) return null;
      return exports.start(s.userId, actorOf(s), input.filter, input.format, saveTo);
    },
    'audit.export.status': async (input, ctx) => auditExports().status(who(ctx.session), input.jobId),
    'audit.export.cancel': async (input, ctx) => auditExports().cancel(who(ctx.session), input.jobId),
    'audit.export.chunk': async (input, ctx) => auditExports().chunk(who(ctx.session), input.jobId, input.offset),
    'audit.dashboard': async (input) => auditDashboard(deps.reader ?? db, clock, input),
    'audit.verify': async (_input, ctx) =>
      verifyAuditTrail(db, clock, deps.vault, actorOf(ctx.session), {
        reader: deps.reader,
        dataDir: deps.dataDir,
        onProgress: (done) => ctx.emit('progress', { task: 'audit.verify', done, total: 0 }),
      }),
    'audit.checkpoint': async (_input, ctx) =>
      writeCheckpoint(db, clock, deps.vault, { reason: 'manual', createdBy: actorOf(ctx.session).name, dataDir: deps.dataDir }),
    'desk.users.list': async () => listDeskUsers(db, clock),
    'desk.users.create': async (input, ctx) => adminCreateDeskUser(db, clock, actorOf(ctx.session), input),
    // Changes that end the desk user's sessions end them here at once; other desks sharing the
    // database notice the raised session epoch (see auth/session-check.ts).
    'desk.users.setEnabled': async (input, ctx) =>
      endSessions(await setDeskUserDisabled(db, clock, actorOf(ctx.session), input.userId, !input.enabled), !input.enabled),
    'desk.users.setRole': async (input, ctx) => endSessions(await setDeskUserRole(db, clock, actorOf(ctx.session), input.userId, input.role), true),
    'desk.users.resetPassword': async (input, ctx) => {
      const r = await resetDeskUserPassword(db, clock, actorOf(ctx.session), input.userId);
      endSessions(r.user, true);
      return r;
    },
    'desk.users.resetTotp': async (input, ctx) => endSessions(await resetDeskUserTotp(db, clock, actorOf(ctx.session), input.userId), true),
    'desk.users.unlock': async (input, ctx) => unlockDeskUser(db, clock, actorOf(ctx.session), input.userId),

    'settings.dataKey': async () => {
      if (!deps.dataKey) throw new DeskError('UNAVAILABLE', 'Where the data key is kept is not known here.');
      return deps.dataKey();
    },

    'demo.load': async (input, ctx) => {
      if (demoRunning) throw new DeskError('CONFLICT', 'Demo data is already being loaded');
      demoRunning = true;
      try {
        if (await hasEmployees(db)) {
          throw new DeskError('CONFLICT', 'Demo data can only be loaded into an empty database');
        }
        const session = ctx.session!;
        const result = await seedDemoData(db, clock, {
          employees: input.employees,
          seed: input.seed,
          deskUsers: false,
          vault: deps.vault,
          actor: { userId: session.userId, name: session.username },
          onProgress: (done, total) => ctx.emit('progress', { task: 'demo.load', done, total }),
        });
        organisations = null;
        return { employees: result.employees, deskUsers: [] };
      } finally {
        demoRunning = false;
      }
    },
  };
}
