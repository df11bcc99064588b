/** A ticket's button that asks for one text in a small dialog (a resolution note, why it is reopened, a task for a manager). */
import { useState } from 'react';
import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { TicketDetail } from '../../../../shared/domain';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';

export interface TextDialogSpec {
  button: string;
  label: string;
  description?: string;
  submit: string;
  max: number;
  color?: string;
  variant?: 'filled' | 'default' | 'light';
  size?: 'xs' | 'sm';
  /** The input field the text is sent as (its validation issues go under the text box). */
  field: string;
}

interface Props extends TextDialogSpec {
  title: string;
  initial?: string;
  /** Send the text: the change answers with the ticket as it is now. */
  run: (text: string) => Promise<TicketDetail>;
  onChanged: (t: TicketDetail) => void;
  /** What to say once it is done. */
  done: (t: TicketDetail) => string;
}

export function TextDialogButton(props: Props) {
  const [open, setOpen] = useState(false);
  const form = useForm({ initialValues: { text: props.initial ?? '' } });
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button size={props.size ?? 'xs'} color={props.color} variant={props.variant ?? 'filled'} onClick={() => setOpen(true)}>
        {props.button}
      </Button>
      <Modal opened={open} onClose={() => !busy && setOpen(false)} title={<Text fw={650}>{props.title}</Text>} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          noValidate
          onSubmit={form.onSubmit(async ({ text }) => {
            if (busy) return;
            setBusy(true);
            try {
              const t = await props.run(text);
              props.onChanged(t);
              notify.success(props.done(t));
              setOpen(false);
              form.reset();
            } catch (err) {
              reportFormError(form, err, { [props.field]: 'text' });
            } finally {
              setBusy(false);
            }
          })}
        >
          <Stack gap="md">
            <Textarea label={props.label} description={props.description} maxLength={props.max} minRows={3} data-autofocus {...form.getInputProps('text')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </Button>
              <Button type="submit" color={props.color} loading={busy}>
                {props.submit}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
