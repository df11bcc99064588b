import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { findViolations } from '../../scripts/check-layers.mjs';
import { tempDir } from '../support/targets';

type Violation = { file: string; spec: string; reason: string };

function tree(files: Record<string, string>): string {
  const root = tempDir('desk-layers-');
  for (const [rel, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), src);
  }
  return root;
}

describe('layering check', () => {
  it('finds no forbidden import in this repository', () => {
    const violations: Violation[] = findViolations(path.resolve(__dirname, '../..'));
    expect(violations).toEqual([]);
  });

  it('catches imports that cross the layers', () => {
    const root = tree({
      'shared/a.ts': "import fs from 'node:fs';\nimport { x } from '../electron/core/app';\nimport { z } from 'zod';",
      'renderer/src/b.tsx': "import { openDeskCore } from '../../electron/core/app';\nimport knex from 'knex';\nimport { ok } from '../../shared/contract';",
      'electron/core/c.ts': "import { app } from 'electron';\nimport { startHost } from '../host/server';\nimport path from 'node:path';",
      'electron/host/d.ts': "const e = require('electron');",
      'electron/cli/e.ts': "export { main } from '../main/index';",
      'electron/preload/f.ts': "import { channels } from '../../shared/contract';\nimport { IPC_PREFIX } from '../../shared/events';",
      'electron/core/db/migrations/0099_x.ts': "import { isPostgres } from './types';\nimport { chainEvents } from '../../audit/chain';\nimport type { Knex } from 'knex';",
    });
    const found: Violation[] = findViolations(root);
    const summary = found.map((v) => `${v.file}:${v.spec}`).sort();
    expect(summary).toEqual(
      [
        'electron/cli/e.ts:../main/index',
        'electron/core/c.ts:../host/server',
        'electron/core/c.ts:electron',
        'electron/core/db/migrations/0099_x.ts:../../audit/chain',
        'electron/host/d.ts:electron',
        'electron/preload/f.ts:../../shared/contract',
        'renderer/src/b.tsx:../../electron/core/app',
        'renderer/src/b.tsx:knex',
        'shared/a.ts:../electron/core/app',
        'shared/a.ts:node:fs',
      ].sort(),
    );
    fs.rmSync(root, { recursive: true, force: true });
  });
});
