/**
 * The DR drill's outbound block, for real, but never in this machine's own
 * network namespace (lab hosts and other helpers share it): a throw-away
 * "spare" namespace joined by a veth pair to a throw-away "world", with a
 * Docker-like bridge and a "container" namespace behind it. The rules files
 * are written to a lab host through the file-change engine; the load,
 * verify and remove scripts run with that host's files but in the spare
 * namespace (nsenter --net=… --mount=… --root=…).
 *
 * Proven: the rendered files validate (iptables-restore --test, and
 * translated to nft for `nft -c`); with the block loaded, loopback, the
 * spare's own address and new inbound connections work, the admin's SSH
 * session goes on both ways — on a spare where nothing tracked connections
 * before the block (no NAT rule: conntrack first sees the session when the
 * block loads, and the spare's sshd speaks first) — the outside is refused
 * for the host (also from source port 22) and for a container (forwarded,
 * through DOCKER-USER); a second load changes nothing; a rule taken out is
 * noticed; removal leaves no trace.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillFirewallSteps, type DrillFirewallState, type DrillFirewallTarget } from '../../electron/engine/operations/restore/drill-firewall/steps';
import { blockDifference, renderRules, RULES_FILE } from '../../electron/engine/operations/restore/drill-firewall/rules';
import type { StepContext } from '../../electron/engine/operations/operation';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const tag = String(process.pid % 100000);
const NS = { spare: `dds${tag}`, world: `ddw${tag}`, ctr: `ddc${tag}` };
const SPARE = '10.77.0.2';
const WORLD = '10.77.0.1';
const SPARE2 = '10.77.0.3';
const BLOCK = { privateAddress: SPARE };
let lab: Lab;
let fx: EngineFixture;
const children: ChildProcess[] = [];

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const inNs = (ns: string, ...cmd: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 10_000 });
/** A TCP connect from a namespace: 'open', or what nc said. */
const connect = (ns: string, host: string, port: number) => {
  const r = inNs(ns, 'nc', '-zv', '-w', '3', host, String(port));
  return r.status === 0 ? 'open' : /refused/i.test(r.stderr) ? 'refused' : `failed: ${r.stderr.trim()}`;
};
const listen = (ns: string, host: string, port: number) => {
  const c = spawn('ip', ['netns', 'exec', ns, 'nc', '-lk', host, String(port)], { stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(c);
  return c;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: () => boolean) => {
  for (let i = 0; i < 100 && !what(); i++) await sleep(50);
  return what();
};

/** Root shell with the lab host's files in the spare namespace. */
const spareShell = (): DrillFirewallTarget['shell'] => {
  const pid = /^\/proc\/(\d+)\/root/.exec(lab.hosts.spare.path('/'))![1];
  return async (script) => {
    const r = spawnSync('nsenter', [`--net=/run/netns/${NS.spare}`, `--mount=/proc/${pid}/ns/mnt`, `--root=/proc/${pid}/root`, `--wd=/proc/${pid}/root`, '--', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
};

beforeAll(async () => {
  lab = await startLab([{ name: 'spare' }]);
  fx = await engineWithHosts(lab, [{ name: 'spare', role: 'services' }]);
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS.spare, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.world);
  ip('-n', NS.spare, 'addr', 'add', `${SPARE}/24`, 'dev', 'eth0');
  ip('-n', NS.spare, 'addr', 'add', `${SPARE2}/24`, 'dev', 'eth0');
  ip('-n', NS.world, 'addr', 'add', `${WORLD}/24`, 'dev', 'eth0');
  // Docker's bridge on the spare, a container behind it (forwarded through the spare).
  ip('-n', NS.spare, 'link', 'add', 'docker0', 'type', 'bridge');
  ip('-n', NS.spare, 'addr', 'add', '172.31.255.1/24', 'dev', 'docker0');
  ip('-n', NS.spare, 'link', 'add', 'vethc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.ctr);
  ip('-n', NS.spare, 'link', 'set', 'vethc', 'master', 'docker0');
  ip('-n', NS.ctr, 'addr', 'add', '172.31.255.2/24', 'dev', 'eth0');
  for (const [ns, dev] of [[NS.spare, 'eth0'], [NS.world, 'eth0'], [NS.spare, 'docker0'], [NS.spare, 'vethc'], [NS.ctr, 'eth0']]) ip('-n', ns, 'link', 'set', dev, 'up');
  ip('-n', NS.ctr, 'route', 'add', 'default', 'via', '172.31.255.1');
  ip('-n', NS.world, 'route', 'add', '172.31.255.0/24', 'via', SPARE);
  inNs(NS.spare, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // No NAT rule (Docker's MASQUERADE would make conntrack follow every connection from its first
  // packet): here nothing tracks connections until the block loads, the hardest case for the
  // admin's SSH session, which conntrack then first sees mid-stream.
  expect(inNs(NS.spare, 'iptables', '-w', '-t', 'nat', '-S').stdout).not.toMatch(/^-A /m);
  listen(NS.world, WORLD, 8080); // the outside (GitHub, SMTP…)
  listen(NS.spare, '127.0.0.1', 9000); // loopback service
  listen(NS.spare, SPARE, 9874); // the app's registry on PRIVATE_ADDRESS
  await until(() => connect(NS.spare, WORLD, 8080) === 'open' && connect(NS.spare, SPARE, 9874) === 'open');
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
  await fx?.dispose();
  await lab?.stop();
});

describe('DR drill outbound block (throw-away network namespaces)', () => {
  it('the rendered rules validate with iptables-restore --test and, translated, with nft -c', () => {
    for (const family of ['v4', 'v6'] as const) {
      const text = renderRules(BLOCK, family);
      const test = inNs(NS.world, 'sh', '-c', `printf '%s' "$1" | ${family === 'v4' ? 'iptables' : 'ip6tables'}-restore --noflush --test`, 'sh', text);
      expect(test.status, test.stderr).toBe(0);
      const nft = inNs(NS.world, 'sh', '-c', `printf '%s' "$1" > /tmp/dd-drill-${tag}.rules && ${family === 'v4' ? 'iptables' : 'ip6tables'}-restore-translate -f /tmp/dd-drill-${tag}.rules | nft -c -f -; rc=$?; rm -f /tmp/dd-drill-${tag}.rules; exit $rc`, 'sh', text);
      expect(nft.status, nft.stderr).toBe(0);
    }
    expect(renderRules(BLOCK, 'v4')).toContain(`-A DRYDOCK-DRILL -d ${SPARE}/32 -j RETURN`);
    // sshd's own segments go out before any REJECT, from the inventory's SSH port when it is not 22.
    for (const family of ['v4', 'v6'] as const) {
      const lines = renderRules(BLOCK, family).split('\n');
      const ssh = lines.indexOf('-A DRYDOCK-DRILL -p tcp -m tcp --sport 22 --tcp-flags SYN,ACK ACK -j RETURN');
      expect(ssh).toBeGreaterThan(0);
      expect(ssh).toBeLessThan(lines.findIndex((l) => l.startsWith('-A DRYDOCK-DRILL') && l.includes('REJECT')));
    }
    expect(renderRules({ privateAddress: SPARE, sshPort: 2222 }, 'v4')).toContain('-A DRYDOCK-DRILL -p tcp -m tcp --sport 2222 --tcp-flags SYN,ACK ACK -j RETURN');
    expect(() => renderRules({ privateAddress: SPARE, sshPort: 0 }, 'v4')).toThrow(/Not a TCP port/);
    expect(() => renderRules({ privateAddress: '10.0.0.300' }, 'v4')).toThrow(/Not an IPv4 address/);
    expect(() => renderRules({ privateAddress: SPARE, extraBridges: ['br0; rm -rf /'] }, 'v4')).toThrow(/Not an interface name/);
  });

  it('blocks the spare’s new outbound connections (host and containers), keeps loopback, its own address, the SSH session and new inbound ones; removal leaves no trace', async () => {
    // The admin's SSH session: opened before the block, from the world to the spare's sshd (port 22;
    // a stand-in that only relays bytes: the firewall sees the same TCP session).
    const server = spawn('ip', ['netns', 'exec', NS.spare, 'nc', '-l', SPARE, '22'], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(server);
    let atServer = '';
    server.stdout!.on('data', (d: Buffer) => (atServer += d.toString()));
    await sleep(200);
    const client = spawn('ip', ['netns', 'exec', NS.world, 'nc', SPARE, '22'], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(client);
    let atClient = '';
    client.stdout!.on('data', (d: Buffer) => (atClient += d.toString()));
    client.stdin!.write('before\n');
    expect(await until(() => atServer.includes('before'))).toBe(true);
    expect(connect(NS.ctr, WORLD, 8080)).toBe('open');

    const session = await fx.engine.pool.session('spare');
    const target: DrillFirewallTarget = { session, block: BLOCK, shell: spareShell() };
    const state: { fw: DrillFirewallState } = { fw: {} };
    let checkpoints = 0;
    const ctx = { input: {}, state, services: fx.engine, runId: 'run-drill-1', note: () => undefined, checkpoint: () => void checkpoints++, output: () => undefined } as unknown as StepContext<object, typeof state>;
    const steps = drillFirewallSteps<object, typeof state>(async () => target, (c) => c.state.fw);
    const [write, load] = steps.block;

    expect(await write.check!(ctx)).toBe(false);
    await write.apply(ctx);
    expect(await write.check!(ctx)).toBe(true);
    expect(lab.hosts.spare.exec(`stat -c '%a %u' ${RULES_FILE.v4}; cat ${RULES_FILE.v4}`).stdout).toBe(`600 0\n${renderRules(BLOCK, 'v4')}`);
    expect(state.fw.set).toMatch(/drill-firewall$/);
    expect(state.fw.record?.files.map((f) => [f.path, f.existed])).toEqual([[RULES_FILE.v4, false], [RULES_FILE.v6, false]]);
    expect(checkpoints).toBeGreaterThan(0);

    expect(await load.check!(ctx)).toBe(false);
    await load.apply(ctx);
    await load.verify!(ctx);
    expect(state.fw).toMatchObject({ createdDockerUser: { v4: true, v6: true }, ipv6: true });

    // The session, first seen by conntrack now: the spare's sshd speaks first (as it does with a
    // prompt or a keepalive), and the session goes on both ways.
    server.stdin!.write('the spare speaks first\n');
    expect(await until(() => atClient.includes('the spare speaks first'))).toBe(true);

    // The block, for real.
    expect(connect(NS.spare, WORLD, 8080)).toBe('refused');
    // Not even from sshd's port: an outbound connection needs a SYN, which that rule never lets out.
    // (From a second address of the spare: the stand-in sshd holds port 22 on the first.)
    const fromPort22 = inNs(NS.spare, 'nc', '-zv', '-w', '3', '-s', SPARE2, '-p', '22', WORLD, '8080');
    expect(fromPort22.status, fromPort22.stderr).not.toBe(0);
    expect(fromPort22.stderr).toMatch(/refused/i);
    expect(connect(NS.ctr, WORLD, 8080)).toBe('refused');
    expect(connect(NS.spare, '127.0.0.1', 9000)).toBe('open');
    expect(connect(NS.spare, SPARE, 9874)).toBe('open');
    expect(connect(NS.ctr, SPARE, 9874)).toBe('open');
    expect(connect(NS.world, SPARE, 9874)).toBe('open'); // a new SSH login or health check coming in
    client.stdin!.write('after\n');
    server.stdin!.write('reply from the spare\n');
    expect(await until(() => atServer.includes('after'))).toBe(true);
    expect(await until(() => atClient.includes('reply from the spare'))).toBe(true);

    // Loading again (a resumed step) changes nothing: each hook once, first.
    await load.apply(ctx);
    expect(await load.check!(ctx)).toBe(true);
    const shown = (await target.shell!('iptables -S')).stdout;
    expect(shown.split('\n').filter((l) => l === '-A OUTPUT -j DRYDOCK-DRILL')).toHaveLength(1);
    expect(blockDifference(BLOCK, 'v4', shown)).toBeNull();

    // A rule taken out behind Drydock's back is noticed.
    await target.shell!('iptables -D DRYDOCK-DRILL -p tcp -j REJECT --reject-with tcp-reset');
    await expect(load.verify!(ctx)).rejects.toThrow(/IPv4: missing rules: -A DRYDOCK-DRILL -p tcp -j REJECT --reject-with tcp-reset/);
    await load.apply(ctx);
    await load.verify!(ctx);

    // Removed: no chain, no hook, no DOCKER-USER (load made it), the rules files gone as they were.
    expect(await steps.remove.check!(ctx)).toBe(false);
    await steps.remove.apply(ctx);
    expect(await steps.remove.check!(ctx)).toBe(true);
    for (const cmd of ['iptables -S', 'ip6tables -S']) {
      const after = (await target.shell!(cmd)).stdout;
      expect(after).not.toMatch(/DRYDOCK|DOCKER-USER/);
    }
    expect(lab.hosts.spare.exec(`ls ${RULES_FILE.v4} ${RULES_FILE.v6} 2>&1 || true`).stdout).toMatch(/No such file.*\n.*No such file/);
    expect(connect(NS.spare, WORLD, 8080)).toBe('open');
    expect(connect(NS.ctr, WORLD, 8080)).toBe('open');
    client.stdin!.write('still here\n');
    expect(await until(() => atServer.includes('still here'))).toBe(true);
    // The machine's own namespace was never touched.
    expect(execFileSync('iptables', ['-S'], { encoding: 'utf8' })).not.toMatch(/DRYDOCK/);
  });

  it('a Docker that already made DOCKER-USER keeps it (and its own rules) after removal', async () => {
    const shell = spareShell()!;
    await shell('iptables -N DOCKER-USER && iptables -I FORWARD 1 -j DOCKER-USER && iptables -A DOCKER-USER -j RETURN');
    const session = await fx.engine.pool.session('spare');
    const target: DrillFirewallTarget = { session, block: BLOCK, shell };
    const state: { fw: DrillFirewallState } = { fw: {} };
    const ctx = { input: {}, state, services: fx.engine, runId: 'run-drill-2', note: () => undefined, checkpoint: () => undefined, output: () => undefined } as unknown as StepContext<object, typeof state>;
    const steps = drillFirewallSteps<object, typeof state>(async () => target, (c) => c.state.fw);
    for (const s of steps.block) {
      await s.apply(ctx);
      await s.verify?.(ctx);
    }
    expect(state.fw.createdDockerUser?.v4).toBeUndefined();
    const loaded = (await shell('iptables -S DOCKER-USER')).stdout.trim().split('\n');
    expect(loaded).toEqual(['-N DOCKER-USER', '-A DOCKER-USER -j DRYDOCK-DRILL-FWD', '-A DOCKER-USER -j RETURN']);
    await steps.undo(ctx);
    expect((await shell('iptables -S DOCKER-USER')).stdout.trim().split('\n')).toEqual(['-N DOCKER-USER', '-A DOCKER-USER -j RETURN']);
    expect((await shell('iptables -S FORWARD')).stdout).toMatch(/-A FORWARD -j DOCKER-USER/);
  });
});
