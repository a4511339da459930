// ACME and TLS servers for certificate tests: Pebble (a real RFC 8555 CA)
// with pebble-challtestsrv as its DNS, started and stopped by the test
// itself; and a TLS "GHE" server inside a lab host (openssl s_server).
// Debian packages: pebble, openssl. See test/lab/README.md and test-lab.md.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabHost } from './lab';

export interface Pebble {
  /** ACME directory, e.g. https://127.0.0.1:PORT/dir (reachable from lab hosts: they share loopback). */
  directory: string;
  /** PEM of Pebble's listener certificate: the CA bundle certbot needs (REQUESTS_CA_BUNDLE). */
  listenerCaPem: string;
  /** challtestsrv's DNS, as dig wants it: 127.0.0.1#PORT. */
  dnsServer: string;
  /** challtestsrv's management API (POST /set-txt {"host","value"}): where a person publishes a TXT record. */
  challengeManagement: string;
  /** Publish a TXT record, as an admin would at their DNS provider. */
  setTxt(name: string, value: string): Promise<void>;
  clearTxt(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, proc: ChildProcess, log: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`exited ${proc.exitCode}: ${fs.readFileSync(log, 'utf8').slice(-800)}`));
      if (Date.now() > deadline) return reject(new Error(`nothing on 127.0.0.1:${port} after ${timeoutMs} ms`));
      const sock = net.connect({ host: '127.0.0.1', port }, () => {
        sock.destroy();
        resolve();
      });
      sock.on('error', () => setTimeout(attempt, 50));
    };
    attempt();
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function stopProc(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 3_000))]);
  if (proc.exitCode === null && !proc.signalCode) proc.kill('SIGKILL');
}

export async function startPebble(): Promise<Pebble> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drydock-pebble-'));
  // Pebble's own HTTPS listener certificate, made by openssl for 127.0.0.1.
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], dir);
  const [acmePort, mgmtPort, dnsPort, chalMgmtPort, httpPort, tlsPort] = await Promise.all(Array.from({ length: 6 }, freePort));
  fs.writeFileSync(
    path.join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: path.join(dir, 'cert.pem'),
        privateKey: path.join(dir, 'key.pem'),
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const chalLog = path.join(dir, 'challtestsrv.log');
  // setpriv --pdeathsig: Pebble and challtestsrv die with the process that started them, even SIGKILLed.
  const chal = spawn(
    'setpriv',
    ['--pdeathsig', 'TERM', '--', 'pebble-challtestsrv', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${chalMgmtPort}`],
    { stdio: ['ignore', fs.openSync(chalLog, 'a'), fs.openSync(chalLog, 'a')] },
  );
  const pebbleLog = path.join(dir, 'pebble.log');
  // No sleeps before validation, no random nonce rejections, no authz reuse: fast and deterministic runs.
  const pebble = spawn('setpriv', ['--pdeathsig', 'TERM', '--', 'pebble', '-config', path.join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
    stdio: ['ignore', fs.openSync(pebbleLog, 'a'), fs.openSync(pebbleLog, 'a')],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  });
  const stop = async () => {
    await Promise.all([stopProc(pebble), stopProc(chal)]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(chalMgmtPort, chal, chalLog);
    await waitForPort(acmePort, pebble, pebbleLog);
  } catch (err) {
    await stop();
    throw err;
  }
  const manage = async (route: string, body: object) => {
    const res = await fetch(`http://127.0.0.1:${chalMgmtPort}/${route}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`challtestsrv ${route}: HTTP ${res.status} ${await res.text()}`);
  };
  const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);
  return {
    directory: `https://127.0.0.1:${acmePort}/dir`,
    listenerCaPem: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    dnsServer: `127.0.0.1#${dnsPort}`,
    challengeManagement: `http://127.0.0.1:${chalMgmtPort}`,
    setTxt: (name, value) => manage('set-txt', { host: fqdn(name), value }),
    clearTxt: (name) => manage('clear-txt', { host: fqdn(name) }),
    stop,
  };
}

export interface TestCa {
  dir: string;
  rootPem: string;
  /** Leaf for `name` (CN and SAN), signed by the root: files in dir. */
  issue(name: string): { certFile: string; keyFile: string; certPem: string };
  dispose(): void;
}

/** A throwaway CA made with the openssl CLI (independent of Drydock's own code). */
export function makeTestCa(label = 'Test GHE Root CA'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drydock-testca-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '5', '-subj', `/CN=${label}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return {
    dir,
    rootPem: fs.readFileSync(path.join(dir, 'root.pem'), 'utf8'),
    issue(name) {
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '3', '-extfile', `${name}.ext`], dir);
      return { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}.key`), certPem: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8') };
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `openssl s_server` inside a lab host on its own address: an honest TLS
 * endpoint (GHE's HTTPS, or Replicated's TLS front for a verify test).
 * Runs in the host's PID namespace, so it dies with the host; stop() kills it sooner.
 */
export async function startTlsServer(host: LabHost, options: { port: number; certPem: string; keyPem: string; chainPem?: string; tag: string }): Promise<{ stop(): void }> {
  const base = `/root/tls-${options.tag}`;
  host.writeFile(`${base}/cert.pem`, options.certPem);
  host.writeFile(`${base}/key.pem`, options.keyPem, 0o600);
  if (options.chainPem) host.writeFile(`${base}/chain.pem`, options.chainPem);
  const chain = options.chainPem ? ` -cert_chain ${base}/chain.pem` : '';
  const r = host.exec(
    `setsid nohup openssl s_server -quiet -accept ${host.ip}:${options.port} -cert ${base}/cert.pem -key ${base}/key.pem${chain} -www </dev/null >${base}/log 2>&1 & echo $! >${base}/pid`,
  );
  if (r.code !== 0) throw new Error(`s_server on ${host.name}: ${r.stderr}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host: host.ip, port: options.port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`s_server on ${host.name}:${options.port} did not start: ${host.readFile(`${base}/log`)}`);
    await new Promise((r2) => setTimeout(r2, 50));
  }
  return { stop: () => void host.exec(`kill $(cat ${base}/pid) 2>/dev/null; true`) };
}
