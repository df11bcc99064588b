/**
 * The core of a desk run as a child process by a test: a second desk on the test's database, named
 * by the environment (DESK_DATA_DIR, and DESK_DATABASE_URL / DESK_DATABASE_SCHEMA on PostgreSQL).
 */
import { openDeskCore, type DeskCore } from '../../electron/core/app';
import type { Clock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';

export function openChildCore(clock?: Clock): Promise<DeskCore> {
  return openDeskCore({
    config: {
      dataDir: process.env.DESK_DATA_DIR!,
      databaseUrl: process.env.DESK_DATABASE_URL || undefined,
      databaseSchema: process.env.DESK_DATABASE_SCHEMA || undefined,
    },
    ...(clock ? { clock } : {}),
    logger: silentLogger,
  });
}
