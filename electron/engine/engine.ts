/**
 * The engine: inventory, trust, connections, audit and runbooks under one
 * DRYDOCK_HOME. The Electron main process, the CLI and the browser-mode server
 * each create one and drive the same operations through it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditLog } from './audit/audit-log';
import { EventBus } from './events';
import { Inventory } from './inventory/inventory';
import type { AnyOperation, EngineServices } from './operations/operation';
import { OPERATIONS } from './operations/registry';
import { Runner } from './runbook/runner';
import { CredentialStore, credentialsFromEnv, type HostSecrets } from './ssh/credentials';
import { KnownHosts } from './ssh/known-hosts';
import { SshPool } from './ssh/pool';
import { defaultHome } from './store/home';

export interface EngineOptions {
  home?: string;
  /** Secrets every host falls back to (the CLI reads them from the environment). */
  defaultSecrets?: HostSecrets;
  connectTimeoutMs?: number;
  /** Extra operations (tests); the registry's are always there. */
  operations?: AnyOperation[];
}

export interface Engine extends EngineServices {
  knownHosts: KnownHosts;
  credentials: CredentialStore;
  runner: Runner;
  /** Every run's progress and every audit entry, for whichever windows are watching. */
  events: EventBus;
  operations: Map<string, AnyOperation>;
  version: string;
  close(): Promise<void>;
}

function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, rel), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next layout (source vs dist) */
    }
  }
  return '0.0.0';
}

export function createEngine(options: EngineOptions = {}): Engine {
  const home = options.home ?? defaultHome();
  const inventory = new Inventory(home);
  const knownHosts = new KnownHosts(path.join(home, 'known_hosts'));
  const credentials = new CredentialStore(options.defaultSecrets ?? credentialsFromEnv());
  const audit = new AuditLog(path.join(home, 'audit.jsonl'));
  const pool = new SshPool({ inventory, knownHosts, credentials, audit, connectTimeoutMs: options.connectTimeoutMs });
  const operations = new Map([...OPERATIONS, ...(options.operations ?? [])].map((op) => [op.name, op]));
  const services: EngineServices = { home, inventory, pool, audit };
  const events = new EventBus();
  audit.onAppend((entry) => events.emit({ type: 'audit', entry }));
  const runner = new Runner(services, operations, events);
  return {
    ...services,
    events,
    knownHosts,
    credentials,
    runner,
    operations,
    version: packageVersion(),
    close: () => pool.closeAll(),
  };
}
