/**
 * The Certificates wizard and what it knows about the installation, in
 * Chromium against real lab hosts: Install off (with the reason) where
 * Replicated is not installed, the hostname taken from the installation and
 * another one questioned, a new CA's passphrase typed twice and cleared, and
 * the CA pushed to a Nomad client's trust store.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { addServices, openCertificates } from './certs-helpers';
import { screenshotBothSchemes } from './screenshots';

const HOSTNAME_FILE = '/var/lib/lab/replicated/app-config/hostname.value';

test('Install is off, with the reason, where Replicated is not installed', async ({ page, drydock, lab }) => {
  // spare1 is a bare machine: no replicatedctl (the shell answers 127).
  await addServices(page, drydock.url, lab.hosts.spare1, lab.clientKey);
  await openCertificates(page, drydock.url);
  const form = page.getByRole('form', { name: 'Self-signed or internal CA' });
  await form.getByLabel('Hostname (Common Name)').fill('ci.example.test');
  await form.getByRole('button', { name: 'Make certificate' }).click();

  const made = page.getByTestId('generated');
  await expect(made).toContainText("replicatedctl is not installed on spare1: the hostname was not compared with CircleCI's setting.");
  await expect(made).not.toContainText('did not answer');
  const install = made.getByRole('button', { name: 'Install…' });
  await expect(install).toBeDisabled();
  await expect(install).toHaveAccessibleDescription(/^Replicated is not installed on spare1 \(replicatedctl is not there\)/);
  await expect(made.getByTestId('install-blocked')).toBeVisible();
  await screenshotBothSchemes(page, 'certs-install-blocked');
});

test('the hostname comes from the installation and another one is questioned', async ({ page, drydock, lab }) => {
  const services = lab.hosts.services1;
  services.writeFile(HOSTNAME_FILE, 'ci.example.test');
  try {
    await addServices(page, drydock.url, services, lab.clientKey);
    await openCertificates(page, drydock.url);
    const form = page.getByRole('form', { name: 'Self-signed or internal CA' });
    const cn = form.getByLabel('Hostname (Common Name)');
    await expect(cn).toHaveValue('ci.example.test');
    await cn.fill('ci-other.example.test');
    await expect(cn).toHaveAccessibleDescription(/Is ci-other\.example\.test right\? CircleCI on services1 is configured for ci\.example\.test \(the app config on services1\)/);
    await screenshotBothSchemes(page, 'certs-hostname-question');
    await form.getByRole('button', { name: 'Use ci.example.test' }).click();
    await expect(cn).toHaveValue('ci.example.test');
    await expect(form.getByText(/Is .* right\?/)).toHaveCount(0);

    // certbot's form starts from the same name.
    await page.getByRole('radio', { name: /certbot \(DNS challenge\)/ }).check();
    await expect(page.getByRole('form', { name: 'certbot (DNS challenge)' }).getByLabel('Hostname', { exact: true })).toHaveValue('ci.example.test');
  } finally {
    services.exec(`rm -f ${HOSTNAME_FILE}`);
  }
});

test("a new CA's passphrase is typed twice and cleared; its certificate goes to the Nomad clients", async ({ page, drydock, lab }) => {
  await openCertificates(page, drydock.url);
  const panel = page.getByRole('region', { name: 'Internal CAs' });
  await panel.getByText('Create an internal CA').click();
  const form = panel.getByRole('form', { name: 'Create an internal CA' });
  await form.getByLabel('CA name').fill('lab');
  await form.getByLabel('Passphrase for the new CA').fill('correct horse battery staple');
  await form.getByLabel('Passphrase again').fill('correct horse battery stapel');
  await form.getByRole('button', { name: 'Create CA' }).click();
  const again = form.getByLabel('Passphrase again');
  await expect(again).toHaveAttribute('aria-invalid', 'true');
  await expect(again).toHaveAccessibleDescription('The two passphrases differ.');
  await screenshotBothSchemes(page, 'certs-ca-passphrase');

  await again.fill('correct horse battery staple');
  await form.getByRole('button', { name: 'Create CA' }).click();
  await expect(panel.getByRole('status')).toContainText('Created CA lab');
  await expect(form.getByLabel('Passphrase for the new CA')).toHaveValue('');
  await expect(again).toHaveValue('');

  // No Nomad client yet: the button is off and says why.
  const trust = panel.getByRole('button', { name: 'Trust on Nomad clients…' });
  await expect(trust).toBeDisabled();
  await expect(trust).toHaveAccessibleDescription(/No Nomad clients in the inventory/);

  await addServices(page, drydock.url, lab.hosts.spare1, lab.clientKey, 'nomad');
  await openCertificates(page, drydock.url);
  await trust.click();
  const dialog = page.getByRole('dialog', { name: 'Trust CA lab on the Nomad clients?' });
  await expect(dialog).toContainText('Nomad clients: spare1.');
  await expect(dialog).toContainText(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  await dialog.getByRole('button', { name: 'Install on these clients' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'is trusted on spare1' })).toBeVisible({ timeout: 60_000 });
  const file = '/usr/local/share/ca-certificates/drydock-ca-lab.crt';
  expect(lab.hosts.spare1.exec(`openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt ${file}`).code).toBe(0);
  await screenshotBothSchemes(page, 'certs-ca-trusted');

  // And undone, from the same panel: the client's trust store is as it was.
  await panel.getByRole('button', { name: 'Undo the CA trust on the Nomad clients…' }).click();
  const undo = page.getByRole('dialog', { name: 'Undo the CA trust on the Nomad clients?' });
  await expect(undo).toContainText('On spare1,');
  await undo.getByRole('button', { name: 'Restore the CA files' }).click();
  await expect(panel.getByRole('status').filter({ hasText: /spare1: restored 1 file\(s\) from / })).toBeVisible();
  expect(lab.hosts.spare1.exec(`test -e ${file}`).code).not.toBe(0);
});

test('certificates Drydock holds: the same one pasted again is listed once, and can be deleted', async ({ page, drydock }) => {
  await openCertificates(page, drydock.url);
  const form = page.getByRole('form', { name: 'Self-signed or internal CA' });
  await form.getByLabel('Hostname (Common Name)').fill('ci.example.test');
  await form.getByRole('button', { name: 'Make certificate' }).click();
  await expect(page.getByTestId('generated')).toBeVisible();
  const dir = path.join(drydock.home, 'certs', readdirSync(path.join(drydock.home, 'certs'))[0]);

  // The other option starts clean: the self-signed result is not shown under it.
  await page.getByRole('radio', { name: /Install an existing certificate/ }).check();
  await expect(page.getByTestId('generated')).toHaveCount(0);
  const paste = page.getByRole('form', { name: 'Paste a certificate and key' });
  await page.getByText('Paste a certificate and key').click();
  // Check and keep with nothing pasted: told beside each field, nothing sent.
  await paste.getByRole('button', { name: 'Check and keep' }).click();
  await expect(paste.getByLabel('Certificate (PEM, full chain, leaf first)')).toHaveAccessibleDescription('Paste the certificate, full chain, leaf first.');
  await paste.getByLabel('Certificate (PEM, full chain, leaf first)').fill(readFileSync(path.join(dir, 'cert.pem'), 'utf8'));
  await paste.getByLabel('Private key (PEM, unencrypted)').fill(readFileSync(path.join(dir, 'key.pem'), 'utf8'));
  await paste.getByRole('button', { name: 'Check and keep' }).click();

  const held = page.getByLabel('A certificate Drydock holds');
  await expect(held.locator('option')).toHaveText(['Choose…', /^ci\.example\.test \(self-signed, expires /]);
  await expect(held).toHaveValue(path.basename(dir));
  await screenshotBothSchemes(page, 'certs-existing');

  await page.getByRole('button', { name: 'Delete from Drydock…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this certificate from Drydock?' });
  await expect(dialog).toContainText('Nothing on the Services machine changes');
  await dialog.getByRole('button', { name: 'Delete certificate and key' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Deleted ${path.basename(dir)}` })).toBeVisible();
  await expect(page.getByLabel('A certificate Drydock holds')).toHaveCount(0);
  expect(existsSync(dir)).toBe(false);
});

test("certbot's form: errors beside their fields, and certbot's own words when it fails", async ({ page, drydock, lab }) => {
  test.setTimeout(120_000);
  await addServices(page, drydock.url, lab.hosts.services1, lab.clientKey);
  await openCertificates(page, drydock.url);
  await page.getByRole('radio', { name: /certbot \(DNS challenge\)/ }).check();
  const form = page.getByRole('form', { name: 'certbot (DNS challenge)' });
  const hostname = form.getByLabel('Hostname', { exact: true });
  await hostname.fill('');
  await form.getByRole('button', { name: 'Start certbot' }).click();
  await expect(hostname).toHaveAttribute('aria-invalid', 'true');
  await expect(hostname).toHaveAccessibleDescription(/^Give the hostname configured in CircleCI\./);

  await hostname.fill('ci.example.test');
  const server = form.getByLabel('ACME server', { exact: false }).first();
  await server.fill('http://acme.example.test/dir');
  await form.getByRole('button', { name: 'Start certbot' }).click();
  await expect(server).toHaveAttribute('aria-invalid', 'true');
  await expect(server).toHaveAccessibleDescription(/https/);
  await expect(server).not.toHaveAccessibleDescription(/^Invalid input/);

  // Nothing listens there: certbot itself says why, and that is what the admin reads.
  await server.fill('https://127.0.0.1:9/dir');
  await form.getByRole('button', { name: 'Start certbot' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'certbot did not start.' })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByLabel('What certbot said')).toContainText(/127\.0\.0\.1|Connection refused|Max retries/i);
  await screenshotBothSchemes(page, 'certs-certbot-failed');
});
