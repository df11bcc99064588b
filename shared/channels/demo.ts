/** Demo data for an empty desk. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { SEED_MAX } from '../schemas';
import type { DemoSeedResult } from '../domain';


export const demoChannels = {
  'demo.load': channel<DemoSeedResult>()({
    input: z
      .object({
        employees: z.number().int().min(1).max(200_000).default(1000),
        seed: z.number().int().min(0).max(SEED_MAX).default(1),
      })
      .strict(),
    access: 'desk.administer',
    summary: 'Fill an empty database with deterministic demo employees.',
  }),
} as const satisfies ChannelMap;
