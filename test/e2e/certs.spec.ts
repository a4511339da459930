/**
 * The Certificates wizard in Chromium against the real engine (`drydock
 * serve`): the self-signed path end to end, and certbot's TXT-record screen
 * against a real ACME server (Pebble, started here) with certbot running on
 * the lab's Services machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startPebble } from '../lab/pebble';
import { addServices, openCertificates } from './certs-helpers';
import { expect, test } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('self-signed certificate: made on the laptop, details shown, files written', async ({ page, drydock }) => {
  await openCertificates(page, drydock.url);
  const form = page.getByRole('form', { name: 'Self-signed or internal CA' });
  await form.getByLabel('Hostname (Common Name)').fill('ci.example.test');
  await form.getByLabel('Other names').fill('ci-alt.example.test, 10.20.30.40');
  await form.getByLabel('Valid for (days)').fill('30');
  await form.getByLabel('Key').selectOption({ label: 'ECDSA P-256' });
  await form.getByRole('button', { name: 'Make certificate' }).click();

  const made = page.getByTestId('generated');
  await expect(made.getByTestId('cert-subject')).toHaveText('CN=ci.example.test');
  await expect(made.getByTestId('cert-names')).toHaveText('ci.example.test, ci-alt.example.test, 10.20.30.40');
  await expect(made).toContainText('No Services machine in the inventory');
  await expect(made.getByRole('heading', { name: 'Install into Replicated' })).toBeVisible();

  const dir = path.join(drydock.home, 'certs', readdirSync(path.join(drydock.home, 'certs'))[0]);
  expect(statSync(path.join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
  const text = execFileSync('openssl', ['x509', '-in', path.join(dir, 'cert.pem'), '-noout', '-text', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  expect(text).toContain('DNS:ci.example.test, DNS:ci-alt.example.test, IP Address:10.20.30.40');
  const shown = await made.getByTestId('cert-sha256').textContent();
  expect(text).toContain(`sha256 Fingerprint=${shown}`);
  await screenshotBothSchemes(page, 'certs-self-signed');

  // A bad CN never reaches the engine's key generator: refused with a reason beside the field.
  const cn = form.getByLabel('Hostname (Common Name)');
  await cn.fill('10.0.0.1');
  await form.getByRole('button', { name: 'Make certificate' }).click();
  await expect(cn).toHaveAttribute('aria-invalid', 'true');
  await expect(cn).toHaveAccessibleDescription(/a DNS name such as ci\.example\.com/);
  await expect(cn).toBeFocused();
});

test('certbot: the TXT-record screen, DNS check, continue', async ({ page, drydock, lab, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(drydock.url).origin });
  const pebble = await startPebble();
  try {
    await addServices(page, drydock.url, lab.hosts.services1, lab.clientKey);
    await openCertificates(page, drydock.url);
    await page.getByRole('radio', { name: /certbot \(DNS challenge\)/ }).check();
    const form = page.getByRole('form', { name: 'certbot (DNS challenge)' });
    await form.getByLabel('Hostname').fill('ci.example.test');
    await form.getByLabel('ACME server', { exact: false }).first().fill(pebble.directory);
    await form.getByLabel("ACME server's CA bundle (PEM)").fill(pebble.listenerCaPem);
    await form.getByRole('button', { name: 'Start certbot' }).click();

    const screen = page.getByRole('region', { name: 'Publish this DNS TXT record' });
    await expect(screen.getByTestId('txt-name')).toHaveText('_acme-challenge.ci.example.test', { timeout: 60_000 });
    const value = (await screen.getByTestId('txt-value').textContent())!;
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await screen.getByRole('button', { name: 'Copy value for _acme-challenge.ci.example.test' }).click();
    await expect(screen.getByText(/^(Copied|Selected: press Ctrl\+C)$/)).toBeVisible();
    await screenshotBothSchemes(page, 'certs-certbot-txt');

    // The test plays the admin at the DNS provider.
    await pebble.setTxt('_acme-challenge.ci.example.test', value);
    await screen.getByLabel('DNS server to ask').fill(pebble.dnsServer);
    await screen.getByRole('button', { name: 'Check DNS from the Services machine' }).click();
    await expect(screen.getByRole('cell', { name: 'yes', exact: true })).toBeVisible();
    await screen.getByRole('button', { name: 'Records are published: continue' }).click();

    const result = page.getByTestId('certbot-result');
    await expect(result).toContainText('Manual certificates do not renew themselves', { timeout: 60_000 });
    await expect(result.getByTestId('cert-names')).toContainText('ci.example.test');
  } finally {
    await pebble.stop();
  }
});
