/**
 * Browser mode's session token: gone from the address bar once the page has
 * loaded (still working after a reload), and without it a page that says how
 * to open Drydock instead of a console that cannot do anything.
 */
import { expect, test } from './fixtures';
import { screenshotBothSchemes } from './screenshots';

test('the token leaves the address bar and the session survives a reload', async ({ page, drydock }) => {
  await page.goto(drydock.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  expect(page.url()).not.toContain(new URL(drydock.url).searchParams.get('token')!);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  await expect(page.getByText('Browser mode')).toBeVisible();
  await expect(page.getByText(/Engine not reachable/)).toHaveCount(0);
});

test('without a token: how to open Drydock, no form', async ({ page, drydock }) => {
  await page.goto(new URL(drydock.url).origin + '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Open Drydock from the address it printed' })).toBeVisible();
  await expect(page.getByText('opened without its session token')).toBeVisible();
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await expect(page.getByRole('button')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toHaveCount(0);
  await screenshotBothSchemes(page, 'browser-no-token');
});
