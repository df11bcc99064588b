/** Before the emails on record are saved: what the record will hold, and exactly who gets the confirmation mail. */
import { Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { IconMail } from '@tabler/icons-react';
import { Address } from '../../components/ui';
import { plural } from '../../format';
import { sameAddress, type Draft } from './emails-draft';

interface Props {
  opened: boolean;
  busy: boolean;
  /** "Record version 4 of Ann Smith". */
  version: number;
  name: string;
  drafts: Draft[];
  ticketRef: string;
  /** Every address told: on record now and after the change. */
  recipients: string[];
  /** The address the email method moves to, if it moves. */
  reRegisterTo: string | null;
  confirmed: boolean;
  onCancel: () => void;
  onSave: () => void;
}

export function SaveEmailsDialog({ opened, busy, version, name, drafts, ticketRef, recipients, reRegisterTo, confirmed, onCancel, onSave }: Props) {
  return (
    <Modal
      opened={opened}
      onClose={() => {
        if (!busy) onCancel();
      }}
      title={<Text fw={650}>Save the emails on record?</Text>}
      closeOnClickOutside={!busy}
      closeOnEscape={!busy}
      withCloseButton={!busy}
      closeButtonProps={{ 'aria-label': 'Cancel' }}
    >
      <Stack gap="sm">
        <Text size="sm">
          Record version {version} of {name} will hold{' '}
          {drafts.length === 0 ? 'no email address' : plural(drafts.length, 'address', 'addresses')}, on ticket {ticketRef}.
        </Text>
        <div>
          <Group gap={6} mb={4}>
            <IconMail size={16} aria-hidden="true" />
            <Text size="sm" fw={600}>
              A confirmation mail goes to {recipients.length === 1 ? 'this address' : `these ${recipients.length} addresses`}, old and new:
            </Text>
          </Group>
          <List size="sm" data-testid="confirmation-recipients">
            {recipients.map((a) => (
              <List.Item key={a.toLowerCase()}>
                <Address address={a} />
                {drafts.some((d) => sameAddress(d.address, a)) ? '' : ' (removed or corrected by this change)'}
              </List.Item>
            ))}
          </List>
        </div>
        {reRegisterTo ? (
          <Text size="sm">
            The email method is re-registered to <Address address={reRegisterTo} />: a registration code is sent there.
          </Text>
        ) : null}
        {confirmed ? <Text size="sm">An address is also on another employee’s record: you confirmed it, with your reason.</Text> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button onClick={onSave} loading={busy} data-autofocus>
            Save and send {plural(recipients.length, 'confirmation', 'confirmations')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
