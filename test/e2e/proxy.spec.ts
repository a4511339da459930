/**
 * The Proxy wizard in Chromium against the real engine (`drydock serve`) and
 * real sshd hosts: inline validation, every host's diff, apply with its
 * steps live, verification through a real forward proxy, and rollback to the
 * byte-identical originals.
 */
import type { Page } from '@playwright/test';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { startLab, type Lab } from '../lab/lab';
import { expect, test as base } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

const REPLICATED_CONF = '{\n  "DaemonAuthenticationType": "password",\n  "DaemonAuthenticationPassword": "e2e-s3cret-pw"\n}\n';
const CUSTOMIZATIONS = 'export CIRCLE_URL="https://ci.example.test"\n';
const ENVIRONMENT = 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n';
const FILES = {
  services: ['/etc/replicated.conf', '/etc/circle-installation-customizations'],
  'proxy-nomad': ['/etc/environment', '/etc/systemd/system/docker.service.d/http-proxy.conf'],
};

const test = base.extend<object, { proxyLab: Lab; forwardProxy: LabHttpProxy; webOrigin: LabOrigin }>({
  proxyLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([
        { name: 'services', standins: true, files: { '/etc/replicated.conf': { content: REPLICATED_CONF, mode: 0o600 }, '/etc/circle-installation-customizations': CUSTOMIZATIONS } },
        { name: 'proxy-nomad', standins: true, files: { '/etc/environment': ENVIRONMENT } },
      ]);
      try {
        await use(lab);
      } finally {
        await lab.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  forwardProxy: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const proxy = await startHttpProxy();
      await use(proxy);
      await proxy.close();
    },
    { scope: 'worker' },
  ],
  webOrigin: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const origin = await startOrigin();
      await use(origin);
      await origin.close();
    },
    { scope: 'worker' },
  ],
});

/** Inventory and trust through the engine's own channels (the Hosts page has its own tests). */
async function addHosts(page: Page, url: string, lab: Lab) {
  const { origin, searchParams } = new URL(url);
  const rpc = async (channel: string, data: object) => {
    const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data });
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(body.ok, body.error?.message).toBe(true);
  };
  for (const [name, role] of [['services', 'services'], ['proxy-nomad', 'nomad']] as const) {
    const host = lab.hosts[name];
    await rpc('hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey });
    await rpc('hosts:trust', { name, fingerprint: host.fingerprint });
  }
}

function snapshot(lab: Lab): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [host, paths] of Object.entries(FILES)) for (const p of paths) out[`${host}:${p}`] = lab.hosts[host].readFile(p);
  return out;
}

test('proxy wizard: settings checked inline, diffs reviewed, applied, verified through the proxy, rolled back', async ({ page, drydock, proxyLab, forwardProxy: proxy, webOrigin: origin }) => {
  test.setTimeout(120_000);
  const originals = snapshot(proxyLab);
  await addHosts(page, drydock.url, proxyLab);
  await page.goto(drydock.url);
  await page.getByRole('link', { name: 'Proxy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Proxy' })).toBeVisible();

  // Inline validation, by the engine's own rules, before anything is sent.
  const form = page.getByRole('form', { name: 'Proxy settings' });
  const proxyUrl = form.getByLabel('Proxy URL', { exact: true });
  await proxyUrl.fill('10.0.0.1:3128');
  await proxyUrl.blur();
  await expect(proxyUrl).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('Proxy URL: no protocol: write it as <protocol>://<host>:<port>, e.g. http://10.0.0.1:3128', { exact: false })).toBeVisible();
  await proxyUrl.fill('http://proxy.corp');
  await form.getByRole('button', { name: 'Review changes' }).click();
  await expect(form.getByText('Proxy URL: no port', { exact: false })).toBeVisible();
  await expect(proxyUrl).toBeFocused();
  expect(snapshot(proxyLab)).toEqual(originals);

  await proxyUrl.fill(proxy.url);
  await form.getByLabel('No proxy for').fill('.corp.example');
  await form.getByLabel('Check URL').fill(origin.url);
  await expect(proxyUrl).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Review changes' }).click();

  // Every host's diff, secrets masked, nothing written yet.
  const review = page.getByRole('region', { name: 'Review the changes' });
  await expect(review.getByRole('status')).toContainText('4 file(s) change on 2 host(s)');
  const confDiff = review.getByLabel('Changes to /etc/replicated.conf on services');
  await expect(confDiff).toContainText(`+  "HttpProxy": "${proxy.url}"`);
  await expect(confDiff).not.toContainText('e2e-s3cret-pw');
  await expect(review.getByLabel('Changes to /etc/systemd/system/docker.service.d/http-proxy.conf on proxy-nomad')).toContainText('+[Service]');
  await review.getByText(/Bypassing the proxy/).click();
  await expect(review.getByRole('row', { name: /Nomad client proxy-nomad/ })).toBeVisible();
  expect(snapshot(proxyLab)).toEqual(originals);
  await screenshotBothSchemes(page, 'proxy-review');

  // Apply, with the restarts agreed to in the dialog.
  await review.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply the proxy settings?' });
  await expect(dialog.getByRole('checkbox', { name: /Restart Replicated/ })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Back up and apply' }).click();

  const applying = page.getByRole('region', { name: 'Applying' });
  await expect(applying.getByTestId('apply-summary')).toContainText('Wrote 4 file(s) on 2 host(s)', { timeout: 60_000 });
  const steps = applying.getByRole('list', { name: 'Apply steps' });
  await expect(steps.getByRole('listitem')).toHaveCount(7);
  await expect(steps.getByRole('listitem').filter({ hasText: "Check every host's files against the plan" })).toContainText('Done');
  await expect(steps.getByRole('listitem').filter({ hasText: "Restart Replicated in the guide's order" })).toContainText('Done');
  const results = applying.getByTestId('verify-results');
  await expect(results.getByRole('row', { name: /services passed/ })).toBeVisible();
  await expect(results.getByRole('row', { name: /proxy-nomad passed/ })).toBeVisible();
  expect(proxy.requests.filter((r) => r.target === origin.url && r.status === 200)).toHaveLength(2);
  expect(JSON.parse(proxyLab.hosts.services.readFile('/etc/replicated.conf')!)).toEqual({ DaemonAuthenticationType: 'password', DaemonAuthenticationPassword: 'e2e-s3cret-pw', HttpProxy: proxy.url });
  await screenshotBothSchemes(page, 'proxy-applied');

  // Roll back to the originals.
  const rollback = page.getByRole('region', { name: 'Roll back' });
  await rollback.getByRole('button', { name: 'Review rollback' }).click();
  await expect(rollback.getByTestId('rollback-plan')).toContainText('remove /etc/systemd/system/docker.service.d/http-proxy.conf');
  await rollback.getByRole('button', { name: 'Roll back…' }).click();
  await page.getByRole('dialog', { name: 'Roll back the proxy settings?' }).getByRole('button', { name: 'Restore the backups' }).click();
  await expect(rollback.getByTestId('rollback-summary')).toContainText('Restored 4 file(s) on 2 host(s)', { timeout: 60_000 });
  expect(snapshot(proxyLab)).toEqual(originals);
});
