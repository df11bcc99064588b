/**
 * Buttons that act: one that cannot be used now says why (on hover and on focus, and to screen
 * readers), and one whose action cannot be undone asks first in a dialog that names the action,
 * says what will happen and who gets mail, and cannot be sent twice.
 */
import { useId, useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text, Tooltip, type ButtonProps } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

type BaseProps = Omit<ButtonProps, 'disabled' | 'children'> & {
  children: ReactNode;
  /** Why the action cannot be done now; the button stays focusable so the reason can be read. */
  unavailable?: string | null;
  type?: 'button' | 'submit';
  'data-action'?: string;
};

/**
 * A button that may be unavailable: it then looks disabled, does nothing, and says why in a
 * tooltip (hover and focus) and in its description (screen readers).
 */
export function ActionButton({ unavailable, onClick, children, type = 'button', ...props }: BaseProps & { onClick?: () => void }) {
  const reasonId = useId();
  if (!unavailable) {
    return (
      <Button type={type} onClick={onClick} {...props}>
        {children}
      </Button>
    );
  }
  // The reason is the button's description (read after its name), and its tooltip on hover and focus.
  return (
    <>
      <Tooltip label={unavailable}>
        <Button type="button" {...props} data-disabled aria-disabled="true" aria-describedby={reasonId} onClick={(e) => e.preventDefault()}>
          {children}
        </Button>
      </Tooltip>
      <span id={reasonId} className="visually-hidden">
        {unavailable}
      </span>
    </>
  );
}

export interface ConfirmProps {
  /** The dialog's title, e.g. "Re-register the authenticator app?". */
  title: string;
  /** What happens, in plain words: who loses what, who gets mail. */
  body: ReactNode;
  /** The confirming button names the action ("Re-register authenticator app"), never "OK". */
  confirmLabel: string;
  /** Red for destructive actions (the default), blue otherwise. */
  danger?: boolean;
  /** Runs once; the dialog stays open (and its buttons busy) until it settles, and closes on success. */
  onConfirm: () => Promise<unknown>;
}

/**
 * A button that opens a confirmation dialog before an irreversible action. While the action runs
 * the confirming button shows progress and is disabled, so it cannot be sent twice; an error
 * leaves the dialog open (the toast says what went wrong).
 */
export function ConfirmButton({
  confirm,
  children,
  unavailable,
  ...buttonProps
}: BaseProps & { confirm: ConfirmProps }) {
  const [open, setOpen] = useState(false);
  const [running, setRunning] = useState(false);
  const titleId = useId();

  async function run() {
    if (running) return;
    setRunning(true);
    try {
      await confirm.onConfirm();
      setOpen(false);
    } catch {
      // The caller reports the error (a toast or field errors); the dialog stays for another try.
    } finally {
      setRunning(false);
    }
  }

  return (
    <>
      <ActionButton {...buttonProps} unavailable={unavailable ?? null} loading={running} onClick={() => setOpen(true)}>
        {children}
      </ActionButton>
      <Modal
        opened={open}
        onClose={() => {
          if (!running) setOpen(false);
        }}
        title={
          <Group gap="xs" wrap="nowrap" id={titleId}>
            {confirm.danger === false ? null : <IconAlertTriangle size={20} color="var(--mantine-color-red-8)" aria-hidden="true" />}
            <Text fw={650} size="md">
              {confirm.title}
            </Text>
          </Group>
        }
        aria-labelledby={titleId}
        closeOnClickOutside={!running}
        closeOnEscape={!running}
        withCloseButton={!running}
        closeButtonProps={{ 'aria-label': 'Close' }}
        size="md"
      >
        <Stack gap="md">
          <div className="confirm-body">{confirm.body}</div>
          <Group justify="flex-end" gap="sm">
            {/* A destructive dialog opens on Cancel: Enter alone never wipes anything. */}
            <Button variant="default" onClick={() => setOpen(false)} disabled={running} data-autofocus={confirm.danger === false ? undefined : true}>
              Cancel
            </Button>
            <Button color={confirm.danger === false ? 'blue' : 'red'} onClick={() => void run()} loading={running} data-autofocus={confirm.danger === false ? true : undefined}>
              {confirm.confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
