/**
 * The management console through Drydock's SSH tunnel, against real lab
 * sshds. The "console" is a Node HTTPS server on the Services host's own
 * address, port 8800 (lab hosts share the machine's network, so the host's
 * openssl and its sshd reach it exactly as they would reach Replicated).
 *
 * The certificate difference (what arrives through the tunnel is not what
 * the host presents to itself) is made by a TCP front on ip:8800 that hands
 * each connection to one of two HTTPS servers, A or B, by a rule the test
 * sets: "the first connection sees A, later ones B" stands for a host whose
 * own openssl sees the real console while the tunnelled path is answered by
 * someone else; "A until now, B from now on" for a swap after the tunnel
 * opened. Refusal is checked at the TCP level: the local socket is closed
 * without one byte, and the intercepting server got no request.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleTunnel } from '../../electron/engine/operations/console/tunnel';
import { formatFingerprint } from '../../shared/console/pin';
import { startLab, type Lab } from '../lab/lab';
import { makeTestCa, type TestCa } from '../lab/pebble';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

let lab: Lab;
let ca: TestCa;
let direct: EngineFixture;
let viaBastion: EngineFixture;
const servers: { name: string; server: https.Server; port: number; requests: number }[] = [];
let front: net.Server;
let front443: net.Server;
let route: (n: number) => 'A' | 'B' = () => 'A';
let frontConnections = 0;
const seen: string[] = [];

function sha256Of(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

async function httpsServer(name: 'A' | 'B', leaf: { certFile: string; keyFile: string }) {
  const entry = { name, server: undefined as unknown as https.Server, port: 0, requests: 0 };
  entry.server = https.createServer({ cert: readFileSync(leaf.certFile), key: readFileSync(leaf.keyFile) }, (req, res) => {
    entry.requests++;
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>Replicated console ${name}</title>${req.url}`);
  });
  await new Promise<void>((r) => entry.server.listen(0, '127.0.0.1', () => r()));
  entry.port = (entry.server.address() as net.AddressInfo).port;
  servers.push(entry);
}

/** GET through the tunnel, trusting only the test CA and expecting this name: a real verification, not "ignore errors". */
function get(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/settings', servername, ca: ca.rootPem, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Raw TCP: send a TLS ClientHello, count what comes back before the close. */
function rawProbe(port: number): Promise<{ bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    const sock = net.connect({ host: '127.0.0.1', port });
    // A real ClientHello, made by Node's TLS on top of our raw socket.
    const client = tls.connect({ socket: sock, rejectUnauthorized: false });
    sock.on('data', (d) => (bytes += d.length));
    client.on('error', () => undefined);
    sock.on('close', () => resolve({ bytes }));
  });
}

beforeAll(async () => {
  lab = await startLab([{ name: 'services' }, { name: 'bastion' }]);
  ca = makeTestCa('Test console CA');
  await httpsServer('A', ca.issue('console-a'));
  await httpsServer('B', ca.issue('console-b'));
  const ip = lab.hosts.services.ip;
  front = net.createServer((sock) => {
    const target = servers.find((s) => s.name === route(++frontConnections))!;
    seen.push(target.name);
    const up = net.connect({ host: '127.0.0.1', port: target.port });
    sock.pipe(up).pipe(sock);
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  await new Promise<void>((r) => front.listen(8800, ip, () => r()));
  // The CircleCI app's own HTTPS (443) for --https: always server B.
  front443 = net.createServer((sock) => {
    const up = net.connect({ host: '127.0.0.1', port: servers[1].port });
    sock.pipe(up).pipe(sock);
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  await new Promise<void>((r) => front443.listen(443, ip, () => r()));
  direct = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  viaBastion = await engineWithHosts(lab, [
    { name: 'bastion', role: 'bastion' },
    { name: 'services', role: 'services', jump: 'bastion' },
  ]);
});

afterAll(async () => {
  await direct?.dispose();
  await viaBastion?.dispose();
  front?.close();
  front443?.close();
  for (const s of servers) s.server.close();
  await lab?.stop();
  ca?.dispose();
});

describe('console tunnel', () => {
  it('opens, pins the certificate the host presents to itself, and carries HTTPS', async () => {
    route = () => 'A';
    const tunnel = await ConsoleTunnel.open(direct.engine, { remoteAddress: lab.hosts.services.ip });
    try {
      const state = tunnel.state();
      expect(state.fingerprint).toBe(sha256Of(readFileSync(`${ca.dir}/console-a.pem`, 'utf8')));
      expect(state.url).toBe(`https://127.0.0.1:${state.localPort}/`);
      expect(await get(state.localPort, 'console-a')).toBe('<title>Replicated console A</title>/settings');
      expect(tunnel.state()).toMatchObject({ refused: 0, open: true });
      const audit = direct.engine.audit.entries().map((e) => e.command);
      expect(audit.some((c) => c.includes(`console tunnel 127.0.0.1:${state.localPort} -> ${lab.hosts.services.ip}:8800`) && c.includes(state.fingerprint))).toBe(true);
    } finally {
      await tunnel.close();
    }
    expect(tunnel.state().open).toBe(false);
  });

  it('works through a bastion (ProxyJump), like every connection', async () => {
    route = () => 'A';
    const tunnel = await ConsoleTunnel.open(viaBastion.engine, { remoteAddress: lab.hosts.services.ip, services: 'services' });
    try {
      expect(await get(tunnel.state().localPort, 'console-a')).toContain('Replicated console A');
      // This engine logged in to the bastion (its only way to the Services machine).
      expect(readFileSync(lab.hosts.bastion.log, 'utf8')).toMatch(/Accepted publickey for root/);
    } finally {
      await tunnel.close();
    }
  });

  it('refuses to open when the tunnel shows another certificate than the host sees', async () => {
    frontConnections = 0;
    route = (n) => (n === 1 ? 'A' : 'B'); // 1st: the host's own openssl; then: the tunnelled handshake
    const before = servers.map((s) => s.requests);
    await expect(ConsoleTunnel.open(direct.engine, { remoteAddress: lab.hosts.services.ip })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(formatFingerprint(sha256Of(readFileSync(`${ca.dir}/console-b.pem`, 'utf8')).replace(/:/g, ''))),
    });
    expect(servers.map((s) => s.requests)).toEqual(before);
  });

  it('checks every new connection and forwards nothing when the certificate changed', async () => {
    route = () => 'A';
    const tunnel = await ConsoleTunnel.open(direct.engine, { remoteAddress: lab.hosts.services.ip });
    try {
      const port = tunnel.state().localPort;
      expect(await get(port, 'console-a')).toContain('console A');
      route = () => 'B';
      const mark = seen.length;
      const requestsB = servers[1].requests;
      const probe = await rawProbe(port);
      expect(probe.bytes).toBe(0); // not even a ServerHello came back
      expect(seen.length - mark, seen.join(' ')).toBe(1); // only Drydock's own check reached 8800, never the client's bytes
      expect(servers[1].requests).toBe(requestsB);
      expect(tunnel.state()).toMatchObject({ refused: 1, open: true });
      expect(tunnel.state().lastRefusal).toMatch(/instead of the pinned/);
      // Back to the pinned certificate: connections flow again.
      route = () => 'A';
      expect(await get(port, 'console-a')).toContain('console A');
    } finally {
      await tunnel.close();
    }
  });
});

describe('drydock console open', () => {
  it('prints the URL and the pinned fingerprint, carries the console, and closes on Ctrl-C', async () => {
    route = () => 'A';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-console-cli-'));
    const bundle = path.join(dir, 'drydock.cjs');
    const root = path.resolve(__dirname, '../..');
    execFileSync(path.join(root, 'node_modules/.bin/esbuild'), [path.join(root, 'electron/cli.ts'), '--bundle', '--platform=node', '--format=cjs', '--packages=external', `--outfile=${bundle}`, '--log-level=warning']);
    const child = spawn(process.execPath, [bundle, 'console', 'open', '--address', lab.hosts.services.ip, '--https', '--json'], {
      env: { PATH: process.env.PATH!, NODE_PATH: path.join(root, 'node_modules'), DRYDOCK_HOME: direct.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.split('\n').length > 2) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const [printed, app] = firstLine.trim().split('\n').map((l) => JSON.parse(l) as { url: string; sha256: string; services: string; remote: string });
      expect(printed.services).toBe('services');
      expect(printed.sha256).toBe(sha256Of(readFileSync(`${ca.dir}/console-a.pem`, 'utf8')));
      expect(await get(Number(new URL(printed.url).port), 'console-a')).toContain('Replicated console A');
      // --https: the app's 443 on its own port, pinned to its own certificate.
      expect(app.remote).toBe(`${lab.hosts.services.ip}:443`);
      expect(app.sha256).toBe(sha256Of(readFileSync(`${ca.dir}/console-b.pem`, 'utf8')));
      expect(await get(Number(new URL(app.url).port), 'console-b')).toContain('Replicated console B');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await expect(rawProbe(Number(new URL(printed.url).port))).resolves.toEqual({ bytes: 0 });
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
