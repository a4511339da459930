/** The short list printed under the URL: a drill through every wizard, in the order an admin meets them. */
import type { Lab } from '../test/lab/lab';

export function whatToTry(lab: Lab): string[] {
  const services = lab.hosts.services!;
  return [
    'What to try:',
    `  1. Hosts: trust each host, comparing its fingerprint with the list above (CLI: drydock hosts trust services --fingerprint ${services.fingerprint}).`,
    '  2. Facts for services: hostname, OS, disks, the Replicated app state, read over SSH.',
    '  3. Proxy: plan it with the proxy URL above (the Services machine and both Nomad clients, through the bastion; CLI: drydock proxy plan --proxy URL), apply, verify through it with the web server URL, roll back.',
    '  4. Certificates: trust the GHE root CA (Certificates → GitHub Enterprise, host ghe); make a self-signed or internal-CA certificate and install it; or certbot against Pebble (--server and --ca-bundle above).',
    '  5. Backup: back up the Services machine with the profile "demo" (EC2 simulator above; a snapshot completes in seconds) and see it in the catalog (CLI, with the export lines above: drydock backup run --profile demo --wait --yes; drydock backup list --profile demo).',
    '  6. Restore: a disaster-recovery drill onto the spare from that backup (Restore → drill; CLI: drydock restore run --spare spare --profile demo --drill), then a real restore; the spare boots the Services machine\'s disk and prints its new host key on the simulator\'s console. Its firewall rules go into a network namespace of its own, never this computer\'s.',
    '  7. Health: the Services machine\'s containers (real Docker: `docker stop postgres` on services, then Check now) and the Nomad clients, as the app shows them.',
  ];
}
