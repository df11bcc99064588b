/**
 * A new ticket, from anywhere (Ctrl/Cmd+N in the app, Alt+N in a browser): the webchat's chat id,
 * the category, and the employee found by name, number or email — or a change reference from a
 * confirmation mail ("wasn't me"), which finds the employee and the exact event itself.
 */
import { memo, useEffect, useState } from 'react';
import { Button, Group, Modal, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { IconX } from '@tabler/icons-react';
import { TICKET_CATEGORIES, TICKET_CATEGORY_LABELS, type EmployeeSummary, type TicketCategory } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';
import { useCall } from '../../lib/session';
import { EmployeePicker } from './EmployeePicker';

interface Props {
  opened: boolean;
  /** A change reference from a confirmation mail: the ticket is about that change. */
  change?: string | undefined;
  onClose: () => void;
  onOpened: (ticketId: number) => void;
}

export const NewTicketDialog = memo(function NewTicketDialog({ opened, change, onClose, onOpened }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={650} size="lg">New ticket</Text>} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      {/* Mounted afresh each time it opens: an empty form, the reference field focused. */}
      {opened ? <NewTicketForm change={change} onClose={onClose} onOpened={onOpened} /> : null}
    </Modal>
  );
});

function NewTicketForm({ change, onClose, onOpened }: Omit<Props, 'opened'>) {
  const call = useCall();
  const queryClient = useQueryClient();
  const [employee, setEmployee] = useState<EmployeeSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: {
      reference: '',
      changeReference: change ?? '',
      category: (change ? 'change_not_made_by_me' : 'code_not_received') as TicketCategory,
    },
  });
  const values = form.getValues();
  const fromChange = values.changeReference.trim() !== '';

  // Linking the employee takes the list away: the focus goes on to "Open ticket".
  useEffect(() => {
    if (employee) document.getElementById('new-ticket-submit')?.focus();
  }, [employee]);

  async function submit(v: typeof values) {
    if (busy) return;
    setBusy(true);
    try {
      const t = v.changeReference.trim()
        ? await call('tickets.openFromChange', { changeReference: v.changeReference.trim(), reference: v.reference.trim() })
        : await call('tickets.create', { reference: v.reference.trim(), category: v.category, ...(employee ? { employeeId: employee.id } : {}) });
      void queryClient.invalidateQueries({ queryKey: ['tickets.list'] });
      notify.success(`Ticket ${t.reference} is open and assigned to you.`);
      onOpened(t.id);
    } catch (err) {
      // The same webchat already has a ticket: go to it.
      if (err instanceof DeskError && err.code === 'CONFLICT' && typeof err.details?.['ticketId'] === 'number') {
        notify.info(err.message, 'This webchat has a ticket already');
        onOpened(err.details['ticketId']);
        return;
      }
      reportFormError(form, err, (path) => (path === 'reference' ? 'reference' : path === 'changeReference' || path === 'text' ? 'changeReference' : path === 'category' ? 'category' : null));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={form.onSubmit(submit)} noValidate>
      <Stack gap="md">
        <TextInput
          label="Webchat reference"
          description="The chat id from the webchat platform (typed or pasted)."
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
          {...form.getInputProps('reference')}
        />
        <TextInput
          label="Change reference from the email (if the change was not made by them)"
          description="CHG-… or REC-…: the ticket is then about that change, and its employee is found for you."
          maxLength={200}
          autoComplete="off"
          spellCheck={false}
          {...form.getInputProps('changeReference')}
        />
        {fromChange ? null : (
          <>
            <NativeSelect label="Category" data={TICKET_CATEGORIES.map((c) => ({ value: c, label: TICKET_CATEGORY_LABELS[c] }))} {...form.getInputProps('category')} />
            {employee ? (
              <Paper p="sm" withBorder>
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm">
                    Employee: <strong>{`${employee.firstName} ${employee.lastName}`}</strong> ({employee.employeeNumber}, {employee.organisation})
                  </Text>
                  <Button variant="subtle" size="xs" leftSection={<IconX size={14} aria-hidden="true" />} onClick={() => setEmployee(null)}>
                    Change employee
                  </Button>
                </Group>
              </Paper>
            ) : (
              <EmployeePicker onPick={setEmployee} description="Name, employee number, username or email; choose from the list. You can also link them later." />
            )}
          </>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" id="new-ticket-submit" loading={busy}>
            Open ticket
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
