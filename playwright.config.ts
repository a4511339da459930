/**
 * End-to-end: the built renderer in Chromium, served by `drydock serve`
 * (browser mode) with the real engine, against real sshd hosts from
 * test/lab. One worker: the lab's hosts are root processes with their own
 * addresses, and a small machine gains nothing from racing them.
 *
 * Build first (`npm run build`); global-setup refuses to test a missing build.
 * Chromium: $DRYDOCK_E2E_CHROMIUM, else Debian's /usr/bin/chromium if present,
 * else Playwright's own download.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const chromium = process.env.DRYDOCK_E2E_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  // Playwright empties its output folder at start; keep it apart from the
  // report and the screenshots the tests save for review.
  outputDir: 'test-results/artifacts',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
