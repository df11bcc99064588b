/** The mail (SMTP) server mail goes out through; the password is sent once and never shown again. */
import { useState } from 'react';
import { Badge, Button, Checkbox, Grid, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { SMTP_SECURITIES, type SmtpSecurityMode, type SmtpSettingsView } from '../../../../shared/domain';
import { PasswordField } from '../../components/fields';
import { notify } from '../../lib/feedback';
import { focusFirstInvalid, reportFormError, useSubmitOnce } from '../../lib/forms';
import { channelKey, useChannelMutation } from '../../lib/query';

const SECURITY_LABELS: Record<SmtpSecurityMode, string> = {
  none: 'None (plain SMTP)',
  starttls: 'STARTTLS (upgrade the connection; usually port 587)',
  tls: 'TLS from the start (usually port 465)',
};

export function MailSettings({ initial }: { initial: SmtpSettingsView }) {
  const queryClient = useQueryClient();
  const [view, setView] = useState(initial);
  const update = useChannelMutation('smtp.update');
  const form = useForm({
    initialValues: {
      host: initial.host,
      port: String(initial.port),
      security: initial.security,
      user: initial.user,
      from: initial.from,
      password: '',
      removePassword: false,
    },
    validate: {
      port: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? null : 'Enter a port from 1 to 65,535'),
    },
  });

  const save = useSubmitOnce(
    form,
    async (v) => {
      const next = await update.mutateAsync({
        host: v.host.trim(),
        port: Number(v.port.trim()),
        security: v.security,
        user: v.user.trim(),
        from: v.from.trim(),
        password: v.removePassword ? null : v.password,
      });
      setView(next);
      queryClient.setQueryData(channelKey('smtp.get', {}), next);
      form.setValues({ password: '', removePassword: false });
      form.resetDirty();
      notify.success(
        next.configured
          ? `Saved. Mail goes out through ${next.host}:${next.port}.`
          : 'Saved. No server is set: mail is written as .eml files to the outbox folder in the data directory.',
      );
    },
    (err) => reportFormError(form, err, undefined, 'The mail settings were not saved'),
    () => focusFirstInvalid(),
  );

  return (
    <Stack gap="md">
      <Text size="sm">
        Codes and change confirmations go out through this server. Leave the host empty to write each mail as an .eml
        file to the outbox folder in the data directory instead.
      </Text>
      <form onSubmit={save} noValidate>
        <Stack gap="sm">
          <Grid gap="sm">
            <Grid.Col span={8}>
              <TextInput label="Host" description="A host name or IP address; empty means no server." autoComplete="off" spellCheck={false} {...form.getInputProps('host')} />
            </Grid.Col>
            <Grid.Col span={4}>
              <TextInput label="Port" description="Often 587 or 465." inputMode="numeric" autoComplete="off" {...form.getInputProps('port')} />
            </Grid.Col>
          </Grid>
          <NativeSelect label="Security" data={SMTP_SECURITIES.map((s) => ({ value: s, label: SECURITY_LABELS[s] }))} {...form.getInputProps('security')} />
          <Grid gap="sm">
            <Grid.Col span={6}>
              <TextInput label="Username" description="Empty: send without logging in." autoComplete="off" spellCheck={false} {...form.getInputProps('user')} />
            </Grid.Col>
            <Grid.Col span={6}>
              <PasswordField
                label="Password"
                description={
                  <>
                    <Badge size="xs" color={view.passwordSet ? 'green' : 'gray'} component="span" mr={4}>
                      {view.passwordSet ? 'Set' : 'Not set'}
                    </Badge>
                    {view.passwordSet ? 'A password is stored (it is never shown). Leave this empty to keep it.' : 'No password is stored.'}
                  </>
                }
                autoComplete="new-password"
                disabled={form.values.removePassword}
                {...form.getInputProps('password')}
              />
            </Grid.Col>
          </Grid>
          {view.passwordSet ? (
            <Checkbox label="Remove the stored password" {...form.getInputProps('removePassword', { type: 'checkbox' })} />
          ) : null}
          <TextInput
            label="From"
            description="An address, or a name and an address: Shared Services <desk@example.org>"
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('from')}
          />
          <Group>
            <Button type="submit" loading={form.submitting}>
              Save mail settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
