/**
 * The guide's load-balancer settings for TLS terminated at an AWS ELB in
 * front of the Services machine (ops-facts.md, "Ports"), as data, so the
 * wizard's checklist and any export show the same table.
 */
export interface ElbListener {
  lbProtocol: 'HTTP' | 'HTTPS' | 'SSL';
  lbPort: number;
  instanceProtocol: 'HTTP' | 'HTTPS' | 'SSL';
  instancePort: number;
  /** Why the port is there, for the admin checking it off. */
  purpose: string;
}

export const ELB_LISTENERS: readonly ElbListener[] = [
  { lbProtocol: 'HTTP', lbPort: 80, instanceProtocol: 'HTTP', instancePort: 80, purpose: 'Web app (redirects to HTTPS)' },
  { lbProtocol: 'SSL', lbPort: 443, instanceProtocol: 'SSL', instancePort: 443, purpose: 'Web app and API over TLS' },
  { lbProtocol: 'SSL', lbPort: 3000, instanceProtocol: 'SSL', instancePort: 3000, purpose: 'Real-time updates' },
  { lbProtocol: 'HTTPS', lbPort: 8800, instanceProtocol: 'HTTPS', instancePort: 8800, purpose: 'Replicated admin console' },
  { lbProtocol: 'SSL', lbPort: 8081, instanceProtocol: 'SSL', instancePort: 8081, purpose: 'Services traffic' },
  { lbProtocol: 'SSL', lbPort: 8082, instanceProtocol: 'SSL', instancePort: 8082, purpose: 'API service' },
];

export interface SecurityGroupRule {
  protocol: 'TCP';
  ports: string;
  purpose: string;
}

export const ELB_SECURITY_GROUP: readonly SecurityGroupRule[] = [
  { protocol: 'TCP', ports: '22', purpose: 'SSH for administrators' },
  { protocol: 'TCP', ports: '443', purpose: 'HTTPS for users and GitHub webhooks' },
  { protocol: 'TCP', ports: '8800', purpose: 'Admin console' },
  { protocol: 'TCP', ports: '64535-65535', purpose: 'SSH into builds' },
];

/** The rule that still applies when the ELB holds the real certificate. */
export const ELB_CN_RULE =
  'A certificate and key must still be uploaded in the admin console (Privacy section). They need not be signed by a public CA or be current, but their Common Name must match the hostname configured in CircleCI.';
