/**
 * The new backup profile form in Chromium against `drydock serve`: a
 * libvirt profile (hosts from the inventory, the store, the spare) and an
 * AWS one with its spare instance. Each field shows the contract's own
 * message; a saved profile is listed with its fields after a reload; and the
 * file the GUI wrote is byte for byte what `drydock backup profile set`
 * writes for the same values.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { screenshotBothSchemes } from './screenshots';
import { rpc } from './rpc';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');

// The serve process and the CLI get no AWS settings from this machine.
process.env.AWS_CONFIG_FILE = '/nonexistent/drydock-e2e-aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/drydock-e2e-aws-credentials';
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_SECRET_ACCESS_KEY;
delete process.env.AWS_PROFILE;

/** `drydock …` on a DRYDOCK_HOME, as an admin's script runs it. */
function cli(home: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: home }, encoding: 'utf8' });
}

/**
 * The same profile set by the CLI on a copy of the server's home (same
 * inventory, no profile yet): the profiles file it writes must equal the
 * one the GUI wrote.
 */
function cliWrites(serverHome: string, args: string[]): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-cli-home-'));
  try {
    cpSync(serverHome, home, { recursive: true });
    rmSync(path.join(home, 'backup-profiles.json'), { force: true });
    cli(home, ['backup', 'profile', 'set', ...args]);
    return readFileSync(path.join(home, 'backup-profiles.json'), 'utf8');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// Loopback with nothing listening: the look at the machine after saving fails fast and reaches nothing outside.
const HOSTS = [
  { name: 'kvm1', address: '127.0.0.1' },
  { name: 'kvm2', address: '127.0.0.1' },
  { name: 'store1', address: '127.0.0.1' },
];

test('a libvirt profile: hosts from the inventory, field messages from the schema, listed after a reload, written as the CLI writes it', async ({ page, drydock }) => {
  test.setTimeout(90_000);
  await page.goto(drydock.url);
  for (const [i, h] of HOSTS.entries()) await rpc(page, drydock.url, 'hosts:add', { ...h, port: 9 + i, user: 'root', role: 'hypervisor' });

  await page.getByRole('link', { name: 'Backup' }).click();
  await expect(page.getByRole('form', { name: 'New AWS backup profile' })).toBeVisible();
  await page.getByRole('radio', { name: /^KVM \/ libvirt/ }).check();
  const form = page.getByRole('form', { name: 'New libvirt backup profile' });
  await expect(form.getByLabel('Hypervisor', { exact: true }).locator('option')).toHaveText(['— choose a host —', /^kvm1 \(KVM\/libvirt hypervisor, 127\.0\.0\.1\)/, /^kvm2/, /^store1/]);

  // Invalid input: each field says what it takes, nothing is saved.
  await form.getByLabel('Profile name').fill('lv');
  await form.getByLabel('Services domain').fill('bad domain!');
  await form.getByLabel('Backup store folder').fill('relative/dir');
  await form.getByLabel(/^Spare domain/).fill('x y');
  // Left first: its message appears below it, so the button is clicked where it then is.
  await form.getByLabel(/^Spare domain/).blur();
  await form.getByRole('button', { name: 'Save and look at the domain' }).click();
  await expect(form.getByLabel('Services domain')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Services domain')).toHaveAccessibleDescription(/Must be a libvirt domain name/);
  // The first field with a problem has the focus.
  await expect(form.getByLabel('Hypervisor', { exact: true })).toBeFocused();
  await expect(form.getByLabel('Hypervisor', { exact: true })).toHaveAccessibleDescription(/Choose a host from the inventory/);
  await expect(form.getByLabel('Backup store host')).toHaveAccessibleDescription(/Choose a host from the inventory/);
  await expect(form.getByLabel('Backup store folder')).toHaveAccessibleDescription(/Must be an absolute directory path without spaces/);
  await expect(form.getByLabel(/^Spare domain/)).toHaveAccessibleDescription(/Must be a libvirt domain name/);
  await form.getByLabel('libvirt URI').fill('qemu system');
  await form.getByLabel('libvirt URI').blur();
  await expect(form.getByLabel('libvirt URI')).toHaveAccessibleDescription(/Must be a libvirt URI such as qemu:\/\/\/system/);
  expect(await rpc<unknown[]>(page, drydock.url, 'backup:profiles', {})).toEqual([]);
  await screenshotBothSchemes(page, 'backup-profile-libvirt-invalid');

  // Fixed: saved, whatever the look at the domain finds (nothing listens on the hypervisor's port here).
  await form.getByLabel('Hypervisor', { exact: true }).selectOption('kvm1');
  await form.getByLabel('Services domain').fill('circleci-services');
  await form.getByLabel('libvirt URI').fill('qemu:///system');
  await form.getByLabel('Backup store host').selectOption('store1');
  await form.getByLabel('Backup store folder').fill('/srv/drydock-backups');
  await form.getByLabel(/^Spare hypervisor/).selectOption('kvm2');
  await form.getByLabel(/^Spare domain/).fill('circleci-spare');
  await expect(form.getByRole('textbox', { name: 'Services domain' })).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Save and look at the domain' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not use this profile.' })).toBeVisible({ timeout: 30_000 });

  // After a reload the profile is listed, with its fields.
  await page.reload();
  await page.getByRole('link', { name: 'Backup' }).click();
  await expect(page.getByLabel('Backup profile', { exact: true })).toHaveValue('lv');
  await expect(page.getByLabel('Backup profile', { exact: true }).locator('option:checked')).toHaveText('lv — libvirt circleci-services on kvm1');
  const fact = (term: string) => page.getByLabel('Profile lv').locator('div').filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) }).locator('dd').textContent();
  expect(await fact('Provider')).toBe('KVM / libvirt');
  expect(await fact('Hypervisor')).toBe('kvm1');
  expect(await fact('Services domain')).toBe('circleci-services');
  expect(await fact('libvirt URI')).toBe('qemu:///system');
  expect(await fact('Backup store')).toBe('store1:/srv/drydock-backups');
  expect(await fact('Spare hypervisor')).toBe('kvm2');
  expect(await fact('Spare domain')).toBe('circleci-spare');

  // The engine's read of it (the CLI's list), and the CLI's own write of the same values: the same bytes.
  const listed = JSON.parse(cli(drydock.home, ['backup', 'profile', 'list', '--json'])) as { name: string; installationId: string }[];
  expect(listed).toEqual([
    { name: 'lv', provider: 'libvirt', installationId: expect.stringMatching(/^drydock-[0-9a-f]{10}$/), hypervisor: 'kvm1', domain: 'circleci-services', uri: 'qemu:///system', store: { host: 'store1', dir: '/srv/drydock-backups' }, spareHypervisor: 'kvm2', spareDomain: 'circleci-spare' },
  ]);
  const gui = readFileSync(path.join(drydock.home, 'backup-profiles.json'), 'utf8');
  const byCli = cliWrites(drydock.home, ['lv', '--provider', 'libvirt', '--hypervisor', 'kvm1', '--domain', 'circleci-services', '--store', 'store1:/srv/drydock-backups', '--spare-hypervisor', 'kvm2', '--spare-domain', 'circleci-spare', '--installation-id', listed[0].installationId]);
  expect(gui).toBe(byCli);
});

test('an AWS profile with its spare instance is written as the CLI writes it; a bad spare instance is refused beside the field', async ({ page, drydock }) => {
  test.setTimeout(90_000);
  await page.goto(drydock.url);
  await page.getByRole('link', { name: 'Backup' }).click();
  const form = page.getByRole('form', { name: 'New AWS backup profile' });
  await form.getByLabel('Services instance').fill('services');
  await form.getByLabel('Region').fill('eu-west-1');
  // Loopback, nothing listening: the look at the instance fails without leaving this machine.
  await form.getByLabel('EC2 endpoint').fill('http://127.0.0.1:9');
  await form.getByLabel(/^Spare instance/).fill('spare *');
  await form.getByLabel(/^Spare instance/).blur();
  await expect(form.getByLabel(/^Spare instance/)).toHaveAccessibleDescription(/without spaces or wildcards/);
  await form.getByLabel(/^Spare instance/).fill('i-0abc1234spare');
  await expect(form.getByLabel(/^Spare instance/)).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Save and look at the instance' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not use this profile.' })).toBeVisible({ timeout: 60_000 });

  const listed = JSON.parse(cli(drydock.home, ['backup', 'profile', 'list', '--json'])) as { installationId: string; spareInstance?: string }[];
  expect(listed).toHaveLength(1);
  expect(listed[0]).toMatchObject({ name: 'prod', provider: 'aws', instance: 'services', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', imds: false, spareInstance: 'i-0abc1234spare' });
  const gui = readFileSync(path.join(drydock.home, 'backup-profiles.json'), 'utf8');
  const byCli = cliWrites(drydock.home, ['prod', '--provider', 'aws', '--instance', 'services', '--region', 'eu-west-1', '--endpoint', 'http://127.0.0.1:9', '--spare-instance', 'i-0abc1234spare', '--installation-id', listed[0].installationId]);
  expect(gui).toBe(byCli);
  await page.reload();
  await page.getByRole('link', { name: 'Backup' }).click();
  await expect(page.getByLabel('Profile prod')).toContainText('i-0abc1234spare');
});
