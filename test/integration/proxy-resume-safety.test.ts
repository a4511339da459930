/**
 * Resuming a proxy apply never writes what the admin did not review (issue
 * 7, items 3, 4, 8, 9, 10), with the real CLI as a script runs it:
 * - the CLI is SIGKILLed at each step boundary, a file is changed by hand on
 *   another host, and `runs resume` refuses (with the diff) or reports the
 *   file off-plan: the hand edit always survives;
 * - a resume needs the secrets again (the same environment variables); a
 *   different password starts afresh after saying so, never two passwords;
 * - `runs resume` exits with the operation's own result;
 * - Stop during a file step says exactly what changed on which host.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { bundleCli, NOMAD, ORIGINAL, startProxyWorld, type CliRun, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let cli: ReturnType<typeof bundleCli>;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let originals: Record<string, string | null>;
let applied: Record<string, string | null>;

const runsDir = () => path.join(w.fx.home, 'runs');
const home = () => ({ DRYDOCK_HOME: w.fx.home });
const drydock = (args: string[], env: Record<string, string> = {}) => cli.run(args, { ...home(), ...env });
const applyArgs = (extra: string[] = []) => ['proxy', 'apply', '--proxy', proxy.url, '--verify-url', origin.url, '--yes', ...extra];

beforeAll(async () => {
  cli = bundleCli();
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  originals = w.snapshot();
  const first = await drydock(applyArgs());
  expect(first.code, first.stderr).toBe(0);
  applied = w.snapshot();
  reset();
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
  cli?.dispose();
});

/** Every host back to its original files, no backups, no runbooks, no owed restarts: a fresh start. */
function reset(): void {
  const s = w.lab.hosts.services;
  s.writeFile('/etc/replicated.conf', ORIGINAL.replicatedConf);
  s.exec('chmod 600 /etc/replicated.conf');
  s.writeFile('/etc/circle-installation-customizations', ORIGINAL.customizations);
  for (const n of NOMAD) {
    w.lab.hosts[n].writeFile('/etc/environment', ORIGINAL.environment);
    w.lab.hosts[n].exec('rm -rf /etc/systemd/system/docker.service.d');
  }
  for (const h of ['services', ...NOMAD]) w.lab.hosts[h].exec('rm -rf /var/backups/drydock');
  rmSync(runsDir(), { recursive: true, force: true });
  rmSync(path.join(w.fx.home, 'proxy-pending-restarts.json'), { force: true });
  expect(w.snapshot()).toEqual(originals);
}

function readRun(): { id: string; steps: { name: string; status: string }[] } | null {
  let names: string[] = [];
  try {
    names = readdirSync(runsDir()).filter((n) => n.endsWith('.json'));
  } catch {
    return null;
  }
  const runs = names.map((n) => JSON.parse(readFileSync(path.join(runsDir(), n), 'utf8')));
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0] ?? null;
}

/** Start the CLI and SIGKILL it the moment its runbook shows `step` finished. */
async function killAfter(step: string, args: string[], env: Record<string, string> = {}): Promise<{ runId: string; ran: CliRun }> {
  const { child, done } = cli.start(args, { ...home(), ...env });
  let runId = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      let run: ReturnType<typeof readRun> = null;
      try {
        run = readRun();
      } catch {
        return; // caught between two writes of the runbook
      }
      const s = run?.steps.find((x) => x.name === step);
      if (run && s && (s.status === 'done' || s.status === 'skipped')) {
        child.kill('SIGKILL');
        runId = run.id;
        clearInterval(timer);
        resolve();
      }
    }, 3);
    void done.then((r) => {
      clearInterval(timer);
      if (!runId) reject(new Error(`the CLI ended before ${step} finished: ${r.code} ${r.stderr}`));
    });
  });
  return { runId, ran: await done };
}

const BOUNDARIES = ['plan', 'services-files', 'nomad-files', 'restart-replicated', 'restart-docker', 'verify'];
const ALL_RESTARTS = 'Replicated on the Services machine, Docker on nomad-1, Docker on nomad-2';
/** What a resume still has to restart after each step (null: nothing, so it needs no confirmation). */
const OWED_AFTER: Record<string, string | null> = {
  plan: ALL_RESTARTS,
  'services-files': ALL_RESTARTS,
  'nomad-files': ALL_RESTARTS,
  'restart-replicated': 'Docker on nomad-1, Docker on nomad-2',
  'restart-docker': null,
  verify: null,
};

describe('item 3: a resume writes nothing the admin did not review', () => {
  it.each(BOUNDARIES)('CLI killed after "%s", a file changed on nomad-2, then runs resume: the change survives', async (step) => {
    reset();
    const { runId, ran } = await killAfter(step, applyArgs());
    expect(ran.code).toBeNull(); // killed, not ended
    const before = w.lab.hosts['nomad-2'].readFile('/etc/environment')!;
    w.lab.hosts['nomad-2'].writeFile('/etc/environment', `${before}# edited by hand on nomad-2\n`);
    const edited = w.lab.hosts['nomad-2'].readFile('/etc/environment');

    // The apply had every restart ticked: a resume lists those still to come and, without a terminal or
    // --yes, runs nothing. Restarts its state records as done are not listed (their steps do not run again).
    const owed = OWED_AFTER[step];
    if (owed) {
      const unconfirmed = await drydock(['runs', 'resume', runId]);
      expect(unconfirmed.code, unconfirmed.stderr).toBe(3);
      expect(unconfirmed.stderr).toContain(`restarts, as confirmed when it started: ${owed}.`);
      expect(w.lab.hosts['nomad-2'].readFile('/etc/environment')).toBe(edited);
    }

    const resumed = await drydock(['runs', 'resume', runId, ...(owed ? ['--yes'] : [])]);
    expect(resumed.code, resumed.stderr).toBe(1);
    // The hand edit is never overwritten, whether the write was still to come or already done.
    expect(w.lab.hosts['nomad-2'].readFile('/etc/environment')).toBe(edited);
    if (before === ORIGINAL.environment) {
      expect(resumed.stderr).toContain('nomad-2: /etc/environment changed since the plan was reviewed; nothing was written to it');
      expect(resumed.stderr).toContain(' # edited by hand on nomad-2');
    } else {
      expect(resumed.stderr).toContain('nomad-2:/etc/environment does not hold what the plan wrote');
    }
    // Every other file is exactly the original or exactly what the reviewed plan wrote.
    const now = w.snapshot();
    for (const [file, content] of Object.entries(now)) {
      if (file === 'nomad-2:/etc/environment') continue;
      expect([originals[file], applied[file]], file).toContainEqual(content);
    }
  });
});

describe('item 3: a re-run after an interruption', () => {
  it('writes what the admin reviewed just now, hand edit included, finishing the interrupted run', async () => {
    reset();
    const { runId } = await killAfter('services-files', applyArgs());
    w.lab.hosts['nomad-2'].writeFile('/etc/environment', `${ORIGINAL.environment}# edited by hand on nomad-2\n`);
    const again = await drydock(applyArgs(['--json']));
    expect(again.code, again.stderr).toBe(0);
    const { plan, result } = JSON.parse(again.stdout);
    expect(plan.hosts.find((h: { host: string }) => h.host === 'nomad-2').files[0].diff).toContain(' # edited by hand on nomad-2');
    expect(result).toMatchObject({ resumed: true, runId });
    const env = w.lab.hosts['nomad-2'].readFile('/etc/environment')!;
    expect(env).toContain('# edited by hand on nomad-2');
    expect(env).toContain(proxy.url);
  });
});

describe('items 4 and 8: secrets on resume', () => {
  const withPassword = (pw: string) => ({ DRYDOCK_PROXY_PASSWORD: pw });
  const args = () => applyArgs(['--proxy-user', 'ci']);
  const holding = (pw: string) => Object.entries(w.snapshot()).filter(([, c]) => c?.includes(pw)).map(([f]) => f);

  it('asks for the missing secret, refuses another one (started afresh, nothing written), resumes with the same one', async () => {
    reset();
    const { runId } = await killAfter('services-files', args(), withPassword('first-Pw-1'));
    const midway = w.snapshot();
    expect(holding('first-Pw-1')).toEqual(['services:/etc/replicated.conf', 'services:/etc/circle-installation-customizations']);

    const listed = (await w.call('runs:list', {})).find((r) => r.id === runId)!;
    expect(listed).toMatchObject({ resumable: true, missingSecrets: [{ key: 'settings.proxyPassword', label: 'proxy password', env: 'DRYDOCK_PROXY_PASSWORD' }] });

    expect((await drydock(['runs', 'list'])).stdout).toMatch(new RegExp(`${runId} +interrupted +.* +with DRYDOCK_PROXY_PASSWORD; restarts: --yes`));
    const bare = await drydock(['runs', 'resume', runId]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('needs its secrets again to resume (runbooks never keep them): proxy password (set DRYDOCK_PROXY_PASSWORD)');
    expect(w.snapshot()).toEqual(midway);

    const unconfirmed = await drydock(['runs', 'resume', runId], withPassword('first-Pw-1'));
    expect(unconfirmed.code).toBe(3);
    expect(w.snapshot()).toEqual(midway);

    const other = await drydock(['runs', 'resume', runId, '--yes'], withPassword('second-Pw-2'));
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`The proxy password given differs from the one run ${runId} started with`);
    expect(other.stderr).toContain('changed since you reviewed the plan');
    expect(holding('second-Pw-2')).toEqual([]);
    expect(w.snapshot()).toEqual(midway);

    const same = await drydock(['runs', 'resume', runId, '--yes'], withPassword('first-Pw-1'));
    expect(same.code, same.stderr).toBe(0);
    expect(holding('first-Pw-1').length).toBe(6);
    expect(holding('second-Pw-2')).toEqual([]);
    expect((await w.call('runs:list', {})).find((r) => r.id === runId)).toMatchObject({ status: 'done', resumable: false, whyNot: 'it already finished' });
  });

  it('an apply re-run with another password starts afresh, says so, and leaves one password everywhere', async () => {
    reset();
    const { runId } = await killAfter('services-files', args(), withPassword('first-Pw-1'));
    const again = await drydock(args(), withPassword('second-Pw-2'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`The proxy password given differs from the one run ${runId} started with: that run stays stopped, and a new run starts afresh`);
    expect(holding('first-Pw-1')).toEqual([]);
    expect(holding('second-Pw-2').length).toBe(6);
    const old = (await w.call('runs:list', {})).find((r) => r.id === runId)!;
    expect(old.resumable).toBe(false);
    expect(old.whyNot).toMatch(/replaced it \(started afresh\)/);
    const refused = await drydock(['runs', 'resume', runId], withPassword('first-Pw-1'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Run ${runId} cannot be resumed: run `);
    expect((await drydock(['runs', 'list'])).stdout).toMatch(new RegExp(`${runId} +interrupted +.* +no: run \\S+ replaced it`));
    expect(holding('first-Pw-1')).toEqual([]);
  });
});

describe('item 9: runs resume exits with the operation result', () => {
  it('a resumed apply whose verification fails exits 1, like proxy apply', async () => {
    reset();
    const closed = 'http://127.0.0.1:9/';
    const { runId } = await killAfter('nomad-files', ['proxy', 'apply', '--proxy', proxy.url, '--verify-url', closed, '--yes', '--no-restart']);
    const resumed = await drydock(['runs', 'resume', runId]);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(`could not reach ${closed} through the proxy`);
    const direct = await drydock(['proxy', 'apply', '--proxy', proxy.url, '--verify-url', closed, '--yes', '--no-restart']);
    expect(direct.code).toBe(1);
  });
});

describe('item 10: Stop during a file step', () => {
  it('reports exactly which files changed on which host, from the manifests', async () => {
    reset();
    const audit = w.fx.engine.audit;
    const append = audit.append.bind(audit);
    audit.append = (record, secrets) => {
      const entry = append(record, secrets);
      if (record.host === 'nomad-1' && record.command.includes('mv -f') && record.command.includes(' /etc/environment\n')) w.fx.engine.runner.cancelAll();
      return entry;
    };
    let err: Error | undefined;
    try {
      await w.call('proxy:apply', { settings: { proxy: proxy.url }, restartReplicated: false, restartDocker: [], verifyUrl: origin.url });
    } catch (e) {
      err = e as Error;
    } finally {
      audit.append = append;
    }
    expect(err?.message).toMatch(/^Stopped by the admin during "Write each Nomad client's files"\. Changed so far — /);
    const changed = Object.keys(originals).filter((f) => w.snapshot()[f] !== originals[f]);
    expect(changed).toEqual(expect.arrayContaining(['services:/etc/replicated.conf', 'services:/etc/circle-installation-customizations', 'nomad-1:/etc/environment']));
    const byHost = new Map<string, string[]>();
    for (const f of changed) byHost.set(f.split(':')[0], [...(byHost.get(f.split(':')[0]) ?? []), f.slice(f.indexOf(':') + 1)]);
    for (const [host, files] of byHost) expect(err!.message).toMatch(new RegExp(`${host}: ${files.join(', ')} \\(backup set [^)]+\\)`));
    expect(err!.message).not.toContain('nomad-2:');
    expect(err!.message).toContain('To undo: roll back the proxy settings (drydock proxy rollback)');
    const run = (await w.call('runs:list', {}))[0];
    expect(run.status).toBe('interrupted');
    expect(run.resumable).toBe(true);
  });
});
