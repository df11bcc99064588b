// `npm test`: typecheck, layering check, lint, unit + integration tests (vitest; the integration suite
// runs on sqlite and, when DESK_TEST_PG_URL is set, on PostgreSQL too), build, then the Playwright
// e2e specs in Debian's Chromium against the browser host. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './electron-binary.mjs';

const bin = (name) => path.join(projectRoot, 'node_modules', '.bin', name);
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-test-reports-'));
const vitestJson = path.join(reports, 'vitest.json');
const playwrightJson = path.join(reports, 'playwright.json');

const steps = [
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['layers', process.execPath, ['scripts/check-layers.mjs']],
  ['lint', bin('eslint'), ['.', '--max-warnings', '0']],
  ['vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]],
  ['build', process.execPath, [path.join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn']],
  ['e2e', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson }],
];

if (!process.env.DESK_TEST_PG_URL) {
  console.log('npm test: DESK_TEST_PG_URL is not set, so the integration suite runs on sqlite only.');
}

const failedSteps = [];
for (const [name, cmd, args, env] of steps) {
  console.log(`\n── ${name} ──`);
  const r = spawnSync(cmd, args, { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    failedSteps.push(name);
    // Without a build there is nothing for the e2e step to test.
    if (name === 'build' || name === 'typecheck') break;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failuresIn = { vitest: 0, e2e: 0 };
try {
  const v = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failuresIn.vitest = v.numFailedTests + (v.numFailedTestSuites ?? 0);
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
} catch {
  // no report: the step failed before vitest wrote one, and is counted below
}
try {
  const p = JSON.parse(fs.readFileSync(playwrightJson, 'utf8'));
  passed += p.stats.expected + (p.stats.flaky ?? 0);
  failuresIn.e2e = p.stats.unexpected + (p.errors?.length ?? 0);
  skipped += p.stats.skipped;
} catch {
  // no report: the step failed before Playwright wrote one, and is counted below
}
fs.rmSync(reports, { recursive: true, force: true });

// A step that failed counts at least once, even when it failed before its runner counted anything
// (typecheck, layers, build, a suite that could not load, a global set-up error).
for (const step of failedSteps) failed += Math.max(1, failuresIn[step] ?? 0);
for (const step of ['vitest', 'e2e']) if (!failedSteps.includes(step)) failed += failuresIn[step];

if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
