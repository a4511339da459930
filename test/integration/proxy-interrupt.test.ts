/**
 * A host dies in the middle of an apply (its sshd and every session killed,
 * at several moments of the write): every file is then either exactly the
 * old one or exactly the new one, the next apply resumes and finishes the
 * job, and the rollback still restores the true originals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { GUIDE_RESTART_ORDER, NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let originals: Record<string, string | null>;
let applied: Record<string, string | null>;

beforeAll(async () => {
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  originals = w.snapshot();
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
});

const request = () => ({ settings: { proxy: proxy.url }, restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url });

/**
 * Stop `victim` the moment the engine records a matching remote command:
 * the audit log is written right after each command returns, so this lands
 * the kill at an exact point of the write (after a rename, mid-upload).
 */
function killWhen(victim: string, match: (command: string, kind: string) => boolean): () => void {
  const audit = w.fx.engine.audit;
  const append = audit.append.bind(audit);
  let fired = false;
  audit.append = (record, secrets) => {
    const entry = append(record, secrets);
    if (!fired && record.host === victim && match(record.command, record.kind)) {
      fired = true;
      void w.lab.hosts[victim].stop();
    }
    return entry;
  };
  return () => {
    audit.append = append;
  };
}

const renamed = (file: string) => (c: string, k: string) => k === 'command' && c.includes('mv -f') && c.includes(` ${file}\n`);
const uploading = (file: string) => (c: string, k: string) => k === 'file' && c.startsWith('write ') && c.includes(`/.${file.split('/').pop()}.drydock-`);

describe('an apply interrupted by a host going down', () => {
  it('learns the fully applied state once (reference for "new")', async () => {
    await w.call('proxy:apply', request());
    applied = w.snapshot();
    await w.call('proxy:rollback', { restartReplicated: true, restartDocker: [...NOMAD] });
    expect(w.snapshot()).toEqual(originals);
  });

  it.each([
    ['services', 'while backing up', (c: string) => c.includes('cp -p -- /etc/replicated.conf'), 'old'],
    ['services', 'right after the backup manifest is in place', (c: string) => c.includes('mv -f') && /\/manifest\.json\n/.test(c), 'old'],
    ['services', 'right after replicated.conf was renamed into place', renamed('/etc/replicated.conf'), 'mixed'],
    ['services', 'while uploading the customizations', uploading('/etc/circle-installation-customizations'), 'mixed'],
    ['nomad-1', 'right after /etc/environment was renamed into place', renamed('/etc/environment'), 'mixed'],
    ['nomad-2', 'while uploading the Docker drop-in', uploading('/etc/systemd/system/docker.service.d/http-proxy.conf'), 'mixed'],
  ] as const)('kill %s %s: files old or new, never partial; the next apply finishes', async (victim, _when, match, expected) => {
    const restore = killWhen(victim, match);
    try {
      await expect(w.call('proxy:apply', request())).rejects.toThrow();
    } finally {
      restore();
    }
    await w.lab.hosts[victim].stop();

    const midway = w.snapshot();
    for (const [file, content] of Object.entries(midway)) {
      expect([originals[file], applied[file]], `${file} is neither the original nor the applied version`).toContainEqual(content);
    }
    const onVictim = Object.keys(midway).filter((f) => f.startsWith(`${victim}:`));
    const state = onVictim.every((f) => midway[f] === originals[f]) ? 'old' : onVictim.every((f) => midway[f] === applied[f]) ? 'new' : 'mixed';
    expect(state).toBe(expected);

    await w.lab.hosts[victim].start();
    const again = await w.call('proxy:apply', request());
    expect(again.resumed).toBe(true);
    expect(w.snapshot()).toEqual(applied);
    expect(again.verification.every((r) => r.ok)).toBe(true);
    expect(again.pendingRestarts).toEqual([]);
    // No half-uploaded temp file (which may hold the proxy password) is left behind.
    expect(w.lab.hosts[victim].exec('ls -a /etc /etc/systemd/system/docker.service.d 2>/dev/null | grep -c drydock-').stdout.trim()).toBe('0');

    // The backups are still the true originals.
    await w.call('proxy:rollback', { restartReplicated: true, restartDocker: [...NOMAD] });
    expect(w.snapshot()).toEqual(originals);
  });

  it('after an interruption, an apply with other choices starts afresh yet keeps the original backups and owes the restarts', async () => {
    const restore = killWhen('services', renamed('/etc/replicated.conf'));
    try {
      await expect(w.call('proxy:apply', request())).rejects.toThrow();
    } finally {
      restore();
    }
    await w.lab.hosts.services.stop();
    await w.lab.hosts.services.start();

    const quiet = w.units('services').length;
    const filesOnly = await w.call('proxy:apply', { ...request(), restartReplicated: false, restartDocker: [] });
    expect(filesOnly.resumed).toBe(false);
    expect(w.snapshot()).toEqual(applied);
    expect(filesOnly.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-1', 'Docker on nomad-2']);
    expect(w.units('services').length).toBe(quiet);

    const unitsBefore = w.units('services').length;
    const finish = await w.call('proxy:apply', request());
    expect(finish.changed).toEqual([]);
    expect(finish.restarted).toEqual({ replicated: true, docker: ['nomad-1', 'nomad-2'] });
    expect(finish.pendingRestarts).toEqual([]);
    expect(w.units('services').slice(unitsBefore)).toEqual(GUIDE_RESTART_ORDER);

    await w.call('proxy:rollback', { restartReplicated: true, restartDocker: [...NOMAD] });
    expect(w.snapshot()).toEqual(originals);
  });
});
