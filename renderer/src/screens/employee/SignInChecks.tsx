/**
 * The employee's sign-ins through the portal: each second-factor check, when, with which method,
 * its result and the integration that asked. "Last used" and a lock on the Factors section come
 * from these checks too.
 */
import { Badge, Table, Text } from '@mantine/core';
import type { SignInCheckView } from '../../../../shared/domain';
import { RelativeTime } from '../../components/ui';
import { FACTOR_TYPE_LABELS, plural } from '../../format';
import { RecordTable } from './RecordTable';
import classes from './employee.module.css';

const RESULTS: Record<SignInCheckView['result'], { label: string; color: string }> = {
  accepted: { label: 'Accepted', color: 'green' },
  wrong: { label: 'Wrong code', color: 'yellow' },
  locked: { label: 'Locked', color: 'red' },
  expired: { label: 'Code expired', color: 'gray' },
};

export function SignInChecks({ checks, more, headingId, now }: { checks: SignInCheckView[]; more: boolean; headingId: string; now: Date }) {
  if (checks.length === 0) {
    return <Text size="sm">No sign-in has been checked through the portal for this employee.</Text>;
  }
  return (
    <>
      <Text size="xs" c="dimmed" mb={6}>
        Newest first: each time the portal asked the desk to check their second factor at sign-in.
      </Text>
      <RecordTable labelledBy={headingId} columns={['When', 'Method and portal', 'Result']}>
        {checks.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td className={classes.nowrap}>
              <RelativeTime iso={c.checkedAt} now={now} />
            </Table.Td>
            <Table.Td>
              <Text size="sm">{FACTOR_TYPE_LABELS[c.method]}</Text>
              <Text size="xs" c="dimmed" className={classes.wrap}>
                through {c.integration}
              </Text>
            </Table.Td>
            <Table.Td className={classes.nowrap}>
              <Badge color={RESULTS[c.result].color} variant="light" className={classes.wholeBadge}>
                {RESULTS[c.result].label}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </RecordTable>
      {more ? (
        <Text size="xs" c="dimmed" mt={6}>
          Showing the latest {plural(checks.length, 'check', 'checks')}; older ones are in the audit trail.
        </Text>
      ) : null}
    </>
  );
}
