/**
 * The audit trail proves itself: "Verify" walks the hash chain in the main process and checks the
 * signed checkpoints, and says in plain words whether the trail is intact or where it first breaks
 * and how; "Sign checkpoint" pins the chain's head now under the desk's key.
 */
import { Alert, Box, Button, Code, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconCircleCheck, IconRosetteDiscountCheck, IconShieldCheck } from '@tabler/icons-react';
import type { AuditBreak, AuditBreakKind, AuditCheckpointInfo, AuditVerifyReport } from '../../../../shared/domain';
import { formatDateTime, formatNumber, plural } from '../../format';
import { notify } from '../../lib/feedback';
import { channelKey, useChannelMutation } from '../../lib/query';
import { DateTime, Facts } from '../../components/ui';
import classes from './Audit.module.css';

const BREAK_LABELS: Record<AuditBreakKind, string> = {
  edited: 'An event was changed',
  deleted: 'Events were deleted',
  reordered: 'Events were moved',
  inserted: 'An event was slipped in',
  forged: 'Events were written or rewritten outside MFA Desk',
  unsigned: 'Events have no signature',
  truncated: 'Events were cut off the end',
  rewritten: 'The chain was rewritten',
  forged_checkpoint: 'A checkpoint is not genuine',
  missing_checkpoint: 'A checkpoint was deleted',
};

const CHECKPOINT_REASONS: Record<string, string> = {
  daily: 'the daily checkpoint',
  periodic: 'signed after new events',
  shutdown: 'signed when a desk closed',
  upgrade: 'signed when the older events were signed',
  export: 'signed for an export',
  manual: 'signed by hand',
};

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function checkpointText(cp: AuditCheckpointInfo): string {
  return `${formatDateTime(cp.at)}, ${CHECKPOINT_REASONS[cp.reason] ?? cp.reason}, by ${cp.createdBy}, at event #${formatNumber(cp.headSeq)}`;
}

export function IntegrityTab() {
  const queryClient = useQueryClient();
  // Both write an audit event (or a checkpoint): the events and the dashboard are counted again.
  const refreshReports = () => {
    void queryClient.invalidateQueries({ queryKey: channelKey('audit.report') });
    void queryClient.invalidateQueries({ queryKey: channelKey('audit.reportCount') });
    void queryClient.invalidateQueries({ queryKey: channelKey('audit.dashboard') });
  };
  const verify = useChannelMutation('audit.verify', {
    onSuccess: refreshReports,
    onError: (err) => notify.error(err, 'The audit trail could not be checked'),
  });
  const sign = useChannelMutation('audit.checkpoint', {
    onSuccess: (cp) => {
      refreshReports();
      notify.success(`Checkpoint signed: ${plural(cp.eventCount, 'event', 'events')}, head #${formatNumber(cp.headSeq)}.`);
    },
    onError: (err) => notify.error(err, 'The checkpoint was not signed'),
  });

  return (
    <Stack gap="md" maw={980}>
      <Paper component="section" aria-labelledby="audit-integrity" p="md">
        <Title order={2} id="audit-integrity" fz="md" mb={4}>
          Integrity of the audit trail
        </Title>
        <Text size="sm" c="dimmed" mb="md" maw={760}>
          Every event is chained to the one before it by its hash and signed with the desk's key, and the database refuses changes and deletions. Verifying
          walks the whole chain, every signature and the signed checkpoints (written within minutes of new events, daily, on every export, and when you sign
          one here).
        </Text>
        <Group gap="sm" align="center" wrap="wrap">
          <Button
            leftSection={<IconShieldCheck size={16} aria-hidden="true" />}
            loading={verify.isPending}
            loaderProps={{ type: 'dots' }}
            onClick={() => {
              if (!verify.isPending) verify.mutate({});
            }}
          >
            Verify audit trail
          </Button>
          <Button
            variant="default"
            leftSection={<IconRosetteDiscountCheck size={16} aria-hidden="true" />}
            loading={sign.isPending}
            loaderProps={{ type: 'dots' }}
            onClick={() => {
              if (!sign.isPending) sign.mutate({});
            }}
          >
            Sign checkpoint
          </Button>
          {verify.isPending ? (
            <Text size="sm" c="dimmed" role="status">
              Checking every event…
            </Text>
          ) : null}
        </Group>
        {sign.data ? (
          <Group gap={6} mt="sm" wrap="nowrap" align="flex-start">
            <IconCircleCheck size={18} aria-hidden="true" className={classes.okIcon} />
            <Text size="sm" role="status">
              Checkpoint signed at <DateTime iso={sign.data.at} />: {plural(sign.data.eventCount, 'event', 'events')}, head #{formatNumber(sign.data.headSeq)}.
            </Text>
          </Group>
        ) : null}
      </Paper>
      {verify.data ? (
        <Box className={verify.isPending ? classes.dimmed : undefined}>
          <VerifyResult report={verify.data} />
        </Box>
      ) : null}
    </Stack>
  );
}

function VerifyResult({ report }: { report: AuditVerifyReport }) {
  const cp = report.latestCheckpoint;
  // The first break, when there is one; the rest are listed under it.
  const first: AuditBreak | null = report.ok ? null : report.firstBreak;
  const more = first ? report.breaks.filter((b) => b !== first && !(b.seq === first.seq && b.kind === first.kind && b.detail === first.detail)) : [];
  return (
    <Alert
      color={first ? 'red' : 'green'}
      variant="light"
      role={first ? 'alert' : 'status'}
      data-testid="audit-verify-result"
      icon={first ? <IconAlertTriangle size={20} aria-hidden="true" /> : <IconCircleCheck size={20} aria-hidden="true" />}
      title={first ? `Broken at event #${formatNumber(first.seq)}: ${BREAK_LABELS[first.kind]}.` : 'Intact.'}
      classNames={{ title: classes.alertTitle }}
    >
      {first ? (
        <>
          <Text size="sm" mb="xs">
            {sentence(first.detail)} The trail cannot be trusted from this event on: keep the database file as it is and tell whoever looks after the desk.
          </Text>
          {more.length > 0 ? (
            <Box mb="sm">
              <Text size="sm" fw={600}>
                Also found ({plural(more.length, 'more break', 'more breaks')}):
              </Text>
              <List size="sm" spacing={2}>
                {more.map((b, i) => (
                  <List.Item key={i}>
                    Event #{formatNumber(b.seq)}: {BREAK_LABELS[b.kind]}. {sentence(b.detail)}
                  </List.Item>
                ))}
              </List>
            </Box>
          ) : null}
        </>
      ) : (
        <Text size="sm" mb="sm">
          {plural(report.events, 'event', 'events')} checked; every link holds
          {report.checkpointsChecked > 0 ? ` and ${plural(report.checkpointsChecked, 'signed checkpoint matches', 'signed checkpoints match')}` : ''}.
        </Text>
      )}
      <Facts
        labelWidth={170}
        aria-label="What was checked"
        items={[
          ['Events checked', formatNumber(report.events)],
          ['Signed checkpoints', report.checkpointsChecked > 0 ? `${formatNumber(report.checkpointsChecked)} checked` : 'None checked yet'],
          [
            'Chain head',
            report.headSeq === 0 ? (
              'No events yet'
            ) : (
              <>
                Event #{formatNumber(report.headSeq)}, hash <Code className={classes.hash}>{report.headHash.slice(0, 16)}…</Code>
              </>
            ),
          ],
          ['Latest checkpoint', cp ? checkpointText(cp) : 'None yet'],
        ]}
      />
    </Alert>
  );
}
