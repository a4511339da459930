/**
 * Restarts that files on a host still wait for: recorded when files are
 * written (or restored) and cleared when the restart is done. Kept in
 * DRYDOCK_HOME rather than in one run, so that an apply the admin declined
 * to restart, or one that was interrupted, is finished by the next apply
 * even though that one finds no file left to change.
 */
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../../store/atomic-file';

export interface PendingRestartList {
  /** Services machines whose Replicated must restart. */
  replicated: string[];
  /** Nomad clients whose Docker daemon must reload and restart. */
  docker: string[];
}

export type RestartKind = keyof PendingRestartList;

export class PendingRestarts {
  private readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'proxy-pending-restarts.json');
  }

  read(): PendingRestartList {
    const raw = readJsonFile<Partial<PendingRestartList>>(this.file, {});
    return { replicated: raw.replicated ?? [], docker: raw.docker ?? [] };
  }

  has(kind: RestartKind, host: string): boolean {
    return this.read()[kind].includes(host);
  }

  add(kind: RestartKind, host: string): void {
    const list = this.read();
    if (list[kind].includes(host)) return;
    list[kind].push(host);
    writeFileAtomic(this.file, JSON.stringify(list, null, 2) + '\n');
  }

  clear(kind: RestartKind, host: string): void {
    const list = this.read();
    if (!list[kind].includes(host)) return;
    list[kind] = list[kind].filter((h) => h !== host);
    writeFileAtomic(this.file, JSON.stringify(list, null, 2) + '\n');
  }

  /** How the admin reads what is left: "Replicated on services", "Docker on nomad-1". */
  describe(): string[] {
    const list = this.read();
    return [...list.replicated.map((h) => `Replicated on ${h}`), ...list.docker.map((h) => `Docker on ${h}`)];
  }
}
