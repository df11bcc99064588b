/** The dialog of a change to a desk user that ends their sessions: what happens, to whom; the temporary password after a reset. */
import { useState } from 'react';
import { Radio, Stack } from '@mantine/core';
import { DESK_ROLES, type DeskRole, type DeskUserView, type DeskUserWithTemporaryPassword } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { ROLE_LABELS } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';
import { ConfirmDialog } from './ConfirmDialog';
import { ROLE_DUTIES, articled, type Pending } from './desk-roles';
import { TemporaryPassword } from './TemporaryPassword';

export function PendingChange({
  pending,
  opened,
  selfId,
  onClose,
  onChanged,
  onRefused,
}: {
  pending: Pending;
  opened: boolean;
  selfId: number;
  onClose: () => void;
  onChanged: () => void;
  onRefused: (err: unknown, user: DeskUserView) => void;
}) {
  const [role, setRole] = useState<DeskRole>(pending.user.role);
  const [temporary, setTemporary] = useState<DeskUserWithTemporaryPassword | null>(null);
  const options = { onSettled: onChanged };
  const setEnabled = useChannelMutation('desk.users.setEnabled', options);
  const setUserRole = useChannelMutation('desk.users.setRole', options);
  // Your own reset ends your session: the list is read again only once the password has been seen.
  const resetPassword = useChannelMutation('desk.users.resetPassword', {
    onSettled: (_v, _e, input) => {
      if (input.userId !== selfId) onChanged();
    },
  });
  const resetTotp = useChannelMutation('desk.users.resetTotp', options);

  const u = pending.user;
  const self = u.id === selfId;
  const who = (
    <strong>
      {u.displayName} ({u.username})
    </strong>
  );
  const selfNote = (what: string) =>
    self ? (
      <p>
        <strong>This is your own account:</strong> {what}
      </p>
    ) : null;
  const noMail = <p>No one gets mail{self ? '.' : '; tell them yourself.'}</p>;

  async function run<T>(work: () => Promise<T>, done: (v: T) => void): Promise<T> {
    try {
      const v = await work();
      done(v);
      return v;
    } catch (err) {
      onRefused(err, u);
      // A rule says no (the last active admin): asking again cannot help, so the dialog closes.
      if (err instanceof DeskError && err.code === 'RULE_VIOLATION') onClose();
      throw err;
    }
  }

  switch (pending.kind) {
    case 'disable':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Disable ${u.username}?`}
          confirmLabel={`Disable ${u.username}`}
          onConfirm={() =>
            run(
              () => setEnabled.mutateAsync({ userId: u.id, enabled: false }),
              (v) => notify.success(`${v.username} is disabled.`),
            )
          }
        >
          <p>{who} cannot sign in until an admin enables them again. Their sessions end now.</p>
          {selfNote('you are signed out at once and cannot sign in again until another admin enables you.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'resetPassword':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Reset the password of ${u.username}?`}
          confirmLabel={`Reset password of ${u.username}`}
          keepOpen
          result={
            temporary ? (
              <TemporaryPassword
                shown={temporary}
                onDone={() => {
                  onClose();
                  if (self) onChanged();
                }}
              />
            ) : undefined
          }
          onConfirm={() =>
            run(
              () => resetPassword.mutateAsync({ userId: u.id }),
              (v) => {
                setTemporary(v);
                notify.success(`${v.user.username} has a temporary password.`);
              },
            )
          }
        >
          <p>
            The current password of {who} stops working. Their sessions end now; they sign in with a temporary password
            shown to you once, and choose their own at that sign-in.
          </p>
          {selfNote('you are signed out at once; sign in again with the temporary password shown here.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'resetTotp':
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Reset the authenticator of ${u.username}?`}
          confirmLabel={`Reset authenticator of ${u.username}`}
          onConfirm={() =>
            run(
              () => resetTotp.mutateAsync({ userId: u.id }),
              (v) => notify.success(`${v.username} sets up an authenticator app again at their next sign-in.`),
            )
          }
        >
          <p>
            The desk forgets the authenticator app of {who} (for a lost or new phone). Their sessions end now; they set up
            the app again at their next sign-in, after their password.
          </p>
          {selfNote('you are signed out at once and set up your authenticator app again when you sign in.')}
          {noMail}
        </ConfirmDialog>
      );
    case 'role': {
      const chosen = role;
      return (
        <ConfirmDialog
          opened={opened}
          onClose={onClose}
          title={`Change the role of ${u.username}?`}
          confirmLabel={chosen === u.role ? `Change role of ${u.username}` : `Make ${u.username} ${articled(chosen)}`}
          unavailable={chosen === u.role ? `${u.username} is ${articled(u.role)} already: choose another role` : null}
          onConfirm={() =>
            run(
              () => setUserRole.mutateAsync({ userId: u.id, role: chosen }),
              (v) => notify.success(`${v.username} is now ${articled(v.role)}.`),
            )
          }
        >
          <p>
            {who} is {articled(u.role)} now. Their sessions end when the role changes; they sign in again with the new role.
          </p>
          {selfNote('you are signed out at once and sign in again with the new role.')}
          <Radio.Group label="New role" value={chosen} onChange={(v) => setRole(v)} mb="sm">
            <Stack gap={8} mt={6}>
              {DESK_ROLES.map((r) => (
                <Radio key={r} value={r} label={ROLE_LABELS[r]} description={ROLE_DUTIES[r]} />
              ))}
            </Stack>
          </Radio.Group>
        </ConfirmDialog>
      );
    }
  }
}
