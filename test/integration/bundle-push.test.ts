/**
 * The offline bundle push against real lab sshd hosts: two hosts at once (one
 * logging in as root, one through sudo with a password), a connection killed
 * half way and resumed from the bytes already there, an altered .part and an
 * altered complete copy detected and not trusted, a full disk refused before
 * sending, and the folder's owner/mode/symlink checks. Checksums are compared
 * with `sha256sum` run on the host itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import type { ProgressEvent, TransferEvent } from '../../shared/events';
import { ensureOnHost } from '../../electron/engine/operations/bundle/push';
import { bundlePush } from '../../electron/engine/operations/bundle/push-operation';
import type { SentFile } from '../../electron/engine/operations/bundle/send';
import { startLab, type Lab, type LabHost } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { bundleCli } from './proxy-fixture';
import { createHandlers } from '../../electron/engine/api/handlers';
import { dispatch } from '../../electron/engine/api/dispatch';

const MiB = 1024 * 1024;
const DIR = '/var/lib/drydock/bundle';

let lab: Lab;
let fx: EngineFixture;
// Under /var/tmp, not /tmp: the lab hosts see the machine's /var/tmp (their /tmp is their own), so a test can build a .part from it.
let local: string;
let big: string;
let small: string;

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const remoteSha = (h: LabHost, p: string) => h.exec(`sha256sum < ${p}`).stdout.split(' ')[0];

/** The bundle folder as a push leaves it, for a test that plants a .part first. */
const ensureDir = (h: LabHost) => h.exec(`install -d -m 0700 /var/lib/drydock ${DIR}`);

function makeFile(name: string, size: number): string {
  const p = path.join(local, name);
  writeFileSync(p, randomBytes(size));
  return p;
}

async function push(files: string[], hosts: string[], dir = DIR, onEvent?: (e: ProgressEvent) => void) {
  const events: ProgressEvent[] = [];
  const { runId, result } = await fx.engine.runner.start<{ files: SentFile[] }>(bundlePush, { files, hosts, dir }, { emit: (e) => (events.push(e), onEvent?.(e)) });
  return { runId, files: result.files, events };
}

beforeAll(async () => {
  lab = await startLab([
    { name: 'services' },
    { name: 'nomad-1', users: [{ name: 'admin', password: 'pw-admin', sudo: 'password' }] },
  ]);
  fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services' },
    { name: 'nomad-1', role: 'nomad', user: 'admin' },
  ]);
  fx.engine.credentials.set('nomad-1', { sudoPassword: 'pw-admin' });
  local = mkdtempSync('/var/tmp/drydock-bundle-test-');
  big = makeFile('circleci-2.19.airgap', 96 * MiB);
  small = makeFile('license.rli', 3 * MiB + 17);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  if (local) rmSync(local, { recursive: true, force: true });
});

describe('bundle push', () => {
  it('sends two files to two hosts at once (root and sudo logins), hashed on both ends, with progress', async () => {
    const { files, events } = await push([small, big], ['services', 'nomad-1']);
    expect(files).toHaveLength(4);
    for (const f of files) {
      const h = lab.hosts[f.host];
      const localPath = f.file === 'license.rli' ? small : big;
      expect(f).toMatchObject({ path: `${DIR}/${f.file}`, bytes: readFileSync(localPath).length, resumedFrom: 0, skipped: false, sha256: sha(localPath) });
      expect(remoteSha(h, f.path)).toBe(f.sha256);
      expect(h.exec(`stat -c '%U %a %F' ${f.path}`).stdout.trim()).toBe('root 600 regular file');
      expect(h.exec(`ls -A ${DIR}`).stdout).not.toContain('.part');
    }
    for (const h of ['services', 'nomad-1']) expect(lab.hosts[h].exec(`stat -c '%U %a %F' ${DIR} /var/lib/drydock`).stdout.trim().split('\n')).toEqual(['root 700 directory', 'root 700 directory']);
    const transfers = events.filter((e): e is TransferEvent => e.type === 'transfer');
    for (const host of ['services', 'nomad-1']) {
      const mine = transfers.filter((t) => t.host === host && t.file === 'circleci-2.19.airgap');
      expect(mine.some((t) => t.status === 'sending' && t.bytes > 0 && t.bytes < t.total)).toBe(true);
      expect(mine.some((t) => t.status === 'sending' && t.rate > 0 && t.etaSeconds !== null)).toBe(true);
      expect(mine.at(-1)).toMatchObject({ status: 'done', bytes: 96 * MiB, sha256: sha(big) });
    }
    // Pushed again: every copy is already there with the same hash, nothing is sent.
    const again = await push([small, big], ['services', 'nomad-1']);
    expect(again.files.every((f) => f.skipped && f.sent === 0)).toBe(true);
  });

  it('resumes after the connection is killed half way, from the bytes already there, and ends with the same checksum', async () => {
    const file = makeFile('replicated.tar.gz', 128 * MiB);
    const h = lab.hosts.services;
    let killedAt = 0;
    const failure = await push([file], ['services'], DIR, (e) => {
      if (e.type === 'transfer' && e.status === 'sending' && !killedAt && e.bytes >= e.total / 2) {
        killedAt = e.bytes;
        // Every per-connection sshd of the host is a child of its PID 1 (the listening sshd): that is our connection.
        h.exec('pkill -KILL -P 1 -x sshd');
      }
    }).catch((err: unknown) => err);
    expect(killedAt).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(DrydockError);
    expect((failure as DrydockError).message).toMatch(/dropped/);
    // The host's receiver for the killed connection ends and lets go of the .part's lock.
    for (let i = 0; i < 100 && h.exec(`flock -n ${DIR}/.replicated.tar.gz.part true`).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const partSize = Number(h.exec(`stat -c %s ${DIR}/.replicated.tar.gz.part`).stdout);
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(128 * MiB);
    expect(h.exec(`test -e ${DIR}/replicated.tar.gz`).code).not.toBe(0);

    const run = fx.engine.runner.store.list().find((r) => r.operation === 'bundle-push' && r.status === 'failed');
    expect(run).toBeDefined();
    const { result } = await fx.engine.runner.resume<{ files: SentFile[] }>(run!.id);
    const [sent] = result.files;
    expect(sent.resumedFrom).toBe(partSize);
    expect(sent.sent).toBe(128 * MiB - partSize);
    expect(sent.sent).toBeLessThan(128 * MiB);
    expect(sent.sha256).toBe(sha(file));
    expect(remoteSha(h, `${DIR}/replicated.tar.gz`)).toBe(sha(file));
  });

  it('does not trust a .part whose bytes differ from the laptop file: it is emptied and the file sent whole', async () => {
    const file = makeFile('docker-ce.deb', 24 * MiB);
    const h = lab.hosts['nomad-1'];
    ensureDir(h);
    // The first 10 MiB of the file, one byte altered in the middle, as an interrupted push would leave them.
    h.exec(`head -c ${10 * MiB} ${file} > ${DIR}/.docker-ce.deb.part && printf 'X' | dd of=${DIR}/.docker-ce.deb.part bs=1 seek=${5 * MiB} conv=notrunc status=none && chmod 600 ${DIR}/.docker-ce.deb.part`);
    const { files } = await push([file], ['nomad-1']);
    expect(files[0]).toMatchObject({ resumedFrom: 0, sent: 24 * MiB, discardedPart: 10 * MiB, sha256: sha(file) });
    expect(remoteSha(h, `${DIR}/docker-ce.deb`)).toBe(sha(file));
  });

  it('does not trust a complete copy of the same size whose bytes differ: it is sent again', async () => {
    const h = lab.hosts.services;
    h.exec(`printf 'Y' | dd of=${DIR}/license.rli bs=1 seek=1000 conv=notrunc status=none`);
    const before = await ensureOnHost(fx.engine, 'services', small);
    expect(before).toMatchObject({ skipped: false, remotePath: `${DIR}/license.rli`, sha256: sha(small) });
    expect(remoteSha(h, `${DIR}/license.rli`)).toBe(sha(small));
    const after = await ensureOnHost(fx.engine, 'services', small);
    expect(after).toMatchObject({ skipped: true, sent: 0, sha256: sha(small) });
  });

  it('refuses a host whose folder lacks the space, before sending anything', async () => {
    const h = lab.hosts['nomad-1'];
    h.exec('mkdir -m 0700 -p /srv/small && mount -t tmpfs -o size=8m,mode=0700 tmpfs /srv/small');
    const err = await push([big], ['services', 'nomad-1'], '/srv/small').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('CONFLICT');
    expect((err as DrydockError).message).toMatch(/nomad-1: \/srv\/small has [0-9.]+ MiB free, the files need 96\.0 MiB more.*nothing was sent/);
    expect(h.exec('ls -A /srv/small').stdout).toBe('');
    // Refused for all: the host with room got nothing either.
    expect(lab.hosts.services.exec('ls -A /srv/small 2>/dev/null').stdout).toBe('');
  });

  it('refuses a folder that is a symlink, not 0700, or not root\'s, and writes nothing there', async () => {
    const h = lab.hosts.services;
    h.exec('mkdir -m 0700 -p /srv/target /srv/d-mode /srv/d-owner && ln -s /srv/target /srv/d-link && chmod 0755 /srv/d-mode && chown nobody /srv/d-owner');
    const cases: [string, RegExp][] = [
      ['/srv/d-link', /\/srv\/d-link is not a folder only root can use \(a symbolic link to \/srv\/target\)/],
      ['/srv/d-mode', /\/srv\/d-mode is not a folder only root can use \(mode 755\)/],
      ['/srv/d-owner', /\/srv\/d-owner is not a folder only root can use \(owned by uid \d+, mode 700\)/],
    ];
    for (const [dir, message] of cases) {
      const err = await push([small], ['services'], dir).catch((e: unknown) => e);
      expect(err, dir).toBeInstanceOf(DrydockError);
      expect((err as DrydockError).message).toMatch(message);
    }
    // A link above the folder is refused too (never followed).
    h.exec('ln -s /srv/target /srv/up-link');
    const up = await push([small], ['services'], '/srv/up-link/bundle').catch((e: unknown) => e);
    expect((up as DrydockError).message).toMatch(/\/srv\/up-link is not a folder only root can use \(a symbolic link/);
    expect(h.exec('ls -A /srv/target /srv/d-mode /srv/d-owner').stdout).not.toMatch(/license|part|bundle/);
  });

  it('works the same where the host has no python3 (the bash receiver: head | tee | openssl or sha256sum)', async () => {
    process.env.DRYDOCK_BUNDLE_RECEIVER = 'shell';
    try {
      const file = makeFile('nomad', 20 * MiB + 5);
      const h = lab.hosts.services;
      const n1 = lab.hosts['nomad-1'];
      for (const x of [h, n1]) ensureDir(x);
      // A good prefix (7 MiB of the file) is kept; on nomad-1 an altered one is emptied.
      h.exec(`head -c ${7 * MiB} ${file} > ${DIR}/.nomad.part`);
      n1.exec(`head -c ${7 * MiB} ${file} > ${DIR}/.nomad.part && printf 'X' | dd of=${DIR}/.nomad.part bs=1 seek=9 conv=notrunc status=none`);
      const { files } = await push([file], ['services', 'nomad-1']);
      const by = Object.fromEntries(files.map((f) => [f.host, f]));
      expect(by.services).toMatchObject({ resumedFrom: 7 * MiB, sent: 13 * MiB + 5, sha256: sha(file) });
      expect(by['nomad-1']).toMatchObject({ resumedFrom: 0, discardedPart: 7 * MiB, sent: 20 * MiB + 5, sha256: sha(file) });
      for (const host of [h, n1]) expect(remoteSha(host, `${DIR}/nomad`)).toBe(sha(file));
    } finally {
      delete process.env.DRYDOCK_BUNDLE_RECEIVER;
    }
  });

  it('drydock bundle push --json prints {host, path, bytes, sha256, resumedFrom, seconds} per host and file; bad usage exits 2', async () => {
    const cli = bundleCli();
    try {
      const file = makeFile('nomad-0.11.3', 2 * MiB + 3);
      const env = { DRYDOCK_HOME: fx.home, DRYDOCK_SUDO_PASSWORD: 'pw-admin' };
      await ensureOnHost(fx.engine, 'nomad-1', small);
      const run = await cli.run(['bundle', 'push', '--file', file, '--file', small, '--role', 'nomad', '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(Object.keys(row).sort()).toEqual(['bytes', 'host', 'path', 'resumedFrom', 'seconds', 'sha256']);
      expect(rows.find((r) => r.path === `${DIR}/nomad-0.11.3`)).toMatchObject({ host: 'nomad-1', bytes: 2 * MiB + 3, sha256: sha(file), resumedFrom: 0 });
      // The license was already there: not sent again, all of it "resumed".
      expect(rows.find((r) => r.path === `${DIR}/license.rli`)).toMatchObject({ host: 'nomad-1', sha256: sha(small), resumedFrom: 3 * MiB + 17, seconds: 0 });
      expect(remoteSha(lab.hosts['nomad-1'], `${DIR}/nomad-0.11.3`)).toBe(sha(file));
      expect(run.stderr).toMatch(/Check the hosts/);

      const bad = await cli.run(['bundle', 'push', '--file', file, '--to', 'services', '--role', 'nomad'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--to HOST\[,HOST\] or --role/);
      const help = await cli.run(['bundle', 'push', '--help'], env);
      expect(help.stdout).toMatch(/--role services\|nomad/);
    } finally {
      cli.dispose();
    }
  });

  it('bundle:status names the laptop files (size, or why not) and the hosts a role reaches, touching no host', async () => {
    const handlers = createHandlers(fx.engine);
    const before = lab.hosts.services.exec('ls -A /var/lib/drydock/bundle 2>/dev/null').stdout;
    const status = await dispatch(handlers, 'bundle:status', { files: [small, path.join(local, 'missing.airgap'), local], role: 'nomad' }, { emit: () => undefined });
    expect(status.ok).toBe(true);
    if (!status.ok) return;
    expect(status.value).toMatchObject({ hosts: ['nomad-1'], dir: DIR });
    const [ok, missing, folder] = (status.value as { files: { size?: number; error?: string }[] }).files;
    expect(ok.size).toBe(3 * MiB + 17);
    expect(missing.error).toMatch(/no such file/);
    expect(folder.error).toMatch(/not a regular file/);
    expect(lab.hosts.services.exec('ls -A /var/lib/drydock/bundle 2>/dev/null').stdout).toBe(before);
    const none = await dispatch(handlers, 'bundle:push', { files: [small], hosts: ['services'], role: 'nomad' }, { emit: () => undefined });
    expect(none.ok).toBe(false);
  });

  it('resumes after the laptop process dies mid-push (SIGKILL): the runbook is interrupted, and resuming sends only the rest', async () => {
    const cli = bundleCli();
    try {
      const file = makeFile('closed-laptop.airgap', 128 * MiB);
      const h = lab.hosts.services;
      const part = `${DIR}/.closed-laptop.airgap.part`;
      const { child, done } = cli.start(['bundle', 'push', '--file', file, '--to', 'services'], { DRYDOCK_HOME: fx.home });
      const deadline = Date.now() + 60_000;
      let seen = 0;
      while (Date.now() < deadline) {
        seen = Number(h.exec(`stat -c %s ${part} 2>/dev/null || echo 0`).stdout.trim());
        if (seen >= 16 * MiB) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBeGreaterThanOrEqual(16 * MiB);
      child.kill('SIGKILL');
      await done;
      // The host's receiver sees the end of its input, keeps what arrived and lets go of the .part's lock.
      for (let i = 0; i < 100 && h.exec(`flock -n ${part} true`).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      const kept = Number(h.exec(`stat -c %s ${part}`).stdout.trim());
      expect(kept).toBeLessThan(128 * MiB);

      const run = fx.engine.runner.store.list().find((r) => r.operation === 'bundle-push' && (r.input as { files: string[] }).files.includes(file));
      expect(run?.status).toBe('interrupted');
      const { result } = await fx.engine.runner.resume<{ files: SentFile[] }>(run!.id);
      expect(result.files[0]).toMatchObject({ resumedFrom: kept, sent: 128 * MiB - kept, sha256: sha(file) });
      expect(remoteSha(h, `${DIR}/closed-laptop.airgap`)).toBe(sha(file));
    } finally {
      cli.dispose();
    }
  });

  it('refuses to append beside a receiver still holding the .part (a vanished laptop\'s connection the host has not closed yet)', async () => {
    const h = lab.hosts['nomad-1'];
    ensureDir(h);
    const file = makeFile('held.deb', 4 * MiB);
    h.exec(`: > ${DIR}/.held.deb.part && (flock ${DIR}/.held.deb.part sleep 4 </dev/null >/dev/null 2>&1 &)`);
    const err = await push([file], ['nomad-1']).catch((e: unknown) => e);
    expect((err as DrydockError).message).toMatch(/still being received by an earlier push/);
    expect(Number(h.exec(`stat -c %s ${DIR}/.held.deb.part`).stdout)).toBe(0);
    await new Promise((r) => setTimeout(r, 4500));
    const { files } = await push([file], ['nomad-1']);
    expect(files[0]).toMatchObject({ sha256: sha(file), resumedFrom: 0 });
  });
});
