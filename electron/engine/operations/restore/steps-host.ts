/**
 * The spare after it boots the primary's disk: reconnect under the host-key
 * rule, stop the app, fix its identity, reset Nomad's data, start the app,
 * verify it. Nothing is run on the spare before its key is proven.
 */
import path from 'node:path';
import { DrydockError } from '../../../../shared/errors';
import { knownHostsName } from '../../../../shared/hosts';
import { appStatus, waitForState } from '../certs/replicated-app';
import { KnownHosts } from '../../ssh/known-hosts';
import { quote } from '../../ssh/quote';
import type { Step } from '../operation';
import { planFiles, writeFiles } from './files';
import { bareAddress, consoleFingerprints, readAssignments, REPLICATED_FILES, rewriteReplicatedDefaults, SYSCONFIG_FILES } from './identity';
import type { Ctx, RestoreInputT, RestoreState } from './types';
import { SPARE_TAG } from './spare-record';
import { assertDrillBlocked } from './drill-target';
import { sleep } from '../../sleep';
import { waitUntil, withProvider } from './waits';

type RestoreStep = Step<RestoreInputT, RestoreState>;

const knownHosts = (ctx: Ctx) => new KnownHosts(path.join(ctx.services.home, 'known_hosts'));
const spareSession = (ctx: Ctx) => ctx.services.pool.session(ctx.input.spare.host, ctx.signal);

async function presentedKey(ctx: Ctx) {
  // Through the spare's jump host when it has one (the bastion's own key is checked as for any session;
  // the rule below is about the spare's key, which the tunnel carries end to end).
  return waitUntil(
    ctx,
    () => ctx.services.pool.presentedKey(ctx.input.spare.host, { timeoutMs: 10_000, ...(ctx.signal ? { signal: ctx.signal } : {}) }).catch((err: unknown) => ({ error: (err as Error).message })),
    (k): k is { keyType: string; key: string; fingerprint: string } => !('error' in k),
    (k) => `The spare's SSH server does not answer yet${'error' in k ? ` (${k.error})` : ''}`,
    ctx.input.profileData.provider === 'aws' ? 'Check the instance in the EC2 console (system log), then resume the run.' : "Check the domain's console (virsh console), then resume the run.",
    15 * 60_000,
  ) as Promise<{ keyType: string; key: string; fingerprint: string }>;
}

export const reconnect: RestoreStep = {
  name: 'reconnect',
  title: "Reconnect to the spare (prove its host key)",
  check: async (ctx) => {
    const spare = ctx.services.inventory.get(ctx.input.spare.host);
    const stored = knownHosts(ctx).lookup(knownHostsName(spare.address, spare.port));
    const accepted = ctx.state.hostKeys.filter((k) => k.proof !== 'refused').map((k) => k.fingerprint);
    if (!stored.some((k) => accepted.includes(k.fingerprint))) return false;
    const presented = await presentedKey(ctx);
    return accepted.includes(presented.fingerprint) && stored.some((k) => k.fingerprint === presented.fingerprint);
  },
  apply: async (ctx) => {
    const spare = ctx.services.inventory.get(ctx.input.spare.host);
    const knownAs = knownHostsName(spare.address, spare.port);
    const kh = knownHosts(ctx);
    const presented = await presentedKey(ctx);
    const at = new Date().toISOString();
    let proof: 'primary' | 'console' | 'admin' | undefined;
    if (ctx.input.primary.fingerprints.includes(presented.fingerprint)) proof = 'primary';
    else if (ctx.state.confirmedKey === presented.fingerprint) proof = 'admin';
    else if (ctx.input.profileData.provider === 'aws') {
      // cloud-init prints the new keys to the console late in boot: ask a few times. (libvirt: no console Drydock trusts; the admin confirms.)
      for (let i = 0; i < 6 && !proof; i++) {
        const printed = await withProvider(ctx, async (p) => consoleFingerprints(await p.consoleOutput(await p.findMachine(ctx.input.spare.machineId, { signal: ctx.signal }), { signal: ctx.signal })));
        if (printed.some((f) => f.fingerprint === presented.fingerprint)) proof = 'console';
        else if (printed.length) break;
        else if (i < 5) await sleep(ctx.input.pollMs ?? 5_000, ctx.signal);
      }
    }
    if (!proof) {
      if (!ctx.state.hostKeys.some((k) => k.fingerprint === presented.fingerprint && k.proof === 'refused')) ctx.state.hostKeys.push({ fingerprint: presented.fingerprint, keyType: presented.keyType, proof: 'refused', at });
      ctx.checkpoint();
      throw new DrydockError(
        'CONFIRMATION_REQUIRED',
        `The spare presents ${presented.keyType} ${presented.fingerprint}, which is neither the primary's known key nor a fingerprint cloud-init printed on the spare's console. Nothing was run on it. Check the fingerprint on the spare's console (EC2: Get system log; libvirt: virsh console, ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then confirm it (drydock restore trust-key --run ${ctx.runId} --fingerprint ${presented.fingerprint}) and resume the run; or abort it.`,
        { host: spare.name, fingerprint: presented.fingerprint, keyType: presented.keyType, runId: ctx.runId, reason: 'host-key' },
      );
    }
    kh.remove(knownAs);
    kh.add(knownAs, presented.keyType, presented.key, `drydock:${spare.name} restored ${ctx.runId}`);
    ctx.services.pool.drop(spare.name);
    ctx.services.audit.append({ host: spare.name, fingerprint: presented.fingerprint, kind: 'trust', command: `trust ${presented.keyType} key for ${knownAs} (restore: ${proof === 'primary' ? "the primary's known key" : proof === 'console' ? "printed on the spare's console" : 'confirmed by the admin'})`, exitCode: 0, durationMs: 0 });
    ctx.state.hostKeys.push({ fingerprint: presented.fingerprint, keyType: presented.keyType, proof, at });
    ctx.note(`${presented.fingerprint} accepted: ${proof === 'primary' ? "the primary's known key" : proof === 'console' ? "printed by cloud-init on the spare's console" : 'confirmed by the admin'}`);
  },
  undo: async (ctx) => {
    // The spare gets its own root back, and with it its own key.
    const spare = ctx.services.inventory.get(ctx.input.spare.host);
    const knownAs = knownHostsName(spare.address, spare.port);
    const kh = knownHosts(ctx);
    kh.remove(knownAs);
    for (const k of ctx.input.spare.keys) kh.add(knownAs, k.keyType, k.key, `drydock:${spare.name}`);
    ctx.services.pool.drop(spare.name);
  },
};

export const stopApp: RestoreStep = {
  name: 'stop-app',
  title: "Stop the app the primary's disk started",
  disrupts: (input) => `stops the CircleCI app on ${input.spare.host} (if the restored disk started it)`,
  check: async (ctx) => {
    const s = await appStatus(await spareSession(ctx), ctx.signal);
    return s.State === 'stopped' && !s.IsTransitioning;
  },
  apply: async (ctx) => {
    const session = await spareSession(ctx);
    await session.check('replicatedctl app stop', { asRoot: true, signal: ctx.signal });
    await waitForState(session, 'stopped', { signal: ctx.signal, pollMs: ctx.input.pollMs ?? 2000, onPoll: (s) => ctx.note(`app ${s.State}`) });
  },
};

async function identityPlan(ctx: Ctx) {
  const session = await spareSession(ctx);
  const exists = async (f: string) => (await session.run(`test -f ${quote(f)}`, { signal: ctx.signal })).code === 0;
  const files = [...REPLICATED_FILES];
  for (const f of SYSCONFIG_FILES) if (await exists(f)) files.push(f as never);
  const first = (await session.readFile(REPLICATED_FILES[0]))?.toString('utf8') ?? '';
  const found = readAssignments(first);
  ctx.state.oldAddresses ??= {
    ...(found.get('PRIVATE_ADDRESS') ? { private: bareAddress(found.get('PRIVATE_ADDRESS')!) } : {}),
    ...(found.get('PUBLIC_ADDRESS') ? { public: bareAddress(found.get('PUBLIC_ADDRESS')!) } : {}),
  };
  const oldPrivate = ctx.input.backup.privateAddress ?? ctx.state.oldAddresses.private;
  const oldPublic = ctx.input.backup.publicAddress ?? ctx.state.oldAddresses.public;
  if (!ctx.state.sparePublicAddress) {
    await withProvider(ctx, async (p) => {
      const m = await p.findMachine(ctx.input.spare.machineId, { signal: ctx.signal });
      if (m.publicAddress) ctx.state.sparePublicAddress = m.publicAddress;
    });
  }
  const swaps = [
    ...(oldPrivate ? [{ from: oldPrivate, to: ctx.input.spare.address }] : []),
    ...(oldPublic && ctx.state.sparePublicAddress ? [{ from: oldPublic, to: ctx.state.sparePublicAddress }] : []),
  ];
  const planned = await planFiles(session, files.map((f) => ({ path: f, render: (cur: string | null) => (cur === null ? null : rewriteReplicatedDefaults(cur, swaps).text) })));
  return { session, planned, oldPrivate };
}

export const fixIdentity: RestoreStep = {
  name: 'fix-identity',
  title: "Give the spare its own addresses in /etc/default/replicated*",
  check: async (ctx) => {
    const { planned } = await identityPlan(ctx);
    return planned.every((f) => !f.changed);
  },
  apply: async (ctx) => {
    const { session, planned, oldPrivate } = await identityPlan(ctx);
    if (!oldPrivate) throw new DrydockError('COMMAND_FAILED', `${REPLICATED_FILES[0]} on the spare names no PRIVATE_ADDRESS and the backup recorded none: the old address is unknown, so nothing was changed. Set the addresses by hand (ops guide: restore), then skip is not offered: abort or resume after fixing.`);
    await writeFiles(ctx, session, 'identity', planned);
    ctx.note(planned.filter((f) => f.changed).map((f) => f.path).join(', ') + ` now name ${ctx.input.spare.address}`);
  },
};

export const resetNomad: RestoreStep = {
  name: 'reset-nomad',
  title: "Remove the primary's Nomad data (/opt/nomad)",
  check: async (ctx) => (await (await spareSession(ctx)).run('test -e /opt/nomad || test -L /opt/nomad', { signal: ctx.signal })).code !== 0,
  apply: async (ctx) => {
    const session = await spareSession(ctx);
    // A symlink is removed itself, never followed (rm -rf of a symlink removes only the link, but say so).
    if ((await session.run('test -L /opt/nomad', { signal: ctx.signal })).code === 0) await session.check('rm -f /opt/nomad', { asRoot: true, signal: ctx.signal });
    else await session.check('rm -rf /opt/nomad', { asRoot: true, signal: ctx.signal });
  },
};

/** Tag the restored root disk (where the provider has tags) with now. */
async function markDisk(ctx: Ctx, tag: string): Promise<void> {
  const id = ctx.state.volumeId ?? (ctx.input.spare.holds === ctx.input.backup.id ? ctx.input.spare.originalRoot : undefined);
  if (!id) return;
  await withProvider(ctx, async (p) => p.tagDisk?.(id, { [tag]: new Date().toISOString() }, { signal: ctx.signal }));
}

export const startApp: RestoreStep = {
  name: 'start-app',
  title: 'Restart Replicated and start the app',
  disrupts: (input) => (input.mode === 'refresh-spare' ? null : `restarts Replicated on ${input.spare.host} and starts the CircleCI app${input.mode === 'drill' ? " (behind the drill's outbound block)" : ''}`),
  check: async (ctx) => {
    if (ctx.input.mode === 'refresh-spare') {
      // The refresh is finished here: the disk now says it holds a ready backup (a failover may skip the volume steps).
      await markDisk(ctx, SPARE_TAG.readyAt);
      ctx.note('Refresh-spare: the app is left stopped; the spare\'s disk is marked ready');
      return true;
    }
    const s = await appStatus(await spareSession(ctx), ctx.signal);
    return s.State === 'started' && !s.IsTransitioning && !s.Error && !!ctx.state.timings.replicatedRestarted;
  },
  apply: async (ctx) => {
    // A drill starts the app only behind its outbound block, verified now.
    await assertDrillBlocked(ctx);
    const session = await spareSession(ctx);
    await session.check('systemctl restart replicated replicated-ui replicated-operator', { asRoot: true, signal: ctx.signal, timeoutMs: 180_000 });
    ctx.state.timings.replicatedRestarted = Date.now();
    ctx.checkpoint();
    await waitUntil(ctx, async () => (await session.sudo('replicatedctl app status inspect', { signal: ctx.signal })).code === 0, (ok) => ok, () => 'Replicated is not answering yet', 'Check /var/log/replicated on the spare, then resume.', 10 * 60_000);
    // From here the disk's data moves on from the backup: no later failover may take it for a fresh refresh.
    await markDisk(ctx, SPARE_TAG.usedAt);
    // Recorded before the start, which may land even if its answer is lost: an abort stops what this run started.
    ctx.state.appStartedByRun = true;
    ctx.checkpoint();
    await session.check('replicatedctl app start', { asRoot: true, signal: ctx.signal });
    await waitForState(session, 'started', { signal: ctx.signal, pollMs: ctx.input.pollMs ?? 2000, onPoll: (s) => ctx.note(`app ${s.State}`) });
  },
  /**
   * Stop the app this run started. What matters after a failover onto a
   * refreshed spare: the volume steps did nothing, so no root swap is undone
   * and the spare would go on running production's app. After a full swap
   * the spare is stopped by the next undo anyway: a spare that does not
   * answer then does not hold up the abort.
   */
  undo: async (ctx) => {
    if (!ctx.state.appStartedByRun) return ctx.note('This run did not start the app: left as it is');
    const swapUndone = ctx.input.spare.holds !== ctx.input.backup.id;
    try {
      const session = await spareSession(ctx);
      const s = await appStatus(session, ctx.signal);
      if (s.State !== 'stopped' || s.IsTransitioning) await session.check('replicatedctl app stop', { asRoot: true, signal: ctx.signal });
      await waitForState(session, 'stopped', { signal: ctx.signal, pollMs: ctx.input.pollMs ?? 2000, onPoll: (x) => ctx.note(`app ${x.State}`) });
    } catch (err) {
      if (!swapUndone || ctx.signal?.aborted) throw err;
      return ctx.note(`The app could not be stopped (${(err as Error).message}); the spare itself is stopped next`);
    }
    ctx.state.appStartedByRun = false;
    ctx.note(`The app this run started on ${ctx.input.spare.host} is stopped`);
  },
};
