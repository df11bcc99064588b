/**
 * Admins: the keys the self-service portal's integrations present to `desk portal`. A new key is
 * shown once, here, with a copy button; the desk keeps only its hash. An integration may have two
 * live keys, so a new one is rolled out before the old one is revoked; revoking asks first and
 * names the key. Refusals from the main process go under the field they concern.
 */
import { useState } from 'react';
import { Badge, Button, Code, Group, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { IconKey, IconPlugConnected } from '@tabler/icons-react';
import type { PortalKeyCreated, PortalKeyView } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { INTEGRATION_NAME_RULE } from '../../../../shared/schemas';
import { DateTime, Empty, Loading, None, SectionTitle } from '../../components/ui';
import { ColumnHeads, type Column } from '../../components/tables';
import { notify } from '../../lib/feedback';
import { reportFormError, useSubmitOnce } from '../../lib/forms';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { ConfirmDialog } from './ConfirmDialog';
import { ShownOnce } from './ShownOnce';
import classes from './admin.module.css';

const COLUMNS: Column[] = ['Integration', 'Key', 'Made', 'Last used', 'State', { key: 'actions', label: <span className="visually-hidden">Actions</span> }];

function NewKey({ made, onDone }: { made: PortalKeyCreated; onDone: () => void }) {
  return (
    <Paper component="section" aria-label="New portal key" className={classes.temporary} p="md" withBorder>
      <Stack gap="xs">
        <Group gap="xs" wrap="nowrap">
          <IconKey size={18} aria-hidden="true" />
          <Text fw={650}>New key for {made.portalKey.integration}</Text>
        </Group>
        <ShownOnce value={made.key} copyLabel="Copy the key" size="sm" />
        <Text size="sm">
          It is shown only now: the desk keeps only a hash of it. Put it in the portal’s configuration, which sends it as
          <Code>Authorization: Bearer …</Code>. Its calls are audited as <Code>portal:{made.portalKey.integration}</Code>.
        </Text>
        <Group>
          <Button variant="default" size="xs" onClick={onDone}>
            I have stored it
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function PortalKeys() {
  const keys = useChannel('portal.keys.list', {});
  const queryClient = useQueryClient();
  const add = useChannelMutation('portal.keys.add');
  const revoke = useChannelMutation('portal.keys.revoke');
  const [made, setMade] = useState<PortalKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<{ key: PortalKeyView; open: boolean } | null>(null);
  const form = useForm({
    initialValues: { integration: '' },
    validate: { integration: (v) => (v.trim() ? null : 'Enter the integration’s name, such as esr-portal') },
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: channelKey('portal.keys.list', {}) });

  const submit = useSubmitOnce(
    form,
    async ({ integration }) => {
      const created = await add.mutateAsync({ integration: integration.trim() });
      setMade(created);
      form.reset();
      notify.success(`A key for ${created.portalKey.integration} is made: store it now, it is shown only once.`);
      await refresh();
    },
    (err) => {
      // The main process names the field its refusal concerns (two live keys already).
      if (err instanceof DeskError && err.details?.['field'] === 'integration') form.setFieldError('integration', err.message);
      else reportFormError(form, err, undefined, 'Could not make the key');
    },
    () => undefined,
  );

  const live = keys.data?.filter((k) => !k.revokedAt) ?? [];
  return (
    <Paper component="section" aria-labelledby="portal-keys-heading">
      <SectionTitle id="portal-keys-heading">
        <Group gap={6} component="span" wrap="nowrap">
          <IconPlugConnected size={18} aria-hidden="true" />
          Portal integrations
        </Group>
      </SectionTitle>
      <Text size="sm" mb="sm">
        The self-service portal calls the desk’s portal API (<Code>desk portal</Code>) with a key of its integration. Each
        integration may have two live keys: make the new one, put it in the portal, then revoke the old one.
      </Text>
      <Stack gap="md">
        {made ? <NewKey made={made} onDone={() => setMade(null)} /> : null}
        {keys.isError ? (
          <Empty title="The portal keys could not be read">{keys.error.message}</Empty>
        ) : !keys.data ? (
          <Loading size="sm">Loading the portal keys…</Loading>
        ) : keys.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No portal keys yet.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={0}>
            <Table aria-label="Portal keys" verticalSpacing="xs" className={classes.keysTable}>
              <ColumnHeads columns={COLUMNS} />
              <Table.Tbody>
                {keys.data.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td className={classes.breakAnywhere}>{k.integration}</Table.Td>
                    <Table.Td>
                      <Code>{k.hint}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <DateTime iso={k.createdAt} />
                      <Text size="xs" c="dimmed" className={classes.breakAnywhere}>
                        by {k.createdBy}
                      </Text>
                    </Table.Td>
                    <Table.Td>{k.lastUsedAt ? <DateTime iso={k.lastUsedAt} /> : <None label="Never" />}</Table.Td>
                    <Table.Td>
                      {k.revokedAt ? (
                        <Badge color="gray" variant="outline">
                          Revoked
                        </Badge>
                      ) : (
                        <Badge color="green" variant="light">
                          Live
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      {k.revokedAt ? null : (
                        <Button size="xs" variant="default" color="red" onClick={() => setRevoking({ key: k, open: true })} aria-label={`Revoke ${k.integration}’s key ${k.hint}`}>
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <form onSubmit={submit} noValidate>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Integration"
              description={INTEGRATION_NAME_RULE.replace(/^Use /, '').replace(/^./, (c) => c.toUpperCase())}
              placeholder="esr-portal"
              autoCapitalize="none"
              autoComplete="off"
              spellCheck={false}
              className={classes.integrationField}
              {...form.getInputProps('integration')}
            />
            <Button type="submit" mt={44} loading={add.isPending} leftSection={<IconKey size={16} aria-hidden="true" />}>
              Make a key
            </Button>
          </Group>
        </form>
        <Text size="xs" c="dimmed">
          {live.length === 0 ? 'No integration can call the portal API now.' : `${live.length} live ${live.length === 1 ? 'key' : 'keys'}.`}
        </Text>
      </Stack>
      {revoking ? (
        <ConfirmDialog
          opened={revoking.open}
          onClose={() => setRevoking((r) => (r ? { ...r, open: false } : r))}
          title={`Revoke ${revoking.key.integration}’s key?`}
          confirmLabel={`Revoke ${revoking.key.hint}…`}
          onConfirm={async () => {
            try {
              await revoke.mutateAsync({ integration: revoking.key.integration, hint: revoking.key.hint });
            } catch (err) {
              notify.error(err, 'Could not revoke the key');
              throw err;
            }
            notify.success(`${revoking.key.integration}’s key ${revoking.key.hint}… is revoked.`);
            await refresh();
          }}
        >
          Requests with the key <Code>{revoking.key.hint}…</Code> are refused from now on.
          {live.filter((k) => k.integration === revoking.key.integration).length < 2
            ? ' It is this integration’s only live key: the portal cannot reach the desk until it has a new one.'
            : ' The integration’s other live key keeps working.'}
        </ConfirmDialog>
      ) : null}
    </Paper>
  );
}
