/**
 * The Health page against a Services host on a real Docker daemon: with
 * postgres stopped it shows postgres down among the severe containers and
 * what it takes down (frontend, api-service, workflows-conductor…); after
 * postgres is started again, a check shows it healthy. The Audit page
 * exports the change-control report.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { runServicesContainers, setNomadState, startDockerDaemon, type DockerDaemon } from '../lab/docker-daemon';
import { startLab, type Lab } from '../lab/lab';
import { startDrydock, type DrydockServer } from './drydock-server';
import { screenshotBothSchemes } from './screenshots';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');

const test = base.extend<object, { world: { lab: Lab; dockerd: DockerDaemon; drydock: DrydockServer } }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dockerd = await startDockerDaemon();
      let lab: Lab | undefined;
      let drydock: DrydockServer | undefined;
      try {
        lab = await startLab([{ name: 'services1', standins: true, docker: { socketDir: dockerd.socketDir } }]);
        const host = lab.hosts.services1;
        runServicesContainers(dockerd, { endpointIp: host.ip });
        // Two busy 8 vCPU / 32 GB clients and builds waiting.
        setNomadState(dockerd, ['4e5f6a7b default nomad-client-1 linux-64bit false eligible ready 3 8 32768', '8c9d0e1f default nomad-client-2 linux-64bit false eligible ready 3 8 32768'],
          [...Array.from({ length: 6 }, (_, i) => `build-${i} batch 50 running`), ...Array.from({ length: 4 }, (_, i) => `queued-${i} batch 50 pending`)]);
        // Drydock serve probes the endpoints where the lab's containers serve them: the host's own address.
        process.env.DRYDOCK_HEALTH_ENDPOINT_HOST = host.ip;
        drydock = await startDrydock();
        const env = { ...process.env, DRYDOCK_HOME: drydock.home };
        execFileSync(process.execPath, [CLI, 'hosts', 'add', 'services1', '--address', host.ip, '--user', 'root', '--key', lab.clientKey, '--role', 'services'], { env, stdio: 'pipe' });
        execFileSync(process.execPath, [CLI, 'hosts', 'trust', 'services1', '--fingerprint', host.fingerprint], { env, stdio: 'pipe' });
        await use({ lab, dockerd, drydock });
      } finally {
        delete process.env.DRYDOCK_HEALTH_ENDPOINT_HOST;
        await drydock?.stop();
        await lab?.stop();
        await dockerd.stop();
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test('Health shows a stopped container and what it takes down; Audit exports the report', async ({ page, world }) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));

  world.dockerd.docker('stop', 'postgres');
  await page.goto(world.drydock.url);
  await page.getByRole('link', { name: 'Health' }).click();
  await expect(page.getByRole('heading', { name: 'Health', level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Something severe or moderate is down' })).toBeVisible({ timeout: 30_000 });

  const severe = page.getByRole('region', { name: /Severe/ });
  const pg = severe.getByRole('listitem').filter({ hasText: /^postgres/ });
  await expect(pg).toContainText('down');
  await expect(pg).toContainText('potential total data loss');

  const taken = page.getByRole('list', { name: 'Taken down by postgres' });
  for (const name of ['frontend', 'api-service', 'workflows-conductor', 'contexts-service']) {
    await expect(taken.getByRole('listitem').filter({ hasText: new RegExp(`^${name} `) })).toBeVisible();
  }
  await expect(taken).not.toContainText('exim');
  // Highlighted in the groups too.
  await expect(severe.getByRole('listitem').filter({ hasText: /^frontend/ })).toContainText('impacted');
  const nomad = page.getByRole('region', { name: /^Nomad/ });
  await expect(nomad).toContainText('nomad-client-1');
  await expect(nomad.getByRole('list', { name: 'Advice' })).toContainText('Add 2 Nomad clients: 4 jobs pending');
  await screenshotBothSchemes(page, 'health-postgres-down');

  // The admin says LDAP is not in use: federations-service's severity drops to mild.
  await expect(severe.getByRole('listitem').filter({ hasText: /^federations-service(?!-)/ })).toContainText('could not tell whether LDAP is used');
  await page.getByLabel('LDAP').selectOption('no');
  await expect(page.getByRole('region', { name: /Mild/ }).getByRole('listitem').filter({ hasText: /^federations-service(?!-)/ })).toContainText('LDAP is not used');

  world.dockerd.docker('start', 'postgres');
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Healthy.' })).toBeVisible({ timeout: 30_000 });
  await expect(severe.getByRole('listitem').filter({ hasText: /^postgres/ })).toContainText('running');
  await screenshotBothSchemes(page, 'health-all-up');

  await page.getByRole('link', { name: 'Audit' }).click();
  const exporter = page.getByRole('region', { name: 'Change-control report' });
  await exporter.getByLabel('as').selectOption('markdown');
  const [download] = await Promise.all([page.waitForEvent('download'), exporter.getByRole('button', { name: 'Export report' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^change-control-\d+T?\d*Z?\.md$|^change-control-.*\.md$/);
  const md = readFileSync((await download.path())!, 'utf8');
  expect(md).toContain('# Change-control report');
  expect(md).toContain('docker ps -a');
  expect(md).toContain(world.lab.hosts.services1.fingerprint);
  await expect(exporter.getByRole('status')).toContainText('exported.');
  await screenshotBothSchemes(page, 'audit-report-export');
  expect(problems).toEqual([]);
});
