/**
 * What `desk portal` answers, over the same MFA rules the desk applies: the portal names the
 * employee by username (it has checked their password), and gets what the portal's MFA pages show.
 */
import type { Knex } from 'knex';
import { eligibility } from '../../../shared/eligibility';
import { DeskError } from '../../../shared/errors';
import { maskEmail } from '../../../shared/masking';
import { FACTOR_MAX_ATTEMPTS } from '../../../shared/mfa-rules';
import type { PortalMfaStatus } from '../../../shared/portal-api';
import type { FactorType } from '../../../shared/domain';
import { recordAudit, type Actor } from '../audit/audit.service';
import { toIso } from '../db/values';
import type { Deps } from '../handler';
import { WEBCHAT_URL } from '../mail/templates';
import { emailsOnRecord, readEmployee } from '../mfa/common';

/** The employee a username names; one the desk does not know is NOT_FOUND in plain words. */
export async function employeeIdByUsername(db: Knex, username: string): Promise<number> {
  const row = await db('employees').where({ username }).first<{ id: number } | undefined>('id');
  if (!row) throw new DeskError('NOT_FOUND', `There is no employee with the username ${username}.`, { field: 'username' });
  return Number(row.id);
}

/** GET /v1/employees/{username}/mfa; the read is audited, as every portal call is. */
export async function portalMfaStatus({ db, clock }: Deps<'db' | 'clock'>, actor: Actor, { username }: { username: string }): Promise<PortalMfaStatus> {
  const employeeId = await employeeIdByUsername(db, username);
  await recordAudit(db, clock, { actor, action: 'portal.status_read', employeeId });
  const employee = await readEmployee(db, employeeId);
  const [emails, factors] = await Promise.all([
    emailsOnRecord(db, employeeId),
    db('factors')
      .where({ employee_id: employeeId })
      .whereNot('state', 'removed')
      .orderBy('id')
      .select<Array<Record<string, unknown>>>('type', 'state', 'email_id', 'failed_attempts', 'registered_at', 'last_used_at'),
  ]);
  const facts = eligibility({
    status: employee.status,
    leavingDate: employee.leavingDate,
    internetAccessApproved: employee.internetAccessApproved,
    emailCount: emails.length,
    mfaEnabledAt: employee.mfaEnabledAt,
  });
  const bothActive = (['authenticator_app', 'email'] as const).every((t) => factors.some((f) => f.type === t && f.state === 'active'));
  return {
    username: employee.username,
    canRegister: facts.canRegister,
    reasons: facts.reasons,
    mfaEnabled: employee.mfaEnabledAt !== null,
    mfaEnabledAt: employee.mfaEnabledAt,
    canTurnOff: false,
    emails: emails.map((e) => ({ id: e.id, kind: e.kind, address: maskEmail(e.address), receivesCodes: e.usedForCodes })),
    methods: factors.map((f) => {
      const address = f.email_id == null ? null : emails.find((e) => e.id === Number(f.email_id))?.address;
      const active = f.state === 'active';
      return {
        type: f.type as FactorType,
        state: active ? 'active' : 'pending',
        registeredAt: toIso(f.registered_at),
        lastUsedAt: toIso(f.last_used_at),
        // An app locks after five wrong codes; emailed codes lock for the whole employee.
        locked: f.type === 'email' ? employee.codesLockedAt !== null : Number(f.failed_attempts) >= FACTOR_MAX_ATTEMPTS,
        address: address ? maskEmail(address) : null,
        canRemove: active && bothActive,
      };
    }),
    webchatUrl: WEBCHAT_URL,
  };
}
