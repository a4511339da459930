/**
 * No disruptive action the admin did not see, in Chromium against real sshd
 * hosts: restarts run only as ticked (nothing is ticked for the admin), the
 * restarts still owed stay as a banner until done, a rollback restarts only
 * what its dialog listed and the admin ticked, a finished rollback leaves no
 * stale "apply again", and a stopped apply is reviewed and confirmed again,
 * never re-run in one click (nor resumed from the runbooks without its restarts listed and confirmed).
 */
import type { Lab } from '../lab/lab';
import { addHosts, expect, snapshot, test } from './proxy-world';
import { screenshotBothSchemes } from './screenshots';

const units = (lab: Lab, host: string) => (lab.hosts[host].readFile('/var/log/lab/units.log') ?? '').split('\n').filter(Boolean);
const GUIDE_ORDER = ['stop replicated-ui', 'stop replicated', 'stop replicated-operator', 'start replicated-ui', 'start replicated-operator', 'start replicated'];

test('restarts run exactly as shown and ticked; owed ones stay on a banner; a stopped apply is confirmed again', async ({ page, drydock, proxyLab, forwardProxy: proxy, webOrigin: origin }) => {
  test.setTimeout(180_000);
  const originals = snapshot(proxyLab);
  const services = proxyLab.hosts.services;
  services.exec('rm -f /var/log/lab/units.log /var/lib/lab/fail/systemctl');
  proxyLab.hosts['proxy-nomad'].exec('rm -f /var/log/lab/units.log');
  await addHosts(page, drydock.url, proxyLab, [{ name: 'spare', address: '10.0.0.50', role: 'spare' }]);
  await page.goto(drydock.url);
  await page.getByRole('link', { name: 'Proxy' }).click();

  const form = page.getByRole('form', { name: 'Proxy settings' });
  await form.getByLabel('Proxy URL', { exact: true }).fill(proxy.url);
  await form.getByLabel('Check URL').fill(origin.url);
  await form.getByRole('button', { name: 'Review changes' }).click();

  // The hot spare is not silently dropped: listed as not written, with the reason, and bypassed.
  const review = page.getByRole('region', { name: 'Review the changes' });
  await expect(review.getByTestId('plan-left-out')).toContainText("spare (Hot spare): not written: the hot spare is imaged from the Services machine's backup snapshot");
  await review.getByText(/Bypassing the proxy/).click();
  await expect(review.getByRole('row', { name: /Hot spare spare/ })).toContainText('10.0.0.50');
  await screenshotBothSchemes(page, 'proxy-review-left-out');

  // 1. Files only: nothing ticked, and the dialog says what that means.
  await review.getByRole('button', { name: 'Apply…' }).click();
  const applyDialog = page.getByRole('dialog', { name: 'Apply the proxy settings?' });
  await expect(applyDialog.getByRole('checkbox', { name: /Restart Replicated/ })).not.toBeChecked();
  await expect(applyDialog.getByTestId('restart-outcome')).toContainText('No service is restarted. Not restarted: Replicated and Docker on proxy-nomad');
  await applyDialog.getByRole('button', { name: 'Back up and apply' }).click();

  const applying = page.getByRole('region', { name: 'Applying' });
  await expect(applying.getByTestId('apply-summary')).toContainText('files verified, but services still run the old settings: Replicated on services, Docker on proxy-nomad', {
    timeout: 60_000,
  });
  await expect(applying.getByTestId('verify-results').getByRole('row', { name: /services files verified/ })).toBeVisible();
  await expect(applying.getByTestId('verify-results')).toContainText('services still run the old settings');
  const banner = page.getByRole('region', { name: 'Restarts still owed' });
  await expect(banner).toContainText('Replicated and Docker on proxy-nomad still run the old proxy settings');
  expect(units(proxyLab, 'services')).toEqual([]);
  expect(units(proxyLab, 'proxy-nomad')).toEqual([]);
  await screenshotBothSchemes(page, 'proxy-restarts-owed');

  // 2. Rollback: the dialog lists every restart the run could make; only the ticked one runs.
  const rollback = page.getByRole('region', { name: 'Roll back' });
  await rollback.getByRole('button', { name: 'Review rollback' }).click();
  await rollback.getByRole('button', { name: 'Roll back…' }).click();
  const rollbackDialog = page.getByRole('dialog', { name: 'Roll back the proxy settings?' });
  await expect(rollbackDialog.getByRole('checkbox')).toHaveCount(2);
  await expect(rollbackDialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ })).not.toBeChecked();
  await rollbackDialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
  await expect(rollbackDialog.getByTestId('restart-outcome')).toHaveText(
    'Will restart Replicated on the Services machine. Not restarted: Docker on proxy-nomad, which run the old settings until restarted (the Proxy page says so until then).',
  );
  await screenshotBothSchemes(page, 'proxy-rollback-dialog');
  await rollbackDialog.getByRole('button', { name: 'Restore the backups and restart' }).click();
  await expect(rollback.getByTestId('rollback-summary')).toContainText('Restored 4 file(s) on 2 host(s); restarted Replicated', { timeout: 60_000 });
  expect(units(proxyLab, 'services')).toEqual(GUIDE_ORDER);
  // Not ticked: no daemon-reload, no restart on the client.
  expect(units(proxyLab, 'proxy-nomad')).toEqual([]);
  // The finished apply's panel is gone with its buttons: nothing stale is offered.
  await expect(page.getByRole('region', { name: 'Applying' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Apply again/ })).toHaveCount(0);
  await expect(banner).toContainText('Docker on proxy-nomad still runs the old proxy settings');

  // 3. The owed restart, from the banner, after its own confirmation.
  await banner.getByRole('button', { name: 'Restart…' }).click();
  const restartDialog = page.getByRole('dialog', { name: 'Restart the services that run the old settings?' });
  await expect(restartDialog.getByRole('checkbox')).toHaveCount(1);
  await restartDialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ }).check();
  await restartDialog.getByRole('button', { name: 'Restart what is ticked' }).click();
  await expect(page.getByTestId('restart-summary')).toHaveText('Restarted Docker on proxy-nomad.', { timeout: 60_000 });
  await expect(banner).toHaveCount(0);
  expect(units(proxyLab, 'proxy-nomad')).toEqual(['daemon-reload', 'restart docker']);

  // 4. An apply that stops at its restart is never re-run in one click.
  services.writeFile('/var/lib/lab/fail/systemctl', 'Failed to stop replicated-ui.service: Access denied\n');
  try {
    await form.getByRole('button', { name: 'Review changes' }).click();
    await review.getByRole('button', { name: 'Apply…' }).click();
    await applyDialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
    await applyDialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ }).check();
    await applyDialog.getByRole('button', { name: 'Back up, apply and restart' }).click();
    await expect(applying.getByRole('alert')).toContainText('The apply stopped.', { timeout: 60_000 });
    await expect(applying.getByRole('button', { name: 'Apply again', exact: true })).toHaveCount(0);
    const before = { services: units(proxyLab, 'services'), nomad: units(proxyLab, 'proxy-nomad') };

    // Nor is it resumed from the runbooks (another window) in one click: Resume lists the restarts and asks first.
    const audit = await page.context().newPage();
    await audit.goto(drydock.url);
    await audit.getByRole('link', { name: 'Audit' }).click();
    const runbooks = audit.getByRole('region', { name: 'Runbooks' });
    const stopped = runbooks.getByRole('row', { name: /proxy-apply/ }).first();
    await expect(stopped).toContainText('failed');
    await stopped.getByRole('button', { name: /Resume/ }).click();
    await expect(runbooks.getByTestId('resume-restarts')).toContainText('Replicated on the Services machine');
    await expect(runbooks.getByTestId('resume-restarts')).toContainText('Docker on proxy-nomad');
    await runbooks.getByRole('button', { name: 'Cancel' }).click();
    await expect(runbooks.getByTestId('resume-restarts')).toHaveCount(0);
    await audit.close();

    await applying.getByRole('button', { name: 'Review and apply again…' }).click();
    await expect(review.getByRole('status').first()).toContainText('The apply stopped; this is the plan as the hosts are now. Nothing to change');
    await expect(review.getByTestId('plan-pending-restarts')).toContainText('Replicated on services, Docker on proxy-nomad');
    expect({ services: units(proxyLab, 'services'), nomad: units(proxyLab, 'proxy-nomad') }).toEqual(before);
    await screenshotBothSchemes(page, 'proxy-review-again');

    services.exec('rm -f /var/lib/lab/fail/systemctl');
    await review.getByRole('button', { name: 'Apply…' }).click();
    await expect(applyDialog.getByRole('checkbox', { name: /Restart Replicated/ })).not.toBeChecked();
    await expect(applyDialog).toContainText('Still owed from an earlier run: Replicated on services, Docker on proxy-nomad.');
    await applyDialog.getByRole('checkbox', { name: /Restart Replicated/ }).check();
    await applyDialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ }).check();
    await applyDialog.getByRole('button', { name: 'Back up, apply and restart' }).click();
    await expect(applying.getByTestId('apply-summary')).toContainText('restarted Replicated; restarted Docker on proxy-nomad', { timeout: 60_000 });
    await expect(applying.getByTestId('apply-summary')).toContainText('(resumed the interrupted apply)');
    await expect(banner).toHaveCount(0);
  } finally {
    services.exec('rm -f /var/lib/lab/fail/systemctl');
    // The worker's hosts go back as they were for the next test.
    for (const [key, content] of Object.entries(originals)) {
      const [host, file] = key.split(/:(.*)/);
      if (content === null) proxyLab.hosts[host].exec(`rm -f ${file}`);
      else proxyLab.hosts[host].writeFile(file, content, file === '/etc/replicated.conf' ? 0o600 : 0o644);
    }
  }
});
