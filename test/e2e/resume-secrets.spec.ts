/**
 * Resuming a run with secret input from the Audit page (issue 7, item 8):
 * a proxy apply with a password is killed mid-way (the CLI, SIGKILL); the
 * Runbooks list offers Resume, which asks for exactly the missing secret and
 * finishes the run with it; a run that can no longer be resumed says why and
 * offers no Resume.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { startLab, type Lab } from '../lab/lab';
import { expect, test as base } from './fixtures';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
const PASSWORD = 'e2e-Resume-pw-7';

const test = base.extend<object, { resumeLab: Lab; forwardProxy: LabHttpProxy; webOrigin: LabOrigin }>({
  resumeLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([
        { name: 'services', standins: true, files: { '/etc/replicated.conf': { content: '{\n  "BypassPreflightChecks": true\n}\n', mode: 0o600 } } },
        { name: 'resume-nomad', standins: true, files: { '/etc/environment': 'PATH="/usr/bin:/bin"\n' } },
      ]);
      try {
        await use(lab);
      } finally {
        await lab.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  forwardProxy: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const proxy = await startHttpProxy();
      await use(proxy);
      await proxy.close();
    },
    { scope: 'worker' },
  ],
  webOrigin: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const origin = await startOrigin();
      await use(origin);
      await origin.close();
    },
    { scope: 'worker' },
  ],
});

async function addHosts(page: Page, url: string, lab: Lab) {
  const { origin, searchParams } = new URL(url);
  const rpc = async (channel: string, data: object) => {
    const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data });
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(body.ok, body.error?.message).toBe(true);
  };
  for (const [name, role] of [['services', 'services'], ['resume-nomad', 'nomad']] as const) {
    const host = lab.hosts[name];
    await rpc('hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey });
    await rpc('hosts:trust', { name, fingerprint: host.fingerprint });
  }
}

/** `drydock proxy apply` in a child process, SIGKILLed once its runbook shows `step` finished; returns the run id. */
function applyKilledAfter(home: string, args: string[], step: string): Promise<string> {
  let earlier: string[] = [];
  try {
    earlier = readdirSync(path.join(home, 'runs'));
  } catch {
    /* no run yet */
  }
  const child = spawn(process.execPath, [CLI, 'proxy', 'apply', ...args, '--yes', '--no-restart'], {
    env: { ...process.env, DRYDOCK_HOME: home, DRYDOCK_PROXY_PASSWORD: PASSWORD },
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        for (const name of readdirSync(path.join(home, 'runs')).filter((n) => !earlier.includes(n))) {
          const run = JSON.parse(readFileSync(path.join(home, 'runs', name), 'utf8')) as { id: string; status: string; steps: { name: string; status: string }[] };
          if (run.status !== 'running') continue;
          if (run.steps.some((s) => s.name === step && s.status === 'done')) {
            child.kill('SIGKILL');
            clearInterval(timer);
            resolve(run.id);
          }
        }
      } catch {
        /* no runbook yet, or caught between two writes */
      }
    }, 3);
    child.once('exit', () => setTimeout(() => (clearInterval(timer), reject(new Error(`proxy apply ended before ${step} finished`))), 50));
  });
}

test('resume asks for exactly the missing secret; a run that cannot be resumed says why', async ({ page, drydock, resumeLab: lab, forwardProxy: proxy, webOrigin: origin }) => {
  await page.goto(drydock.url);
  await addHosts(page, drydock.url, lab);
  const args = ['--proxy', proxy.url, '--proxy-user', 'ci', '--verify-url', origin.url];
  const runId = await applyKilledAfter(drydock.home, args, 'services-files');
  expect(lab.hosts['resume-nomad'].readFile('/etc/environment')).not.toContain(PASSWORD);

  await page.getByRole('link', { name: 'Audit' }).click();
  const runbooks = page.getByRole('region', { name: 'Runbooks' });
  const row = runbooks.getByTestId(`run-${runId}`);
  await expect(row).toContainText('interrupted');
  await row.getByRole('button', { name: 'Resume proxy-apply' }).click();

  const form = page.getByRole('form', { name: `Secrets to resume ${runId}` });
  await expect(form.locator('input')).toHaveCount(1);
  await expect(form.getByRole('button', { name: 'Resume' })).toBeDisabled();
  await form.getByLabel('Proxy password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Resume' }).click();
  await expect(row).toContainText('done', { timeout: 60_000 });
  await expect(row.getByRole('button')).toHaveCount(0);
  expect(lab.hosts['resume-nomad'].readFile('/etc/environment')).toContain(`ci:${PASSWORD}@`);
  expect(lab.hosts.services.readFile('/etc/replicated.conf')).toContain(`ci:${PASSWORD}@`);

  // Killed again, then a later apply finishes the job: the stopped run must not be resumed over it.
  const stale = await applyKilledAfter(drydock.home, [...args, '--no-proxy', '.corp.example'], 'plan');
  const later = await applyKilledAfter(drydock.home, [...args, '--no-proxy', '.other.example'], 'services-files');
  expect(later).not.toBe(stale);
  await page.reload();
  const staleRow = page.getByRole('region', { name: 'Runbooks' }).getByTestId(`run-${stale}`);
  await expect(staleRow).toContainText('Cannot be resumed: a later run');
  await expect(staleRow.getByRole('button')).toHaveCount(0);
});
