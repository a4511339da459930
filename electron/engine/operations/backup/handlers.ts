/**
 * Handlers for shared/channels/backup.ts: thin. Plans and the catalog are
 * read-only; a backup and a prune run as runbook operations (resumable with
 * `drydock runs resume`).
 */
import os from 'node:os';
import { planPrune } from '../../../../shared/backup/catalog';
import type { backupChannels, BackupRunResult } from '../../../../shared/channels/backup';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import { readCatalog } from './catalog';
import { providerFor } from './factory';
import { planBackup } from './plan';
import { BackupProfiles, setSessionKeys } from './profiles';
import { backupPrune, type PruneState } from './prune-operation';
import { backupRun } from './run-operation';

type BackupChannel = keyof typeof backupChannels;

function createdBy(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return os.hostname();
  }
}

export function backupHandlers(engine: Engine): Pick<Handlers, BackupChannel> {
  const profiles = () => new BackupProfiles(engine.home);
  return {
    'backup:profiles': async () => profiles().list(),
    'backup:profile-set': async (req) => profiles().set(req, engine.inventory),
    'backup:profile-remove': async ({ profile }) => ({ removed: profiles().remove(profile) }),
    'backup:aws-keys': async ({ profile, keys }) => {
      if (profiles().get(profile).provider !== 'aws') throw new DrydockError('INVALID_INPUT', `${profile} is not an AWS profile`);
      setSessionKeys(engine.home, profile, keys);
      return { stored: true };
    },
    'backup:plan': async ({ profile, mode, volumes }, ctx) => planBackup(engine, profiles().get(profile), mode, volumes, ctx.signal),
    'backup:run': async (req, ctx) => {
      const profileData = profiles().get(req.profile);
      const running = engine.runner.store.list().find((r) => r.operation === backupRun.name && r.status === 'running' && (r.input as { profile?: string }).profile === req.profile);
      if (running) throw new DrydockError('CONFLICT', `A backup with profile ${req.profile} is already running (run ${running.id}, process ${running.pid})`);
      const input = { ...req, profileData, drydockVersion: engine.version, createdBy: createdBy(), ...(process.env.DRYDOCK_BACKUP_POLL_MS ? { pollMs: Number(process.env.DRYDOCK_BACKUP_POLL_MS) } : {}) };
      const started = Date.now();
      let outcome = 'failed';
      try {
        const { runId, result } = await engine.runner.start<Omit<BackupRunResult, 'runId'>>(backupRun, input, { emit: ctx.emit, signal: ctx.signal });
        outcome = `run ${runId}: ${result.summary}`;
        return { runId, ...result };
      } catch (err) {
        outcome = `failed: ${(err as Error).message}`;
        throw err;
      } finally {
        engine.audit.append({ host: 'local', fingerprint: '', kind: 'local', command: `backup run --profile ${req.profile} --mode ${req.mode} (${outcome})`, exitCode: outcome.startsWith('failed') ? 1 : 0, durationMs: Date.now() - started });
      }
    },
    'backup:list': async ({ profile }, ctx) => {
      const p = profiles().get(profile);
      const provider = await providerFor(engine, p, ctx.signal);
      try {
        return { backups: await readCatalog(provider, p, engine.runner.store, ctx.signal) };
      } finally {
        await provider.close();
      }
    },
    'backup:prune-plan': async ({ profile, keepLast, keepDays }, ctx) => {
      if (keepLast === undefined && keepDays === undefined) throw new DrydockError('INVALID_INPUT', 'Say what to keep: --keep-last N and/or --keep-days D');
      const p = profiles().get(profile);
      const provider = await providerFor(engine, p, ctx.signal);
      try {
        const backups = await readCatalog(provider, p, engine.runner.store, ctx.signal);
        return { decisions: planPrune(backups, { keepLast, keepDays }, Date.now()) };
      } finally {
        await provider.close();
      }
    },
    'backup:prune': async ({ profile, keepLast, keepDays, confirm }, ctx) => {
      if (keepLast === undefined && keepDays === undefined) throw new DrydockError('INVALID_INPUT', 'Say what to keep: --keep-last N and/or --keep-days D');
      const input = { profileData: profiles().get(profile), confirm, ...(keepLast !== undefined ? { keepLast } : {}), ...(keepDays !== undefined ? { keepDays } : {}) };
      const { runId, result } = await engine.runner.start<Pick<PruneState, 'deleted' | 'kept'> & { summary: string }>(backupPrune, input, { emit: ctx.emit, signal: ctx.signal });
      return { runId, ...result };
    },
  };
}
