/**
 * The checks an inventory gets at add and on demand: one Services machine
 * only, the same address under two names warned, "Test connection" with the
 * key and the login answered apart, the previous add's key path and role
 * offered again, the trusted fingerprint readable later, and session
 * credentials shown as set or not and cleared.
 */
import { addHost, expect, test, trustDialog } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('inventory checks, Test connection, key and credentials shown again', async ({ page, lab, drydock }) => {
  test.setTimeout(90_000);
  const services = lab.hosts.services1;
  await page.goto(drydock.url);
  await addHost(page, services, { role: 'Services machine', keyPath: lab.clientKey });
  await trustDialog(page, 'services1').getByRole('button', { name: 'Trust', exact: true }).click();

  // Trusting is followed by a connection test: key and login on lines of their own.
  const test1 = page.getByRole('region', { name: 'Connection test: services1' });
  await expect(test1.getByTestId('check-key')).toContainText('Yes', { timeout: 30_000 });
  await expect(test1.getByTestId('check-key')).toContainText(services.fingerprint);
  await expect(test1.getByTestId('check-login')).toContainText('Yes');
  await expect(test1.getByTestId('check-login')).toContainText(`Logged in as root with ${lab.clientKey}`);
  await expect(test1.getByTestId('check-root')).toContainText('no sudo needed');

  // The next add offers the same key, and a role other than a second Services machine.
  const form = page.getByRole('form', { name: 'Add a host' });
  await expect(form.getByLabel('Private key path')).toHaveValue(lab.clientKey);
  await expect(form.getByLabel('Role')).toHaveValue('nomad');

  // A second Services machine is refused beside the field; nothing is added.
  await form.getByLabel('Name', { exact: true }).fill('twin');
  await form.getByLabel('Address').fill(services.ip);
  await form.getByLabel('User').fill('root');
  await form.getByLabel('Role').selectOption({ label: 'Services machine' });
  await form.getByRole('button', { name: 'Add host' }).click();
  await expect(form.getByLabel('Role')).toHaveAccessibleDescription(/services1 is already the Services machine/);
  await expect(page.getByRole('row', { name: /twin/ })).toHaveCount(0);

  // The same address:port under another name: warned, not refused.
  await form.getByLabel('Role').selectOption({ label: 'Hot spare' });
  await expect(form.getByTestId('address-warning')).toContainText(`services1 already uses ${services.ip}:22`);
  await screenshotBothSchemes(page, 'host-add-checks');
  await form.getByRole('button', { name: 'Add host' }).click();
  await expect(page.getByRole('row', { name: /twin/ })).toBeVisible();
  // Same address, same key: nothing new to confirm.
  await expect(page.getByRole('status').filter({ hasText: 'twin already presents the key Drydock trusts' })).toBeVisible();

  // Test connection on demand.
  await page.getByRole('button', { name: 'Test connection to twin' }).click();
  const test2 = page.getByRole('region', { name: 'Connection test: twin' });
  await expect(test2.getByTestId('check-login')).toContainText('Yes', { timeout: 30_000 });
  await expect(test2.getByTestId('check-key')).toContainText('Yes');
  await screenshotBothSchemes(page, 'host-connection-test');

  // The trusted key, read again later.
  await page.getByRole('button', { name: 'Trusted: show the key of services1' }).click();
  const keyDialog = page.getByRole('dialog', { name: 'Trusted key of services1' });
  await expect(keyDialog.getByTestId('trusted-fingerprint')).toHaveText(services.fingerprint);
  await keyDialog.getByRole('button', { name: 'Close' }).click();

  // Session credentials: shown as set or not, and cleared.
  const secrets = page.getByTestId('secrets-services1');
  await expect(secrets).toHaveText('no secrets set');
  await page.getByRole('button', { name: 'Credentials for services1…' }).click();
  let credentials = page.getByRole('dialog', { name: 'Credentials for services1' });
  await expect(credentials.getByTestId('credentials-status')).toContainText('No credentials are set for this host.');
  await credentials.getByLabel('sudo password').fill('not-needed-for-root');
  await credentials.getByRole('button', { name: 'Use for this session' }).click();
  await expect(secrets).toHaveText('sudo password set');
  await page.getByRole('button', { name: 'Credentials for services1…' }).click();
  credentials = page.getByRole('dialog', { name: 'Credentials for services1' });
  await expect(credentials.getByTestId('credentials-status')).toContainText('Set for this session: sudo password.');
  await screenshotBothSchemes(page, 'host-credentials-set');
  await credentials.getByRole('button', { name: 'Forget them' }).click();
  await expect(credentials).toBeHidden();
  await expect(secrets).toHaveText('no secrets set');
  await screenshotBothSchemes(page, 'hosts-checked');
});
