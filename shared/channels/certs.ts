/**
 * Certificate channels (see electron/engine/operations/certs). Certificates
 * travel as plain data (subject, issuer, fingerprints, PEM of the public
 * certificate); private keys never reach the renderer: generated and
 * collected keys stay in DRYDOCK_HOME/certs/<bundle>/key.pem on the laptop.
 */
import { z } from 'zod';
import { CaBundle, DnsResolver } from '../certs/certbot-options';
import { HostAddress, HostName, isHostAddress, isIpAddress, Port } from '../hosts';

export const KEY_TYPES = ['rsa2048', 'rsa3072', 'rsa4096', 'p256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A DNS name (no IPs) as a certificate's CN: what CircleCI's hostname setting holds. */
export const DnsName = z
  .string()
  .trim()
  .refine((v) => isHostAddress(v) && !isIpAddress(v), 'a DNS name such as ci.example.com');
export const SanEntry = z.string().trim().refine(isHostAddress, 'a DNS name or an IP address');
export const CaName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/i, 'letters, digits, "_" and "-", up to 41 characters');
export const BundleId = z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'a certificate id as `drydock cert list` shows it');
export const RunId = z.string().regex(/^[A-Za-z0-9-]+$/);
const Sha256 = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'SHA-256 fingerprint, AA:BB:…');

export const CertificateInfoSchema = z.object({
  subject: z.string(),
  commonName: z.string().nullable(),
  issuer: z.string(),
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  daysLeft: z.number(),
  /** `AA:BB:…`, as `openssl x509 -fingerprint -sha256` prints it. */
  sha256: Sha256,
  sans: z.array(z.string()),
  isCA: z.boolean(),
  selfSigned: z.boolean(),
  keyType: z.string(),
  pem: z.string(),
});
export type CertificateInfo = z.infer<typeof CertificateInfoSchema>;

/** `replaced`: what Replicated held before an install, kept so the install can be undone. */
export const BUNDLE_SOURCES = ['self-signed', 'internal-ca', 'certbot', 'imported', 'replaced'] as const;
export const BundleSchema = z.object({
  id: BundleId,
  hostname: z.string(),
  source: z.enum(BUNDLE_SOURCES),
  ca: z.string().optional(),
  createdAt: z.string(),
  /** Folder on the laptop holding cert.pem (full chain, leaf first) and key.pem (0600). */
  dir: z.string(),
  /** Renew before this day: 30 days ahead of expiry. Manual (certbot) certificates never renew themselves. */
  renewBy: z.string(),
  chain: z.array(CertificateInfoSchema).min(1),
});
export type Bundle = z.infer<typeof BundleSchema>;

export const CaSchema = z.object({
  name: CaName,
  subject: z.string(),
  createdAt: z.string(),
  notAfter: z.string(),
  sha256: Sha256,
  /** The CA certificate to hand to browsers and Nomad clients. */
  certPath: z.string(),
});
export type CaSummary = z.infer<typeof CaSchema>;

/** What the certificate paths learn about the installation on the Services machine (read-only). */
export const InstallationSchema = z.object({
  services: z.string(),
  /** False when the Services machine answered but has no replicatedctl: nothing can be installed yet. */
  replicated: z.boolean(),
  /** The hostname CircleCI is set up for: the app config's, else CIRCLE_URL's. */
  hostname: z.string().nullable(),
  hostnameFrom: z.enum(['app-config', 'CIRCLE_URL']).nullable(),
  appConfigHostname: z.string().nullable(),
  circleUrlHostname: z.string().nullable(),
});
export type Installation = z.infer<typeof InstallationSchema>;

export const TrustCaClientSchema = z.object({ host: z.string(), ok: z.boolean(), changed: z.boolean().optional(), error: z.string().optional() });

export const TxtRecordSchema = z.object({ name: z.string(), value: z.string() });

const services = { services: HostName.optional() };
/** A new internal CA's key passphrase: its key signs what every client trusts. */
const CaPassphrase = z.string().min(12, 'at least 12 characters');

export const GenerateRequestSchema = z
  .object({
    hostname: DnsName,
    sans: z.array(SanEntry).max(100).default([]),
    days: z.number().int().min(1).max(3650).default(365),
    key: z.enum(KEY_TYPES).default('rsa2048'),
    /** Issue from this internal CA instead of self-signing. */
    ca: CaName.optional(),
    caPassphrase: z.string().optional(),
    /** Also write cert.pem and key.pem here (the CLI's --out). */
    out: z.string().min(1).optional(),
    /** Compare the CN with this Services machine's configured hostname when it answers. */
    ...services,
    offline: z.boolean().default(false),
  })
  .strict();

export const VerifyEndpointSchema = z.object({
  port: z.number(),
  reachable: z.boolean(),
  presented: CertificateInfoSchema.nullable(),
  matchesInstalled: z.boolean().nullable(),
  hostnameMatches: z.boolean().nullable(),
  daysLeft: z.number().nullable(),
  error: z.string().optional(),
});

export const certChannels = {
  /** Self-signed or internal-CA certificate, made on the laptop (offline). */
  'certs:generate': {
    request: GenerateRequestSchema,
    response: z.object({ bundle: BundleSchema, files: z.object({ cert: z.string(), key: z.string() }), configuredHostname: z.string().nullable(), notes: z.array(z.string()) }),
  },
  'certs:ca-create': {
    request: z.object({ name: CaName, passphrase: CaPassphrase, days: z.number().int().min(30).max(7300).default(3650), key: z.enum(KEY_TYPES).default('rsa3072') }).strict(),
    response: CaSchema,
  },
  'certs:ca-list': { request: z.object({}).strict(), response: z.array(CaSchema) },
  /** Certificates Drydock made or collected, newest first, with renewal dates. */
  'certs:bundles': { request: z.object({}).strict(), response: z.array(BundleSchema) },
  /** Delete a certificate Drydock holds (its folder, key included, on the laptop). Nothing on a host changes. */
  'certs:bundle-delete': { request: z.object({ id: BundleId }).strict(), response: z.object({ deleted: BundleId }) },
  /** Is Replicated installed on the Services machine, and which hostname is CircleCI configured for? Read-only. */
  'certs:installation': { request: z.object({ ...services }).strict(), response: InstallationSchema },
  /** Put an internal CA's ca.crt into the trust store of the Nomad clients the admin confirmed. */
  'certs:trust-ca': {
    request: z.object({ ca: CaName, sha256: Sha256, hosts: z.array(HostName).min(1).max(500) }).strict(),
    response: z.object({ runId: z.string(), file: z.string(), clients: z.array(TrustCaClientSchema) }),
  },
  /** Undo the newest trust-ca on each Nomad client (all of them when none is named). */
  'certs:untrust-ca': {
    request: z.object({ hosts: z.array(HostName).max(500).optional() }).strict(),
    response: z.object({ hosts: z.array(z.object({ host: z.string(), set: z.string().nullable(), files: z.array(z.string()) })) }),
  },
  /** Bring an existing certificate and key in (checked: they match, chain complete). */
  'certs:import': {
    request: z.union([
      z.object({ certPem: z.string().min(1), keyPem: z.string().min(1) }).strict(),
      z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict(),
    ]),
    response: BundleSchema,
  },
  /** The chain GHE presents, as seen from the Services machine. Read-only. */
  'certs:ghe-fetch': {
    request: z.object({ ...services, gheHost: HostAddress, port: Port.default(443) }).strict(),
    response: z.object({ services: z.string(), chain: z.array(CertificateInfoSchema) }),
  },
  /** Install the chain the admin confirmed (by fingerprints) on the Services machine and Nomad clients. */
  /** Put back the CA files trust-ghe replaced, on the Services machine and every Nomad client. */
  'certs:trust-ghe-rollback': {
    request: z.object({ ...services }).strict(),
    response: z.object({ hosts: z.array(z.object({ host: z.string(), set: z.string().nullable(), files: z.array(z.string()) })) }),
  },
  'certs:trust-ghe': {
    request: z
      .object({ ...services, gheHost: HostAddress, port: Port.default(443), fingerprints: z.array(Sha256).min(1), nomadClients: z.boolean().default(true) })
      .strict(),
    response: z.object({
      runId: z.string(),
      files: z.array(z.string()),
      verified: z.boolean(),
      nomadClients: z.array(z.object({ host: z.string(), ok: z.boolean(), error: z.string().optional() })),
    }),
  },
  /** Start certbot on the Services machine; answers once certbot shows the TXT records it needs. */
  'certs:certbot-start': {
    request: z
      .object({
        ...services,
        hostname: DnsName,
        sans: z.array(DnsName).max(20).default([]),
        /** ACME directory of an internal CA inside the air gap. */
        server: z.url({ protocol: /^https$/ }).optional(),
        /** PEM of that CA's TLS chain (REQUESTS_CA_BUNDLE). */
        caBundle: CaBundle.optional(),
        email: z.email().optional(),
      })
      .strict(),
    response: z.object({ runId: z.string(), records: z.array(TxtRecordSchema) }),
  },
  /** Does each TXT record resolve yet, asked from the Services machine (dig)? */
  'certs:certbot-check-dns': {
    request: z.object({ runId: RunId, resolver: DnsResolver.optional() }).strict(),
    response: z.object({
      checked: z.boolean(),
      note: z.string().optional(),
      records: z.array(TxtRecordSchema.extend({ found: z.boolean(), seen: z.array(z.string()) })),
    }),
  },
  /** The admin published the records: press Enter for certbot and collect the certificate. */
  'certs:certbot-continue': { request: z.object({ runId: RunId }).strict(), response: z.object({ runId: z.string(), bundle: BundleSchema }) },
  'certs:certbot-cancel': { request: z.object({ runId: RunId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  /** Install a bundle into Replicated (app certificate and console certificate). */
  'certs:install': {
    request: z.object({ ...services, bundle: BundleId, hostname: DnsName.optional() }).strict(),
    response: z.object({
      runId: z.string(),
      hostname: z.string(),
      installed: CertificateInfoSchema,
      /** The bundle now holding what Replicated had before: install it to go back. */
      replaced: BundleId.optional(),
    }),
  },
  /** TLS handshakes to HOST:443 and :8800, from the laptop or through the Services machine. */
  'certs:verify': {
    request: z
      .object({
        ...services,
        hostname: DnsName.optional(),
        /** Connect here instead of resolving the hostname (an IP, or the ELB's name). */
        address: HostAddress.optional(),
        from: z.enum(['laptop', 'services']).default('laptop'),
        ports: z.array(Port).min(1).default([443, 8800]),
      })
      .strict(),
    response: z.object({ hostname: z.string(), from: z.enum(['laptop', 'services']), installed: CertificateInfoSchema.nullable(), endpoints: z.array(VerifyEndpointSchema) }),
  },
} as const;
