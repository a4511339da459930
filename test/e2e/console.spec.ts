/**
 * The Console section in Chromium against the real engine (`drydock serve`)
 * and a real sshd Services host whose 8800 is an `openssl s_server` with its
 * own certificate: the tunnel opens with the host's certificate pinned, the
 * page loads in Chromium through it, the tunnel closes on demand; then a
 * setting is changed through the form, plan first.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startLab, type Lab } from '../lab/lab';
import { makeTestCa, startTlsServer } from '../lab/pebble';
import { expect, test as base } from './fixtures';

const test = base.extend<object, { consoleLab: Lab }>({
  consoleLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([{ name: 'services', standins: true }, { name: 'bastion' }]);
      try {
        await use(lab);
      } finally {
        await lab.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

async function addHosts(page: Page, url: string, lab: Lab) {
  const { origin, searchParams } = new URL(url);
  const rpc = async (channel: string, data: object) => {
    const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data });
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(body.ok, body.error?.message).toBe(true);
  };
  // The Services machine only through the bastion, as on a locked-down site.
  for (const [name, role, jump] of [['bastion', 'bastion', undefined], ['services', 'services', 'bastion']] as const) {
    const host = lab.hosts[name];
    await rpc('hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey, ...(jump ? { jump } : {}) });
    await rpc('hosts:trust', { name, fingerprint: host.fingerprint });
  }
}

test('console: the management console through the pinned tunnel, and a setting changed plan first', async ({ page, browser, drydock, consoleLab: lab }) => {
  test.setTimeout(120_000);
  const ca = makeTestCa('Replicated console test CA');
  const leaf = ca.issue('console.lab');
  const server = await startTlsServer(lab.hosts.services, { port: 8800, certPem: leaf.certPem, keyPem: readFileSync(leaf.keyFile, 'utf8'), tag: 'console' });
  try {
    await addHosts(page, drydock.url, lab);
    await page.goto(drydock.url);
    await page.getByRole('link', { name: 'Console' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Console' })).toBeVisible();

    // s_server listens on the host's own address (lab hosts share the machine's network; 127.0.0.1 is everyone's).
    await page.getByLabel('Console address, as the Services machine reaches it').fill(lab.hosts.services.ip);
    await page.getByRole('button', { name: 'Open the console' }).click();
    const state = page.getByTestId('tunnel-state');
    await expect(state).toContainText('Open: services →');
    await expect(page.getByTestId('tunnel-fingerprint')).toHaveText(new X509Certificate(leaf.certPem).fingerprint256);
    const url = await page.getByTestId('tunnel-url').getAttribute('href');
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/settings$/);

    // Chromium through the tunnel. ignoreHTTPSErrors is acceptable here ONLY because Drydock itself
    // pinned the upstream certificate (compared with the host's own view) for this very connection;
    // the refusal on a different certificate is tested at the TCP level in console-tunnel.test.ts.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const consolePage = await context.newPage();
      const response = await consolePage.goto(url!);
      expect(response?.status()).toBe(200);
      await expect(consolePage.locator('body')).toContainText('s_server');
    } finally {
      await context.close();
    }
    await expect(state).toContainText(/[1-9]\d* \(\d+ active\), 0 refused/);

    await page.getByRole('button', { name: 'Close the tunnel' }).click();
    await expect(state).toContainText('Closed');

    // A setting through the form: the plan first, nothing written until Apply.
    const settings = page.getByTestId('settings-table');
    await expect(settings).toContainText('Serve artifacts with unsafe content types');
    await page.getByLabel('Serve artifacts with unsafe content types').selectOption('true');
    await page.getByRole('button', { name: 'Review the plan' }).click();
    const plan = page.getByTestId('settings-plan');
    await expect(plan.getByRole('row', { name: /Serve artifacts with unsafe content types/ })).toContainText('falsetrue');
    expect(lab.hosts.services.readFile('/var/lib/lab/replicated/app-config/serve_unsafe_artifacts.value')).toBeNull();
    await plan.getByRole('button', { name: 'Apply…' }).click();
    await page.getByRole('dialog', { name: 'Change the console settings?' }).getByRole('button', { name: 'Apply without restarting' }).click();
    await expect(page.getByText(/Changed serve_unsafe_artifacts/)).toBeVisible();
    expect(lab.hosts.services.readFile('/var/lib/lab/replicated/app-config/serve_unsafe_artifacts.value')).toBe('1');
    expect(lab.hosts.services.readFile('/var/log/lab/calls.log')).not.toMatch(/replicatedctl app (stop|start)/);
  } finally {
    server.stop();
    ca.dispose();
  }
});
