/**
 * The first thing an admin does: add the Services machine, confirm its key
 * against the one its console shows, and read its facts over real SSH.
 */
import { addHost, expect, test, trustDialog } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('add a host, confirm its exact fingerprint, trust it and read its facts', async ({ page, lab, drydock }) => {
  const host = lab.hosts.services1;
  await page.goto(drydock.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  await expect(page.getByText('No hosts yet')).toBeVisible();

  await addHost(page, host, { role: 'Services machine', keyPath: lab.clientKey });

  const dialog = trustDialog(page, 'services1');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(host.fingerprint);
  await expect(dialog).toContainText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  await screenshotBothSchemes(page, 'trust-dialog');
  await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row', { name: /services1/ });
  await expect(row).toContainText('Trusted');
  await expect(row).toContainText('Services machine');
  await expect(row).toContainText(`${host.ip}:22`);

  await page.getByRole('button', { name: 'Facts for services1' }).click();
  const facts = page.getByRole('region', { name: 'Facts: services1' });
  await expect(facts.getByTestId('fact-hostname')).toHaveText('services1', { timeout: 30_000 });
  const osName = /^NAME="?([^"\n]+)"?$/m.exec(host.readFile('/etc/os-release') ?? '')?.[1];
  expect(osName, 'the lab host has an /etc/os-release NAME').toBeTruthy();
  await expect(facts.getByTestId('fact-os')).toContainText(osName!);
  await expect(facts.getByRole('table', { name: 'Disks' })).toBeVisible();
  // The daemon's own version, apart from the client's (the stand-in daemon answers as 18.09.9).
  await expect(facts.getByTestId('fact-docker-server')).toHaveText('18.09.9');

  await screenshotBothSchemes(page, 'hosts');
});
