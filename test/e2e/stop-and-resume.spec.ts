/**
 * An operation stopped mid-step is not lost: the admin stops facts while a
 * slow disk holds up `df`, then resumes the run from the Audit page and it
 * finishes from the step it stopped at.
 */
import { addHost, expect, test, trustDialog } from './fixtures';

const SLOW_DF = '#!/bin/sh\nwhile [ -e /var/lib/lab/slow-df ]; do sleep 0.2; done\nexec /usr/bin/df "$@"\n';

test('stop a run at its step, then resume it from the runbooks', async ({ page, lab, drydock }) => {
  const host = lab.hosts.spare1;
  host.writeFile('/usr/local/bin/df', SLOW_DF, 0o755);
  host.writeFile('/var/lib/lab/slow-df', '');
  try {
    await page.goto(drydock.url);
    await addHost(page, host, { role: 'Hot spare', keyPath: lab.clientKey });
    const dialog = trustDialog(page, 'spare1');
    await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(host.fingerprint);
    await dialog.getByRole('button', { name: 'Trust', exact: true }).click();

    await page.getByRole('button', { name: 'Facts for spare1' }).click();
    // Wait for the step the slow disk holds up, then stop there.
    const steps = page.getByRole('list', { name: 'Steps reading facts from spare1' });
    await expect(steps.getByRole('listitem').filter({ hasText: 'Measure CPUs, memory and disks' })).toContainText('Running', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Stop at this step' }).click();
    await expect(page.getByText(/Stopped by the admin/).first()).toBeVisible();

    host.exec('rm -f /var/lib/lab/slow-df');
    await page.getByRole('link', { name: 'Audit' }).click();
    const runbooks = page.getByRole('region', { name: 'Runbooks' });
    // Facts reads change nothing on a host: listed only when asked for.
    await runbooks.getByRole('checkbox', { name: /Show facts reads/ }).check();
    const row = runbooks.getByRole('row', { name: /host-facts/ });
    await expect(row).toContainText('interrupted');
    await expect(row).toContainText('Measure CPUs, memory and disks');
    await row.getByRole('button', { name: 'Resume host-facts' }).click();
    await expect(row).toContainText('done', { timeout: 30_000 });
  } finally {
    host.exec('rm -f /var/lib/lab/slow-df /usr/local/bin/df');
  }
});
