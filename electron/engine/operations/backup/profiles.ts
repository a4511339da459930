/**
 * Backup profiles in DRYDOCK_HOME/backup-profiles.json (no secrets), and the
 * AWS keys an admin typed in the GUI, kept in this process's memory only.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BackupProfileSchema, type AwsKeys, type BackupProfile } from '../../../../shared/backup/profile';
import type { ProfileInputSchema } from '../../../../shared/channels/backup';
import { DrydockError } from '../../../../shared/errors';
import type { Inventory } from '../../inventory/inventory';
import { readJsonFile, writeFileAtomic } from '../../store/atomic-file';
import type { z } from 'zod';

interface ProfilesFile {
  version: 1;
  profiles: BackupProfile[];
}

export class BackupProfiles {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'backup-profiles.json');
  }

  list(): BackupProfile[] {
    const data = readJsonFile<ProfilesFile>(this.file, { version: 1, profiles: [] });
    return data.profiles.map((p) => BackupProfileSchema.parse(p));
  }

  get(name: string): BackupProfile {
    const found = this.list().find((p) => p.name === name);
    if (!found) throw new DrydockError('NOT_FOUND', `No backup profile ${name} (drydock backup profile list)`);
    return found;
  }

  /** Create or replace; a replaced profile keeps its installation id unless one is given. */
  set(input: z.output<typeof ProfileInputSchema>, inventory: Inventory): BackupProfile {
    const profiles = this.list();
    const existing = profiles.find((p) => p.name === input.name);
    const installationId = input.installationId ?? existing?.installationId ?? `drydock-${randomBytes(5).toString('hex')}`;
    const profile = BackupProfileSchema.parse({ ...input, installationId });
    const hosts = profile.provider === 'aws' ? [profile.tunnelVia] : [profile.hypervisor, profile.store.host, profile.spareHypervisor];
    for (const h of hosts) if (h && !inventory.find(h)) throw new DrydockError('INVALID_INPUT', `${h} is not in the inventory (drydock hosts add ${h} …)`, { fields: [{ path: ['host'], message: `${h}: not in the inventory` }] });
    writeFileAtomic(this.file, JSON.stringify({ version: 1, profiles: [...profiles.filter((p) => p.name !== profile.name), profile] }, null, 2) + '\n');
    return profile;
  }

  remove(name: string): boolean {
    const profiles = this.list();
    const rest = profiles.filter((p) => p.name !== name);
    if (rest.length === profiles.length) return false;
    writeFileAtomic(this.file, JSON.stringify({ version: 1, profiles: rest }, null, 2) + '\n');
    return true;
  }
}

/** Session keys per DRYDOCK_HOME and profile: memory only, gone when the process ends. */
const sessionKeys = new Map<string, AwsKeys>();

export function setSessionKeys(home: string, profile: string, keys: AwsKeys): void {
  sessionKeys.set(`${home}\0${profile}`, keys);
}

export function sessionKeysFor(home: string, profile: string): AwsKeys | undefined {
  return sessionKeys.get(`${home}\0${profile}`);
}
