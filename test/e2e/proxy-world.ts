/**
 * The Proxy pages' world for e2e: a Services machine and a Nomad client
 * (lab hosts with the stand-ins), a real forward proxy and an origin to
 * fetch through it, shared by the worker; hosts added and trusted through
 * the engine's own channels.
 */
import type { Page } from '@playwright/test';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { startLab, type Lab } from '../lab/lab';
import { expect, test as base } from './fixtures';

const REPLICATED_CONF = '{\n  "DaemonAuthenticationType": "password",\n  "DaemonAuthenticationPassword": "e2e-s3cret-pw"\n}\n';
const CUSTOMIZATIONS = 'export CIRCLE_URL="https://ci.example.test"\n';
const ENVIRONMENT = 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n';
const FILES = {
  services: ['/etc/replicated.conf', '/etc/circle-installation-customizations'],
  'proxy-nomad': ['/etc/environment', '/etc/systemd/system/docker.service.d/http-proxy.conf'],
};

export const test = base.extend<object, { proxyLab: Lab; forwardProxy: LabHttpProxy; webOrigin: LabOrigin }>({
  proxyLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startLab([
        { name: 'services', standins: true, files: { '/etc/replicated.conf': { content: REPLICATED_CONF, mode: 0o600 }, '/etc/circle-installation-customizations': CUSTOMIZATIONS } },
        { name: 'proxy-nomad', standins: true, files: { '/etc/environment': ENVIRONMENT } },
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

/** Inventory and trust through the engine's own channels (the Hosts page has its own tests). */
/** `others`: inventory hosts the proxy never contacts (a hot spare, say), added untrusted. */
export async function addHosts(page: Page, url: string, lab: Lab, others: { name: string; address: string; role: string }[] = []) {
  const { origin, searchParams } = new URL(url);
  const rpc = async (channel: string, data: object) => {
    const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data });
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(body.ok, body.error?.message).toBe(true);
  };
  for (const [name, role] of [['services', 'services'], ['proxy-nomad', 'nomad']] as const) {
    const host = lab.hosts[name];
    await rpc('hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey });
    await rpc('hosts:trust', { name, fingerprint: host.fingerprint });
  }
  for (const h of others) await rpc('hosts:add', { ...h, port: 22, user: 'root' });
}

export function snapshot(lab: Lab): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [host, paths] of Object.entries(FILES)) for (const p of paths) out[`${host}:${p}`] = lab.hosts[host].readFile(p);
  return out;
}

export { expect };
