/**
 * Admin settings: the mail (SMTP) server mail goes out through, with a test mail; where the data
 * key is kept; and the canned replies agents copy into the webchat. With no host set the desk
 * writes each mail as an .eml file to the data directory's outbox folder. The SMTP password is sent
 * once and never shown again (the main process keeps it sealed and only says whether one is set).
 */
import { Alert, Code, Grid, Paper, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Empty, Loading, PageHeader, SectionTitle } from '../../components/ui';
import { useChannel } from '../../lib/query';
import { CannedReplies } from './CannedReplies';
import { MailSettings } from './MailSettings';
import { PortalKeys } from './PortalKeys';
import { TestMail } from './TestMail';

export function SettingsScreen() {
  const smtp = useChannel('smtp.get', {});
  const dataKey = useChannel('settings.dataKey', {});

  return (
    <div className="screen">
      <PageHeader title="Settings" description="How mail goes out, where the data key is kept, the keys of the portal's integrations, and the canned replies agents paste into the webchat." />
      <Stack gap="lg">
        <Grid gap="lg" align="flex-start">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Paper component="section" aria-labelledby="mail-heading">
              <SectionTitle id="mail-heading">Mail (SMTP)</SectionTitle>
              {smtp.data ? (
                <MailSettings initial={smtp.data} />
              ) : smtp.isError ? (
                <Empty title="The mail settings could not be read">{smtp.error.message}</Empty>
              ) : (
                <Loading size="sm">Loading the mail settings…</Loading>
              )}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="lg">
            <Paper component="section" aria-labelledby="test-mail-heading">
              <SectionTitle id="test-mail-heading">Send a test mail</SectionTitle>
              <TestMail />
            </Paper>
            <Paper component="section" aria-labelledby="data-key-heading">
              <SectionTitle id="data-key-heading">Data key</SectionTitle>
              {dataKey.data ? (
                <Stack gap="sm">
                  <Text size="sm">
                    Authenticator keys, the SMTP password and code mails are sealed with a data key kept in{' '}
                    {dataKey.data.where}.
                  </Text>
                  {/* A path in monospace on its own lines: every character is readable and it wraps at the same place whatever its letters. */}
                  <div>
                    <Text size="sm" fw={600}>
                      {dataKey.data.kind === 'file' ? 'Key file' : 'Wrapped key file'}
                    </Text>
                    <Code block data-local-path style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                      {dataKey.data.file}
                    </Code>
                  </div>
                  {dataKey.data.warning ? (
                    <Alert role="status" color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />} title="Not in the keychain">
                      {dataKey.data.warning}
                    </Alert>
                  ) : null}
                </Stack>
              ) : dataKey.isError ? (
                <Text size="sm" c="red.8">
                  Where the data key is kept could not be read: {dataKey.error.message}
                </Text>
              ) : (
                <Loading size="sm">Loading the data key…</Loading>
              )}
            </Paper>
            </Stack>
          </Grid.Col>
        </Grid>
        <PortalKeys />
        <CannedReplies />
      </Stack>
    </div>
  );
}
