/**
 * The Roll back panel after the merge of wip/files and wip/uxproxy, in
 * Chromium against real sshd hosts: with two applies behind it, the panel
 * offers the point to roll back to; a backup set this laptop has no record
 * of is shown with its manifest and must be accepted before Roll back is
 * possible; the dialog then lists the restarts still owed, unticked, and
 * the rollback restarts nothing that was not ticked.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../lab/lab';
import { addHosts, expect, snapshot, test } from './proxy-world';
import { screenshotBothSchemes } from './screenshots';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
const units = (lab: Lab, host: string) => (lab.hosts[host].readFile('/var/log/lab/units.log') ?? '').split('\n').filter(Boolean);

test('rollback: choose the point, accept a set from another laptop, restarts only as ticked', async ({ page, drydock, proxyLab, forwardProxy: proxy, webOrigin: origin }) => {
  test.setTimeout(180_000);
  const originals = snapshot(proxyLab);
  // The lab is shared by the proxy specs: start from no backup sets, so the two applies below are the only points.
  for (const host of ['services', 'proxy-nomad']) proxyLab.hosts[host].exec('rm -f /var/log/lab/units.log; rm -rf /var/backups/drydock');
  await addHosts(page, drydock.url, proxyLab);
  // Not spawnSync: the forward proxy and the origin answer from this very process.
  const apply = async (noProxy: string) => {
    const child = spawn(process.execPath, [CLI, 'proxy', 'apply', '--proxy', proxy.url, '--verify-url', origin.url, '--no-proxy', noProxy, '--yes', '--no-restart'], {
      env: { ...process.env, DRYDOCK_HOME: drydock.home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
  };
  try {
    await apply('.first.example');
    // As if another admin's laptop had made the first set: no runbook here knows it.
    rmSync(path.join(drydock.home, 'runs'), { recursive: true, force: true });
    await apply('.second.example');

    await page.goto(drydock.url);
    await page.getByRole('link', { name: 'Proxy' }).click();
    const rollback = page.getByRole('region', { name: 'Roll back' });
    await rollback.getByRole('button', { name: 'Review rollback' }).click();
    await expect(rollback.getByTestId('rollback-plan')).toContainText('proxy-nomad');
    const point = rollback.getByLabel('Roll back to');
    await expect(point.locator('option')).toHaveCount(2);
    await expect(point).toHaveValue('');
    await expect(rollback.getByTestId('unrecorded-set').first()).toContainText('was not made from this laptop');
    await expect(rollback.getByTestId('unrecorded-set').first()).toContainText('/etc/');
    const rollBack = rollback.getByRole('button', { name: 'Roll back…' });
    await expect(rollBack).toBeDisabled();
    await rollback.getByRole('checkbox', { name: /I checked the sets above/ }).check();
    await expect(rollBack).toBeEnabled();
    await screenshotBothSchemes(page, 'proxy-rollback-panel');

    await rollBack.click();
    const dialog = page.getByRole('dialog', { name: 'Roll back the proxy settings?' });
    // The restarts still owed from the two --no-restart applies are listed, none ticked for the admin.
    await expect(dialog.getByRole('checkbox', { name: /Restart Replicated/ })).not.toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: /restart Docker on proxy-nomad/ })).not.toBeChecked();
    await screenshotBothSchemes(page, 'proxy-rollback-panel-dialog');
    await dialog.getByRole('button', { name: 'Restore the backups', exact: true }).click();
    await expect(rollback.getByTestId('rollback-summary')).toBeVisible({ timeout: 60_000 });
    expect(snapshot(proxyLab)).toEqual(originals);
    expect(units(proxyLab, 'services')).toEqual([]);
    expect(units(proxyLab, 'proxy-nomad')).toEqual([]);
  } finally {
    // The worker's hosts go back as they were for the next test.
    for (const [key, content] of Object.entries(originals)) {
      const [host, file] = key.split(/:(.*)/);
      if (content === null) proxyLab.hosts[host].exec(`rm -f ${file}`);
      else proxyLab.hosts[host].writeFile(file, content, file === '/etc/replicated.conf' ? 0o600 : 0o644);
    }
    for (const host of ['services', 'proxy-nomad']) proxyLab.hosts[host].exec('rm -rf /var/backups/drydock /var/log/lab/units.log');
  }
});
