/**
 * The practice services around the hosts, one entry each: what it starts,
 * what the admin is told about it, how it stops. A later feature's simulator
 * is one more entry in PRACTICE_SERVICES (the EC2 API simulator with the
 * Services machine and the spare as instances and a backup profile named
 * `demo`: demo/backup.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Lab } from '../test/lab/lab';
import { startHttpProxy, startOrigin } from '../test/lab/http-proxy';
import { makeTestCa, startPebble, startTlsServer } from '../test/lab/pebble';
import { ec2Service } from './backup';
import { GHE_PORT, ORIGIN_ADDRESS, PROXY_ADDRESS } from './installation';
import type { DemoUser } from './preflight';

export interface PracticeContext {
  lab: Lab;
  /** Files the admin uses (CA bundles): readable by the user the app runs as. */
  shareDir: string;
  /** Whether the hosts come from a kept installation (their files are there already). */
  continued: boolean;
  /** The proxy implementation (--proxy). */
  proxy: string;
  /** The demo's DRYDOCK_HOME (the user's) and the user the app runs as. */
  home: string;
  user: DemoUser;
  /** Root-only state of the practice services, kept with the installation (--keep). */
  dataDir: string;
}

export interface RunningService {
  /** What to tell the admin (one line each). */
  lines: string[];
  /** Environment the app needs for this service (also printed as export lines for the CLI). */
  env?: Record<string, string>;
  stop(): Promise<void>;
}

export interface PracticeService {
  name: string;
  start(ctx: PracticeContext): Promise<RunningService>;
}

/**
 * A forward proxy for the proxy wizard, and a web server to verify through it.
 * Pluggable: test/lab/http-proxy.ts is the small built-in one; a real Squid
 * (test/lab/squid.ts) is added here as another entry.
 */
export const PROXIES: Record<string, () => Promise<{ url: string; label: string; stop(): Promise<void> }>> = {
  'http-proxy': async () => {
    const proxy = await startHttpProxy({ host: PROXY_ADDRESS });
    return { url: proxy.url, label: 'small forward proxy (test/lab/http-proxy.ts)', stop: () => proxy.close() };
  },
};

const proxyService: PracticeService = {
  name: 'proxy',
  async start(ctx) {
    const make = PROXIES[ctx.proxy];
    if (!make) throw new Error(`no proxy named ${ctx.proxy} (known: ${Object.keys(PROXIES).join(', ')})`);
    const proxy = await make();
    const origin = await startOrigin({ host: ORIGIN_ADDRESS }).catch(async (err: unknown) => {
      await proxy.stop();
      throw err;
    });
    return {
      lines: [`Proxy          ${proxy.url}  (${proxy.label}); a web server to verify through it: ${origin.url}`],
      stop: async () => {
        await Promise.all([proxy.stop(), origin.close()]);
      },
    };
  },
};

/** GHE's HTTPS on the ghe host, with a certificate from a private CA nobody trusts yet. */
const gheService: PracticeService = {
  name: 'ghe',
  async start(ctx) {
    const ghe = ctx.lab.hosts.ghe!;
    const base = '/root/tls-ghe';
    let tls: { certPem: string; keyPem: string; chainPem: string };
    const kept = ctx.continued ? ghe.readFile(`${base}/cert.pem`) : null;
    if (kept) {
      tls = { certPem: kept, keyPem: ghe.readFile(`${base}/key.pem`) ?? '', chainPem: ghe.readFile(`${base}/chain.pem`) ?? '' };
    } else {
      const ca = makeTestCa('Drydock Practice GHE Root CA');
      try {
        const leaf = ca.issue('ghe');
        tls = { certPem: leaf.certPem, keyPem: fs.readFileSync(leaf.keyFile, 'utf8'), chainPem: ca.rootPem };
      } finally {
        ca.dispose();
      }
    }
    const server = await startTlsServer(ghe, { port: GHE_PORT, ...tls, tag: 'ghe' });
    return {
      lines: [`GHE HTTPS      https://ghe (${ghe.ip}:${GHE_PORT}), certificate from the private CA "Drydock Practice GHE Root CA"`],
      stop: async () => {
        if (ghe.running) server.stop();
      },
    };
  },
};

/** Pebble (a real ACME CA) with challtestsrv as its DNS, for the certbot wizard. */
const pebbleService: PracticeService = {
  name: 'pebble',
  async start(ctx) {
    const pebble = await startPebble();
    const bundle = path.join(ctx.shareDir, 'pebble-ca.pem');
    fs.writeFileSync(bundle, pebble.listenerCaPem, { mode: 0o644 });
    return {
      lines: [
        `ACME (Pebble)  ${pebble.directory}  CA bundle: ${bundle}`,
        `               publish a TXT record: curl -d '{"host":"_acme-challenge.ci.practice.test.","value":"VALUE"}' ${pebble.challengeManagement}/set-txt`,
      ],
      stop: () => pebble.stop(),
    };
  },
};

export const PRACTICE_SERVICES: PracticeService[] = [gheService, pebbleService, proxyService, ec2Service];
