/**
 * Backup profiles: where the Services machine's disks live and how to reach
 * the API or hypervisor that snapshots them. Kept in DRYDOCK_HOME, never with
 * a secret: AWS keys come from the environment, ~/.aws, or are typed in the
 * GUI for the session only.
 */
import { z } from 'zod';
import { HostName } from '../hosts';

export const ProfileName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'letters, digits, ".", "_" and "-", up to 63 characters, starting with a letter or digit');

/** An instance id, a private IPv4 address, or a Name tag. */
export const InstanceRef = z
  .string()
  .min(1, 'an instance id (i-…), a private IP address or a Name tag')
  .max(255)
  .regex(/^[^\s,*?]+$/, 'an instance id (i-…), a private IP address or a Name tag, without spaces or wildcards');

export const AwsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1 or us-gov-west-1');

const HttpUrl = z.string().regex(/^https?:\/\/[A-Za-z0-9.[\]:_-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/, 'an http:// or https:// URL such as https://vpce-123.ec2.us-east-1.vpce.amazonaws.com');

export const InstallationId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'lowercase letters, digits and "-", 3 to 63 characters');

export const AwsProfileSchema = z
  .object({
    name: ProfileName,
    provider: z.literal('aws'),
    /** Tags every snapshot, so the catalog and prune only ever touch this installation's backups. */
    installationId: InstallationId,
    instance: InstanceRef,
    region: AwsRegion.default('us-east-1'),
    endpoint: HttpUrl.optional(),
    /** PEM file on this computer, for TLS-inspecting proxies. */
    caBundle: z.string().min(1).optional(),
    /** A profile in ~/.aws (SSO, credential_process, assume-role all work). */
    awsProfile: z.string().regex(/^[A-Za-z0-9._+=,@-]{1,64}$/, 'a profile name from ~/.aws/config').optional(),
    /** Let the SDK ask the instance metadata service (Drydock itself runs on EC2). */
    imds: z.boolean().default(false),
    /** Inventory host whose SSH connection carries the API traffic (a laptop with no route to EC2). */
    tunnelVia: HostName.optional(),
    spareInstance: InstanceRef.optional(),
  })
  .strict();

export const StoreRef = z.object({ host: HostName, dir: z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'an absolute directory path without spaces') }).strict();

export const LibvirtProfileSchema = z
  .object({
    name: ProfileName,
    provider: z.literal('libvirt'),
    installationId: InstallationId,
    hypervisor: HostName,
    domain: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a libvirt domain name'),
    uri: z.string().regex(/^[a-z+]+:\/\/[^\s]*$/, 'a libvirt URI such as qemu:///system').default('qemu:///system'),
    store: StoreRef,
    spareHypervisor: HostName.optional(),
    spareDomain: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a libvirt domain name').optional(),
  })
  .strict();

export const BackupProfileSchema = z.discriminatedUnion('provider', [AwsProfileSchema, LibvirtProfileSchema]);
export type BackupProfile = z.output<typeof BackupProfileSchema>;
export type AwsProfile = z.output<typeof AwsProfileSchema>;
export type LibvirtProfile = z.output<typeof LibvirtProfileSchema>;

/** AWS keys typed in the GUI: memory only (the runbook on disk never holds them). */
export const AwsKeysSchema = z
  .object({
    accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'an access key id such as AKIA…'),
    secretAccessKey: z.string().min(1, 'the secret access key'),
    sessionToken: z.string().optional(),
  })
  .strict();
export type AwsKeys = z.output<typeof AwsKeysSchema>;

export const BACKUP_MODES = ['live', 'consistent'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** Tag keys on every snapshot (EBS) and fields of every manifest (libvirt). */
export const TAG = {
  name: 'Name',
  installation: 'drydock:installation',
  profile: 'drydock:profile',
  run: 'drydock:run',
  mode: 'drydock:mode',
  version: 'drydock:version',
  createdBy: 'drydock:created-by',
  sourceMachine: 'drydock:source-machine',
  sourceDisk: 'drydock:source-disk',
  device: 'drydock:device',
  root: 'drydock:root',
  privateAddress: 'drydock:private-address',
  publicAddress: 'drydock:public-address',
} as const;
