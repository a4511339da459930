/**
 * The Backup wizard in Chromium against `drydock serve` and the EC2
 * simulator: a new AWS profile with keys typed for the session, the volumes
 * with their sizes, the mode explained, the run with its progress visible,
 * and the catalog showing the new backup.
 */
import { Ec2Simulator } from '../ec2-sim/server';
import { expect, test } from './fixtures';

// The serve process gets no AWS settings from this machine: only the keys typed in the form.
process.env.AWS_CONFIG_FILE = '/nonexistent/drydock-e2e-aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/drydock-e2e-aws-credentials';
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_SECRET_ACCESS_KEY;
delete process.env.AWS_PROFILE;
process.env.DRYDOCK_BACKUP_POLL_MS = '200';

let sim: Ec2Simulator;

test.beforeAll(async () => {
  // Slow enough that the progress of a pending snapshot is seen moving.
  sim = new Ec2Simulator({ speed: 8 });
  await sim.start();
});

test.afterAll(async () => {
  await sim.stop();
});

test('backup wizard: profile, volumes with sizes, live mode, progress, catalog', async ({ page, drydock }) => {
  await page.goto(drydock.url);
  await page.getByRole('link', { name: 'Backup' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Backup' })).toBeVisible();

  const form = page.getByRole('form', { name: 'New AWS backup profile' });
  await form.getByLabel('Profile name').fill('prod');
  await form.getByLabel('Services instance').fill('services');
  await form.getByLabel('EC2 endpoint').fill(sim.endpoint);
  await form.getByLabel('Access key id').fill(sim.accessKeyId);
  await form.getByLabel('Secret access key').fill(sim.secretAccessKey);
  await form.getByRole('button', { name: 'Save and look at the instance' }).click();

  const volumes = page.getByRole('table', { name: 'Volumes to snapshot' });
  await expect(volumes).toContainText('/dev/sda1');
  await expect(volumes.getByRole('row')).toHaveCount(3);
  await expect(volumes).toContainText('8 GiB');
  await expect(volumes).toContainText('20 GiB');
  await expect(page.getByText('keys entered for this session')).toBeVisible();
  await expect(page.getByTestId('mode-explanation')).toContainText('small risk of corruption');
  await page.getByLabel('Consistent — the app stops').check();
  // No Services machine in the inventory: consistent mode cannot stop the app, and says why.
  await expect(page.getByRole('alert').filter({ hasText: 'Could not read the plan.' })).toContainText('add the Services machine');
  await page.getByLabel('Live — no downtime').check();
  await expect(page.getByTestId('mode-explanation')).toContainText('no downtime');

  await page.getByRole('button', { name: 'Take the snapshot now' }).click();
  const steps = page.getByRole('list', { name: 'Backup steps' });
  await expect(steps).toContainText('Follow the snapshot to completed');
  const percent = page.getByTestId('snapshot-percent');
  await expect(percent).toBeVisible();
  const seen = new Set<string>();
  await expect
    .poll(async () => {
      seen.add((await percent.textContent()) ?? '');
      return (await percent.textContent()) ?? '';
    }, { timeout: 30_000, intervals: [100] })
    .toBe('100%');
  expect(seen.size, `progress values seen: ${[...seen].join(', ')}`).toBeGreaterThan(1);
  await expect(page.getByTestId('backup-summary')).toContainText('completed');

  const snapshotId = (await page.getByTestId('backup-summary').textContent())?.match(/snap-\S+/)?.[0];
  expect(snapshotId).toBeTruthy();
  const catalog = page.getByRole('table', { name: 'Backup catalog' });
  await expect(catalog).toContainText(snapshotId!.replace(/,$/, ''));
  await expect(catalog).toContainText('completed');
  await expect(catalog).toContainText('28 GiB');
  expect(sim.calls('CreateSnapshots')).toHaveLength(1);
});
