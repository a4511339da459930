/**
 * Issue 7 item 20: every `drydock cert certbot` option is checked before
 * certbot starts on the Services machine (a real lab host): a bad
 * --dns-server, a stale or impossible --dns-ready-file, an unreadable or
 * non-certificate --ca-bundle exit 2 and nothing runs there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
let lab: Lab;
let fx: EngineFixture;
let tmp: string;

const drydock = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: fx.home }, encoding: 'utf8', input: '', timeout: 60_000 });
/** Commands Drydock ran on the host, from its audit log. */
const ranOnHost = () => (JSON.parse(drydock('audit', 'tail', '-n', '1000', '--json').stdout) as { host: string; command: string }[]).filter((e) => e.host === 'services' && e.kind !== 'trust');

beforeAll(async () => {
  lab = await startLab([{ name: 'services', standins: true }]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  await fx.engine.close();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'drydock-certbot-opts-'));
});
afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const base = ['cert', 'certbot', '--host', 'ci.example.test', '--server', 'https://127.0.0.1:1/dir', '--yes'];

describe('certbot options are checked before certbot starts (item 20)', () => {
  it.each([
    ['a --dns-server that is not an IP', ['--continue-when-resolves', '--dns-server', '10.0.0.300'], /--dns-server 10\.0\.0\.300: not an IP address/],
    ['a --dns-server port out of range', ['--continue-when-resolves', '--dns-server', '10.0.0.2#70000'], /--dns-server 10\.0\.0\.2#70000/],
    ['a --dns-server with shell in it', ['--continue-when-resolves', '--dns-server', '10.0.0.2;id'], /--dns-server/],
    ['a stale --dns-ready-file', ['--dns-ready-file', '__stale__'], /already exists: remove it first/],
    ['a --dns-ready-file in a missing folder', ['--dns-ready-file', '/nonexistent-drydock/ready'], /folder \/nonexistent-drydock does not exist/],
    ['both ways of continuing', ['--continue-when-resolves', '--dns-ready-file', '__fresh__'], /either --dns-ready-file or --continue-when-resolves/],
    ['an unreadable --ca-bundle', ['--continue-when-resolves', '--ca-bundle', '/nonexistent-drydock/ca.pem'], /--ca-bundle .*cannot read it \(ENOENT\)/],
    ['a --ca-bundle that is a private key', ['--continue-when-resolves', '--ca-bundle', '__key__'], /--ca-bundle .*holds a private key/],
    ['a --ca-bundle with no certificate', ['--continue-when-resolves', '--ca-bundle', '__junk__'], /--ca-bundle .*no PEM certificate/],
  ])('refuses %s with exit 2, one line, and runs nothing on the host', (_what, extra, message) => {
    const files: Record<string, string> = {
      __stale__: path.join(tmp, 'ready-stale'),
      __fresh__: path.join(tmp, 'ready-fresh'),
      __key__: path.join(tmp, 'key.pem'),
      __junk__: path.join(tmp, 'junk.pem'),
    };
    writeFileSync(files.__stale__, '');
    writeFileSync(files.__key__, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    writeFileSync(files.__junk__, 'not a certificate\n');
    const before = ranOnHost().length;
    const out = drydock(...base, ...extra.map((a) => files[a] ?? a));
    expect(out.stderr).toMatch(message);
    expect(out.status).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(ranOnHost().slice(before).map((e) => e.command)).toEqual([]);
  });
});
