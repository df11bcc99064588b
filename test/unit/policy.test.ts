import { describe, expect, it } from 'vitest';
import { CAPABILITIES, can, rolesWith } from '../../shared/policy';
import { channels, CHANNEL_NAMES } from '../../shared/contract';
import { DESK_ROLES } from '../../shared/domain';

// Who may do what, written out by hand: a change to the policy must change this table too.
const EXPECTED = {
  agent: ['employees.read', 'callers.help'],
  manager: ['employees.read', 'records.correct'],
  supervisor: ['employees.read', 'callers.help', 'callers.override', 'reports.read'],
  admin: ['employees.read', 'callers.help', 'callers.override', 'records.correct', 'reports.read', 'desk.administer'],
} as const;

describe('the role policy', () => {
  it('gives each role exactly its capabilities', () => {
    for (const role of DESK_ROLES) {
      const has = Object.keys(CAPABILITIES).filter((c) => can(role, c as keyof typeof CAPABILITIES));
      expect(has.sort(), role).toEqual([...EXPECTED[role]].sort());
    }
    expect(can(null, 'employees.read')).toBe(false);
    expect(rolesWith('callers.override')).toEqual(['supervisor', 'admin']);
  });

  it('names a capability (or public) for every channel', () => {
    const byAccess: Record<string, string[]> = {};
    for (const name of CHANNEL_NAMES) (byAccess[channels[name].access] ??= []).push(name);
    expect(Object.keys(byAccess).sort()).toEqual(['callers.help', 'callers.override', 'desk.administer', 'employees.read', 'public', 'records.correct', 'reports.read']);
    expect(byAccess.public?.sort()).toEqual(['app.status', 'auth.completeSignIn', 'auth.createFirstAdmin', 'auth.setNewPassword', 'auth.signIn', 'auth.signOut']);
    expect(byAccess['callers.override']).toEqual(['mfa.overrideVerification']);
    expect(byAccess['records.correct']?.sort()).toEqual(['records.updateEmails', 'tasks.list']);
  });
});
