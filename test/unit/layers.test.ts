import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import * as checkLayers from '../../scripts/check-layers.mjs';

type Violation = { file: string; line: number; spec: string; reason: string };
const { FEATURE_ORDER, findViolations } = checkLayers as unknown as { FEATURE_ORDER: string[][]; findViolations: (root: string) => Violation[] };

const SCRIPT = path.resolve(__dirname, '../../scripts/check-layers.mjs');
const rankOf = (feature: string): number => FEATURE_ORDER.findIndex((rank) => rank.includes(feature));

function tree(files: Record<string, string>): string {
  // A plain temp dir: this test reads files only, so it should not need the core to load.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-layers-'));
  for (const [rel, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), src);
  }
  return root;
}

describe('layering check', () => {
  // Fails while the core still has the upward imports and cycles that `node scripts/check-layers.mjs`
  // lists; it turns green when they are fixed, with no change here.
  it('finds no forbidden import in this repository', () => {
    const violations = findViolations(path.resolve(__dirname, '../..'));
    expect(violations).toEqual([]);
  });

  it('catches imports that cross the layers', () => {
    const root = tree({
      'shared/a.ts': "import fs from 'node:fs';\nimport { x } from '../electron/core/app';\nimport { z } from 'zod';",
      'renderer/src/b.tsx': "import { openDeskCore } from '../../electron/core/app';\nimport knex from 'knex';\nimport { ok } from '../../shared/contract';",
      'electron/core/app.ts': "import { app } from 'electron';\nimport { startHost } from '../host/server';\nimport path from 'node:path';",
      'electron/host/d.ts': "const e = require('electron');",
      'electron/cli/e.ts': "export { main } from '../main/index';",
      'electron/preload/f.ts': "import { channels } from '../../shared/contract';\nimport { IPC_PREFIX } from '../../shared/events';",
      'electron/core/db/migrations/0099_x.ts': "import { isPostgres } from './types';\nimport { chainEvents } from '../../audit/chain';\nimport type { Knex } from 'knex';",
    });
    const found = findViolations(root);
    const summary = found.map((v) => `${v.file}:${v.spec}`).sort();
    expect(summary).toEqual(
      [
        'electron/cli/e.ts:../main/index',
        'electron/core/app.ts:../host/server',
        'electron/core/app.ts:electron',
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

  it('puts every feature of the real core in FEATURE_ORDER', () => {
    const violations = findViolations(path.resolve(__dirname, '../..'));
    expect(violations.filter((v) => v.reason.includes('in no rank'))).toEqual([]);
  });

  it('ranks the features as the core should depend on them', () => {
    const order = ['audit', 'settings', 'mail', 'deskusers', 'auth', 'employees', 'ticket-store', 'mfa', 'employee-page', 'tickets', 'records', 'dashboard', 'hr', 'imports', 'demo', 'ipc', 'app'];
    const ranks = order.map(rankOf);
    expect(ranks.every((r) => r > 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(new Set(ranks).size).toBe(ranks.length);
    for (const base of ['clock', 'config', 'version', 'data-dir', 'log', 'secrets', 'db', 'csp', 'static-files', 'background-jobs']) {
      expect(rankOf(base), base).toBeGreaterThanOrEqual(0);
      expect(rankOf(base), base).toBeLessThan(rankOf('audit'));
    }
  });

  it('refuses an import up the feature order or across one rank, type-only ones too', () => {
    const root = tree({
      // The comment keeps its lines, so the reported line is the import's own.
      'electron/core/audit/a.ts': "/*\n * audit\n */\nimport { report } from '../tickets/t';",
      'electron/core/tickets/t.ts': "import { recordAudit } from '../audit/a';\nimport type { Emails } from '../records/r';\nexport const report = 1;",
      'electron/core/records/r.ts': "import { report } from '../tickets/t';\nimport { now } from '../clock';",
      'electron/core/clock.ts': "import { dir } from './config';\nexport const now = 1;",
      'electron/core/config.ts': 'export const dir = 1;',
    });
    const found = findViolations(root);
    const ranked = found.filter((v) => !v.reason.startsWith('cycle:'));
    expect(ranked.map((v) => `${v.file}:${v.line}:${v.spec}`).sort()).toEqual(
      ['electron/core/audit/a.ts:4:../tickets/t', 'electron/core/clock.ts:1:./config', 'electron/core/tickets/t.ts:2:../records/r'].sort(),
    );
    expect(ranked.find((v) => v.spec === '../tickets/t')?.reason).toBe(
      `audit (rank ${rankOf('audit')}) may not import tickets (rank ${rankOf('tickets')}): a higher rank (FEATURE_ORDER)`,
    );
    expect(ranked.find((v) => v.spec === './config')?.reason).toMatch(/^clock \(rank 0\) may not import config \(rank 0\): its peer on the same rank/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('finds cycles between features, through two or three of them, and shows their path', () => {
    const root = tree({
      // Two features at different ranks: settings -> mail goes up, mail -> settings comes back down.
      'electron/core/settings/s.ts': "import { send } from '../mail/m';\nexport const get = 1;",
      'electron/core/mail/m.ts': "import { get } from '../settings/s';\nexport const send = 1;",
      // Three features: employees -> mfa -> tickets go up, tickets -> employees closes the loop.
      'electron/core/employees/e.ts': "import { x } from '../auth/ok';\n\nimport type { Factor } from '../mfa/f';",
      'electron/core/mfa/f.ts': "import { ticketFor } from '../tickets/t';",
      'electron/core/tickets/t.ts': "import { employee } from '../employees/e';",
      'electron/core/auth/ok.ts': 'export const x = 1;',
    });
    const found = findViolations(root);
    const cycles = found.filter((v) => v.reason.startsWith('cycle:'));
    expect(cycles.map((v) => v.reason.replace(/ \(.*$/, '')).sort()).toEqual(
      ['cycle: employees → mfa → tickets → employees', 'cycle: settings → mail → settings'].sort(),
    );
    const three = cycles.find((v) => v.reason.includes('employees → mfa → tickets'));
    expect(three).toMatchObject({ file: path.join('electron/core/employees/e.ts'), line: 3, spec: '../mfa/f' });
    expect(three?.reason).toContain('tickets → employees at electron/core/tickets/t.ts:1');
    // The upward imports on the cycles are reported in their own right as well.
    expect(found.filter((v) => !v.reason.startsWith('cycle:')).map((v) => v.spec).sort()).toEqual(['../mail/m', '../mfa/f', '../tickets/t'].sort());
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports a core file outside the feature order, and finds a cycle through it', () => {
    const root = tree({
      'electron/core/widgets/w.ts': "import { recordAudit } from '../audit/a';",
      'electron/core/gadget.ts': 'export const g = 1;',
      'electron/core/audit/a.ts': "import { w } from '../widgets/w';",
    });
    const found = findViolations(root);
    expect(found.filter((v) => v.reason.includes('in no rank')).map((v) => `${v.file}: ${v.reason}`).sort()).toEqual(
      [
        `${path.join('electron/core/gadget.ts')}: the core feature gadget is in no rank: add 'gadget' to FEATURE_ORDER`,
        `${path.join('electron/core/widgets/w.ts')}: the core feature widgets is in no rank: add 'widgets' to FEATURE_ORDER`,
      ].sort(),
    );
    expect(found.filter((v) => v.reason.startsWith('cycle:')).map((v) => v.reason.replace(/ \(.*$/, ''))).toEqual(['cycle: audit → widgets → audit']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists each violation on its own line and exits non-zero', () => {
    const bad = tree({
      'electron/core/employees/e.ts': "import { FACTOR_MAX_ATTEMPTS } from '../mfa/rules';",
      'electron/core/mfa/rules.ts': "import { refresh } from '../employees/e';",
    });
    const r = spawnSync(process.execPath, [SCRIPT, bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `electron/core/employees/e.ts:1: '../mfa/rules' — employees (rank ${rankOf('employees')}) may not import mfa (rank ${rankOf('mfa')}): a higher rank (FEATURE_ORDER)`,
      "electron/core/employees/e.ts:1: '../mfa/rules' — cycle: employees → mfa → employees (employees → mfa at electron/core/employees/e.ts:1; mfa → employees at electron/core/mfa/rules.ts:1)",
      'check-layers: 2 violation(s).',
    ]);
    const good = tree({ 'electron/core/mfa/rules.ts': "import { refresh } from '../employees/e';", 'electron/core/employees/e.ts': 'export const refresh = 1;' });
    expect(spawnSync(process.execPath, [SCRIPT, good], { encoding: 'utf8' }).status).toBe(0);
    fs.rmSync(bad, { recursive: true, force: true });
    fs.rmSync(good, { recursive: true, force: true });
  });
});
