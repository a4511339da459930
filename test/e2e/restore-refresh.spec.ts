/**
 * Refresh the spare (keep it warm) from the Restore wizard, in Chromium
 * against `drydock serve`, the EC2 simulator and lab hosts: the mode chosen
 * with what it means → a preview that re-points nothing and leaves the app
 * stopped → the confirmation → the run to its end, which says which backup
 * the spare holds and switches no traffic → then the failover's preview
 * names that backup and skips the volume steps.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import { screenshotBothSchemes } from './screenshots';
import { NAMES, prepareInstallation, test } from './restore-world';

const stepItem = (region: ReturnType<Page['getByRole']>, list: string, title: string) => region.getByRole('list', { name: list }).getByRole('listitem').filter({ hasText: title });

/** A KEY=value line of a shell defaults file, parsed. */
function assignment(text: string | null, key: string): string | undefined {
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m && m[1] === key) return m[2].replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

test('refresh the spare from the wizard to the end; the failover preview then names the backup the spare holds', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('console');
  await page.goto(drydock.url);
  const { backupId } = await prepareInstallation(page, drydock.url, world);
  const spare = world.lab.hosts[NAMES.spare];
  const primary = world.lab.hosts[NAMES.primary];

  await page.getByRole('link', { name: 'Restore' }).click();
  const choose = page.getByRole('region', { name: '1. Backup and spare' });
  const mode = choose.getByRole('radio', { name: /^Refresh the spare \(keep it warm\)/ });
  await expect(mode).toBeVisible();
  await expect(choose.getByRole('group', { name: 'What to do' })).toContainText('the app left stopped, nothing re-pointed');
  await expect(choose.getByRole('group', { name: 'What to do' })).toContainText('A later failover onto it with that backup skips the volume steps');
  await mode.check();
  await choose.getByRole('button', { name: 'Preview the refresh' }).click();

  const preview = page.getByRole('region', { name: '2. Preview: what will happen' });
  await expect(preview.getByTestId('refresh-explained')).toContainText(`is imaged with backup ${backupId}`);
  await expect(preview.getByTestId('refresh-explained')).toContainText('the app is left stopped');
  await expect(preview).toContainText('A refresh of the spare re-points nothing: the Nomad clients keep talking to the primary.');
  await expect(preview.getByTestId('traffic-instructions')).toHaveCount(0);
  await expect(preview.getByRole('heading', { name: /DNS or load balancer/ })).toHaveCount(0);
  await expect(stepItem(preview, 'Planned steps', 'Restart Replicated and start the app')).toContainText('not run: refresh-spare leaves the app stopped');
  await expect(stepItem(preview, 'Planned steps', 'Re-point the Nomad clients')).toContainText('not run: refresh-spare re-points nothing');
  await screenshotBothSchemes(page, 'restore-refresh-preview');
  expect(world.sim.calls('StopInstances')).toHaveLength(0);

  await preview.getByRole('button', { name: 'Refresh the spare…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Refresh the spare?' });
  const steps = dialog.getByRole('list', { name: 'Steps that will run' });
  await expect(steps).toContainText('Stop the spare');
  await expect(steps).toContainText('Give the spare its own addresses');
  await expect(steps).not.toContainText('Re-point the Nomad clients');
  await expect(steps).not.toContainText('Verify the app on the spare');
  await expect(dialog).toContainText('A refresh leaves the app on the spare stopped and re-points nothing.');
  await dialog.getByRole('button', { name: 'Refresh the spare' }).click();

  const run = page.getByRole('region', { name: '3. Refresh run' });
  await expect(run.getByTestId('restore-phase')).toHaveText('Finished', { timeout: 150_000 });
  await expect(page.getByTestId('restore-summary')).toContainText(`The spare ${NAMES.spare} now holds backup ${backupId} (app left stopped; cut off at the provider while it booted production’s disk, its network given back at the end).`);
  const warm = page.getByRole('region', { name: '4. The spare is warm' });
  await expect(warm.getByTestId('spare-now-holds')).toContainText(`now holds backup ${backupId}`);
  await expect(warm.getByRole('list', { name: 'What the refresh left as it was' })).toContainText('it was not started and not verified');
  await expect(warm.getByRole('list', { name: 'What the refresh left as it was' })).toContainText('no traffic was switched');
  // No verification of the app, no traffic switch, no recovery point "before the failover".
  await expect(page.getByRole('region', { name: '4. Verification' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: '5. Switch traffic to the spare' })).toHaveCount(0);
  await expect(page.getByTestId('restore-summary')).not.toContainText('before the failover');
  await screenshotBothSchemes(page, 'restore-refresh-finished');

  // On the hosts: the spare has its own address, its app is stopped; the clients still lead to the primary.
  expect(assignment(spare.readFile('/etc/default/replicated'), 'PRIVATE_ADDRESS')).toBe(spare.ip);
  expect(spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
  for (const n of NAMES.nomad) expect(world.lab.hosts[n].readFile('/etc/nomad/config.hcl')).toContain(`"${primary.ip}:4647"`);
  const stops = world.sim.calls('StopInstances').length;

  // The failover's preview: the spare holds that backup, the volume steps are skipped.
  await run.getByRole('button', { name: 'Start another restore or drill' }).click();
  const again = page.getByRole('region', { name: '1. Backup and spare' });
  await again.getByRole('radio', { name: /^Restore: the spare becomes the Services machine/ }).check();
  await expect(again.getByLabel('Backup', { exact: true })).toHaveValue(backupId);
  await again.getByRole('button', { name: 'Preview the restore' }).click();
  const failover = page.getByRole('region', { name: '2. Preview: what will happen' });
  await expect(failover.getByTestId('spare-holds')).toContainText(`The spare already holds backup ${backupId}`);
  await expect(failover.getByTestId('spare-holds')).toContainText('the volume steps are skipped');
  for (const title of ['Create the volume', 'Stop the spare', 'Attach the restored volume as root']) {
    await expect(stepItem(failover, 'Planned steps', title)).toContainText(`not run: the spare already holds backup ${backupId}`);
  }
  await expect(stepItem(failover, 'Planned steps', 'Re-point the Nomad clients')).not.toContainText('not run');
  await expect(failover.getByRole('button', { name: 'Run the restore…' })).toBeEnabled();
  // The preview touched nothing.
  expect(world.sim.calls('StopInstances')).toHaveLength(stops);
});
