// The layering rule, checked on every import in the tree (see README "Architecture"):
//   renderer -> shared;  electron/main | host | cli -> electron/core -> shared;  preload -> shared/events.
// Migrations are frozen: a file in electron/core/db/migrations imports only from that folder (and
// packages), never code that can change after the migration was released.
// Exits non-zero and lists each forbidden import. Also used by test/unit/layers.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** For each layer: which layers it may import, and which packages it may (null = any non-forbidden). */
export const RULES = {
  shared: { layers: ['shared'], packages: ['zod'], builtins: false },
  // The renderer's own packages: React, Mantine (controls, dates, charts over Recharts), TanStack
  // (Table, Virtual, Query), wouter (routes), dayjs (Mantine's dates), Tabler icons, the Inter font.
  renderer: {
    layers: ['renderer', 'shared'],
    packages: ['react', 'react-dom', '@mantine/', '@tanstack/', 'wouter', 'dayjs', '@tabler/icons-react', '@fontsource-variable/inter', 'zod', 'recharts'],
    builtins: false,
  },
  'electron/core': { layers: ['electron/core', 'shared', 'resources'], packages: null, forbid: ['electron'], builtins: true },
  'electron/host': { layers: ['electron/host', 'electron/core', 'shared'], packages: null, forbid: ['electron'], builtins: true },
  'electron/cli': { layers: ['electron/cli', 'electron/host', 'electron/core', 'shared'], packages: null, forbid: ['electron'], builtins: true },
  'electron/main': { layers: ['electron/main', 'electron/core', 'shared'], packages: null, builtins: true },
  'electron/preload': { layers: ['electron/preload', 'shared/events'], packages: ['electron'], builtins: false },
};

const LAYER_DIRS = Object.keys(RULES).sort((a, b) => b.length - a.length);
const MIGRATIONS_DIR = 'electron/core/db/migrations/';
const slashed = (p) => p.split(path.sep).join('/');
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function layerOf(rel) {
  const p = rel.split(path.sep).join('/');
  if (p.startsWith('shared/events')) return 'shared/events';
  return LAYER_DIRS.find((d) => p === d || p.startsWith(d + '/')) ?? (p.startsWith('resources/') ? 'resources' : null);
}

function allowedLayer(rule, target) {
  return rule.layers.some((l) => target === l || (l === 'shared' && target === 'shared/events'));
}

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every import that breaks the rules under root, as { file, line, spec, reason }. */
export function findViolations(root) {
  const out = [];
  for (const layerDir of Object.keys(RULES)) {
    for (const file of sourceFiles(path.join(root, layerDir))) {
      const rel = path.relative(root, file);
      const fromLayer = layerOf(rel) === 'shared/events' ? 'shared' : layerOf(rel);
      const rule = RULES[fromLayer];
      const src = stripComments(fs.readFileSync(file, 'utf8'));
      for (const m of src.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2];
        const line = src.slice(0, m.index).split('\n').length;
        const report = (reason) => out.push({ file: rel, line, spec, reason });
        if (spec.startsWith('.')) {
          const targetRel = slashed(path.relative(root, path.resolve(path.dirname(file), spec)));
          if (slashed(rel).startsWith(MIGRATIONS_DIR) && !targetRel.startsWith(MIGRATIONS_DIR)) {
            report('a migration is frozen: it may import only from db/migrations (keep a copy of what it needs there)');
            continue;
          }
          const target = layerOf(targetRel);
          if (!target || !allowedLayer(rule, target)) report(`${fromLayer} may not import from ${target ?? 'outside the layers'}`);
          continue;
        }
        if (BUILTINS.has(spec)) {
          if (!rule.builtins) report(`${fromLayer} may not use Node built-ins`);
          continue;
        }
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (rule.forbid?.includes(pkg)) report(`${fromLayer} must never import ${pkg}`);
        else if (rule.packages && !rule.packages.some((p) => (p.endsWith('/') ? spec.startsWith(p) : pkg === p))) {
          report(`${fromLayer} may not import the package ${pkg}`);
        }
      }
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = findViolations(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: '${v.spec}' — ${v.reason}`);
  if (violations.length) {
    console.error(`check-layers: ${violations.length} forbidden import(s).`);
    process.exit(1);
  }
  console.log('check-layers: every import respects the layers.');
}
