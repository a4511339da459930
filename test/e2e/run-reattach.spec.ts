/**
 * A run belongs to the engine, not to the page that started it: refresh the
 * page mid-apply, switch sections, and the Proxy wizard comes back to the
 * same run at the same step (a header on every page says what is running),
 * then shows its result; a failed run shows its error after a refresh too,
 * and the runbook lists it with its error text and duration.
 */
import type { Page } from '@playwright/test';
import { startLab, type Lab } from '../lab/lab';
import { expect, test as base } from './fixtures';
import { screenshotBothSchemes } from './screenshots';
import { rpc } from './rpc';

const REPLICATED_CONF = '{\n  "DaemonAuthenticationType": "password",\n  "DaemonAuthenticationPassword": "e2e-pw"\n}\n';
// Restarts wait while this file exists: the test holds the apply at its restart step.
const GATE = '/var/lib/lab/hold-restarts';
const SLOW_SYSTEMCTL = `#!/bin/sh\nwhile [ -e ${GATE} ]; do sleep 0.2; done\nexec /usr/local/bin/systemctl "$@"\n`;

const test = base.extend<object, { runLab: Lab }>({
  runLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([
        { name: 'rr-services', standins: true, files: { '/etc/replicated.conf': { content: REPLICATED_CONF, mode: 0o600 }, '/etc/circle-installation-customizations': 'export CIRCLE_URL="https://ci.example.test"\n' } },
        { name: 'rr-nomad', standins: true, files: { '/etc/environment': 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n' } },
      ]);
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
  for (const [name, role] of [['rr-services', 'services'], ['rr-nomad', 'nomad']] as const) {
    const host = lab.hosts[name];
    await rpc(page, url, 'hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey });
    await rpc(page, url, 'hosts:trust', { name, fingerprint: host.fingerprint });
  }
}

async function startApply(page: Page, proxyUrl: string) {
  await page.getByRole('link', { name: 'Proxy' }).click();
  const form = page.getByRole('form', { name: 'Proxy settings' });
  await form.getByLabel('Proxy URL', { exact: true }).fill(proxyUrl);
  await form.getByRole('button', { name: 'Review changes' }).click();
  await page.getByRole('region', { name: 'Review the changes' }).getByRole('button', { name: 'Apply…' }).click();
  // Restarts run only as ticked (nothing is ticked for the admin): these runs are held at, or fail in, the Replicated restart.
  const dialog = page.getByRole('dialog', { name: 'Apply the proxy settings?' });
  await dialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
  await dialog.getByRole('checkbox', { name: /restart Docker on rr-nomad/ }).check();
  await dialog.getByRole('button', { name: 'Back up, apply and restart' }).click();
}

const restartStep = (page: Page) => page.getByRole('list', { name: 'Apply steps' }).getByRole('listitem').filter({ hasText: "Restart Replicated in the guide's order" });

test('refresh mid-apply: the run is shown at its step, on every page, then its result', async ({ page, drydock, runLab: lab }) => {
  test.setTimeout(120_000);
  const services = lab.hosts['rr-services'];
  services.writeFile('/usr/local/sbin/systemctl', SLOW_SYSTEMCTL, 0o755);
  services.writeFile(GATE, '');
  try {
    await addHosts(page, drydock.url, lab);
    await page.goto(drydock.url);
    await startApply(page, 'http://10.0.0.1:3128');
    await expect(restartStep(page)).toContainText('Running', { timeout: 30_000 });

    await page.reload();
    // Not an empty form: the same run, at the same step.
    const applying = page.getByRole('region', { name: 'Applying' });
    await expect(applying).toBeVisible();
    await expect(page.getByRole('form', { name: 'Proxy settings' })).toHaveCount(0);
    await expect(restartStep(page)).toContainText('Running');
    await expect(applying.getByTestId('apply-run')).toContainText('proxy-apply');
    const indicator = page.getByTestId('run-indicator');
    await expect(indicator).toContainText("Proxy settings running, step 4 of 7: Restart Replicated in the guide's order");
    await screenshotBothSchemes(page, 'proxy-reattached');

    // Another section: the header still says what runs, and leads back.
    await page.getByRole('link', { name: 'Hosts' }).click();
    await expect(indicator).toContainText('step 4 of 7');
    await screenshotBothSchemes(page, 'run-indicator-hosts');
    await indicator.getByRole('link', { name: 'Show in Proxy' }).click();
    await expect(restartStep(page)).toContainText('Running');

    services.exec(`rm -f ${GATE}`);
    await expect(applying.getByTestId('apply-summary')).toContainText('Wrote 4 file(s) on 2 host(s); restarted Replicated', { timeout: 60_000 });
    await expect(indicator).toHaveCount(0);

    // The result survives a reload too, read back from the engine.
    await page.reload();
    await expect(page.getByRole('region', { name: 'Applying' }).getByTestId('apply-summary')).toContainText('Wrote 4 file(s) on 2 host(s)');
    await page.getByRole('region', { name: 'Applying' }).getByRole('button', { name: 'Back to the settings' }).click();
    await expect(page.getByRole('form', { name: 'Proxy settings' })).toBeVisible();
  } finally {
    services.exec(`rm -f ${GATE} /usr/local/sbin/systemctl`);
  }
});

test('a run that fails while the admin is elsewhere is announced on every page, shown again when the page comes back, and in the runbooks', async ({ page, drydock, runLab: lab }) => {
  test.setTimeout(120_000);
  const services = lab.hosts['rr-services'];
  services.writeFile('/usr/local/sbin/systemctl', SLOW_SYSTEMCTL, 0o755);
  services.writeFile(GATE, '');
  services.writeFile('/var/lib/lab/fail/systemctl', 'Failed to stop replicated-ui.service: Unit is masked.\n');
  try {
    await addHosts(page, drydock.url, lab);
    await page.goto(drydock.url);
    await startApply(page, 'http://10.0.0.2:3128');
    await expect(restartStep(page)).toContainText('Running', { timeout: 30_000 });

    // The admin looks elsewhere: the run fails meanwhile, and every page says so.
    await page.getByRole('link', { name: 'Hosts' }).click();
    services.exec(`rm -f ${GATE}`);
    const stopped = page.getByTestId('run-stopped');
    await expect(stopped).toContainText("Proxy settings failed: Restart Replicated in the guide's order:", { timeout: 30_000 });
    await expect(stopped).toContainText('rr-services: `systemctl stop replicated-ui` exited 1: Failed to stop replicated-ui.service: Unit is masked.');
    await screenshotBothSchemes(page, 'run-stopped-banner');
    await stopped.getByRole('link', { name: 'Show in Proxy' }).click();
    await expect(page.getByRole('region', { name: 'Applying' }).getByRole('alert')).toContainText('Unit is masked');
    await expect(stopped).toHaveCount(0);

    // The page goes away altogether and comes back: the wizard shows that run and its error.
    await page.goto('about:blank');
    await page.goto(`${drydock.url}#proxy`);
    await expect
      .poll(async () => (await rpc<{ operation: string; status: string }[]>(page, drydock.url, 'runs:list', {})).find((r) => r.operation === 'proxy-apply')?.status)
      .toBe('failed');
    const applying = page.getByRole('region', { name: 'Applying' });
    await expect(applying.getByRole('alert')).toContainText('Unit is masked', { timeout: 30_000 });
    // The code is for a bug report: behind "Technical details", not in the sentence.
    const code = applying.getByText('Error code COMMAND_FAILED');
    await expect(code).toBeHidden();
    await applying.getByText('Technical details').click();
    await expect(code).toBeVisible();
    // Nothing to re-run with one click: the settings are gone with the old page.
    await expect(applying.getByRole('button', { name: 'Apply again' })).toHaveCount(0);
    await expect(applying).toContainText('This page no longer holds the settings this run started with');
    await screenshotBothSchemes(page, 'proxy-failed-after-refresh');

    await page.getByRole('link', { name: 'Audit' }).click();
    const runbooks = page.getByRole('region', { name: 'Runbooks' });
    const row = runbooks.getByRole('row', { name: /Proxy settings/ }).first();
    await expect(row).toContainText('failed');
    await expect(row.getByTestId('run-error')).toContainText("Restart Replicated in the guide's order:");
    await expect(row.getByTestId('run-error')).toContainText('Unit is masked');
    await expect(row.getByRole('cell').nth(3)).toHaveText(/^\d+(\.\d)? s$|^\d+ ms$|^\d+ min \d+ s$/);
    await expect(runbooks.getByRole('row', { name: /Host facts/ })).toHaveCount(0);
    await screenshotBothSchemes(page, 'runbooks');
  } finally {
    services.exec(`rm -f ${GATE} /usr/local/sbin/systemctl /var/lib/lab/fail/systemctl`);
  }
});
