/**
 * The practice installation's hot spare, for the Restore wizard: what a
 * cloud would do to it when the simulator boots it on another disk.
 *
 * - Booted on a restored disk (a volume made from a snapshot): the spare
 *   takes the Services machine's CircleCI files, keeps its own address, and
 *   gets a new host key that "cloud-init" prints on the simulator's console,
 *   as EC2 does for a new instance id. Its frontend then answers the health
 *   check, and a Nomad client whose config names the spare (and whose nomad
 *   restarted) shows up ready in the spare's `nomad node-status`.
 * - Booted on its own disk again (a drill put back, an abort): its own files
 *   and its own key, saved when the installation was first made.
 *
 * The drill's firewall: the demo hosts share this computer's network, so a
 * drill's iptables rules must not reach the real firewall. The spare's
 * iptables commands run in a network namespace of its own (kept inside the
 * spare's filesystem): real iptables, the rules loaded and compared for real,
 * and this computer's own traffic never blocked.
 */
import { createServer as createHttp, type Server as HttpServer } from 'node:http';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Lab, LabHost } from '../test/lab/lab';

/** What a restore carries from one machine to the other (the lab stand-ins' state included). */
const CIRCLECI_PATHS = ['etc/default/replicated', 'etc/default/replicated-operator', 'var/lib/lab/replicated', 'var/lib/lab/docker', 'var/lib/lab/units', 'opt/nomad'];

const FIREWALL_COMMANDS = ['iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'iptables-restore', 'ip6tables-restore'];

/** /usr/local/sbin comes before /usr/sbin in root's and sudo's PATH. */
const FIREWALL_WRAPPER = `#!/bin/sh
# Practice installation: this host shares the computer's network, so its
# firewall commands run in a network namespace of their own (demo/spare.ts).
ns=/var/lib/lab/drill-netns
if ! nsenter --net="$ns" true 2>/dev/null; then
  : >"$ns" && unshare --net="$ns" true || { echo "practice spare: cannot make the firewall's network namespace" >&2; exit 1; }
fi
exec nsenter --net="$ns" "/usr/sbin/$(basename "$0")" "$@"
`;

export interface SpareBoots {
  /** The socket the simulator announces boots on (--boot-hook). */
  socket: string;
  stop(): Promise<void>;
}

interface Boot {
  instanceId: string;
  name: string;
  rootVolumeId: string;
  snapshotId?: string;
}

const tarOf = (host: LabHost) => host.exec(`cd / && tar -cf - --ignore-failed-read ${CIRCLECI_PATHS.join(' ')} 2>/dev/null | base64 -w0`).stdout;
const privateKeyOf = (host: LabHost) => host.hostKeyPub.replace(/\.pub$/, '');

export async function startSpareBoots(lab: Lab, dataDir: string): Promise<SpareBoots> {
  const spare = lab.hosts.spare!;
  const services = lab.hosts.services!;
  for (const c of FIREWALL_COMMANDS) spare.writeFile(`/usr/local/sbin/${c}`, FIREWALL_WRAPPER, 0o755);

  // The spare as it was made, once: a kept installation keeps the first copy (its disk may hold a restore now).
  const own = { tar: path.join(dataDir, 'spare-own.tar.b64'), key: path.join(dataDir, 'spare-own-key') };
  if (!fs.existsSync(own.tar)) {
    fs.copyFileSync(privateKeyOf(spare), own.key);
    fs.copyFileSync(spare.hostKeyPub, `${own.key}.pub`);
    fs.writeFileSync(own.tar, tarOf(spare), { mode: 0o600 });
  }

  let frontend: HttpServer | undefined;
  const frontendUp = async () => {
    if (frontend) return;
    const server = createHttp((req, res) => {
      res.writeHead(req.url === '/health-check' ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(req.url === '/health-check' ? 'OK' : 'not found');
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(80, spare.ip, () => resolve()));
    frontend = server;
  };
  const frontendDown = async () => {
    const server = frontend;
    frontend = undefined;
    if (server) await new Promise((r) => server.close(r));
  };

  const boot = async (b: Boot): Promise<{ console?: string }> => {
    if (b.name !== 'spare') return {};
    const wipe = `cd / && rm -rf ${CIRCLECI_PATHS.join(' ')}`;
    if (!b.snapshotId) {
      await frontendDown();
      spare.exec(`${wipe} && base64 -d | tar -C / -xf -`, { input: fs.readFileSync(own.tar, 'utf8') });
      fs.copyFileSync(own.key, privateKeyOf(spare));
      fs.copyFileSync(`${own.key}.pub`, spare.hostKeyPub);
      await spare.stop();
      await spare.start();
      return { console: 'Cloud-init v. 22.4 finished: same instance, host keys kept\n' };
    }
    spare.exec(`${wipe} && base64 -d | tar -C / -xf - && : >/var/lib/lab/nomad/nodes`, { input: tarOf(services) });
    await spare.replaceHostKey();
    await frontendUp();
    return {
      console: `Cloud-init v. 22.4 running 'init' (new instance ${b.instanceId})\n-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 ${spare.fingerprint} root@spare (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----\nCloud-init v. 22.4 finished\n`,
    };
  };

  // The spare's Nomad lists a client once its config names the spare and its nomad restarted (the lab's nomad keeps one node list per server).
  const registrar = setInterval(() => {
    if (!spare.running || !frontend) return;
    for (const name of ['nomad-1', 'nomad-2']) {
      const client = lab.hosts[name];
      try {
        const names = (client?.readFile('/etc/nomad/config.hcl') ?? '').includes(`"${spare.ip}:4647"`);
        const restarted = (client?.readFile('/var/log/lab/units.log') ?? '').includes('restart nomad');
        const nodes = spare.readFile('/var/lib/lab/nomad/nodes') ?? '';
        if (names && restarted && !nodes.includes(` ${name} `)) spare.exec(`echo "${name === 'nomad-1' ? '1a2b3c4d' : '5e6f7a8b'} default ${name} linux-64bit false eligible ready" >>/var/lib/lab/nomad/nodes`);
      } catch {
        /* a host restarting: next round */
      }
    }
  }, 500);

  const socket = path.join(dataDir, 'boot.sock');
  fs.rmSync(socket, { force: true });
  const server = net.createServer((conn) => {
    let text = '';
    conn.on('data', (d: Buffer) => {
      text += d.toString();
      if (!text.includes('\n')) return;
      boot(JSON.parse(text.slice(0, text.indexOf('\n'))) as Boot)
        .then((answer) => conn.end(JSON.stringify(answer) + '\n'))
        .catch((err: Error) => {
          process.stderr.write(`drydock demo: the spare's boot: ${err.message}\n`);
          conn.end('{}\n');
        });
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, () => resolve()));
  fs.chmodSync(socket, 0o600);
  return {
    socket,
    async stop() {
      clearInterval(registrar);
      await frontendDown();
      await new Promise((r) => server.close(r));
      fs.rmSync(socket, { force: true });
    },
  };
}
