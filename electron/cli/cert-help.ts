/** Help for `drydock cert …` (see help.ts); the commands themselves are in cert.ts and cert-interactive.ts. */
import { KEY_TYPES } from '../../shared/channels/certs';
import { certCommand } from './cert';
import type { CliCommand } from './help';

const SERVICES = { '--services NAME': 'the Services machine, when the inventory has several' };
const YES = { '--yes, -y': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)' };

export const certCli: CliCommand = {
  name: 'cert',
  summary: 'TLS certificates for CircleCI Server: make, fetch, trust, install and verify',
  run: certCommand,
  subcommands: {
    'self-signed': {
      usage: `cert self-signed --host H [--san N]... [--days N] [--key ${KEY_TYPES.join('|')}] [--ca NAME] --out DIR`,
      summary: 'Make a self-signed (or internal-CA) certificate on this laptop; no network needed.',
      options: {
        '--host H': 'the Common Name: the hostname configured in CircleCI',
        '--san N': 'another DNS name or IP address; repeatable',
        '--days N': 'validity (default 365)',
        '--key TYPE': `${KEY_TYPES.join(', ')} (default rsa2048)`,
        '--ca NAME': 'sign with this internal CA (its passphrase from DRYDOCK_CA_PASSPHRASE or typed)',
        '--out DIR': 'write cert.pem (full chain) and key.pem (0600) here',
        '--offline': 'do not compare the name with the Services machine\'s configured hostname',
        ...SERVICES,
      },
    },
    ca: {
      usage: 'cert ca create NAME [--days N] [--key TYPE] | cert ca list',
      summary: 'An internal CA kept on this laptop (key encrypted with your passphrase, typed twice).',
      options: { '--days N': 'validity of the CA (default 3650)', '--key TYPE': `${KEY_TYPES.join(', ')} (default rsa3072)` },
      notes: ['The passphrase comes from DRYDOCK_CA_PASSPHRASE, else it is asked twice on the terminal.'],
    },
    list: { usage: 'cert list [--json]', summary: 'Certificates Drydock holds, with their renewal dates.' },
    delete: { usage: 'cert delete ID [--yes]', summary: 'Delete a certificate Drydock holds (its folder and private key on this laptop).', options: YES },
    'trust-ca': {
      usage: 'cert trust-ca NAME [--yes]',
      summary: 'Add an internal CA\'s ca.crt to the trust store of every Nomad client (update-ca-certificates), backed up and reversible.',
      options: { ...YES },
      notes: ['Undo: drydock cert untrust-ca --yes'],
    },
    'untrust-ca': { usage: 'cert untrust-ca [--yes]', summary: 'Undo the newest trust-ca on every Nomad client.', options: { ...YES } },
    'trust-ghe': {
      usage: 'cert trust-ghe [--ghe HOST] [--port N] [--no-nomad] [--yes]',
      summary: 'Trust the certificate chain GHE presents, on the Services machine and every Nomad client.',
      options: { '--ghe HOST': 'the GHE host (default: the inventory\'s ghe host)', '--port N': 'default 443', '--no-nomad': 'the Services machine only', ...YES, ...SERVICES },
    },
    'untrust-ghe': { usage: 'cert untrust-ghe [--yes]', summary: 'Undo the newest trust-ghe on every host it touched.', options: { ...YES, ...SERVICES } },
    certbot: {
      usage: 'cert certbot --host H [--san N]... [--server URL --ca-bundle FILE] [--email E] [--dns-ready-file PATH | --continue-when-resolves [--dns-server IP[#PORT]]] [--install] [--yes]',
      summary: 'Run certbot\'s DNS challenge on the Services machine and collect the certificate.',
      options: {
        '--host H': 'the hostname configured in CircleCI',
        '--san N': 'another DNS name; repeatable',
        '--server URL': 'ACME directory of an internal CA (https)',
        '--ca-bundle FILE': 'PEM of that server\'s TLS chain',
        '--email E': 'contact address for the ACME account',
        '--dns-ready-file PATH': 'continue when PATH exists (your DNS script touches it)',
        '--continue-when-resolves': 'continue once every TXT record resolves from the Services machine',
        '--dns-server IP[#PORT]': 'the resolver to ask for that check',
        '--install': 'install the certificate right after',
        ...YES,
        ...SERVICES,
      },
      notes: ['On a terminal it waits for Enter; without one it needs --dns-ready-file or --continue-when-resolves (else exit 3).'],
    },
    install: {
      usage: 'cert install (--cert FILE --key FILE | --bundle ID) [--hostname H] [--yes]',
      summary: 'Install a certificate into Replicated (app and admin console); the app is stopped and started again.',
      options: {
        '--cert FILE': 'PEM, full chain, leaf first',
        '--key FILE': 'PEM, unencrypted',
        '--bundle ID': 'a certificate Drydock holds (drydock cert list)',
        '--hostname H': 'only when CircleCI has no hostname configured yet',
        ...YES,
        ...SERVICES,
      },
    },
    verify: {
      usage: 'cert verify [--hostname H] [--address A] [--from laptop|services] [--port N]... [--json]',
      summary: 'TLS handshakes to the app (443) and the admin console (8800): name, expiry, installed or not.',
      options: {
        '--hostname H': 'default: the configured hostname',
        '--address A': 'connect here instead of resolving the hostname (an IP or the ELB)',
        '--from WHERE': 'laptop (default) or services',
        '--port N': 'repeatable (default 443 and 8800)',
        ...SERVICES,
      },
    },
  },
};
