/**
 * The file-change engine against a local user who shapes what root will
 * touch (issue 7, items 1, 2, 5, 6), on a real host where Drydock logs in as
 * an admin with sudo and `mallory` is an ordinary local user:
 * - a symlinked target is refused at plan time and never gets a link's mode;
 * - the backup store is a real root-only folder, checked before every use,
 *   and a rollback restores only what the operation writes and what this
 *   laptop recorded;
 * - uploads are staged in a private per-run folder and a killed run's
 *   staging is cleaned by the next run;
 * - folders Drydock created are removed again by the rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { applyFiles, newSetName, planFile, recordOf, rollbackFiles, type SetRecord } from '../../electron/engine/files/change-set';
import { listSets } from '../../electron/engine/files/backup-store';
import { cleanStaleStaging } from '../../electron/engine/operations/proxy/file-safety';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const ORIGINAL = 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\n';
const ALLOWED = ['/etc/environment', '/etc/systemd/system/docker.service.d/http-proxy.conf', '/etc/drydock-test/new.conf'];
let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  lab = await startLab([
    {
      name: 'nomad-1',
      users: [
        { name: 'admin', password: 'sudo-secret', sudo: 'password' },
        { name: 'mallory', password: 'mallory-pw', sudo: 'none' },
      ],
      files: { '/etc/environment': { content: ORIGINAL, mode: 0o640 } },
    },
  ]);
  fx = await engineWithHosts(lab, [{ name: 'nomad-1', role: 'nomad', user: 'admin' }]);
  fx.engine.credentials.set('nomad-1', { sudoPassword: 'sudo-secret' });
});
afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

const host = () => lab.hosts['nomad-1'];
const sh = (cmd: string) => host().exec(cmd);
const asMallory = (cmd: string) => sh(`su mallory -s /bin/sh -c '${cmd.replace(/'/g, `'\\''`)}'`);
const session = () => fx.engine.pool.session('nomad-1');
const withProxy = (cur: string | null) => `${cur ?? ''}HTTP_PROXY="http://10.0.0.33:3128"\n`;

async function refusal(p: Promise<unknown>): Promise<DrydockError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DrydockError);
  return err as DrydockError;
}

describe('item 1: a symlinked target', () => {
  it('is refused at plan time with a clear message, and nothing is written through the link', async () => {
    sh('cp -p /etc/environment /etc/environment.real && rm /etc/environment && ln -s /etc/environment.real /etc/environment');
    try {
      const err = await refusal(planFile(await session(), '/etc/environment', withProxy));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('/etc/environment is a symbolic link to /etc/environment.real');
      expect(err.message).toMatch(/never through a link/);
      expect(sh('stat -c %F /etc/environment').stdout.trim()).toBe('symbolic link');
      expect(host().readFile('/etc/environment.real')).toBe(ORIGINAL);
    } finally {
      sh('rm -f /etc/environment && mv /etc/environment.real /etc/environment');
    }
  });

  it('a target that becomes a link after the plan is refused by the apply, on the host', async () => {
    const s = await session();
    const plan = await planFile(s, '/etc/environment', withProxy);
    sh('cp -p /etc/environment /etc/environment.real && rm /etc/environment && ln -s /etc/environment.real /etc/environment');
    try {
      const err = await refusal(applyFiles(s, [plan], newSetName('proxy'), 'proxy'));
      expect(err.message).toContain('symbolic link');
      expect(sh('stat -c %F /etc/environment').stdout.trim()).toBe('symbolic link');
      expect(host().readFile('/etc/environment.real')).toBe(ORIGINAL);
    } finally {
      sh('rm -f /etc/environment && mv /etc/environment.real /etc/environment');
    }
  });

  it('a rollback over a link planted after the apply restores the recorded mode (never 0777) and leaves the link target alone', async () => {
    const s = await session();
    const set = newSetName('proxy');
    const m = await applyFiles(s, [await planFile(s, '/etc/environment', withProxy)], set, 'proxy');
    expect(m.files[0].mode).toBe(0o640);
    sh('mv /etc/environment /etc/environment.real && ln -s /etc/environment.real /etc/environment');
    await rollbackFiles(s, { set, trust: { allowed: ALLOWED, record: recordOf(m), acceptUnrecorded: false } });
    expect(sh('stat -c "%F %a %u" /etc/environment').stdout.trim()).toBe('regular file 640 0');
    expect(host().readFile('/etc/environment')).toBe(ORIGINAL);
    expect(host().readFile('/etc/environment.real')).toBe(withProxy(ORIGINAL));
    sh('rm -f /etc/environment.real');
  });
});

describe('item 2: a backup store a user can shape', () => {
  it('creates the store and each set as real root-owned 0700 folders', async () => {
    const s = await session();
    const set = newSetName('proxy');
    await applyFiles(s, [await planFile(s, '/etc/environment', withProxy)], set, 'proxy');
    expect(sh(`stat -c '%F %u %a' /var/backups/drydock /var/backups/drydock/${set}`).stdout.trim().split('\n')).toEqual(['directory 0 700', 'directory 0 700']);
    await rollbackFiles(s, { set });
  });

  it('refuses a store that is a symlink into a user directory: no planted set is restored, nothing is written', async () => {
    const s = await session();
    // Mallory prepares a "newer" set whose manifest names a sudoers drop-in.
    const planted = '20991231T235959999Z-abcdef-proxy';
    asMallory(`mkdir -p /home/mallory/b/${planted} && printf 'mallory ALL=(ALL) NOPASSWD: ALL\\n' > /home/mallory/b/${planted}/etc__sudoers.d__mallory`);
    const hash = sh(`sha256sum /home/mallory/b/${planted}/etc__sudoers.d__mallory`).stdout.split(' ')[0];
    const manifest = { set: planted, label: 'proxy', host: 'nomad-1', createdAt: '2099-12-31T23:59:59Z', state: 'applied', files: [{ path: '/etc/sudoers.d/mallory', existed: true, sha256Before: hash, sha256After: null, mode: 0o440, uid: 0, gid: 0, backup: 'etc__sudoers.d__mallory' }] };
    asMallory(`cat > /home/mallory/b/${planted}/manifest.json <<'EOF'\n${JSON.stringify(manifest)}\nEOF`);
    sh('mv /var/backups/drydock /var/backups/drydock.real && ln -s /home/mallory/b /var/backups/drydock');
    try {
      const rollback = await refusal(rollbackFiles(s, { label: 'proxy' }));
      expect(rollback.message).toContain('/var/backups/drydock is not a folder only root can use (a symbolic link to /home/mallory/b)');
      const apply = await refusal(applyFiles(s, [await planFile(s, '/etc/environment', withProxy)], newSetName('proxy'), 'proxy'));
      expect(apply.message).toContain('not a folder only root can use');
      expect(sh('ls /etc/sudoers.d/mallory 2>&1 || true').stdout).toMatch(/No such file/);
      expect(host().readFile('/etc/environment')).toBe(ORIGINAL);
    } finally {
      sh('rm /var/backups/drydock && mv /var/backups/drydock.real /var/backups/drydock');
    }
  });

  it.each([
    ['owned by a user', 'chown mallory /var/backups/drydock', 'owned by uid'],
    ['readable by others', 'chmod 755 /var/backups/drydock', 'mode 755'],
  ])('refuses a store %s', async (_what, spoil, says) => {
    sh(spoil);
    try {
      const err = await refusal(listSets(await session()));
      expect(err.message).toContain(says);
    } finally {
      sh('chown root /var/backups/drydock && chmod 700 /var/backups/drydock');
    }
  });

  it('restores only the files the operation writes, and only from a manifest that agrees with the laptop record', async () => {
    const s = await session();
    const set = newSetName('proxy');
    let record: SetRecord | null = null;
    await applyFiles(s, [await planFile(s, '/etc/environment', withProxy)], set, 'proxy', { onManifest: (m) => (record = recordOf(m)) });
    expect(record!.files.map((f) => f.path)).toEqual(['/etc/environment']);
    const manifestPath = `/var/backups/drydock/${set}/manifest.json`;
    const good = host().readFile(manifestPath)!;

    // A manifest naming a path the operation never writes.
    const evil = JSON.parse(good);
    evil.files.push({ path: '/etc/sudoers.d/mallory', existed: false, sha256Before: null, sha256After: null });
    sh(`cat > ${manifestPath} <<'EOF'\n${JSON.stringify(evil)}\nEOF`);
    const foreign = await refusal(rollbackFiles(s, { set, trust: { allowed: ALLOWED, record, acceptUnrecorded: false } }));
    expect(foreign.message).toContain('/etc/sudoers.d/mallory, which this operation never writes');

    // A manifest whose backup (and hash) were swapped: it disagrees with the laptop's record.
    sh(`printf 'PATH=/home/mallory/bin\\n' > /var/backups/drydock/${set}/etc__environment`);
    const swapped = JSON.parse(good);
    swapped.files[0].sha256Before = sh(`sha256sum /var/backups/drydock/${set}/etc__environment`).stdout.split(' ')[0];
    sh(`cat > ${manifestPath} <<'EOF'\n${JSON.stringify(swapped)}\nEOF`);
    const mismatch = await refusal(rollbackFiles(s, { set, trust: { allowed: ALLOWED, record, acceptUnrecorded: false } }));
    expect(mismatch.message).toContain("disagrees with this laptop's record");
    // Not made from this laptop: refused until the admin accepts it.
    const unrecorded = await refusal(rollbackFiles(s, { set, trust: { allowed: ALLOWED, record: null, acceptUnrecorded: false } }));
    expect(unrecorded.message).toContain('was not made from this laptop');
    expect(host().readFile('/etc/environment')).toBe(withProxy(ORIGINAL));

    // The true manifest and backup: restored.
    sh(`cat > ${manifestPath} <<'EOF'\n${good}EOF`);
    sh(`printf '%s' '${ORIGINAL}' > /var/backups/drydock/${set}/etc__environment`);
    await rollbackFiles(s, { set, trust: { allowed: ALLOWED, record, acceptUnrecorded: false } });
    expect(host().readFile('/etc/environment')).toBe(ORIGINAL);
    expect(sh('ls /etc/sudoers.d/mallory 2>&1 || true').stdout).toMatch(/No such file/);
  });
});

describe('item 5: staging', () => {
  it('stages uploads in a private folder that is gone afterwards', async () => {
    const s = await session();
    const set = newSetName('proxy');
    await applyFiles(s, [await planFile(s, '/etc/environment', withProxy)], set, 'proxy');
    // Every upload went through a 0700 mktemp folder, and none is left.
    const writes = fx.engine.audit.entries().filter((e) => e.kind === 'file' && e.command.startsWith('write /tmp/'));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((e) => /^write \/tmp\/drydock-staging\.[A-Za-z0-9-]+\.[A-Za-z0-9]+\/upload-[0-9a-f]+$/.test(e.command))).toBe(true);
    expect(sh('ls -a /tmp').stdout).not.toMatch(/drydock/);
    await rollbackFiles(s, { set });
    expect(sh('ls -a /tmp').stdout).not.toMatch(/drydock/);
  });

  it("removes a killed run's staging (and an older Drydock's uploads) at the next run, keeping a live run's", async () => {
    const store = fx.engine.runner.store;
    const now = new Date().toISOString();
    const base = { operation: 'proxy-apply', pid: 999999, startedAt: now, updatedAt: now, input: {}, state: {}, steps: [] };
    store.save({ ...base, id: '2026-11-29-proxy-apply-killed01', status: 'interrupted' });
    store.save({ ...base, id: '2026-11-29-proxy-apply-live0001', status: 'running', pid: process.pid });
    sh("su admin -c 'umask 077; mkdir /tmp/drydock-staging.2026-11-29-proxy-apply-killed01.Ab12Cd34 && echo proxy-pw > /tmp/drydock-staging.2026-11-29-proxy-apply-killed01.Ab12Cd34/upload-0a1b'");
    sh("su admin -c 'umask 077; mkdir /tmp/drydock-staging.2026-11-29-proxy-apply-live0001.Zz99Yy88'");
    sh("su admin -c 'echo proxy-pw > /tmp/.drydock-upload-0a1b2c3d4e5f && touch -d \"1 hour ago\" /tmp/.drydock-upload-0a1b2c3d4e5f'");
    // Another user's folder of that name is not Drydock's to remove.
    asMallory('mkdir /tmp/drydock-staging.2026-11-29-proxy-apply-killed01.Mm00Mm00');
    const removed = await cleanStaleStaging(fx.engine.home, await session(), '2026-11-29-proxy-apply-next0001');
    expect(removed.sort()).toEqual(['/tmp/.drydock-upload-0a1b2c3d4e5f', '/tmp/drydock-staging.2026-11-29-proxy-apply-killed01.Ab12Cd34']);
    expect(sh('ls -a /tmp').stdout.split('\n').filter((l) => l.includes('drydock')).sort()).toEqual([
      'drydock-staging.2026-11-29-proxy-apply-killed01.Mm00Mm00',
      'drydock-staging.2026-11-29-proxy-apply-live0001.Zz99Yy88',
    ]);
    sh('rm -rf /tmp/drydock-staging.*');
  });
});

describe('item 6: folders Drydock created', () => {
  it('are removed by the rollback when empty, kept when someone put something in them', async () => {
    const s = await session();
    const dropIn = '/etc/systemd/system/docker.service.d/http-proxy.conf';
    expect(sh('test -e /etc/systemd/system/docker.service.d && echo yes || echo no').stdout.trim()).toBe('no');
    const set = newSetName('proxy');
    const m = await applyFiles(s, [await planFile(s, dropIn, () => '[Service]\nEnvironment="HTTP_PROXY=http://10.0.0.33:3128"\n', 0o600)], set, 'proxy');
    expect(m.dirs).toEqual(['/etc/systemd/system/docker.service.d']);
    expect(sh(`stat -c %a ${dropIn}`).stdout.trim()).toBe('600');
    await rollbackFiles(s, { set, trust: { allowed: ALLOWED, record: recordOf(m), acceptUnrecorded: false } });
    expect(sh('test -e /etc/systemd/system/docker.service.d && echo yes || echo no').stdout.trim()).toBe('no');

    const again = newSetName('proxy');
    const m2 = await applyFiles(s, [await planFile(s, '/etc/drydock-test/new.conf', () => 'x\n')], again, 'proxy');
    expect(m2.dirs).toEqual(['/etc/drydock-test']);
    sh('echo mine > /etc/drydock-test/admin-notes');
    await rollbackFiles(s, { set: again });
    expect(host().readFile('/etc/drydock-test/admin-notes')).toBe('mine\n');
    expect(host().readFile('/etc/drydock-test/new.conf')).toBeNull();
  });
});
