/**
 * The Proxy wizard in Chromium against the real engine (`drydock serve`) and
 * real sshd hosts: inline validation, every host's diff, apply with its
 * steps live, verification through a real forward proxy, and rollback to the
 * byte-identical originals.
 */
import { addHosts, expect, snapshot, test } from './proxy-world';
import { screenshotBothSchemes } from './screenshots';

test('proxy wizard: settings checked inline, diffs reviewed, applied, verified through the proxy, rolled back', async ({ page, drydock, proxyLab, forwardProxy: proxy, webOrigin: origin }) => {
  test.setTimeout(120_000);
  const originals = snapshot(proxyLab);
  proxy.requests.length = 0; // the worker's proxy may have served another test
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

  // Apply, with the restarts ticked in the dialog (nothing is ticked for the admin).
  await review.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply the proxy settings?' });
  await expect(dialog.getByRole('checkbox', { name: /Restart Replicated/ })).not.toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ })).not.toBeChecked();
  await dialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
  await dialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ }).check();
  await expect(dialog.getByTestId('restart-outcome')).toHaveText('Will restart Replicated on the Services machine and Docker on proxy-nomad.');
  await dialog.getByRole('button', { name: 'Back up, apply and restart' }).click();

  const applying = page.getByRole('region', { name: 'Applying' });
  await expect(applying.getByTestId('apply-summary')).toContainText('Wrote 4 file(s) on 2 host(s)', { timeout: 60_000 });
  const steps = applying.getByRole('list', { name: 'Apply steps' });
  await expect(steps.getByRole('listitem')).toHaveCount(7);
  await expect(steps.getByRole('listitem').filter({ hasText: "Check every host's files against the plan" })).toContainText('Done');
  await expect(steps.getByRole('listitem').filter({ hasText: "Restart Replicated in the guide's order" })).toContainText('Done');
  const results = applying.getByTestId('verify-results');
  await expect(results.getByRole('row', { name: /services passed/ })).toBeVisible();
  await expect(results.getByRole('row', { name: /proxy-nomad passed/ })).toBeVisible();
  // curl and wget from each host.
  expect(proxy.requests.filter((r) => r.target === origin.url && r.status === 200)).toHaveLength(4);
  expect(JSON.parse(proxyLab.hosts.services.readFile('/etc/replicated.conf')!)).toEqual({ DaemonAuthenticationType: 'password', DaemonAuthenticationPassword: 'e2e-s3cret-pw', HttpProxy: proxy.url });
  await screenshotBothSchemes(page, 'proxy-applied');

  // Roll back to the originals.
  const rollback = page.getByRole('region', { name: 'Roll back' });
  await rollback.getByRole('button', { name: 'Review rollback' }).click();
  await expect(rollback.getByTestId('rollback-plan')).toContainText('remove /etc/systemd/system/docker.service.d/http-proxy.conf');
  await rollback.getByRole('button', { name: 'Roll back…' }).click();
  const rollbackDialog = page.getByRole('dialog', { name: 'Roll back the proxy settings?' });
  await rollbackDialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
  await rollbackDialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ }).check();
  await rollbackDialog.getByRole('button', { name: 'Restore the backups and restart' }).click();
  await expect(rollback.getByTestId('rollback-summary')).toContainText('Restored 4 file(s) on 2 host(s)', { timeout: 60_000 });
  expect(snapshot(proxyLab)).toEqual(originals);
});
