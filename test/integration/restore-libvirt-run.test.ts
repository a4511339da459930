/**
 * The restore runbook over the libvirt provider, against the real libvirtd
 * of the backup tests (libvirt-fixture.ts): the primary domain `prim` on
 * `hv` (its backup in hv's store, or for the drill on a third host `store`),
 * the spare domain `spare` on a second hypervisor `hv2`, and lab hosts standing in for the two machines' operating
 * systems (`services`, `spare`, with the CircleCI stand-ins).
 *
 * As far as the lab allows: the backup image is copied to hv2 (SHA-256
 * verified), the spare domain is powered off (no OS answers ACPI: off after
 * the grace), its own image kept (renamed, never deleted), pointed at the
 * restored image and started — for real. The lab's domains have no OS, so
 * once the spare domain runs the restored image, the test glue stands in for
 * the booted spare the same way the AWS tests' re-image glue does: the spare
 * lab host gets the primary's CircleCI files (keeping its own address) and a
 * new host key. libvirt has no console Drydock trusts, so the run stops for
 * the admin's confirmation of that key, and after it goes on from step 4:
 * identity fixed, app started and verified, report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG, type BackupProfile } from '../../shared/backup/profile';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { DrydockError, fromErrorPayload } from '../../shared/errors';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { LibvirtProvider } from '../../electron/engine/operations/backup/libvirt/libvirt-provider';
import { setDrillShellForTests } from '../../electron/engine/operations/restore/drill-target';
import { startLab, type Lab, type LabHost } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { startLibvirt, type Libvirt } from './libvirt-fixture';

const STORE = '/var/backups/drydock-images';
const CIRCLECI_PATHS = ['etc/default/replicated', 'etc/default/replicated-operator', 'var/lib/lab/replicated', 'var/lib/lab/docker', 'var/lib/lab/units', 'opt/nomad'];
let lv: Libvirt;
let lab: Lab;
let fx: EngineFixture;
let health: Server;
let glue: ReturnType<typeof setInterval> | undefined;
const savedEnv = { ...process.env };
const NS = `ddl${process.pid % 100000}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const vda = (domain: string) => lv.virsh('domblklist', domain).trim().split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === 'vda')?.[1];
const defaults = (host: LabHost, file: string) => {
  const out = host.exec(`env -i bash -c 'set -a; . ${file}; env -0'`).stdout;
  return Object.fromEntries(out.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
};

async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await dispatch(createHandlers(fx.engine), channel, request, { emit: () => undefined });
  if (!result.ok) throw fromErrorPayload(result.error);
  return result.value as never;
}

beforeAll(async () => {
  [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }, { name: 'hv2' }, { name: 'store' }, { name: 'services', standins: true }, { name: 'spare', standins: true }])]);
  for (const h of ['hv', 'hv2']) lv.bindInto(lab.hosts[h]);
  const { services, spare } = lab.hosts;
  services.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${services.ip}\nREPLICATED_OPTS=" -e NODENAME=services"\n`);
  services.writeFile('/etc/default/replicated-operator', `DAEMON_ENDPOINT=[${services.ip}]:9879\nDAEMON_HOST=[${services.ip}]\nPRIVATE_ADDRESS=${services.ip}\n`);
  services.writeFile('/var/lib/lab/replicated/transition-ms', '200');
  services.writeFile('/opt/nomad/data/server/raft.db', 'the primary nomad state\n');
  spare.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${spare.ip}\nREPLICATED_OPTS=""\n`);
  spare.writeFile('/var/lib/lab/replicated/state', 'stopped');
  Object.assign(process.env, { DRYDOCK_RESTORE_POLL_MS: '40', DRYDOCK_LIBVIRT_STOP_GRACE_MS: '1500', DRYDOCK_HEALTH_ENDPOINT_HOST: spare.ip });
  fx = await engineWithHosts(lab, [
    { name: 'hv', role: 'hypervisor' },
    { name: 'hv2', role: 'hypervisor' },
    { name: 'store', role: 'bastion' },
    { name: 'services', role: 'services' },
    { name: 'spare', role: 'spare' },
  ]);
  lv.createDomain('prim', { diskMiB: 64, fillMiB: 64 });
  lv.createDomain('spare', { diskMiB: 64, folder: lv.rootPool }); // a spare's pool folder is root's (pool-folder.ts)
  lv.write('spare', 0x33, 0, '1M');
  health = createServer((req, res) => {
    res.writeHead(req.url === '/health-check' ? 200 : 404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => health.once('error', reject).listen(80, spare.ip, () => resolve()));
}, 240_000);

afterAll(async () => {
  if (glue) clearInterval(glue);
  setDrillShellForTests(undefined);
  spawnSync('ip', ['netns', 'del', NS]);
  await new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve()));
  await fx?.dispose();
  await lab?.stop();
  await lv?.stop();
  process.env = savedEnv;
});

/** The glue: once `domain` runs a restored image, the spare lab host is "booted" from it (the primary's files, a new key). */
function bootGlue(domain: string): { reimaged: boolean } {
  const { services, spare } = lab.hosts;
  const state = { reimaged: false };
  let busy = false;
  if (glue) clearInterval(glue);
  glue = setInterval(() => {
    if (busy || state.reimaged) return;
    busy = true;
    void (async () => {
      try {
        if (lv.virsh('domstate', domain).trim() !== 'running' || !(vda(domain) ?? '').includes('-restored-')) return;
        const tar = services.exec(`cd / && tar -cf - --ignore-failed-read ${CIRCLECI_PATHS.join(' ')} 2>/dev/null | base64 -w0`).stdout;
        spare.exec(`cd / && rm -rf ${CIRCLECI_PATHS.join(' ')} && base64 -d | tar -C / -xf -`, { input: tar });
        await spare.replaceHostKey();
        state.reimaged = true;
      } finally {
        busy = false;
      }
    })();
  }, 150);
  return state;
}

describe('restore onto the hot spare (libvirt, real libvirtd)', () => {
  it('copies the backup to the spare\'s hypervisor, keeps the spare\'s own image, boots the restored one; the new key waits for the admin; identity, app, verification, report', async () => {
    const { services, spare } = lab.hosts;
    const profile = (await call('backup:profile-set', { name: 'kvm', provider: 'libvirt', hypervisor: 'hv', domain: 'prim', uri: lv.uri, store: { host: 'hv', dir: STORE }, spareHypervisor: 'hv2', spareDomain: 'spare' })) as BackupProfile & { provider: 'libvirt' };
    const p = new LibvirtProvider(fx.engine, profile);
    const prim = await p.findMachine('prim');
    const [snap] = await p.createSnapshots({ machine: prim, disks: await p.disks(prim), tags: { [TAG.installation]: profile.installationId, [TAG.profile]: 'kvm', [TAG.run]: 'run-kvm-backup-1', [TAG.mode]: 'live', [TAG.privateAddress]: services.ip }, description: 'the backup' });
    const ownImage = vda('spare')!;

    const booted = bootGlue('spare');

    const plan = await call('restore:plan', { spare: 'spare', profile: 'kvm' });
    expect(plan.blocking).toEqual([]);
    expect(plan).toMatchObject({ provider: 'libvirt', backup: { id: 'run-kvm-backup-1', snapshotId: snap.id }, spare: { machineId: 'spare', zone: 'hv2', rootDevice: 'vda', rootDisk: `hv2:${ownImage}` } });
    expect(plan.lineChanges).toContainEqual(expect.objectContaining({ file: '/etc/default/replicated', key: 'PRIVATE_ADDRESS', old: services.ip, new: spare.ip }));
    expect(vda('spare')).toBe(ownImage);

    // The spare presents a key Drydock cannot prove (no console on libvirt): the run waits for the admin.
    const err = await call('restore:run', { spare: 'spare', profile: 'kvm', planFingerprint: plan.fingerprint, confirmed: true }).catch((e: DrydockError) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('CONFIRMATION_REQUIRED');
    const runId = (err as DrydockError).details!.runId as string;
    const restored = `${lv.rootPool}/spare-restored-${snap.id}.qcow2`;
    expect(vda('spare')).toBe(restored);
    expect(lv.virsh('domstate', 'spare').trim()).toBe('running');
    expect(lab.hosts.hv2.exec(`test -f ${ownImage}.drydock-kept && echo kept`).stdout.trim()).toBe('kept');
    for (let i = 0; i < 200 && !booted.reimaged; i++) await sleep(50);
    expect(booted.reimaged).toBe(true);

    await call('restore:trust-key', { runId, fingerprint: spare.fingerprint, confirmed: true });
    const run = await call('runs:resume', { id: runId, confirmRestarts: true });
    expect(run.status).toBe('done');

    expect(defaults(spare, '/etc/default/replicated')).toMatchObject({ PRIVATE_ADDRESS: spare.ip, REPLICATED_OPTS: ' -e NODENAME=services' });
    expect(defaults(spare, '/etc/default/replicated-operator')).toMatchObject({ DAEMON_ENDPOINT: `[${spare.ip}]:9879`, DAEMON_HOST: `[${spare.ip}]`, PRIVATE_ADDRESS: spare.ip });
    expect(spare.readFile('/opt/nomad/data/server/raft.db')).toBeNull();
    expect(spare.exec('replicatedctl app status').stdout).toMatch(/started/);
    expect(vda('spare')).toBe(restored);
    const md = (await call('restore:report', { runId, format: 'md' })).text;
    const done = await call('runs:get', { id: runId });
    for (const s of done.steps) expect(md).toContain(s.title);
    expect(md).toMatch(/\*\*Recovery time:\*\* \d/);
    expect(md).toContain(spare.fingerprint);
    expect(md).toContain(`+PRIVATE_ADDRESS=${spare.ip}`);
  }, 300_000);

  it('a DR drill over libvirt from a store on another host: the block loaded before the app starts (in the spare\'s own network namespace, see restore-drill.test.ts), then the spare domain back on its own image, the restored one kept', async () => {
    const { services, spare } = lab.hosts;
    const first = (await call('backup:profiles', {})).find((x) => x.name === 'kvm')!;
    // This profile's store is a third host: the backup is staged on hv and sent there; the restore copies it store → hv2.
    const profile = (await call('backup:profile-set', { name: 'kvm2', provider: 'libvirt', installationId: first.installationId, hypervisor: 'hv', domain: 'prim', uri: lv.uri, store: { host: 'store', dir: STORE }, spareHypervisor: 'hv2', spareDomain: 'spare2' })) as BackupProfile & { provider: 'libvirt' };
    const p = new LibvirtProvider(fx.engine, profile);
    const prim = await p.findMachine('prim');
    const [snap] = await p.createSnapshots({ machine: prim, disks: await p.disks(prim), tags: { [TAG.installation]: profile.installationId, [TAG.profile]: 'kvm2', [TAG.run]: 'run-kvm-backup-2', [TAG.mode]: 'live', [TAG.privateAddress]: services.ip }, description: 'the backup, on another host' });
    expect(lab.hosts.store.exec(`test -f ${STORE}/${snap.id}.qcow2 && echo stored`).stdout.trim()).toBe('stored');
    expect(lab.hosts.hv.exec(`ls -A ${STORE}/staging`).stdout.trim()).toBe('');
    lv.createDomain('spare2', { diskMiB: 64, folder: lv.rootPool });
    const ownImage = vda('spare2')!;
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const run = (script: string) => {
      const pid = /^\/proc\/(\d+)\/root/.exec(spare.path('/'))![1];
      return spawnSync('nsenter', [`--net=/run/netns/${NS}`, `--mount=/proc/${pid}/ns/mnt`, `--root=/proc/${pid}/root`, `--wd=/proc/${pid}/root`, '--', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
    };
    setDrillShellForTests((host) =>
      host === 'spare'
        ? async (script) => {
            run(`echo 'drill-firewall ${script.includes('-restore --noflush') ? 'load' : script.includes('-D OUTPUT') ? 'remove' : 'show'}' >>/var/log/lab/calls.log`);
            const r = run(script);
            return { code: r.status, stdout: r.stdout, stderr: r.stderr };
          }
        : undefined,
    );
    spare.exec(': >/var/log/lab/calls.log');
    const booted = bootGlue('spare2');

    // The admin's word that the spare is cut off (where the libvirt provider cannot do it itself, the plan blocks
    // without it; where it can, it cuts the spare off anyway). The AWS path's own isolation: restore-isolation.test.ts.
    const plan = await call('restore:plan', { spare: 'spare', profile: 'kvm2', mode: 'drill', spareIsolated: true });
    expect(plan.blocking).toEqual([]);
    expect(plan.isolation).toMatchObject({ needed: true, acknowledged: true });
    expect(plan.spare).toMatchObject({ machineId: 'spare2', rootDisk: `hv2:${ownImage}` });
    expect(plan).toMatchObject({ backup: { snapshotId: snap.id } });
    const err = await call('restore:run', { spare: 'spare', profile: 'kvm2', mode: 'drill', spareIsolated: true, planFingerprint: plan.fingerprint, confirmed: true }).catch((e: DrydockError) => e);
    expect((err as DrydockError).code).toBe('CONFIRMATION_REQUIRED');
    const runId = (err as DrydockError).details!.runId as string;
    for (let i = 0; i < 200 && !booted.reimaged; i++) await sleep(50);
    await call('restore:trust-key', { runId, fingerprint: spare.fingerprint, confirmed: true });
    // Going on loads the block, starts the app, removes the block and puts the spare back: listed, confirmed first.
    const listed = (await call('runs:get', { id: runId })).restartsOnResume ?? [];
    expect(listed.join('\n')).toMatch(/loads the drill's firewall rules on spare[^]*restarts Replicated on spare[^]*behind the drill's outbound block[^]*removes the drill's firewall rules[^]*stops the spare spare, puts its own root/);
    expect(listed.join('\n')).not.toMatch(/nomad1|nomad2/);
    await expect(call('runs:resume', { id: runId })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    const done = await call('runs:resume', { id: runId, confirmRestarts: true });
    expect(done.status).toBe('done');

    const calls = (spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean);
    const load = calls.findIndex((l) => l.startsWith('drill-firewall load'));
    const appStart = calls.findIndex((l) => l.startsWith('replicatedctl app start'));
    expect(load).toBeGreaterThanOrEqual(0);
    expect(appStart).toBeGreaterThan(load);
    expect(calls.findIndex((l, i) => i > appStart && l.startsWith('drill-firewall remove'))).toBeGreaterThan(appStart);
    expect(run('iptables -S').stdout).not.toMatch(/DRYDOCK/);
    // Put back: its own image on vda again (renamed back from .drydock-kept), running; the restored image kept.
    expect(vda('spare2')).toBe(ownImage);
    expect(lv.virsh('domstate', 'spare2').trim()).toBe('running');
    expect(lab.hosts.hv2.exec(`test -f ${lv.rootPool}/spare2-restored-${snap.id}.qcow2.drydock-kept && echo kept`).stdout.trim()).toBe('kept');
    const md = (await call('restore:report', { runId, format: 'md' })).text;
    expect(md).toMatch(/\*\*Recovery time:\*\* \d/);
  }, 300_000);
});
