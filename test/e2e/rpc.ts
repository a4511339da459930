/** A channel of the engine called as the page calls it (token and Origin headers), for a spec's set-up and checks. */
import { expect, type Page } from '@playwright/test';

export async function rpc<T>(page: Page, url: string, channel: string, data: object, timeout = 120_000): Promise<T> {
  const { origin, searchParams } = new URL(url);
  const res = await page.request.post(`${origin}/rpc/${channel}`, { headers: { origin, 'x-drydock-token': searchParams.get('token')! }, data, timeout });
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  expect(body.ok, body.error?.message).toBe(true);
  return body.value;
}
