/**
 * After a finished restore the admin changes DNS or the load balancer, then
 * asks again where the hostname leads: from this computer and from each
 * Nomad client, as the run's last step asked (dns-answers.ts). The admin's word that the change is made is recorded too
 * (the run's state, the audit log, the report) when the laptop cannot see
 * the change (split DNS, a load balancer by address).
 */
import type { TrafficCheck } from '../../../../shared/channels/restore';
import { DrydockError } from '../../../../shared/errors';
import type { Engine } from '../../engine';
import { RESTORE_OPERATION } from './operation';
import { dnsAnswers, judgeAnswers } from './dns-answers';
import type { RestoreInputT, RestoreState } from './types';

/** The CircleCI hostname: as the run was given it, else the app's config on the spare (as the switch-traffic step reads it). */
async function hostnameOf(engine: Engine, input: RestoreInputT, signal?: AbortSignal): Promise<string | undefined> {
  if (input.hostname) return input.hostname;
  try {
    const session = await engine.pool.session(input.spare.host, signal);
    const r = await session.sudo('replicatedctl app-config export', { signal });
    return (JSON.parse(r.stdout) as { hostname?: { value?: string } }).hostname?.value || undefined;
  } catch {
    return undefined;
  }
}

export async function checkTraffic(engine: Engine, runId: string, confirmed: boolean, signal?: AbortSignal): Promise<TrafficCheck> {
  const run = engine.runner.store.load(runId);
  if (!run || run.operation !== RESTORE_OPERATION) throw new DrydockError('NOT_FOUND', `No restore run ${runId}`);
  const input = run.input as RestoreInputT;
  const state = run.state as RestoreState & { trafficConfirmedAt?: string };
  if (input.mode !== 'restore') throw new DrydockError('CONFLICT', `Run ${runId} is a ${input.mode}: it re-points nothing, so there is no traffic to switch`);
  if (run.status !== 'done') throw new DrydockError('CONFLICT', `Run ${runId} is ${run.status}: finish it before switching traffic to the spare`);
  const hostname = await hostnameOf(engine, input, signal);
  const targets = [input.spare.address, ...(state.sparePublicAddress ? [state.sparePublicAddress] : [])];
  const answers = hostname ? await dnsAnswers(engine.pool, hostname, input.nomadClients, signal) : [];
  const verdict = hostname ? judgeAnswers(hostname, answers, targets) : null;
  const resolved = answers[0]?.addresses ?? [];
  const ok = !!verdict?.ok;
  if (ok) state.trafficVerified = true;
  if (hostname) state.dnsAnswers = answers;
  if (confirmed) state.trafficConfirmedAt = new Date().toISOString();
  engine.runner.store.save(run);
  const said = !hostname
    ? 'The CircleCI hostname is not known to Drydock (not in the app config): check it yourself'
    : ok
      ? `${verdict!.said}: traffic reaches the spare`
      : resolved.some((a) => targets.includes(a))
        ? `${hostname} resolves to ${resolved.join(', ')} from this computer, but a Nomad client's resolver leads elsewhere (it should be ${targets.join(' or ')}). Asked: ${verdict!.said}`
        : `${hostname} ${resolved.length ? `resolves to ${resolved.join(', ')}` : 'does not resolve'} from this computer, not to the spare (${targets.join(' or ')}). Asked: ${verdict!.said}`;
  const message = `${said}${confirmed ? '. Recorded: you confirmed the DNS / load balancer change is made.' : '.'}`;
  engine.audit.append({ host: 'local', fingerprint: '', kind: 'local', command: `restore check-traffic --run ${runId}: ${message}`, exitCode: ok || confirmed ? 0 : 1, durationMs: 0 });
  const fromClients = answers.slice(1).map((a) => ({ host: a.from, resolved: a.addresses, ...(a.error ? { error: a.error } : {}) }));
  return { ...(hostname ? { hostname } : {}), resolved, fromClients, ...(verdict ? { disagree: verdict.disagree } : {}), targets, ok, confirmedByAdmin: confirmed || !!state.trafficConfirmedAt, message };
}
