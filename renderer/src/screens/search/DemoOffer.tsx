/** An empty database: the admin may fill it with demo employees (progress from the main process). */
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Group, Paper, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconDatabaseImport } from '@tabler/icons-react';
import { on } from '../../client';
import { formatNumber } from '../../format';
import { notify } from '../../lib/feedback';
import { useChannelMutation } from '../../lib/query';

const MAX = 200_000;

export function DemoOffer({ onLoaded }: { onLoaded: (employees: number) => Promise<void> }) {
  const [count, setCount] = useState('1000');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const load = useChannelMutation('demo.load');

  useEffect(
    () =>
      on('progress', (p) => {
        if (p.task === 'demo.load') setProgress({ done: p.done, total: p.total });
      }),
    [],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (load.isPending) return;
    const n = Number(count.trim());
    if (count.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX) {
      setFieldError(`Enter a whole number from 1 to ${formatNumber(MAX)}`);
      document.getElementById('demo-count')?.focus();
      return;
    }
    setFieldError(null);
    setProgress(null);
    try {
      const result = await load.mutateAsync({ employees: n });
      await onLoaded(result.employees);
    } catch (err) {
      notify.error(err, 'The demo data was not loaded');
    }
  }

  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;
  return (
    <Paper maw={640} component="section" aria-labelledby="demo-heading">
      <Group gap="xs" mb={4}>
        <IconDatabaseImport size={20} aria-hidden="true" />
        <Title order={2} id="demo-heading" fz="md">
          Demo data
        </Title>
      </Group>
      <Text size="sm" mb="md">
        The database has no employees yet. Load demo data?
      </Text>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Group align="flex-start" gap="sm">
          <TextInput
            id="demo-count"
            label="Number of demo employees"
            inputMode="numeric"
            w={220}
            required
            withAsterisk={false}
            value={count}
            error={fieldError}
            onChange={(e) => setCount(e.currentTarget.value)}
          />
          <Button type="submit" mt={24} loading={load.isPending}>
            Load demo data
          </Button>
        </Group>
      </form>
      {load.isPending ? (
        <Stack gap={6} mt="md">
          <Progress.Root size="lg">
            <Progress.Section value={pct ?? 100} animated={pct === null} aria-label="Demo data loading progress" />
          </Progress.Root>
          <Text size="sm" role="status">
            {progress
              ? `Loaded ${formatNumber(progress.done)} of ${formatNumber(progress.total)} employees${pct !== null ? ` (${pct}%)` : ''}.`
              : 'Loading demo data…'}
          </Text>
        </Stack>
      ) : null}
    </Paper>
  );
}
