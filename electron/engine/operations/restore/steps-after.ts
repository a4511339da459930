/**
 * After the app starts: verify it, re-point the Nomad clients (their
 * NO_PROXY was rewritten before the app started: steps-no-proxy.ts), and the DNS / load balancer
 * change (checked from this computer where it can be, else left to the
 * admin, said in the report). Re-pointing the clients is where traffic moves
 * to the spare: from there on an abort no longer puts the spare back.
 */
import { DrydockError } from '../../../../shared/errors';
import { HEALTH_ENDPOINTS } from '../../../../shared/health/report';
import { appStatus } from '../certs/replicated-app';
import { parseNomadNodes } from '../health/parse-health';
import { quote } from '../../ssh/quote';
import type { Step } from '../operation';
import { planFiles, writeFiles } from './files';
import { NOMAD_CONFIG, repointNomadConfig } from './identity';
import type { Ctx, RestoreInputT, RestoreState } from './types';
import { waitUntil } from './waits';
import { dnsAnswers, judgeAnswers } from './dns-answers';

type RestoreStep = Step<RestoreInputT, RestoreState>;

const spareSession = (ctx: Ctx) => ctx.services.pool.session(ctx.input.spare.host, ctx.signal);
const appLeftStopped = (ctx: Ctx, what: string): boolean => {
  if (ctx.input.mode === 'refresh-spare') {
    ctx.note(`Refresh-spare: ${what} not done (the app is left stopped)`);
    return true;
  }
  return false;
};
const notInDrill = (ctx: Ctx, what: string): boolean => {
  if (ctx.input.mode === 'restore') return false;
  ctx.note(`${ctx.input.mode === 'drill' ? 'Drill' : 'Refresh-spare'}: ${what} not done`);
  return true;
};

export const verifyApp: RestoreStep = {
  name: 'verify-app',
  title: 'Verify the app on the spare',
  skip: { consequence: 'the app on the spare is not verified by Drydock: check `replicatedctl app status`, `docker ps` and the frontend health endpoint yourself before sending users to it' },
  check: async (ctx) => appLeftStopped(ctx, 'verification'),
  apply: async (ctx) => {
    const session = await spareSession(ctx);
    const problems: string[] = [];
    const s = await appStatus(session, ctx.signal);
    if (s.State !== 'started' || s.IsTransitioning || s.Error) problems.push(`replicatedctl app status inspect: State ${s.State}${s.IsTransitioning ? ', transitioning' : ''}${s.Error ? `, Error "${s.Error}"` : ''}`);
    const ps = await session.sudo(`docker ps -a --format '{{.Names}}\t{{.Status}}'`, { signal: ctx.signal, timeoutMs: 60_000 });
    if (ps.code !== 0) problems.push(`docker ps failed: ${(ps.stderr || ps.stdout).trim().slice(0, 200)}`);
    const rows = ps.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    const down = rows.filter(([, status]) => !/^Up\b/.test(status ?? ''));
    if (down.length) problems.push(`containers not up: ${down.map(([n, st]) => `${n} (${st})`).join(', ')}`);
    const frontend = HEALTH_ENDPOINTS.find((e) => e.service === 'frontend')!.url.replace('//localhost:', `//${ctx.input.endpointHost ?? ctx.input.spare.address}:`);
    const code = (await session.run(`curl -s -o /dev/null --max-time 10 -w '%{http_code}' ${quote(frontend)} || true`, { signal: ctx.signal })).stdout.trim();
    if (code !== '200') problems.push(`${frontend} answered ${code || 'nothing'}`);
    if (problems.length) throw new DrydockError('COMMAND_FAILED', `The app on the spare is not healthy: ${problems.join('; ')}. Retry (resume) once it settles, skip if you have checked it yourself, or abort.`);
    ctx.state.appVerifiedAt = Date.now();
    ctx.note(`app started, ${rows.length} containers up, ${frontend} 200`);
  },
};

async function clientPlan(ctx: Ctx, name: string) {
  const session = await ctx.services.pool.session(name, ctx.signal);
  const planned = await planFiles(session, [{ path: NOMAD_CONFIG, render: (cur) => (cur === null ? null : repointNomadConfig(cur, ctx.input.spare.address).text) }]);
  return { session, planned };
}

async function nodeReady(ctx: Ctx, nodeNames: string[]): Promise<string[]> {
  const session = await spareSession(ctx);
  const r = await session.sudo('docker exec nomad nomad node-status', { signal: ctx.signal, timeoutMs: 60_000 });
  if (r.code !== 0) return nodeNames;
  const nodes = parseNomadNodes(r.stdout);
  return nodeNames.filter((n) => !nodes.some((x) => x.name === n && x.status === 'ready'));
}

export const repointNomad: RestoreStep = {
  name: 'repoint-nomad',
  title: 'Re-point the Nomad clients at the spare',
  pointOfNoReturn: 'the Nomad clients run builds against the spare now; an abort would not put the primary back. Finish the run (resume) instead.',
  disrupts: (input) => (input.mode !== 'restore' || !input.nomadClients.length ? null : `restarts nomad on ${input.nomadClients.join(', ')} (re-pointed at the spare: their builds go to it)`),
  check: async (ctx) => {
    if (notInDrill(ctx, 'Nomad clients re-pointing')) return true;
    for (const name of ctx.input.nomadClients) if ((await clientPlan(ctx, name)).planned.some((f) => f.changed)) return false;
    const names = ((ctx.state as { nodeNames?: string[] }).nodeNames ??= []);
    return names.length === ctx.input.nomadClients.length && (await nodeReady(ctx, names)).length === 0;
  },
  apply: async (ctx) => {
    const names: string[] = [];
    for (const name of ctx.input.nomadClients) {
      const { session, planned } = await clientPlan(ctx, name);
      if (planned[0].before === null) throw new DrydockError('COMMAND_FAILED', `${name}: ${NOMAD_CONFIG} does not exist; nothing was changed there`);
      if (planned.some((f) => f.changed)) {
        await writeFiles(ctx, session, `nomad-${name}`, planned);
        await session.check('systemctl restart nomad', { asRoot: true, signal: ctx.signal });
      }
      names.push((await session.check('hostname', { signal: ctx.signal })).trim());
    }
    (ctx.state as { nodeNames?: string[] }).nodeNames = names;
    ctx.checkpoint();
    await waitUntil(ctx, () => nodeReady(ctx, names), (left) => left.length === 0, (left) => `Nomad clients not ready on the spare yet: ${left.join(', ')}`, 'Check the clients (journalctl -u nomad) and ports 4647/8585 to the spare, then resume.', 10 * 60_000);
    ctx.note(`${names.join(', ')} ready on the spare`);
  },
};

export const switchTraffic: RestoreStep = {
  name: 'switch-traffic',
  title: 'Point DNS or the load balancer at the spare',
  skip: { consequence: 'Drydock does not check where the hostname points (from this computer or a Nomad client): users and builds may still reach the old Services machine' },
  check: async (ctx) => notInDrill(ctx, 'the traffic switch'),
  apply: async (ctx) => {
    const session = await spareSession(ctx);
    let hostname = ctx.input.hostname;
    if (!hostname) {
      const r = await session.sudo('replicatedctl app-config export', { signal: ctx.signal });
      try {
        hostname = (JSON.parse(r.stdout) as { hostname?: { value?: string } }).hostname?.value || undefined;
      } catch {
        hostname = undefined;
      }
    }
    const targets = [ctx.input.spare.address, ...(ctx.state.sparePublicAddress ? [ctx.state.sparePublicAddress] : [])];
    if (!hostname) {
      ctx.state.leftToAdmin.push(`Point the CircleCI hostname's DNS record (or the load balancer's target) at the spare: ${targets.join(' or ')}`);
      return ctx.note('The hostname is not known: the DNS change is left to the admin');
    }
    const answers = await dnsAnswers(ctx.services.pool, hostname, ctx.input.nomadClients, ctx.signal);
    const verdict = judgeAnswers(hostname, answers, targets);
    ctx.state.dnsAnswers = answers;
    if (verdict.ok) {
      ctx.state.trafficVerified = true;
      return ctx.note(`${verdict.said}: traffic reaches the spare`);
    }
    const laptop = answers[0].addresses;
    const item = `Point ${hostname} at the spare: its DNS record (A) ${laptop.length ? `now ${laptop.join(', ')} from this computer` : 'does not resolve from this computer'} must become ${targets.join(' or ')} (or set the load balancer's target to instance ${ctx.input.spare.machineId}); if the hostname changed, update the GitHub OAuth callback URL too. Asked: ${verdict.said}`;
    if (!ctx.state.leftToAdmin.includes(item)) ctx.state.leftToAdmin.push(item);
    ctx.note(`Left to the admin: ${hostname} does not resolve to the spare yet. Asked: ${verdict.said}`);
  },
};
