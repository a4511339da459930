/**
 * Secrets are asked for, not stored: a host whose private key has a
 * passphrase fails until the admin gives the passphrase for this session,
 * then works.
 */
import { addHost, expect, test, trustDialog } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('a key passphrase given in Credentials… unlocks the host for this session', async ({ page, lab, drydock }) => {
  const host = lab.hosts.services1;
  await page.goto(drydock.url);
  await addHost(page, host, { role: 'Services machine', keyPath: lab.clientKeyEncrypted });
  const dialog = trustDialog(page, 'services1');
  await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
  await expect(page.getByRole('row', { name: /services1/ })).toContainText('Trusted');

  await page.getByRole('button', { name: 'Facts for services1' }).click();
  const facts = page.getByRole('region', { name: 'Facts: services1' });
  await expect(facts.getByRole('alert')).toContainText('Could not read facts from services1.');
  await expect(facts.getByTestId('fact-hostname')).toHaveCount(0);
  await screenshotBothSchemes(page, 'facts-failed');

  await facts.getByRole('button', { name: 'Give credentials…' }).click();
  const credentials = page.getByRole('dialog', { name: 'Credentials for services1' });
  await credentials.getByLabel('Key passphrase').fill(lab.clientKeyPassphrase);
  await credentials.getByRole('button', { name: 'Use for this session' }).click();
  await expect(credentials).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'until it quits' })).toBeVisible();

  await page.getByRole('button', { name: 'Facts for services1' }).click();
  await expect(facts.getByTestId('fact-hostname')).toHaveText('services1', { timeout: 30_000 });
});
