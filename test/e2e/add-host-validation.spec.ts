/**
 * The Add host form checks each field by the engine's own rules and says
 * what is wrong beside the field; nothing reaches the engine until all pass.
 */
import { expect, test } from './fixtures';

test('bad host details are reported beside each field and nothing is added', async ({ page, drydock }) => {
  await page.goto(drydock.url);
  const form = page.getByRole('form', { name: 'Add a host' });
  await form.getByLabel('Name', { exact: true }).fill('bad name!');
  await form.getByLabel('Address').fill('999.1.1.1');
  await form.getByLabel('Port').fill('70000');
  await form.getByRole('button', { name: 'Add host' }).click();

  await expect(form.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(/Must be letters, digits/);
  await expect(form.getByLabel('Address')).toHaveAccessibleDescription(/Must be a DNS name or an IP address/);
  await expect(form.getByLabel('Port')).toHaveAccessibleDescription(/Must be 1 to 65535/);
  await expect(form.getByLabel('User')).toHaveAccessibleDescription(/Must be a login name/);
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
  await expect(form.getByLabel('Role')).not.toHaveAttribute('aria-invalid');

  // Fixing a field clears its message once the field is left.
  await form.getByLabel('Port').fill('2222');
  await form.getByLabel('Port').blur();
  await expect(form.getByLabel('Port')).not.toHaveAttribute('aria-invalid');

  await page.reload();
  await expect(page.getByText('No hosts yet')).toBeVisible();
});
