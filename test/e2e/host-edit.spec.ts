/**
 * Editing a host in place: a change that keeps the address keeps the key;
 * moving it to another port asks first, naming the key that will be
 * forgotten, and then the new address's key is confirmed as for a new host.
 * Every add, edit and removal is in the audit log, whose page filters by
 * host, kind and run and shows new entries as they are written.
 */
import type { Page } from '@playwright/test';
import { addHost, expect, test, trustDialog } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

async function editHost(page: Page, name: string, fields: Record<string, string>) {
  await page.getByRole('button', { name: `Edit ${name}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  for (const [label, value] of Object.entries(fields)) {
    const control = dialog.getByLabel(label, { exact: true });
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption({ label: value });
    else await control.fill(value);
  }
  return dialog;
}

test('edit a host: same address keeps its key, a new port forgets it after a prompt; all of it audited', async ({ page, lab, drydock }) => {
  test.setTimeout(90_000);
  const host = lab.hosts.spare1;
  await page.goto(drydock.url);
  await addHost(page, host, { role: 'Hot spare', keyPath: lab.clientKey });
  await trustDialog(page, 'spare1').getByRole('button', { name: 'Trust', exact: true }).click();
  const row = page.getByRole('row', { name: /spare1/ });
  await expect(row).toContainText('Trusted');

  // Role and user change: no question, the key stays trusted.
  let dialog = await editHost(page, 'spare1', { Role: 'Nomad client' });
  await screenshotBothSchemes(page, 'host-edit');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('Nomad client');
  await expect(row).toContainText('Trusted');

  // A new port: the prompt says which key goes, and nothing changes until confirmed.
  dialog = await editHost(page, 'spare1', { Port: '2222' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  const prompt = page.getByRole('dialog', { name: 'Forget the trusted key of spare1?' });
  await expect(prompt).toContainText('port 22 → 2222');
  await expect(prompt).toContainText(`confirmed for ${host.ip}`);
  await expect(prompt.getByTestId('forget-fingerprint')).toHaveText(host.fingerprint);
  await expect(prompt.getByRole('button', { name: 'Back to the form' })).toBeFocused();
  await screenshotBothSchemes(page, 'host-edit-forget-key');
  await prompt.getByRole('button', { name: 'Back to the form' }).click();
  await expect(page.getByRole('dialog', { name: 'Edit spare1' })).toBeVisible();
  await page.getByRole('dialog', { name: 'Edit spare1' }).getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toContainText(`${host.ip}:22`);
  await expect(row).toContainText('Trusted');

  dialog = await editHost(page, 'spare1', { Port: '2222' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await prompt.getByRole('button', { name: 'Forget the key and save' }).click();
  await expect(prompt).toBeHidden();
  await expect(row).toContainText(`${host.ip}:2222`);
  await expect(row).toContainText('Not trusted');

  // Back to 22: nothing was trusted for :2222, so no question; the key is confirmed again.
  dialog = await editHost(page, 'spare1', { Port: '22' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  const trust = trustDialog(page, 'spare1');
  await expect(trust.getByTestId('presented-fingerprint')).toHaveText(host.fingerprint);
  await trust.getByRole('button', { name: 'Trust', exact: true }).click();
  await expect(row).toContainText('Trusted');

  // The audit log has every change; the page filters and keeps up live.
  await page.getByRole('link', { name: 'Audit' }).click();
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  await filters.getByLabel('Kind').selectOption({ label: 'Inventory change' });
  const entries = page.getByRole('region', { name: /Latest entries/ }).getByRole('table');
  await expect(entries.getByRole('row')).toHaveCount(5);
  await expect(entries).toContainText(`add host spare1: root@${host.ip}:22 (spare, key ${lab.clientKey})`);
  await expect(entries).toContainText('edit host spare1: role spare → nomad');
  await expect(entries).toContainText('edit host spare1: port 22 → 2222');
  await expect(entries).toContainText('edit host spare1: port 2222 → 22');
  const hostCell = entries.getByRole('row').nth(1).getByRole('cell').nth(2);
  await expect(hostCell).toHaveText('spare1');
  await expect(hostCell).toHaveCSS('white-space', 'nowrap');

  await filters.getByLabel('Kind').selectOption({ label: 'Host key trusted or forgotten' });
  await expect(entries.getByRole('row').filter({ hasText: `forget keys for ${host.ip} (spare1 moved to [${host.ip}]:2222)` })).toHaveCount(1);

  // A removal made elsewhere (another window, here a direct call) appears without reloading.
  await filters.getByLabel('Kind').selectOption({ label: 'Inventory change' });
  await filters.getByLabel('Host').selectOption('spare1');
  await expect(entries.getByRole('row')).toHaveCount(5);
  const { origin, searchParams } = new URL(drydock.url);
  const res = await page.request.post(`${origin}/rpc/hosts:remove`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data: { name: 'spare1' } });
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
  await expect(entries.getByRole('row').nth(1)).toContainText(`remove host spare1: was root@${host.ip}:22 (nomad, key ${lab.clientKey})`);

  // Time: nothing before the host existed.
  await filters.getByLabel('To').fill('2020-01-01T00:00');
  await expect(page.getByText('No entry matches these filters.')).toBeVisible();
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await filters.getByLabel('Kind').selectOption({ label: 'Inventory change' });
  await screenshotBothSchemes(page, 'audit-filtered');
});
