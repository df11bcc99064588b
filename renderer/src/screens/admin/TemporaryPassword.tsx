/**
 * A temporary password, shown once to the admin who made or reset it: with a copy button, who it is
 * for, and that it must be replaced at the first sign-in. Nothing keeps it: once dismissed (or the
 * screen left) it is gone, and only a new reset makes another.
 */
import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import type { DeskUserWithTemporaryPassword } from '../../../../shared/domain';
import { ShownOnce } from './ShownOnce';
import classes from './admin.module.css';

export function TemporaryPassword({ shown, onDone }: { shown: DeskUserWithTemporaryPassword; onDone: () => void }) {
  const { user, temporaryPassword } = shown;
  return (
    <Paper component="section" aria-label="Temporary password" className={classes.temporary} p="md" withBorder>
      <Stack gap="xs">
        <Group gap="xs" wrap="nowrap">
          <IconKey size={18} aria-hidden="true" />
          <Text fw={650}>
            Temporary password for {user.username}
          </Text>
        </Group>
        <ShownOnce value={temporaryPassword} copyLabel="Copy the temporary password" />
        <Text size="sm">
          It is shown only now. Give it to {user.displayName} in person or by phone. It works for one sign-in: they
          must replace it with their own password at their first sign-in, then set up their authenticator app if
          they have none.
        </Text>
        <Group>
          <Button variant="default" size="xs" onClick={onDone}>
            I have passed it on
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
