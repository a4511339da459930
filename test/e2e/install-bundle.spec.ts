/**
 * The Install wizard's "Offline bundle" step in browser mode: the admin types
 * the path of a file on this computer, picks two hosts, sends; a progress bar
 * per host and file shows, then the checksums, and the copies on the lab
 * hosts (checked with sha256sum there) are the laptop file's.
 *
 * The wizard shell (Install page, its steps) comes from the install-preflight
 * work; this spec assumes it renders BundleStep under the heading
 * "Offline bundle" once the step is reached.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
const DIR = '/var/lib/drydock/bundle';

test.fixme(true, 'The Install wizard shell (wip/install-preflight) is not on this branch yet: the lead wires BundleStep under "Offline bundle", then this runs.');

test('Install → Offline bundle: sends a laptop file to two hosts with a progress bar each, then shows the checksums', async ({ page, drydock, lab }) => {
  test.setTimeout(120_000);
  const local = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-bundle-'));
  try {
    const file = path.join(local, 'circleci-e2e.airgap');
    writeFileSync(file, randomBytes(48 * 1024 * 1024));
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const env = { ...process.env, DRYDOCK_HOME: drydock.home };
    for (const [name, role] of [['services1', 'services'], ['spare1', 'nomad']] as const) {
      const host = lab.hosts[name];
      execFileSync(process.execPath, [CLI, 'hosts', 'add', name, '--address', host.ip, '--user', 'root', '--key', lab.clientKey, '--role', role], { env, stdio: 'pipe' });
      execFileSync(process.execPath, [CLI, 'hosts', 'trust', name, '--fingerprint', host.fingerprint], { env, stdio: 'pipe' });
      host.exec(`rm -rf ${DIR}/circleci-e2e.airgap ${DIR}/.circleci-e2e.airgap.part`);
    }

    await page.goto(drydock.url);
    await page.getByRole('link', { name: 'Install' }).click();
    await expect(page.getByRole('heading', { name: 'Offline bundle' })).toBeVisible();

    await page.getByLabel('Files on this computer').fill(file);
    await page.getByRole('button', { name: 'Check files' }).click();
    await expect(page.getByRole('table', { name: 'Files to send' })).toContainText('48 MiB');

    await page.getByRole('radio', { name: 'These hosts' }).check();
    await page.getByRole('checkbox', { name: /services1/ }).check();
    await page.getByRole('checkbox', { name: /spare1/ }).check();
    await page.getByRole('button', { name: 'Send the files' }).click();

    for (const host of ['services1', 'spare1']) {
      await expect(page.getByRole('progressbar', { name: `circleci-e2e.airgap to ${host}` })).toBeVisible();
    }
    const sums = page.getByRole('table', { name: 'Checksums' });
    await expect(sums).toBeVisible({ timeout: 60_000 });
    for (const host of ['services1', 'spare1']) {
      await expect(sums.getByRole('row', { name: new RegExp(`${host} .*${sha}`) })).toBeVisible();
      await expect(page.getByRole('progressbar', { name: `circleci-e2e.airgap to ${host}` })).toHaveAttribute('value', String(48 * 1024 * 1024));
      expect(lab.hosts[host].exec(`sha256sum < ${DIR}/circleci-e2e.airgap`).stdout.split(' ')[0]).toBe(sha);
    }
    await expect(page.getByRole('button', { name: 'Continue' })).toBeEnabled();
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
});
