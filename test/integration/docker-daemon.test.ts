/**
 * The lab's real Docker daemon: a lab host with `docker: { socketDir }` runs
 * the machine's real client against it (no stand-in), survives a reboot of
 * the host, and stop() leaves nothing behind: no dockerd, no mounts, no
 * folder, no cgroup folders of its own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_IMAGE, startDockerDaemon } from '../lab/docker-daemon';
import { startLab } from '../lab/lab';

describe('lab Docker daemon', () => {
  it('a host sees the real daemon, before and after a reboot; stop() cleans up', async () => {
    const d = await startDockerDaemon();
    const pid = Number(readFileSync(`${d.dir}/exec/dockerd.pid`, 'utf8'));
    const lab = await startLab([{ name: 'services', standins: true, docker: { socketDir: d.socketDir } }]);
    try {
      d.docker('run', '-d', '--name', 'postgres', '--network', 'none', LAB_IMAGE, '/bin/sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done');
      const h = lab.hosts.services;
      expect(h.exec('command -v docker').stdout.trim()).not.toBe('');
      expect(h.exec('head -c 2 "$(command -v docker)"').stdout).not.toBe('#!'); // the real client, not the stand-in
      expect(h.exec("docker ps --format '{{.Names}} {{.State}}'").stdout.trim()).toBe('postgres running');
      expect(h.exec('command -v nomad replicatedctl').stdout).toMatch(/\/usr\/local\/bin\/nomad\n\/usr\/local\/bin\/replicatedctl/);
      await h.stop();
      await h.start();
      expect(h.exec("docker ps --format '{{.Names}}'").stdout.trim()).toBe('postgres');
    } finally {
      await lab.stop();
      await d.stop();
    }
    expect(existsSync(d.dir)).toBe(false);
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(d.dir);
    const cg = `drydock-${d.dir.split('/').pop()}`;
    for (const hier of readdirSync('/sys/fs/cgroup')) expect(existsSync(`/sys/fs/cgroup/${hier}/${cg}`), hier).toBe(false);
  });
});
