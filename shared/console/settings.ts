/**
 * The management console settings Drydock sets headless, in the guide's
 * words, and how each is found on the console's settings screen: by the
 * group and item titles and the item type that `replicatedctl app-config
 * view` lists, never by a guessed item name. Pure: the engine reads the view
 * over SSH, the GUI shows plans; both use these rules.
 */
import { z } from 'zod';

export interface ViewItem {
  name: string;
  title: string;
  type: string;
  value?: string;
  default?: string;
  hidden?: boolean;
  items?: { name: string; title: string }[];
}
export interface ViewGroup {
  name: string;
  title: string;
  items: ViewItem[];
}

export type SettingKind = 'bool' | 'text' | 'count' | 'secret' | 'choice';

export interface SettingSpec {
  key: string;
  label: string;
  kind: SettingKind;
  group: RegExp;
  title: RegExp;
  /** The item types this setting can be (bool is a checkbox, password a masked text box). */
  types: string[];
  /** For a choice: our word → a pattern on the option's title as view lists it. */
  choices?: Record<string, RegExp>;
  /** The console page an admin uses when the item is not on this installation's screen. */
  page: string;
}

const settingsPage = (anchor: string) => `https://<services>:8800/settings#${anchor}`;

export const SETTINGS: SettingSpec[] = [
  { key: 'metrics.cloudwatch.enabled', label: 'AWS CloudWatch metrics', kind: 'bool', group: /cloudwatch/i, title: /^enabled?$/i, types: ['bool'], page: settingsPage('cloudwatch_metrics') },
  {
    key: 'metrics.cloudwatch.auth',
    label: 'CloudWatch authentication',
    kind: 'choice',
    group: /cloudwatch/i,
    title: /auth|credential/i,
    types: ['select_one'],
    choices: { 'instance-profile': /instance profile|iam/i, keys: /access key/i },
    page: settingsPage('cloudwatch_metrics'),
  },
  { key: 'metrics.cloudwatch.region', label: 'CloudWatch region', kind: 'text', group: /cloudwatch/i, title: /region/i, types: ['text'], page: settingsPage('cloudwatch_metrics') },
  { key: 'metrics.cloudwatch.namespace', label: 'CloudWatch namespace', kind: 'text', group: /cloudwatch/i, title: /namespace/i, types: ['text'], page: settingsPage('cloudwatch_metrics') },
  { key: 'metrics.cloudwatch.access-key-id', label: 'CloudWatch access key ID', kind: 'text', group: /cloudwatch/i, title: /access key/i, types: ['text'], page: settingsPage('cloudwatch_metrics') },
  { key: 'metrics.cloudwatch.secret-key', label: 'CloudWatch secret key', kind: 'secret', group: /cloudwatch/i, title: /secret/i, types: ['password'], page: settingsPage('cloudwatch_metrics') },
  { key: 'metrics.datadog.enabled', label: 'DataDog metrics', kind: 'bool', group: /datadog/i, title: /^enabled?$/i, types: ['bool'], page: settingsPage('datadog_metrics') },
  { key: 'metrics.datadog.api-key', label: 'DataDog API key', kind: 'secret', group: /datadog/i, title: /api key/i, types: ['password'], page: settingsPage('datadog_metrics') },
  {
    key: 'artifacts.unsafe-content-types',
    label: 'Serve artifacts with unsafe content types',
    kind: 'bool',
    group: /artifact/i,
    title: /unsafe content/i,
    types: ['bool'],
    page: settingsPage('artifacts'),
  },
  { key: 'vm.preallocated.machine', label: 'Preallocated machine instances', kind: 'count', group: /vm/i, title: /preallocated.*machine/i, types: ['text'], page: settingsPage('vm_service') },
  { key: 'vm.preallocated.remote-docker', label: 'Preallocated remote Docker instances', kind: 'count', group: /vm/i, title: /preallocated.*remote docker/i, types: ['text'], page: settingsPage('vm_service') },
  {
    key: 'usage-stats.enabled',
    label: 'Send usage statistics to CircleCI',
    kind: 'bool',
    group: /usage stat/i,
    title: /usage statistics/i,
    types: ['bool'],
    page: settingsPage('usage_statistics'),
  },
];

/** Not a console item: the admin says Docker Layer Caching is used, so the guide's rule applies. */
export const DLC_KEY = 'vm.docker-layer-caching';

export function specFor(key: string): SettingSpec | undefined {
  return SETTINGS.find((s) => s.key === key);
}

export type Located = { spec: SettingSpec; item: ViewItem; group: ViewGroup } | { spec: SettingSpec; missing: string };

/** The one item of the view this setting is; missing (with why) when there is none or more than one. */
export function locate(view: ViewGroup[], spec: SettingSpec): Located {
  const hits = view
    .filter((g) => spec.group.test(g.title) || spec.group.test(g.name))
    .flatMap((group) => group.items.filter((i) => spec.title.test(i.title) && spec.types.includes(i.type)).map((item) => ({ group, item })));
  if (hits.length === 1) return { spec, ...hits[0] };
  return {
    spec,
    missing: hits.length
      ? `${hits.length} items match "${spec.label}" (${hits.map((h) => `${h.group.title} › ${h.item.title}`).join(', ')}); set it on the console page ${spec.page}`
      : `This installation's console has no "${spec.label}" item; set it on the console page ${spec.page}`,
  };
}

/** Our value (true, 3, instance-profile) → what Replicated stores for this item. */
export function toConsoleValue(located: Extract<Located, { item: ViewItem }>, raw: string): string {
  const { spec, item } = located;
  const v = raw.trim();
  switch (spec.kind) {
    case 'bool':
      if (/^(true|on|yes|1)$/i.test(v)) return '1';
      if (/^(false|off|no|0)$/i.test(v)) return '0';
      throw new Error(`${spec.key}: true or false, not "${raw}"`);
    case 'count':
      if (!/^\d{1,4}$/.test(v)) throw new Error(`${spec.key}: a number of instances (0 or more), not "${raw}"`);
      return String(Number(v));
    case 'choice': {
      const pattern = spec.choices?.[v];
      const option = pattern && item.items?.find((o) => pattern.test(o.title));
      if (!option) throw new Error(`${spec.key}: one of ${Object.keys(spec.choices ?? {}).join(', ')}${pattern ? ` (this console lists ${item.items?.map((o) => o.title).join(', ')})` : ''}, not "${raw}"`);
      return option.name;
    }
    case 'text':
      if (spec.key.endsWith('.region') && v && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v)) throw new Error(`${spec.key}: an AWS region such as eu-west-1, not "${raw}"`);
      if (/[\n\r]/.test(v)) throw new Error(`${spec.key}: one line`);
      return v;
    case 'secret':
      if (!v || /[\s]/.test(v)) throw new Error(`${spec.key}: a key without spaces`);
      return v;
  }
}

/** What the admin reads for a stored value: true/false, the choice's word, secrets as "set"/"not set". */
export function showValue(located: Extract<Located, { item: ViewItem }>, stored: string): string {
  const { spec, item } = located;
  const effective = stored === '' ? (item.default ?? '') : stored;
  switch (spec.kind) {
    case 'bool':
      return effective === '1' ? 'true' : 'false';
    case 'secret':
      return effective ? '•••••• (set)' : '(not set)';
    case 'choice': {
      const title = item.items?.find((o) => o.name === effective)?.title ?? effective;
      return Object.entries(spec.choices ?? {}).find(([, p]) => p.test(title))?.[0] ?? title;
    }
    default:
      return effective;
  }
}

/** `key=value` as typed on the CLI or sent by the form. */
export function parseAssignments(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`"${a}" is not KEY=VALUE`);
    const key = a.slice(0, eq);
    if (key !== DLC_KEY && !specFor(key)) throw new Error(`unknown setting "${key}"; known: ${[...SETTINGS.map((s) => s.key), DLC_KEY].join(', ')}`);
    out[key] = a.slice(eq + 1);
  }
  return out;
}

export const SettingsChangesSchema = z.record(z.string().max(100), z.string().max(4096));

export const SettingChangeSchema = z.object({
  key: z.string(),
  label: z.string(),
  item: z.string(),
  where: z.string(),
  from: z.string(),
  to: z.string(),
  changed: z.boolean(),
  secret: z.boolean(),
});
export type SettingChange = z.infer<typeof SettingChangeSchema>;

export const SettingsPlanSchema = z.object({
  services: z.string(),
  changes: z.array(SettingChangeSchema),
  /** Items this installation's console does not have: nothing is written while there are any. */
  missing: z.array(z.object({ key: z.string(), message: z.string() })),
  /** Rule breaks (the guide's DLC rule): nothing is written while there are any. */
  problems: z.array(z.string()),
  notes: z.array(z.string()),
  /** Refused at apply if the config changed since this plan. */
  fingerprint: z.string(),
});
export type SettingsPlan = z.infer<typeof SettingsPlanSchema>;

/** The guide: "If DLC is to be used … both remote Docker and machine preallocated instance fields must be set to 0". */
export function dlcProblems(dlcUsed: boolean, machine: number, remoteDocker: number): string[] {
  if (!dlcUsed || (machine === 0 && remoteDocker === 0)) return [];
  return [
    `Docker Layer Caching needs on-demand VM Service instances: preallocated machine (${machine}) and remote Docker (${remoteDocker}) instances must both be 0 (guide, "On Demand and Preallocated Instances").`,
  ];
}
