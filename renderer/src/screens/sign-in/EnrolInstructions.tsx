/** The first sign-in: how to add MFA Desk to an authenticator app, by QR code or by typing the key. */
import { useState } from 'react';
import { Anchor, Box, Code, Group, Image, List, Stack, Text } from '@mantine/core';
import type { SignInStep } from '../../../../shared/domain';
import { Facts } from '../../components/ui';
import { groupKey, secretFromOtpauthUri } from '../../format';
import classes from '../SignInScreen.module.css';

export function EnrolInstructions({ enrol }: { enrol: Extract<SignInStep, { step: 'enrol' }> }) {
  const [showKey, setShowKey] = useState(false);
  const keyId = 'enrol-setup-key';
  const secret = secretFromOtpauthUri(enrol.otpauthUri);
  return (
    <Stack gap="sm">
      <Text size="sm">
        This is your first sign-in, so MFA Desk needs an authenticator app on your phone (for example Microsoft
        Authenticator).
      </Text>
      <Group align="flex-start" gap="md" wrap="nowrap">
        <Image
          className={classes.qr}
          alt="QR code for your authenticator app"
          src={'data:image/svg+xml;utf8,' + encodeURIComponent(enrol.qrSvg)}
          w={164}
          h={164}
        />
        <Stack gap="xs" miw={0}>
          <List type="ordered" size="sm" spacing={4} className={classes.steps}>
            <List.Item>In the app, add an account.</List.Item>
            <List.Item>Scan this QR code.</List.Item>
            <List.Item>Enter the 6-digit code the app shows.</List.Item>
          </List>
          <Facts
            labelWidth={70}
            items={[
              ['Issuer', enrol.issuer],
              ['Account', enrol.account],
            ]}
          />
        </Stack>
      </Group>
      {secret ? (
        <Box>
          <Anchor
            component="button"
            type="button"
            size="sm"
            aria-expanded={showKey}
            aria-controls={keyId}
            onClick={() => setShowKey((v) => !v)}
          >
            Can't scan? Enter this key
          </Anchor>
          <Box id={keyId} hidden={!showKey} mt={6} className={classes.keyPanel}>
            <Text size="sm">In your authenticator app choose to enter a setup key, and type:</Text>
            <Code className={`secret-key ${classes.secret}`} fz="md" fw={600} my={6}>
              {groupKey(secret)}
            </Code>
            <Text size="xs" c="dimmed">
              It is a time-based key: 6 digits, a new code every 30 seconds.
            </Text>
          </Box>
        </Box>
      ) : null}
    </Stack>
  );
}
