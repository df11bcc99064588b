/**
 * "Emails on record": the addresses (and which one gets one-time codes) for everyone; managers and
 * admins change them here — correct or remove an address, add a work or personal one, choose the
 * one for codes, move the email method to another address — on a webchat ticket, against the record
 * version they loaded. Before anything is saved a dialog says exactly which addresses get the
 * confirmation mail (every address, old and new). The main process checks everything again: a
 * stale version comes back as "someone else changed this record", an address on another
 * employee's record needs a confirmation with a reason.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Badge, Group, Stack, Table } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { DeskRole, EmployeePageData } from '../../../../shared/domain';
import { can } from '../../../../shared/policy';
import { ActionButton } from '../../components/actions';
import { Address, None } from '../../components/ui';
import { EMAIL_KIND_LABELS } from '../../format';
import { EmailsForm } from './EmailsForm';
import { RecordTable } from './RecordTable';

const EDIT_REFUSED_REASON = 'Only managers and admins can change the emails on record.';

interface Props {
  role: DeskRole;
  page: EmployeePageData;
  headingId: string;
  /** Something changed: load the page again. */
  onChanged: () => Promise<void>;
  /** The ticket reference to start with (a manager's task names it). */
  initialTicketRef?: string | undefined;
  /** The form is open (the page's Escape leaves it alone then). */
  onEditing: (editing: boolean) => void;
}

export function EmailsOnRecord({ role, page, headingId, onChanged, initialTicketRef, onEditing }: Props) {
  const e = page.employee;
  const canEdit = can(role, 'records.correct');
  const [editing, setEditing] = useState(false);
  const startRef = useRef<HTMLDivElement>(null);
  const returnFocus = useRef(false);
  const open = (v: boolean) => {
    setEditing(v);
    onEditing(v);
    // Closing the form: the focus goes back to the button that opened it.
    returnFocus.current = !v;
  };
  useEffect(() => {
    if (editing || !returnFocus.current) return;
    returnFocus.current = false;
    startRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [editing]);

  return (
    <Stack gap="sm">
      {e.emails.length === 0 ? (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />}>
          No email on record: a manager must add one before codes can be sent.
        </Alert>
      ) : (
        <RecordTable labelledBy={headingId} columns={['Kind', 'Address', 'Used for codes']}>
          {e.emails.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{EMAIL_KIND_LABELS[m.kind]}</Table.Td>
              <Table.Td>
                <Address address={m.address} />
              </Table.Td>
              <Table.Td>{m.usedForCodes ? <Badge color="blue">Yes</Badge> : <None label="No" />}</Table.Td>
            </Table.Tr>
          ))}
        </RecordTable>
      )}
      {editing ? (
        <EmailsForm
          key={e.version}
          page={page}
          initialTicketRef={initialTicketRef}
          onCancel={() => open(false)}
          onSaved={async () => {
            open(false);
            await onChanged();
          }}
          onReload={async () => {
            await onChanged();
            open(false);
          }}
        />
      ) : (
        <Group ref={startRef}>
          <ActionButton variant="default" size="xs" unavailable={canEdit ? null : EDIT_REFUSED_REASON} onClick={() => open(true)}>
            Change emails on record
          </ActionButton>
        </Group>
      )}
    </Stack>
  );
}
