/** `desk portal …`: the portal API service, and the keys of the portal's integrations. */
import { z } from 'zod';
import { integrationNameSchema, INTEGRATION_NAME_RULE, portalKeyHintSchema } from '../../../shared/schemas';
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { addPortalKey, listPortalKeys, revokePortalKey } from '../../core/portal/keys.service';
import { DEFAULT_REQUESTS_PER_SECOND, startPortal } from '../../portal/server';
import { UsageError } from '../failures';
import { check, openCore, parse, say, withCore } from '../support';
import { subcommandNames, usageOf, type ArgumentUsage, type CommandFamily, type CommandUsage } from '../usage';

const NAME: ArgumentUsage = { name: 'NAME', words: `The integration’s name: ${INTEGRATION_NAME_RULE.replace(/^Use/, 'use')}` };
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');

const usages: CommandUsage[] = [
  {
    command: 'portal',
    options: [
      { flag: '--host', value: 'ADDRESS', default: '127.0.0.1', words: 'The address to listen on (default 127.0.0.1; TLS is the reverse proxy’s job)' },
      { flag: '--port', value: 'N', words: 'The port to listen on, 0–65535 (default 0: any free port)' },
      { flag: '--requests-per-second', value: 'N', words: `Requests each key may make per second on this instance (default ${DEFAULT_REQUESTS_PER_SECOND}); more get 429 with Retry-After` },
      { flag: '--training', words: 'Also serve the training copy of the portal’s MFA pages at /training/, on 127.0.0.1 only, for demo employees only (needs demo data)' },
    ],
    summary: 'Start the portal API (JSON over HTTP, /v1) for the employee self-service portal and print its address',
    details:
      'It keeps nothing between requests, so several instances can share one PostgreSQL database behind a load balancer. Every request needs a key from `desk portal keys add`. The OpenAPI document is at /v1/openapi.json. Ctrl+C stops it.',
    examples: ['desk portal --port 8443 --host 0.0.0.0', 'desk portal --training'],
  },
  {
    command: 'portal keys add',
    args: [NAME],
    summary: 'Make a key for a portal integration, printed once; at most two live keys per integration, so a new one can replace the old without downtime',
    details: 'The desk keeps only a hash of the key. Calls made with it are audited as portal:NAME.',
    examples: ['desk portal keys add esr-portal'],
  },
  { command: 'portal keys list', summary: 'List the portal keys: integration, hint, made, last used, revoked' },
  {
    command: 'portal keys revoke',
    args: [NAME],
    options: [{ flag: '--key', value: 'HINT', words: 'Which key, by the hint `portal keys list` shows (needed when the integration has two live keys)' }],
    summary: 'Revoke a live key of an integration; its requests get 401 at once',
  },
];

async function serve(rest: string[]): Promise<number> {
  const options = parse(rest, usages[0]!);
  if (options.positionals.length) throw new UsageError(`portal needs a subcommand or none: ${subcommandNames(portalFamily)}`);
  const portText = options.string('port');
  const port = portText === undefined ? 0 : check(z.coerce.number().int().min(0).max(65535), portText, '--port');
  const rateText = options.string('requests-per-second');
  const requestsPerSecond = rateText === undefined ? DEFAULT_REQUESTS_PER_SECOND : check(z.coerce.number().int().min(1).max(100_000), rateText, '--requests-per-second');
  const training = options.flag('training');
  const hostText = options.string('host');
  if (training && hostText !== undefined && hostText !== '127.0.0.1') throw new UsageError('--training serves on 127.0.0.1 only: leave out --host.');
  const host = hostText ?? '127.0.0.1';
  // Changes made through the portal queue mail: this instance delivers the outbox too (a lease per
  // row keeps several instances and desks from sending one mail twice).
  const core = await openCore(options.dataDir, { deliverMail: true });
  const portal = await startPortal(
    { db: core.db, clock: core.clock, vault: core.vault, logger: core.logger, onMailQueued: () => core.mail.wake() },
    { host, port, requestsPerSecond, training },
  ).catch(async (err: unknown) => {
    await core.close();
    throw err;
  });
  say(`MFA Desk portal API: ${portal.url}/v1 (OpenAPI: ${portal.url}/v1/openapi.json)`);
  if (training) say(`Training pages (demo employees only): ${portal.url}/training/`);
  say(`Data: ${core.database.location}`);
  if ((await listPortalKeys(core.db)).every((k) => k.revokedAt)) say('No live portal key yet: make one with `desk portal keys add NAME`.');
  say('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await portal.close();
  await core.close();
  return 0;
}

async function keys(sub: string | undefined, rest: string[]): Promise<number> {
  if (sub === 'list') {
    const options = parse(rest, usageOf(portalFamily, 'portal keys list'));
    await withCore(options.dataDir, async (core) => {
      const all = await listPortalKeys(core.db);
      if (all.length === 0) say('No portal keys yet.');
      for (const k of all) {
        const state = k.revokedAt ? `revoked ${when(k.revokedAt)} by ${k.revokedBy ?? 'unknown'}` : `live, last used ${when(k.lastUsedAt)}`;
        say(`${k.integration.padEnd(24)} ${k.hint}…  made ${when(k.createdAt)} by ${k.createdBy}; ${state}`);
      }
    });
    return 0;
  }
  if (sub !== 'add' && sub !== 'revoke') throw new UsageError(`portal keys needs: add, list or revoke`);
  const options = parse(rest, usageOf(portalFamily, `portal keys ${sub}`));
  if (options.positionals.length !== 1) throw new UsageError(`portal keys ${sub} needs: NAME`);
  const integration = check(integrationNameSchema, options.positionals[0], 'NAME');
  await withCore(options.dataDir, async (core) => {
    if (sub === 'add') {
      const made = await addPortalKey(core, CLI_ACTOR, { integration });
      say(`Key for ${integration} (shown once; the desk keeps only its hash): ${made.key}`);
      say(`Its hint is ${made.portalKey.hint}. Give the key to the portal as Authorization: Bearer <key>.`);
    } else {
      const hintText = options.string('key');
      const hint = hintText === undefined ? null : check(portalKeyHintSchema, hintText, '--key');
      const revoked = await revokePortalKey(core, CLI_ACTOR, { integration, hint });
      say(`Revoked ${integration}’s key ${revoked.hint}; its requests are refused from now on.`);
    }
  });
  return 0;
}

async function portal(args: string[]): Promise<number> {
  const [sub, subsub, ...rest] = args;
  if (sub === 'keys') return keys(subsub, rest);
  return serve(args);
}

export const portalFamily: CommandFamily = { name: 'portal', usages, run: portal };
