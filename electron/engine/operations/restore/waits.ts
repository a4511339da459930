/** Providers and waits shared by the restore steps. */
import { sleep } from '../../sleep';
import { DrydockError } from '../../../../shared/errors';
import { providerFor } from '../backup/factory';
import type { BackupProvider } from '../backup/provider';
import type { Ctx } from './types';

export async function withProvider<T>(ctx: Ctx, work: (p: BackupProvider) => Promise<T>, region?: string): Promise<T> {
  const profile = ctx.input.profileData;
  const provider = await providerFor(ctx.services, region && profile.provider === 'aws' ? { ...profile, region } : profile, ctx.signal);
  try {
    return await work(provider);
  } finally {
    await provider.close();
  }
}

/**
 * Poll `read` until `done` says so. On timeout the error names what was
 * awaited, what it still is, and what the admin can do (`onTimeout`).
 */
export async function waitUntil<T>(ctx: Ctx, read: () => Promise<T>, done: (v: T) => boolean, what: (v: T) => string, onTimeout: string, defaultTimeoutMs = 30 * 60_000): Promise<T> {
  const timeout = ctx.input.waitTimeoutMs ?? defaultTimeoutMs;
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    ctx.note(what(v));
    if (Date.now() > deadline) {
      const minutes = timeout >= 60_000 ? `${Math.round(timeout / 60_000)} min` : `${Math.round(timeout / 1000)} s`;
      throw new DrydockError('TIMEOUT', `${what(v)} after ${minutes}. ${onTimeout}`);
    }
    await sleep(ctx.input.pollMs ?? 5_000, ctx.signal);
  }
}
