/**
 * AWS credentials the way AWS users expect, in an explicit order, without
 * the instance metadata service or the ECS endpoint unless the profile opts
 * in: an air-gapped laptop must never wait on 169.254.169.254.
 *
 *   keys typed in the GUI (memory only) → the chosen ~/.aws profile alone →
 *   else the environment, then the default ~/.aws profile (SSO cache,
 *   credential_process and assume-role all come through fromIni) →
 *   with --imds: the ECS container endpoint, then IMDS.
 */
import { fromContainerMetadata, fromEnv, fromIni, fromInstanceMetadata } from '@aws-sdk/credential-providers';
import type { AwsKeys } from '../../../../../shared/backup/profile';
import { DrydockError } from '../../../../../shared/errors';

export interface CredentialOptions {
  awsProfile?: string;
  imds: boolean;
  keys?: AwsKeys;
}

interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

interface Source {
  name: string;
  provider: AwsCredentialIdentityProvider;
}

export interface Credentials {
  provider: AwsCredentialIdentityProvider;
  /** Which source answered last ("environment", "profile sso-admin in ~/.aws", …). */
  source(): string | undefined;
  /** The sources tried, in order, for messages. */
  readonly order: string[];
}

export function credentialChain(options: CredentialOptions): Credentials {
  const sources: Source[] = [];
  if (options.keys) {
    const keys = options.keys;
    sources.push({ name: 'keys entered for this session', provider: async () => ({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}) }) });
  } else if (options.awsProfile) {
    sources.push({ name: `profile ${options.awsProfile} in ~/.aws`, provider: fromIni({ profile: options.awsProfile, ignoreCache: true }) });
  } else {
    sources.push({ name: 'environment (AWS_ACCESS_KEY_ID…)', provider: fromEnv() });
    sources.push({ name: `profile ${process.env.AWS_PROFILE ?? 'default'} in ~/.aws`, provider: fromIni({ ignoreCache: true }) });
  }
  if (options.imds) {
    sources.push({ name: 'ECS container endpoint', provider: fromContainerMetadata({ timeout: 1000, maxRetries: 0 }) });
    sources.push({ name: 'instance metadata service (IMDS)', provider: fromInstanceMetadata({ timeout: 1000, maxRetries: 0 }) });
  }
  let answered: string | undefined;
  const provider: AwsCredentialIdentityProvider = async () => {
    const tried: string[] = [];
    for (const s of sources) {
      try {
        const creds: AwsCredentialIdentity = await s.provider();
        answered = s.name;
        return creds;
      } catch (err) {
        tried.push(`${s.name}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const hint = options.imds ? '' : ' (the instance metadata service is not asked: add --imds to the profile when Drydock runs on an EC2 instance with a role)';
    throw new DrydockError('AUTH_FAILED', `No AWS credentials found. Tried: ${tried.join('; ')}${hint}`);
  };
  return { provider, source: () => answered, order: sources.map((s) => s.name) };
}
