import { defineConfig, devices } from '@playwright/test';

// End-to-end specs: Debian's Chromium (never a downloaded browser) drives the built renderer through
// the browser host (`desk serve`), each test with its own fresh data directory (test/e2e/fixtures.ts).
// Build first: `npx electron-vite build` (npm test does it).
export default defineConfig({
  testDir: 'test/e2e',
  // The README's pictures are taken on request (npm run docs:screenshots), not on every test run.
  testIgnore: process.env.DESK_DOCS_SCREENSHOTS ? [] : ['**/docs-screenshots.spec.ts'],
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 90_000,
  expect: {
    timeout: 10_000,
    // Visual snapshots (test/e2e/workspace.spec.ts): Debian's Chromium renders the bundled Inter
    // font the same way on every run; a small tolerance absorbs anti-aliasing at glyph edges.
    toHaveScreenshot: { maxDiffPixelRatio: 0.004, threshold: 0.2, animations: 'disabled', caret: 'hide', scale: 'css' },
  },
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? 'list' : [['list']],
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
