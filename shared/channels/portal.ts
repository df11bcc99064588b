/** The self-service portal's integration keys, as admins run them in Settings. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { integrationNameSchema, portalKeyHintSchema } from '../schemas';
import type { PortalKeyCreated, PortalKeyView } from '../domain';

export const portalChannels = {
  'portal.keys.list': channel<PortalKeyView[]>()({
    input: empty,
    access: 'desk.administer',
    summary: 'Every key of the portal integrations (live first): integration, hint, made, last used, revoked. Never a key.',
  }),
  'portal.keys.add': channel<PortalKeyCreated>()({
    input: z.object({ integration: integrationNameSchema }).strict(),
    access: 'desk.administer',
    summary: 'Make a key for an integration (at most two live at once, to roll a new one out); the key is shown once (audited).',
  }),
  'portal.keys.revoke': channel<PortalKeyView>()({
    input: z.object({ integration: integrationNameSchema, hint: portalKeyHintSchema.nullish() }).strict(),
    access: 'desk.administer',
    summary: 'Revoke a live key of an integration, named by its hint when it has two; its requests are refused at once (audited).',
  }),
} as const satisfies ChannelMap;
