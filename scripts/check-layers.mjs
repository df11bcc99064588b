// The layering rule, checked on every import in the tree (see docs/architecture.md):
//   renderer -> shared;  electron/main | host | portal | cli -> electron/core -> shared (cli also -> host, portal);
//   preload -> shared/events.
// Migrations are frozen: a file in electron/core/db/migrations imports only from that folder (and
// packages), never code that can change after the migration was released.
// Inside electron/core the features follow FEATURE_ORDER: a feature imports only from lower ranks,
// and the graph of imports between features has no cycle.
// Exits non-zero and lists each violation. Also used by test/unit/layers.test.ts.
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
  'electron/portal': { layers: ['electron/portal', 'electron/core', 'shared'], packages: null, forbid: ['electron'], builtins: true },
  'electron/cli': { layers: ['electron/cli', 'electron/host', 'electron/portal', 'electron/core', 'shared'], packages: null, forbid: ['electron'], builtins: true },
  'electron/main': { layers: ['electron/main', 'electron/core', 'shared'], packages: null, builtins: true },
  'electron/preload': { layers: ['electron/preload', 'shared/events'], packages: ['electron'], builtins: false },
};

/**
 * The features of electron/core, lowest rank first. A feature is a folder of electron/core, or a
 * file directly in it (named without its extension). A feature may import only from a feature of a
 * strictly lower rank, so features that share a rank are peers and may not import each other: a
 * shared rank says they are independent, instead of inventing an order between them that a later
 * import could quietly follow. Only the base utilities share ranks; the features above them form
 * one chain. Type-only imports count too: a cycle through types is still a cycle to untangle.
 */
export const FEATURE_ORDER = [
  // Base utilities that know nothing of the rest of the core.
  ['clock', 'config', 'version', 'data-dir', 'csp', 'static-files', 'background-jobs'],
  // The log file, the key vault and the database, each over the base only.
  ['log', 'secrets', 'db'],
  // What every feature's channel handlers are written against: the core's services and the session.
  ['handler'],
  // Every feature above records audit events; the audit trail knows no feature.
  ['audit'],
  ['settings'],
  // Mail reads its SMTP settings; the features above put their mail in its outbox.
  ['mail'],
  ['deskusers'],
  // Signing in looks desk users up; managing desk users signs no one in.
  ['auth'],
  ['employees'],
  // The ticket rows that MFA actions and record changes open and close.
  ['ticket-store'],
  // Factors, codes and verifications belong to employees.
  ['mfa'],
  // An employee's page shows their record with its MFA facts.
  ['employee-page'],
  // Tickets use MFA facts (the current verification), never the other way round.
  ['tickets'],
  // A change of an employee's emails touches factors, tickets and mail.
  ['records'],
  // The self-service portal's integrations: their keys, and the portal's calls into MFA.
  ['portal'],
  // The dashboard sums up the audit trail and the tickets.
  ['dashboard'],
  ['hr'],
  // The background HR import jobs run the HR import.
  ['imports'],
  // The demo seed writes through the features below it.
  ['demo'],
  // The channels' handlers and the router assemble the features.
  ['ipc'],
  // Opening the core wires everything together.
  ['app'],
];

const RANK = new Map();
FEATURE_ORDER.forEach((features, rank) => {
  for (const f of features) {
    if (RANK.has(f)) throw new Error(`check-layers: '${f}' appears twice in FEATURE_ORDER`);
    RANK.set(f, rank);
  }
});

const CORE_DIR = 'electron/core/';
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

/** The core feature a path (slashed, relative to the root) belongs to, or null outside electron/core. */
function featureOf(rel) {
  if (!rel.startsWith(CORE_DIR)) return null;
  const parts = rel.slice(CORE_DIR.length).split('/');
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(ts|tsx|mts|cts|js|mjs)$/, '');
}

const rankText = (f) => (RANK.has(f) ? `${f} (rank ${RANK.get(f)})` : `${f} (in no rank)`);

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

/** Blanks out comments, keeping their line breaks so that line numbers still match the file. */
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Whether an import from feature a to feature b goes strictly down FEATURE_ORDER. */
const downward = (a, b) => RANK.has(a) && RANK.has(b) && RANK.get(a) > RANK.get(b);

/**
 * The cycles of the feature graph. Tarjan's algorithm finds the strongly connected components;
 * inside each, every edge u → v that does not go down the order is closed into its shortest cycle
 * by a breadth-first walk from v back to u. Edges that all go down cannot close a cycle, so every
 * cycle passes through a reported edge, and the lead sees each offending import in its shortest
 * loop rather than every loop a big component allows. Each cycle starts at its lowest feature.
 */
function findCycles(edges) {
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
  const next = (n) => [...(edges.get(n)?.keys() ?? [])].sort();
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let counter = 0;
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = new Set();
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.add(w);
      } while (w !== v);
      if (component.size > 1) components.push(component);
    }
  };
  for (const n of nodes) if (!index.has(n)) connect(n);

  const shortestPath = (from, to, within) => {
    const cameFrom = new Map([[from, null]]);
    const queue = [from];
    while (queue.length) {
      const n = queue.shift();
      if (n === to) break;
      for (const m of next(n)) {
        if (within.has(m) && !cameFrom.has(m)) {
          cameFrom.set(m, n);
          queue.push(m);
        }
      }
    }
    const walk = [];
    for (let n = to; n !== null; n = cameFrom.get(n)) walk.unshift(n);
    return walk;
  };
  const order = (a, b) => (RANK.get(a) ?? Infinity) - (RANK.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0);

  const cycles = new Map();
  for (const component of components) {
    for (const u of [...component].sort()) {
      for (const v of next(u).filter((n) => component.has(n) && !downward(u, n))) {
        const loop = [u, ...shortestPath(v, u, component)].slice(0, -1);
        const start = loop.indexOf([...loop].sort(order)[0]);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.set(rotated.join(' '), rotated);
      }
    }
  }
  return [...cycles.values()].sort((a, b) => order(a[0], b[0]) || a.length - b.length || (a.join() < b.join() ? -1 : 1));
}

/** Every import that breaks the rules under root, as { file, line, spec, reason }. */
export function findViolations(root) {
  const out = [];
  // Feature → feature import edges inside electron/core, with the first import that makes each.
  const edges = new Map();
  for (const layerDir of Object.keys(RULES)) {
    for (const file of sourceFiles(path.join(root, layerDir))) {
      const rel = path.relative(root, file);
      const fromLayer = layerOf(rel) === 'shared/events' ? 'shared' : layerOf(rel);
      const rule = RULES[fromLayer];
      const fromFeature = featureOf(slashed(rel));
      if (fromFeature !== null && !RANK.has(fromFeature)) {
        out.push({ file: rel, line: 1, spec: '', reason: `the core feature ${fromFeature} is in no rank: add '${fromFeature}' to FEATURE_ORDER` });
      }
      const src = stripComments(fs.readFileSync(file, 'utf8'));
      for (const m of src.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2];
        const line = src.slice(0, m.index + m[0].search(/import|export|require/)).split('\n').length;
        const report = (reason) => out.push({ file: rel, line, spec, reason });
        if (spec.startsWith('.')) {
          const targetRel = slashed(path.relative(root, path.resolve(path.dirname(file), spec)));
          if (slashed(rel).startsWith(MIGRATIONS_DIR) && !targetRel.startsWith(MIGRATIONS_DIR)) {
            report('a migration is frozen: it may import only from db/migrations (keep a copy of what it needs there)');
            continue;
          }
          const target = layerOf(targetRel);
          if (!target || !allowedLayer(rule, target)) {
            report(`${fromLayer} may not import from ${target ?? 'outside the layers'}`);
            continue;
          }
          const toFeature = featureOf(targetRel);
          if (fromFeature === null || toFeature === null || toFeature === fromFeature) continue;
          if (!edges.has(fromFeature)) edges.set(fromFeature, new Map());
          if (!edges.get(fromFeature).has(toFeature)) edges.get(fromFeature).set(toFeature, { file: rel, line, spec });
          if (RANK.has(fromFeature) && RANK.has(toFeature) && !downward(fromFeature, toFeature)) {
            const why = RANK.get(fromFeature) === RANK.get(toFeature) ? 'its peer on the same rank' : 'a higher rank';
            report(`${rankText(fromFeature)} may not import ${rankText(toFeature)}: ${why} (FEATURE_ORDER)`);
          }
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
  for (const cycle of findCycles(edges)) {
    const steps = cycle.map((f, i) => [f, cycle[(i + 1) % cycle.length]]);
    const where = steps.map(([a, b]) => {
      const e = edges.get(a).get(b);
      return `${a} → ${b} at ${slashed(e.file)}:${e.line}`;
    });
    const first = edges.get(steps[0][0]).get(steps[0][1]);
    out.push({ ...first, reason: `cycle: ${[...cycle, cycle[0]].join(' → ')} (${where.join('; ')})` });
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = findViolations(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.spec ? `'${v.spec}' — ` : ''}${v.reason}`);
  if (violations.length) {
    console.error(`check-layers: ${violations.length} violation(s).`);
    process.exit(1);
  }
  console.log('check-layers: every import respects the layers and the core feature order.');
}
