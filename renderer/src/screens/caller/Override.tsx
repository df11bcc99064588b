/** A supervisor's override: they vouch for the caller on this ticket without a code, with a written reason. */
import { useState } from 'react';
import { Group, Stack, Textarea } from '@mantine/core';
import { ConfirmButton } from '../../components/actions';
import { notify } from '../../lib/feedback';
import { validationIssuesOf } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';

export function Override({ employeeId, ticketRef, onChanged }: { employeeId: number; ticketRef: string; onChanged: () => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const override = useChannelMutation('mfa.overrideVerification', {
    onSuccess: async () => {
      setReason('');
      await onChanged();
      notify.success('Verification overridden for this ticket; your reason is in the audit trail.', 'Caller verified by override');
    },
    onError: (err) => {
      const issue = validationIssuesOf(err).find((i) => i.path === 'reason');
      if (issue) setError(issue.message);
      else notify.error(err);
    },
  });
  const short = reason.trim().length < 10 ? 'Write the reason for the override (at least 10 characters)' : null;
  return (
    <details className="override">
      <summary>Supervisor override (the caller cannot be verified another way)</summary>
      <Stack gap="xs" mt="xs">
        <Textarea
          label="Why the caller cannot be verified another way"
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setError(null);
          }}
          error={error}
          maxLength={1000}
        />
        <Group>
          <ConfirmButton
            variant="light"
            color="red"
            size="xs"
            unavailable={short}
            confirm={{
              title: 'Override the caller verification?',
              body: (
                <>
                  <p>You vouch for this caller on ticket {ticketRef} without a code. Agents can then change their factors on this ticket.</p>
                  <p>Your name and reason go into the audit trail: “{reason.trim()}”.</p>
                </>
              ),
              confirmLabel: 'Override verification',
              onConfirm: () => override.mutateAsync({ employeeId, ticketRef, reason: reason.trim() }),
            }}
          >
            Override verification
          </ConfirmButton>
        </Group>
      </Stack>
    </details>
  );
}
