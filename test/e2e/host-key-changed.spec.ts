/**
 * A trusted host that answers with another key is treated as an attack in
 * progress: the red warning names both fingerprints, nothing is run on the
 * host, and no facts are shown.
 */
import { addHost, expect, test, trustDialog } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('a changed host key shows the man-in-the-middle warning and no facts', async ({ page, lab, drydock }) => {
  const host = lab.hosts.spare1;
  await page.goto(drydock.url);
  await addHost(page, host, { role: 'Hot spare', keyPath: lab.clientKey });
  const dialog = trustDialog(page, 'spare1');
  await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(host.fingerprint);
  await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
  await expect(page.getByRole('row', { name: /spare1/ })).toContainText('Trusted');

  const trusted = host.fingerprint;
  await host.replaceHostKey();
  const presented = host.fingerprint;
  expect(presented).not.toBe(trusted);

  await page.getByRole('button', { name: 'Facts for spare1' }).click();

  const warning = page.getByRole('alert').filter({ hasText: 'Host key changed — possible man-in-the-middle' });
  await expect(warning).toBeVisible({ timeout: 30_000 });
  await expect(warning.getByTestId('stored-fingerprint')).toHaveText(trusted);
  await expect(warning.getByTestId('changed-fingerprint')).toHaveText(presented);
  await expect(warning.getByRole('button', { name: /^trust/i })).toHaveCount(0);
  await expect(page.getByRole('row', { name: /spare1/ })).toContainText('Changed');
  await expect(page.getByRole('region', { name: 'Facts: spare1' })).toHaveCount(0);
  await expect(page.getByTestId('fact-hostname')).toHaveCount(0);
  // No way to trust the new key from the list either.
  await expect(page.getByRole('button', { name: 'Trust spare1…' })).toHaveCount(0);

  await screenshotBothSchemes(page, 'host-key-changed');
});
