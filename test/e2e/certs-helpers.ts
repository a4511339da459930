/** What the Certificates e2e tests share: opening the wizard, and inventory set up through the engine. */
import { expect, type Page } from '@playwright/test';
import type { LabHost } from '../lab/lab';

export async function openCertificates(page: Page, url: string) {
  await page.goto(url);
  await page.getByRole('link', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Certificates' })).toBeVisible();
}

/** Put a host in the inventory and trust its key, as the Hosts page would (its own tests cover that UI). */
export async function addServices(page: Page, url: string, host: LabHost, keyPath: string, role = 'services') {
  const { origin, searchParams } = new URL(url);
  const rpc = async (channel: string, data: object) => {
    const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data });
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(body.ok, body.error?.message).toBe(true);
  };
  await rpc('hosts:add', { name: host.name, address: host.ip, port: host.port, user: 'root', role, keyPath });
  await rpc('hosts:trust', { name: host.name, fingerprint: host.fingerprint });
}
