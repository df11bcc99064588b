/**
 * Every result answers where the eye is: a toast in the corner of the window the agent is looking
 * at (never at the top of a long page), green and short for success, amber for a warning, red with
 * what to do next for a failure. Screen readers hear them too (Mantine's notifications are alerts).
 */
import type { ReactNode } from 'react';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import { DeskError } from '../../../shared/errors';

const ICON = { size: 18, stroke: 2.2, 'aria-hidden': true } as const;

function show(kind: 'success' | 'warning' | 'error' | 'info', message: ReactNode, title?: string): void {
  const style = {
    success: { color: 'green', icon: <IconCheck {...ICON} />, autoClose: 6000 },
    warning: { color: 'yellow', icon: <IconAlertTriangle {...ICON} />, autoClose: 10000 },
    error: { color: 'red', icon: <IconX {...ICON} />, autoClose: 12000 },
    info: { color: 'blue', icon: <IconInfoCircle {...ICON} />, autoClose: 6000 },
  }[kind];
  notifications.show({
    ...style,
    title,
    message,
    // Success and information are polite (a status); warnings and failures interrupt (an alert).
    role: kind === 'success' || kind === 'info' ? 'status' : 'alert',
    withCloseButton: true,
    closeButtonProps: { 'aria-label': 'Close this message' },
    'data-kind': kind,
  });
}

/** The words for an error: a DeskError's message is already plain English. */
export function errorText(err: unknown): string {
  if (err instanceof DeskError || (err instanceof Error && err.message)) return err.message;
  if (typeof err === 'string') return err;
  return 'Something went wrong. Try again.';
}

export const notify = {
  success: (message: ReactNode, title?: string) => show('success', message, title),
  warning: (message: ReactNode, title?: string) => show('warning', message, title),
  info: (message: ReactNode, title?: string) => show('info', message, title),
  error: (err: unknown, title?: string) => show('error', errorText(err), title ?? errorTitle(err)),
};

function errorTitle(err: unknown): string {
  if (!(err instanceof DeskError)) return 'That did not work';
  switch (err.code) {
    case 'VALIDATION':
      return 'Check what you entered';
    case 'CONFLICT':
      return 'Someone else changed this';
    case 'RULE_VIOLATION':
      return 'The rules do not allow this';
    case 'FORBIDDEN':
      return 'Your role cannot do this';
    case 'NOT_FOUND':
      return 'Not found';
    case 'UNAVAILABLE':
      return 'MFA Desk is not reachable';
    default:
      return 'That did not work';
  }
}
