/**
 * The confirmation dialog of `ConfirmButton` for actions started elsewhere (a row's menu, a form's
 * submit): it says what will happen, its confirming button names the action, and while the action
 * runs that button is busy and nothing can send it again. An error leaves it open (the caller
 * reports it); success closes it, or shows what the action gave back (`result`) until dismissed.
 */
import { useId, useRef, useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ActionButton } from '../../components/actions';

export interface ConfirmDialogProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  /** What happens, in plain words: who loses what, who gets mail. */
  children: ReactNode;
  /** Names the action ("Disable nina.agent"), never "OK". */
  confirmLabel: string;
  /** Red for destructive actions (the default), blue otherwise. */
  danger?: boolean;
  /** Why the action cannot be confirmed yet (e.g. no other role chosen). */
  unavailable?: string | null;
  /** Runs once per click; the dialog stays busy until it settles. */
  onConfirm: () => Promise<unknown>;
  /** Shown instead of the question once the action has given something back (e.g. a temporary password). */
  result?: ReactNode;
  /** Stay open after success (the caller then sets `result`). */
  keepOpen?: boolean;
}

export function ConfirmDialog({ opened, onClose, title, children, confirmLabel, danger = true, unavailable, onConfirm, result, keepOpen = false }: ConfirmDialogProps) {
  const [running, setRunning] = useState(false);
  const runningRef = useRef(false);
  const titleId = useId();

  async function run() {
    if (runningRef.current || unavailable) return;
    runningRef.current = true;
    setRunning(true);
    try {
      await onConfirm();
      if (!keepOpen) onClose();
    } catch {
      // The caller reports the error; the dialog stays for another try or Cancel.
    } finally {
      runningRef.current = false;
      setRunning(false);
    }
  }

  const close = () => {
    if (!runningRef.current) onClose();
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={
        <Group gap="xs" wrap="nowrap" id={titleId}>
          {danger && !result ? <IconAlertTriangle size={20} color="var(--mantine-color-red-8)" aria-hidden="true" /> : null}
          <Text fw={650} size="md">
            {title}
          </Text>
        </Group>
      }
      aria-labelledby={titleId}
      closeOnClickOutside={!running && !result}
      closeOnEscape={!running}
      withCloseButton={!running}
      closeButtonProps={{ 'aria-label': 'Close' }}
      size="md"
    >
      {result ? (
        result
      ) : (
        <Stack gap="md">
          <div className="confirm-body">{children}</div>
          <Group justify="flex-end" gap="sm">
            {/* A destructive dialog opens on Cancel: Enter alone never changes anything. */}
            <Button variant="default" onClick={close} disabled={running} data-autofocus={danger ? true : undefined}>
              Cancel
            </Button>
            <ActionButton
              color={danger ? 'red' : 'blue'}
              onClick={() => void run()}
              loading={running}
              unavailable={unavailable ?? null}
              data-autofocus={danger ? undefined : true}
            >
              {confirmLabel}
            </ActionButton>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
