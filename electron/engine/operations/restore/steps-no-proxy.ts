/**
 * Issue 11 step 7's last part: the bypass lists (NO_PROXY, Java's
 * nonProxyHosts) that named the old Services address, rewritten with the
 * proxy feature's file engine on the hosts where Drydock's proxy files carry
 * them: the spare (/etc/circle-installation-customizations, now the
 * primary's copy) and each Nomad client (/etc/environment, the Docker
 * drop-in). Only the old address elements change (shared/proxy/bypass-swap.ts).
 *
 * It runs after the identity fix and before the app starts, so the spare's
 * change is read by the Replicated restart and app start the plan already
 * lists; nothing is restarted here. The clients' Docker daemon reads its
 * drop-in only at start: that restart (it stops running builds) is left to
 * the admin, said in the report. Every write is backed up in its own set per
 * host; an abort rolls the sets back. The same address in files Drydock does
 * not write (/etc/default/docker, ...) is listed for the admin.
 */
import { bypassMentions, swapBypassAddresses, type AddressSwap } from '../../../../shared/proxy/bypass-swap';
import { CUSTOMIZATIONS, DOCKER_DROP_IN, ENVIRONMENT } from '../../../../shared/proxy/render';
import { newSetName, readManifest, recordOf, rollbackFiles, type SetRecord } from '../../files/change-set';
import { makeStaging, removeStaging } from '../../files/remote-file';
import { recordFileDiffs } from '../../report/run-record';
import type { HostSession } from '../../ssh/session';
import { redact } from '../../audit/redact';
import type { Step } from '../operation';
import { fileChangeView, hostFilesInPlace, planHostFiles, reviewedOf, writeHostFiles, type FileSpec, type ReviewedFiles } from '../proxy/host-files';
import type { Ctx, RestoreInputT, RestoreState } from './types';

type RestoreStep = Step<RestoreInputT, RestoreState>;

/** Drydock's proxy files that carry a bypass list (replicated.conf holds only HttpProxy). */
const PROXY_FILES = { spare: [CUSTOMIZATIONS], nomad: [ENVIRONMENT, DOCKER_DROP_IN] } as const;
/** Files that may name the old address too but that Drydock does not write: listed for the admin. */
const OTHER_FILES = ['/etc/default/docker', '/etc/default/replicated', '/etc/environment'];
const LABEL = 'restore-no-proxy';

interface NoProxyState {
  /** Backup set per host, named before anything is written. */
  sets?: Record<string, string>;
  /** This laptop's record of each set: the undo trusts only a manifest that agrees. */
  records?: Record<string, SetRecord>;
  /**
   * What the first plan of each host saw and would write (hashes), kept
   * before anything is written: a resume writes a file only if it still holds
   * what that plan saw (or already what it wrote), as the proxy feature does.
   */
  reviewed?: Record<string, ReviewedFiles>;
}
const own = (ctx: Ctx) => ((ctx.state as unknown as { noProxy?: NoProxyState }).noProxy ??= {});

/** Old → new, private and public. The public pair only when both are known. */
function swapsOf(ctx: Ctx): AddressSwap[] {
  const oldPrivate = ctx.input.backup.privateAddress ?? ctx.state.oldAddresses?.private;
  const oldPublic = ctx.input.backup.publicAddress ?? ctx.state.oldAddresses?.public;
  return [
    ...(oldPrivate ? [{ from: oldPrivate, to: ctx.input.spare.address }] : []),
    ...(oldPublic && ctx.state.sparePublicAddress ? [{ from: oldPublic, to: ctx.state.sparePublicAddress }] : []),
  ].filter((s) => s.from !== s.to);
}

function hostsOf(ctx: Ctx): { name: string; paths: readonly string[] }[] {
  return [{ name: ctx.input.spare.host, paths: PROXY_FILES.spare }, ...ctx.input.nomadClients.map((name) => ({ name, paths: PROXY_FILES.nomad }))];
}

const specs = (paths: readonly string[], swaps: AddressSwap[]): FileSpec[] =>
  // A file that is not there stays absent: this step only edits lists that exist.
  paths.map((path) => ({ path, mode: 0o600, render: (cur) => (cur === null ? null : swapBypassAddresses(cur, swaps)) }));

async function planHost(ctx: Ctx, name: string, paths: readonly string[]) {
  const session = await ctx.services.pool.session(name, ctx.signal);
  return { session, plan: await planHostFiles(session, specs(paths, swapsOf(ctx))) };
}

const leave = (ctx: Ctx, item: string) => {
  if (!ctx.state.leftToAdmin.includes(item)) ctx.state.leftToAdmin.push(item);
};

export const noProxy: RestoreStep = {
  name: 'no-proxy',
  title: 'Replace the old address in NO_PROXY / nonProxyHosts',
  skip: { consequence: 'NO_PROXY and nonProxyHosts still name the old Services address: proxied hosts may send their traffic for the spare through the proxy' },
  check: async (ctx) => {
    if (ctx.input.mode !== 'restore') {
      ctx.note(`${ctx.input.mode === 'drill' ? 'Drill' : 'Refresh-spare'}: NO_PROXY not changed (nothing is re-pointed)`);
      return true;
    }
    if (!swapsOf(ctx).length) return false;
    for (const h of hostsOf(ctx)) {
      const { session, plan } = await planHost(ctx, h.name, h.paths);
      if (!(await hostFilesInPlace(session, plan, own(ctx).sets?.[h.name]))) return false;
    }
    return true;
  },
  apply: async (ctx) => {
    const swaps = swapsOf(ctx);
    if (!swaps.length) return ctx.note('The old address is unknown: nothing to replace');
    const st = own(ctx);
    const written: string[] = [];
    for (const h of hostsOf(ctx)) {
      const { session, plan } = await planHost(ctx, h.name, h.paths);
      if (plan.error) {
        leave(ctx, `${plan.error}: replace ${swaps.map((s) => `${s.from} with ${s.to}`).join(' and ')} in its NO_PROXY / nonProxyHosts yourself`);
        continue;
      }
      const changed = plan.files.filter((f) => f.changed);
      if (!changed.length && !st.sets?.[h.name]) continue;
      (st.sets ??= {})[h.name] ??= newSetName(LABEL);
      const reviewed = ((st.reviewed ??= {})[h.name] ??= reviewedOf(plan));
      // The diff for the report before the write; the URLs' passwords are masked by redact().
      recordFileDiffs(ctx.state, h.name, changed.map((f) => fileChangeView(f, [])));
      ctx.checkpoint();
      const staging = await makeStaging(session, ctx.runId);
      try {
        const onManifest = (m: Parameters<typeof recordOf>[0]) => {
          (st.records ??= {})[h.name] = recordOf(m);
          ctx.checkpoint();
        };
        const paths = await writeHostFiles(session, plan, st.sets[h.name], LABEL, { staging, onManifest, reviewed });
        written.push(...paths.map((p) => `${h.name}:${p}`));
        if (paths.includes(DOCKER_DROP_IN)) {
          leave(ctx, `${h.name}: NO_PROXY in ${DOCKER_DROP_IN} now names the spare; the Docker daemon reads it when it starts. When no build runs there: systemctl daemon-reload && systemctl restart docker (Drydock did not restart it)`);
        }
      } finally {
        await removeStaging(session, staging);
      }
    }
    // What is still named elsewhere (files Drydock does not write) is the admin's.
    for (const h of hostsOf(ctx)) {
      const session = await ctx.services.pool.session(h.name, ctx.signal);
      for (const file of [...new Set([...OTHER_FILES, ...h.paths])]) {
        const text = (await session.readFile(file).catch(() => null))?.toString('utf8');
        if (!text) continue;
        for (const s of swaps) for (const line of bypassMentions(text, s.from)) leave(ctx, `NO_PROXY names the old Services address ${s.from}: ${h.name}:${file}: ${line} (replace it with ${s.to})`);
      }
    }
    ctx.note(written.length ? `${written.join(', ')} now name ${swaps.map((s) => s.to).join(' / ')} instead of ${swaps.map((s) => s.from).join(' / ')}` : 'no proxy file names the old address');
  },
  undo: async (ctx) => {
    const st = own(ctx);
    for (const [host, set] of Object.entries(st.sets ?? {})) {
      const session = await ctx.services.pool.session(host, ctx.signal);
      const manifest = await readManifest(session, set);
      // Named but never prepared (stopped before the write), or already put back by an earlier abort.
      if (!manifest || manifest.state === 'rolled-back') continue;
      const paths = host === ctx.input.spare.host ? PROXY_FILES.spare : PROXY_FILES.nomad;
      await rollbackFiles(session, { set, trust: { allowed: paths, record: st.records?.[host] ?? null, acceptUnrecorded: false } });
      ctx.note(`${host}: ${manifest.files.map((f) => f.path).join(', ')} put back (backup set ${set})`);
    }
  },
};

/** For the preview: the lines of a Nomad client's proxy files whose bypass list names `old` (the spare's are read after boot). */
export async function clientBypassLines(session: HostSession, old: string): Promise<{ file: string; entry: string }[]> {
  const out: { file: string; entry: string }[] = [];
  for (const file of PROXY_FILES.nomad) {
    const text = (await session.readFile(file).catch(() => null))?.toString('utf8');
    if (text) for (const entry of bypassMentions(text, old)) out.push({ file, entry: redact(entry) });
  }
  return out;
}
