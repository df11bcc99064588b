/** A secret shown once (a temporary password, a portal key): the value, and a button that copies it. */
import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import classes from './admin.module.css';

export function ShownOnce({ value, copyLabel, size = 'lg' }: { value: string; copyLabel: string; size?: 'lg' | 'sm' }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code className={classes.password} fz={size} fw={600}>
        {value}
      </Code>
      <CopyButton value={value} timeout={3000}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : copyLabel} withArrow>
            <ActionIcon variant="default" size="lg" onClick={copy} aria-label={copied ? 'Copied' : copyLabel}>
              {copied ? <IconCheck size={18} aria-hidden="true" /> : <IconCopy size={18} aria-hidden="true" />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
