/**
 * What every e2e test stands on: one lab of real sshd hosts per worker (slow
 * to start, so shared; each test uses its own host when it changes one), a
 * fresh `drydock serve` with an empty DRYDOCK_HOME per test, and a page that
 * fails the test on any console error or uncaught exception (a CSP violation
 * shows up there first); after each test, the air-gap check on every
 * connection the server attempted (test/air-gap).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { startLab, type Lab, type LabHost } from '../lab/lab';
import { violations } from '../air-gap/connections';
import { startDrydock, type DrydockServer } from './drydock-server';

export const test = base.extend<{ drydock: DrydockServer }, { lab: Lab }>({
  lab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([{ name: 'services1', standins: true }, { name: 'spare1' }]);
      try {
        await use(lab);
      } finally {
        await lab.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  // The page depends on the server so that it is torn down first: a poll still in flight when
  // the server stopped used to be logged as the page's own error (ERR_CONNECTION_REFUSED).
  page: async ({ page, drydock: _server }, use) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const from = message.location().url;
      problems.push(`console: ${message.text()}${from ? ` (${from})` : ''}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    await use(page);
    expect(problems, 'the page logged errors').toEqual([]);
  },
  // eslint-disable-next-line no-empty-pattern
  drydock: async ({}, use) => {
    const server = await startDrydock();
    try {
      await use(server);
      // The air gap (README): the server reached nothing but loopback and the inventory's hosts.
      expect(violations(server.connections()), 'drydock serve reached beyond loopback and the inventory').toEqual([]);
    } finally {
      await server.stop();
    }
  },
});

export { expect };

/** Fill the Add host form the way an admin would, and submit it. */
export async function addHost(page: Page, host: LabHost, fields: { role: string; keyPath: string; user?: string }): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a host' });
  await form.getByLabel('Name', { exact: true }).fill(host.name);
  await form.getByLabel('Address').fill(host.ip);
  await form.getByLabel('Port').fill(String(host.port));
  await form.getByLabel('User').fill(fields.user ?? 'root');
  await form.getByLabel('Role').selectOption({ label: fields.role });
  await form.getByLabel('Private key path').fill(fields.keyPath);
  await form.getByRole('button', { name: 'Add host' }).click();
}

/** The trust dialog for a host, after it opened by itself or from Trust…. */
export function trustDialog(page: Page, name: string) {
  return page.getByRole('dialog', { name: `Confirm the host key of ${name}` });
}
