/**
 * The change-control report of a real proxy apply (three lab hosts, a real
 * forward proxy): who, the hosts and the host keys the commands ran under,
 * every command, every file diff, the results; then one edited line of the
 * audit log, and the report says the chain is broken.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { bundleCli, NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let runId: string;
let cli: ReturnType<typeof bundleCli>;

beforeAll(async () => {
  cli = bundleCli();
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  const result = await w.call('proxy:apply', { settings: { proxy: proxy.url, aws: false, noProxy: [] }, restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url });
  runId = result.runId;
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
  cli?.dispose();
});

describe('change-control report', () => {
  it('a proxy apply: who, hosts and host keys, every command, every diff, the results, chain intact', async () => {
    const r = await w.call('report:change-control', { runId, format: 'markdown' });
    expect(r.chainOk).toBe(true);
    expect(r.filename).toBe(`change-control-${runId}.md`);
    const md = r.content;
    expect(md).toContain(`# Change-control report: run ${runId}`);
    expect(md).toMatch(/\*\*Who:\*\* \S+@\S+/);
    for (const h of ['services', ...NOMAD]) {
      const host = w.lab.hosts[h];
      expect(md).toMatch(new RegExp(`\\| ${h} \\| ${host.ip.replace(/\./g, '\\.')} \\| \\w+ \\| root \\| ${host.fingerprint.replace(/[+/]/g, '\\$&')} \\|`));
    }
    // The diffs as approved: the proxy lines added, on every file written.
    expect(md).toContain('services:/etc/replicated.conf (update');
    expect(md).toContain(`+  "HttpProxy": "${proxy.url}"`);
    expect(md).toContain('nomad-1:/etc/systemd/system/docker.service.d/http-proxy.conf (create');
    expect(md).not.toContain('lab-s3cret-pw');
    // Every command the run sent, from the audit log, with exit codes.
    const commands = w.fx.engine.audit.entries().filter((e) => e.kind !== 'trust');
    expect(commands.length).toBeGreaterThan(10);
    for (const e of commands) expect(md).toContain(`| ${e.seq} | ${e.time} | ${e.host} | ${e.kind} |`);
    expect(md).toMatch(/\| \d+ \| [^|]+ \| services \| command \| if command -v systemctl .*systemctl stop replicated-ui/);
    expect(md).toContain(`## Run ${runId}: proxy-apply — done`);
    expect(md).toContain('> **OK:** The audit log\'s hash chain is intact');

    const html = await w.call('report:change-control', { runId, format: 'html' });
    expect(html.content).toMatch(/^<!doctype html>/);
    expect(html.content).toContain('<span class="add">+  &quot;HttpProxy&quot;');
    expect(html.content).toContain(w.lab.hosts['nomad-2'].fingerprint);
    expect(html.content).not.toMatch(/<script/i);
  });

  it('a time range covers the same run; the CLI writes HTML by extension', async () => {
    const out = path.join(w.fx.home, 'report.html');
    const ran = await cli.run(['audit', 'report', '--since', '2000-01-01T00:00:00Z', '--out', out], { DRYDOCK_HOME: w.fx.home });
    expect(ran.code, ran.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(runId);
    expect(html).toContain('intact');
    const bad = await cli.run(['audit', 'report', '--run', runId], { DRYDOCK_HOME: w.fx.home });
    expect(bad.code).toBe(2);
  });

  it('one edited line of the audit log: the report says the chain is broken, and where', async () => {
    const file = w.fx.engine.audit.file;
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('systemctl stop replicated-ui'));
    lines[i] = lines[i].replace('systemctl stop replicated-ui', 'systemctl stop replicated-UI');
    writeFileSync(file, lines.join('\n'));
    const r = await w.call('report:change-control', { runId, format: 'markdown' });
    expect(r.chainOk).toBe(false);
    expect(r.content).toContain(`BROKEN at line ${i + 1}: contents do not match their hash (line edited)`);
    expect(r.content).toContain(`> **BROKEN:** The audit log's chain is broken at line ${i + 1}`);
    const out = path.join(w.fx.home, 'report.md');
    const ran = await cli.run(['audit', 'report', '--run', runId, '--out', out], { DRYDOCK_HOME: w.fx.home });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/Report written, but the audit chain is broken/);
    expect(readFileSync(out, 'utf8')).toContain('BROKEN');
  });
});
