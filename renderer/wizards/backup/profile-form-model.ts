/**
 * The new backup profile form's values and how they become the request
 * `backup:profile-set` takes, the same request `drydock backup profile set`
 * sends for the same values: a field left blank is not sent, so the
 * engine's own defaults apply as they do for the CLI. Validation is the
 * contract's ProfileInputSchema itself, so the form cannot accept what the
 * engine refuses; the engine's INVALID_INPUT answer lands on the same fields.
 */
import { AwsKeysSchema } from '../../../shared/backup/profile';
import { ProfileInputSchema } from '../../../shared/channels/backup';
import type { RequestOf } from '../../../shared/contract';

export type Provider = 'aws' | 'libvirt';

export interface ProfileFormValues {
  provider: Provider;
  name: string;
  // AWS
  instance: string;
  region: string;
  endpoint: string;
  awsProfile: string;
  tunnelVia: string;
  imds: boolean;
  spareInstance: string;
  accessKeyId: string;
  secretAccessKey: string;
  // libvirt
  hypervisor: string;
  domain: string;
  uri: string;
  storeHost: string;
  storeDir: string;
  spareHypervisor: string;
  spareDomain: string;
}

export type ProfileField = Exclude<keyof ProfileFormValues, 'provider' | 'imds'>;
export type ProfileErrors = Partial<Record<ProfileField, string>>;

export const EMPTY_PROFILE_FORM: ProfileFormValues = {
  provider: 'aws',
  name: 'prod',
  instance: '',
  region: 'us-east-1',
  endpoint: '',
  awsProfile: '',
  tunnelVia: '',
  imds: false,
  spareInstance: '',
  accessKeyId: '',
  secretAccessKey: '',
  hypervisor: '',
  domain: '',
  uri: 'qemu:///system',
  storeHost: '',
  storeDir: '',
  spareHypervisor: '',
  spareDomain: '',
};

const FIELDS = Object.keys(EMPTY_PROFILE_FORM).filter((k) => k !== 'provider' && k !== 'imds') as ProfileField[];

export type ProfileRequest = RequestOf<'backup:profile-set'>;

/** Only what the admin filled in, trimmed (the CLI sends only the options given). */
const opt = <K extends string>(key: K, value: string) => (value.trim() ? ({ [key]: value.trim() } as Record<K, string>) : {});

export function toProfileRequest(v: ProfileFormValues): ProfileRequest {
  if (v.provider === 'libvirt') {
    return {
      name: v.name.trim(),
      provider: 'libvirt',
      hypervisor: v.hypervisor.trim(),
      domain: v.domain.trim(),
      ...opt('uri', v.uri),
      store: { host: v.storeHost.trim(), dir: v.storeDir.trim() },
      ...opt('spareHypervisor', v.spareHypervisor),
      ...opt('spareDomain', v.spareDomain),
    };
  }
  return {
    name: v.name.trim(),
    provider: 'aws',
    instance: v.instance.trim(),
    ...opt('region', v.region),
    ...opt('endpoint', v.endpoint),
    ...opt('awsProfile', v.awsProfile),
    imds: v.imds,
    ...opt('tunnelVia', v.tunnelVia),
    ...opt('spareInstance', v.spareInstance),
  };
}

/** Keys typed for the session, if any (never part of the profile). */
export function sessionKeys(v: ProfileFormValues): { accessKeyId: string; secretAccessKey: string } | null {
  if (v.provider !== 'aws' || (!v.accessKeyId.trim() && !v.secretAccessKey)) return null;
  return { accessKeyId: v.accessKeyId.trim(), secretAccessKey: v.secretAccessKey };
}

/** Where an issue of the request lands in the form (`store.host` is the store host field). */
function fieldOf(path: readonly PropertyKey[]): ProfileField | undefined {
  const key = path[0] === 'store' ? (path[1] === 'host' ? 'storeHost' : path[1] === 'dir' ? 'storeDir' : undefined) : typeof path[0] === 'string' ? path[0] : undefined;
  return key && (FIELDS as string[]).includes(key) ? (key as ProfileField) : undefined;
}

function besideField(message: string): string {
  return /^[^A-Z]/.test(message) ? `Must be ${message}` : message;
}

/** Every field's first problem, by the contract's schema (and the session keys' schema when keys are typed). */
export function validateProfile(v: ProfileFormValues): ProfileErrors {
  const errors: ProfileErrors = {};
  const put = (path: readonly PropertyKey[], message: string) => {
    const field = fieldOf(path);
    if (field && !errors[field]) errors[field] = besideField(message);
  };
  // A host not chosen yet: say so, not the host name rule.
  if (v.provider === 'libvirt') for (const f of ['hypervisor', 'storeHost'] as const) if (!v[f].trim()) errors[f] = 'Choose a host from the inventory';
  const result = ProfileInputSchema.safeParse(toProfileRequest(v));
  for (const issue of result.success ? [] : result.error.issues) put(issue.path, issue.message);
  const keys = sessionKeys(v);
  if (keys) {
    const checked = AwsKeysSchema.safeParse(keys);
    for (const issue of checked.success ? [] : checked.error.issues) put(issue.path, issue.message);
  }
  return errors;
}

/** The engine's INVALID_INPUT details (`fields[].path/message`) as field errors; a host not in the inventory lands on the host fields. */
export function profileErrorsFromDetails(details: Record<string, unknown> | undefined, v?: ProfileFormValues): ProfileErrors {
  const errors: ProfileErrors = {};
  const fields = Array.isArray(details?.fields) ? (details.fields as unknown[]) : [];
  for (const f of fields) {
    const { path, message } = (f ?? {}) as { path?: unknown; message?: unknown };
    if (!Array.isArray(path) || typeof message !== 'string') continue;
    if (path[0] === 'host' && v) {
      // "<host>: not in the inventory": every host field naming it.
      const host = message.split(':')[0];
      for (const field of ['hypervisor', 'storeHost', 'spareHypervisor', 'tunnelVia'] as const) if (v[field].trim() === host && !errors[field]) errors[field] = message;
      continue;
    }
    const field = fieldOf(path as PropertyKey[]);
    if (field && !errors[field]) errors[field] = besideField(message);
  }
  return errors;
}
