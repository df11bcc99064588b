/**
 * Find the employee a webchat is about and link them: type a name, employee number, username or
 * email; the matches are listed underneath as buttons ("Link Jo Bloggs (12345678, Trust)").
 */
import { useState } from 'react';
import { Badge, Group, Loader, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData } from '@tanstack/react-query';
import { IconLink } from '@tabler/icons-react';
import type { EmployeeSummary } from '../../../../shared/domain';
import { MfaBadge } from '../../components/badges';
import { useChannel } from '../../lib/query';
import classes from './Tickets.module.css';

export function EmployeePicker({
  onPick,
  label = 'Employee',
  description = 'Name, employee number, username or email; then choose from the list.',
  error,
  autoFocus,
}: {
  onPick: (employee: EmployeeSummary) => void;
  label?: string;
  description?: string;
  error?: string | null | undefined;
  autoFocus?: boolean;
}) {
  const [text, setText] = useState('');
  const [query] = useDebouncedValue(text.trim(), 120);
  const wanted = query.length >= 2;
  const found = useChannel('employees.search', { query, limit: 6 }, { enabled: wanted, placeholderData: keepPreviousData, staleTime: 30_000 });
  const rows = wanted ? (found.data?.rows ?? []) : [];
  const searching = wanted && (found.isFetching || query !== text.trim());

  return (
    <Stack gap={6}>
      <TextInput
        label={label}
        description={description}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        error={error}
        autoFocus={autoFocus}
        rightSection={searching ? <Loader size={14} aria-hidden="true" /> : null}
      />
      {wanted && !searching && rows.length === 0 && found.isSuccess ? (
        <Text size="sm" c="dimmed" role="status">
          No employee matches “{query}”. Check the spelling, or try their employee number.
        </Text>
      ) : null}
      {rows.length > 0 ? (
        <Paper p={4} withBorder className={classes.pickList} aria-busy={searching || undefined}>
          <Stack gap={2} role="list" aria-label="Matching employees">
            {rows.map((e) => (
              <div role="listitem" key={e.id}>
                <UnstyledButton className={classes.pickItem} onClick={() => onPick(e)} aria-label={`Link ${e.firstName} ${e.lastName} (${e.employeeNumber}, ${e.organisation})`}>
                  <Group gap="xs" wrap="nowrap" justify="space-between">
                    <Group gap={8} wrap="nowrap" miw={0}>
                      <IconLink size={14} aria-hidden="true" className={classes.pickIcon} />
                      <Text size="sm" fw={600} truncate>
                        {e.firstName} {e.lastName}
                      </Text>
                      <Text size="sm" c="dimmed" className="num">
                        {e.employeeNumber}
                      </Text>
                      <Text size="xs" c="dimmed" truncate>
                        {e.organisation}
                      </Text>
                    </Group>
                    <Group gap={4} wrap="nowrap">
                      {e.status === 'leaver' ? (
                        <Badge color="gray" size="sm">
                          Leaver
                        </Badge>
                      ) : null}
                      <MfaBadge state={e.mfaState} size="sm" />
                    </Group>
                  </Group>
                </UnstyledButton>
              </div>
            ))}
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}
