/**
 * The guide's table "Containers on the Services machine" as data: one source
 * for the engine (what is down and what it takes with it), the renderer (the
 * Health page), the CLI and the tests. Wording is the guide's
 * (../shared/reference/ops-facts.md). Names in `docker ps` differ slightly
 * from the table's (admin-commands.md §6): `dockerNames` maps them, both ways.
 */

export const SEVERITIES = ['severe', 'moderate', 'mild'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Installation settings some severities depend on. */
export interface InstallSettings {
  /** LDAP is the identity provider (null: could not tell). */
  ldap: boolean | null;
  /** Object storage is S3 (null: could not tell). */
  s3: boolean | null;
}

/** "severe if LDAP is used, else mild": the setting, and the severity either way. */
export interface ConditionalSeverity {
  setting: keyof InstallSettings;
  /** Severity when the setting is true. */
  ifSet: Severity;
  /** Severity when it is false. */
  ifUnset: Severity;
  /** The guide's words for the condition. */
  text: string;
}

export interface ContainerRow {
  /** As the guide's table names it. */
  tableName: string;
  /** Names it has in `docker ps` (first = the usual one). */
  dockerNames: string[];
  /** Other names the guide gives (the image, in brackets in the table). */
  aka?: string[];
  role: string;
  /** "If it fails", in the guide's words. */
  impact: string;
  severity: Severity | ConditionalSeverity;
  /** Start-up dependencies, as table names. */
  dependsOn: string[];
  /** Runs at start-up and exits by design: exited with code 0 is not "down". */
  oneShot?: boolean;
  /** Can be moved off the Services machine (the table's `*`): missing is then not "down". */
  externalizable?: boolean;
}

const PF = ['postgres', 'frontend'];

const migrator = (service: string, dockerBase = service): ContainerRow => ({
  tableName: `${service}-migrator`,
  dockerNames: [`${dockerBase}-migrator`],
  role: `postgres migrations for ${service}`,
  impact: 'only runs at start-up',
  severity: 'mild',
  dependsOn: PF,
  oneShot: true,
});

export const CONTAINER_TABLE: readonly ContainerRow[] = [
  {
    tableName: 'api-service', dockerNames: ['api-service'], role: 'GraphQL API feeding most of the web UI',
    impact: 'many parts of the UI (e.g. Contexts) fail completely', severity: 'severe',
    dependsOn: [...PF, 'contexts-service-migrator', 'contexts-service', 'vault-cci'],
  },
  {
    tableName: 'audit-log-service', dockerNames: ['audit-log-service'], role: 'persists audit log events to blob storage',
    impact: 'some events may not be recorded', severity: 'mild', dependsOn: PF,
  },
  {
    tableName: 'contexts-service', dockerNames: ['contexts-service'], role: 'stores and provides encrypted contexts',
    impact: 'all builds using contexts fail', severity: 'moderate', dependsOn: [...PF, 'contexts-service-migrator', 'vault-cci'],
  },
  migrator('contexts-service'),
  {
    tableName: 'cron-service', dockerNames: ['cron-service'], role: 'triggers scheduled workflows',
    impact: 'scheduled workflows do not run', severity: 'moderate', dependsOn: [...PF, 'cron-service-migrator'],
  },
  migrator('cron-service'),
  {
    tableName: 'domain-service', dockerNames: ['domain-service'], role: 'stores the domain model',
    impact: 'workflows fail to start; some REST calls fail (500s in the UI)', severity: 'moderate', dependsOn: [...PF, 'domain-service-migrator'],
  },
  migrator('domain-service'),
  { tableName: 'exim', dockerNames: ['exim'], role: 'outbound SMTP (mail transfer agent)', impact: 'no email notifications', severity: 'mild', dependsOn: [] },
  {
    tableName: 'federation-service', dockerNames: ['federations-service', 'federation-service'], role: 'user identities (LDAP)',
    impact: 'with LDAP: all logins fail, some REST calls fail',
    severity: { setting: 'ldap', ifSet: 'severe', ifUnset: 'mild', text: 'severe if LDAP is used, else mild' },
    dependsOn: [...PF, 'federation-service-migrator'],
  },
  migrator('federation-service', 'federations-service'),
  {
    tableName: 'fileserved', dockerNames: ['fileserved'],
    role: 'file storage replacing S3 outside AWS: step output, artifacts, test results, caches, workspaces',
    impact: 'without S3: builds produce no output, some REST calls fail',
    severity: { setting: 's3', ifSet: 'mild', ifUnset: 'severe', text: 'severe if S3 is not used, else mild' },
    dependsOn: [],
  },
  {
    tableName: 'frontend', dockerNames: ['frontend'], role: 'web app and www-api proxy',
    impact: 'UI and REST API down; no jobs triggered from GitHub; running builds go on unseen', severity: 'severe', dependsOn: ['postgres'],
  },
  {
    tableName: 'mongo', dockerNames: ['mongo'], role: 'Mongo data store', impact: 'potential total data loss; running builds fail; UI down',
    severity: 'severe', dependsOn: ['mongodb-upgrader'], externalizable: true,
  },
  { tableName: 'nomad-metrics', dockerNames: ['nomad-metrics'], role: 'polls the Nomad server, sends stats to statsd', impact: 'Nomad metrics lost', severity: 'mild', dependsOn: [] },
  {
    tableName: 'output-processor', dockerNames: ['picard-output-processor', 'output-processor'],
    role: 'writes job output and status to MongoDB; API for caches, workspaces, artifacts, test results',
    impact: 'running builds fail or are left inconsistent; loss of step output, test results, artifacts', severity: 'severe', dependsOn: [],
  },
  {
    tableName: 'permissions-service', dockerNames: ['permissions-service'], role: 'permissions interface',
    impact: 'workflows fail to start; some REST calls fail', severity: 'moderate', dependsOn: [...PF, 'permissions-service-migrator'],
  },
  migrator('permissions-service'),
  {
    tableName: 'picard-dispatcher', dockerNames: ['picard-dispatcher'], role: 'splits jobs into tasks for the scheduler',
    impact: 'no jobs sent to Nomad; run queue grows; no meaningful data loss', severity: 'moderate', dependsOn: [],
  },
  {
    tableName: 'postgres', dockerNames: ['postgres'], aka: ['postgres-script-enhance'], role: 'PostgreSQL, creates databases for containers',
    impact: 'potential total data loss; running builds fail; UI down', severity: 'severe', dependsOn: [], externalizable: true,
  },
  {
    tableName: 'rabbitmq', dockerNames: ['rabbitmq'], aka: ['rabbitmq-delayed'], role: 'queueing for most services',
    impact: 'potential total data loss; running builds fail; UI down', severity: 'severe', dependsOn: [], externalizable: true,
  },
  {
    tableName: 'redis', dockerNames: ['redis'], aka: ['outputRunningRedis'], role: 'key/value store',
    impact: 'output of running steps lost; GitHub API calls may fail', severity: 'moderate', dependsOn: [], externalizable: true,
  },
  {
    tableName: 'scheduler', dockerNames: ['picard-scheduler', 'scheduler'], role: 'sends tasks to the Nomad server',
    impact: 'no jobs sent to Nomad; run queue grows', severity: 'moderate', dependsOn: [],
  },
  {
    tableName: 'mongodb-upgrader', dockerNames: ['mongodb-upgrader', 'server-mongo-upgrader'], aka: ['server-mongo-upgrader'],
    role: 'Mongo upgrade scripts', impact: 'not needed all the time', severity: 'mild', dependsOn: [], oneShot: true,
  },
  {
    tableName: 'nomad_server', dockerNames: ['nomad', 'server-nomad'], aka: ['server-nomad'], role: 'Nomad primary',
    impact: 'no 2.0 build jobs run', severity: 'severe', dependsOn: [], externalizable: true,
  },
  {
    tableName: 'ready-agent', dockerNames: ['ready-agent', 'server-ready-agent'], aka: ['server-ready-agent'],
    role: 'tells Replicated whether containers are ready', impact: 'needed at start-up only; missing then, the whole system fails',
    severity: 'mild', dependsOn: [],
  },
  {
    tableName: 'server-usage-stats', dockerNames: ['usage-stats', 'server-usage-stats'], role: 'phones home the user count',
    impact: 'no usage stats sent; no effect on operation', severity: 'mild', dependsOn: [],
  },
  {
    tableName: 'shutdown-hook-poller', dockerNames: ['shutdown-hook-poller'], role: 'checks frontend for 1.0 Builder shutdown requests',
    impact: '1.0 Builder lifecycles unmanaged; jobs go on', severity: 'mild', dependsOn: [],
  },
  { tableName: 'slanger', dockerNames: ['slanger'], role: 'real-time events to the app', impact: 'live UI updates stop; refresh still works', severity: 'mild', dependsOn: [] },
  { tableName: 'telegraf', dockerNames: ['telegraf'], role: 'statsd forwarding agent', impact: 'metrics stop; jobs go on', severity: 'mild', dependsOn: [] },
  {
    tableName: 'tutum/logrotate', dockerNames: ['logrotate', 'tutum-logrotate'], aka: ['tutum/logrotate'], role: 'rotates container logs',
    impact: 'if down for long, the disk fills and other services fail', severity: 'moderate', dependsOn: [],
  },
  {
    tableName: 'test-results', dockerNames: ['test-results'], role: 'parses and stores test result files',
    impact: 'no test failure/timing data (back-filled after restart)', severity: 'mild', dependsOn: [],
  },
  {
    tableName: 'vault-cci', dockerNames: ['vault-cci', 'contexts-vault'], aka: ['contexts-vault'],
    role: 'HashiCorp Vault: keys and encryption for contexts-service', impact: 'contexts-service stops; jobs using contexts fail',
    severity: 'moderate', dependsOn: [], externalizable: true,
  },
  {
    tableName: 'vm-gc', dockerNames: ['vm-gc'], role: 'asks vm-service to remove stale machine / remote Docker instances',
    impact: 'old instances linger until it restarts', severity: 'mild', dependsOn: ['vm-service-db-migrator'],
  },
  {
    tableName: 'vm-scaler', dockerNames: ['vm-scaler'], role: 'asks vm-service to provision instances',
    impact: 'machine / remote Docker capacity runs out', severity: 'moderate', dependsOn: ['vm-service-db-migrator'],
  },
  {
    tableName: 'vm-service', dockerNames: ['vm-service'], role: 'inventory and provisioning of VM instances',
    impact: 'machine and remote Docker jobs fail', severity: 'moderate', dependsOn: ['vm-service-db-migrator'],
  },
  {
    tableName: 'vm-service-db-migrator', dockerNames: ['vm-service-db-migrator'], role: 'migrations for vm-service',
    impact: 'only runs at start-up', severity: 'mild', dependsOn: [], oneShot: true,
  },
  {
    tableName: 'workflows-conductor', dockerNames: ['workflows-conductor'], role: 'coordinates workflows',
    impact: 'no new workflows start; running ones may end inconsistent; some REST and GraphQL calls fail', severity: 'severe',
    dependsOn: [...PF, 'workflows-conductor-migrator'],
  },
  migrator('workflows-conductor'),
];

/**
 * Containers a Services machine runs that the guide's table does not list
 * (admin-commands.md §6): shown, never judged.
 */
export const UNLISTED_CONTAINERS: Readonly<Record<string, string>> = {
  dispatcher: 'CircleCI 1.0 dispatcher',
  'legacy-notifier': 'CircleCI 1.0 notifications',
  'slanger-redis': 'Redis for slanger',
  replicated: 'Replicated daemon',
  'replicated-ui': 'Replicated admin console (port 8800)',
  'replicated-operator': 'Replicated operator',
  'replicated-premkit': 'Replicated premkit',
  'replicated-statsd': 'Replicated statsd',
};

const byTable = new Map(CONTAINER_TABLE.map((r) => [r.tableName, r]));
const byDocker = new Map<string, ContainerRow>();
for (const row of CONTAINER_TABLE) for (const n of [...row.dockerNames, ...(row.aka ?? [])]) byDocker.set(n, row);

export function rowByTableName(name: string): ContainerRow | undefined {
  return byTable.get(name);
}

/**
 * The table row of a container seen in `docker ps`: by its name, else by its
 * image (`circleci/postgres-script-enhance:…`, `tutum/logrotate`).
 */
export function rowForContainer(name: string, image = ''): ContainerRow | undefined {
  const direct = byDocker.get(name) ?? byTable.get(name);
  if (direct) return direct;
  const repo = image.replace(/[:@].*$/, '');
  const last = repo.split('/').pop() ?? '';
  return byTable.get(repo) ?? byDocker.get(repo) ?? (last ? byDocker.get(last) : undefined);
}

/** The severity that applies to this installation, and why (for a conditional one). */
export function resolveSeverity(row: ContainerRow, settings: InstallSettings): { severity: Severity; note?: string } {
  const s = row.severity;
  if (typeof s === 'string') return { severity: s };
  const value = settings[s.setting];
  const what = s.setting === 'ldap' ? 'LDAP' : 'S3';
  if (value === null) {
    // Could not tell: assume the worse, and say so.
    const worse = SEVERITIES.indexOf(s.ifSet) < SEVERITIES.indexOf(s.ifUnset) ? s.ifSet : s.ifUnset;
    return { severity: worse, note: `${s.text}; could not tell whether ${what} is used, so assumed ${worse}` };
  }
  return { severity: value ? s.ifSet : s.ifUnset, note: `${s.text}: ${what} ${value ? 'is' : 'is not'} used` };
}

/** Table rows that list `tableName` among their start-up dependencies (directly). */
export function directDependents(tableName: string): ContainerRow[] {
  return CONTAINER_TABLE.filter((r) => r.dependsOn.includes(tableName));
}

/** Everything downstream of `tableName`: what a failure of it takes down, nearest first. */
export function downstreamOf(tableName: string): string[] {
  const seen = new Set<string>();
  let frontier = [tableName];
  while (frontier.length) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const d of directDependents(t)) {
        if (d.tableName !== tableName && !seen.has(d.tableName)) {
          seen.add(d.tableName);
          next.push(d.tableName);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

/** Every start-up dependency of `tableName`, transitively. */
export function upstreamOf(tableName: string): string[] {
  const seen = new Set<string>();
  const visit = (t: string) => {
    for (const d of byTable.get(t)?.dependsOn ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
    }
  };
  visit(tableName);
  return [...seen];
}

/** The name to show for a row: its usual `docker ps` name. */
export function dockerName(row: ContainerRow): string {
  return row.dockerNames[0];
}
