/**
 * The Install wizard's preflight step in Chromium against real lab hosts:
 * a Nomad client whose /opt/nomad is a 16 MiB filesystem shows that check
 * failed, with what was measured and the fix, in its host's table; after the
 * admin frees the space, "Re-run failed" repeats only that and shows it pass.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { startLab, type Lab } from '../lab/lab';
import { cpuinfo, standInProcFile } from '../integration/install-preflight-fixture';
import { startDrydock, type DrydockServer } from './drydock-server';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');

const test = base.extend<object, { world: { lab: Lab; drydock: DrydockServer } }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      let lab: Lab | undefined;
      let drydock: DrydockServer | undefined;
      try {
        lab = await startLab([{ name: 'services1', standins: true }, { name: 'client1', standins: true }]);
        // The lab machine has 2 cores; a client shows 8 (see install-preflight-fixture).
        standInProcFile(lab.hosts.client1, '/proc/cpuinfo', cpuinfo(8));
        drydock = await startDrydock();
        const env = { ...process.env, DRYDOCK_HOME: drydock.home };
        for (const [name, role] of [['services1', 'services'], ['client1', 'nomad']] as const) {
          const h = lab.hosts[name];
          execFileSync(process.execPath, [CLI, 'hosts', 'add', name, '--address', h.ip, '--user', 'root', '--key', lab.clientKey, '--role', role], { env, stdio: 'pipe' });
          execFileSync(process.execPath, [CLI, 'hosts', 'trust', name, '--fingerprint', h.fingerprint], { env, stdio: 'pipe' });
        }
        await use({ lab, drydock });
      } finally {
        await drydock?.stop();
        await lab?.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

test('install wizard: preflight shows a failed check with its fix, "Re-run failed" re-checks it, then the offline bundle is pushed with progress', async ({ page, world }) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  const client = world.lab.hosts.client1;
  expect(client.exec('mkdir -p /opt/nomad && mount -t tmpfs -o size=16m tmpfs /opt/nomad').code).toBe(0);

  await page.goto(world.drydock.url);
  await page.getByRole('link', { name: 'Install' }).click();
  await expect(page.getByRole('heading', { name: 'Install', level: 1 })).toBeVisible();
  await expect(page.getByRole('row', { name: /client1/ })).toBeVisible();
  await page.getByLabel('CircleCI hostname').fill('services1');
  await page.getByRole('button', { name: 'Next: preflight' }).click();
  await page.getByRole('button', { name: 'Run preflight' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Not ready to install' })).toBeVisible({ timeout: 60_000 });
  const table = page.getByRole('table', { name: 'Preflight of client1' });
  const row = table.getByRole('row', { name: /Free space for \/opt\/nomad/ });
  await expect(row).toContainText('Failed');
  await expect(row).toContainText(/0\.0 GiB free of 0\.0 GiB/);
  await expect(row).toContainText('Free or add space on /opt/nomad');
  await expect(page.getByRole('table', { name: 'Preflight of services1' })).toBeVisible();

  client.exec('umount /opt/nomad');
  await page.getByRole('button', { name: 'Re-run failed' }).click();
  await expect(row).toContainText('Pass', { timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: /Ready/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Re-run failed' })).toBeDisabled();

  // Capacity reads the client the preflight measured; later steps are "next" and can be skipped.
  await page.getByRole('button', { name: /capacity/ }).last().click();
  await expect(page.getByRole('table', { name: 'Builds that fit at once' }).getByRole('row', { name: /client1/ })).toContainText('3');
  await page.getByRole('button', { name: 'Next: bundle' }).click();

  // The offline bundle: a laptop file to both hosts, a progress bar for each, then the checksums
  // (and the copies on the hosts hash the same, read there with sha256sum).
  await expect(page.getByRole('heading', { name: 'Offline bundle' })).toBeVisible();
  const local = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-bundle-'));
  try {
    const file = path.join(local, 'circleci-e2e.airgap');
    writeFileSync(file, randomBytes(48 * 1024 * 1024));
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    await page.getByLabel('Files on this computer').fill(file);
    await page.getByRole('button', { name: 'Check files' }).click();
    await expect(page.getByRole('table', { name: 'Files to send' })).toContainText('48 MiB');
    await page.getByRole('radio', { name: 'These hosts' }).check();
    await page.getByRole('checkbox', { name: /services1/ }).check();
    await page.getByRole('checkbox', { name: /client1/ }).check();
    await page.getByRole('button', { name: 'Send the files' }).click();
    for (const host of ['services1', 'client1']) {
      await expect(page.getByRole('progressbar', { name: `circleci-e2e.airgap to ${host}` })).toBeVisible();
    }
    const sums = page.getByRole('table', { name: 'Checksums' });
    await expect(sums).toBeVisible({ timeout: 60_000 });
    for (const host of ['services1', 'client1']) {
      await expect(sums.getByRole('row', { name: new RegExp(`${host} .*${sha}`) })).toBeVisible();
      await expect(page.getByRole('progressbar', { name: `circleci-e2e.airgap to ${host}` })).toHaveAttribute('value', String(48 * 1024 * 1024));
      expect(world.lab.hosts[host].exec('sha256sum < /var/lib/drydock/bundle/circleci-e2e.airgap').stdout.split(' ')[0]).toBe(sha);
    }
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Install the Services machine', level: 2 })).toBeVisible();
  expect(problems).toEqual([]);
});
