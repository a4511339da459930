/**
 * `bundle push` on the runbook model. Step 1 checks every host (folder
 * trusted, free space, what is already there) and refuses before sending;
 * step 2 sends file by file, every host at once, persisting each host's
 * finished files. A resume (after a dropped connection or a closed laptop)
 * re-checks that the laptop files did not change, skips what landed, and
 * continues each interrupted copy from its .part once its hash matches.
 */
import { z } from 'zod';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import { defineOperation, type StepContext } from '../operation';
import { assertUnchanged, localFile, type LocalFile } from './probe';
import { planPush, skippedOnPlan, type SentFile } from './push';
import { DEFAULT_BUNDLE_DIR } from './remote-dir';
import { sendToHosts } from './send';

export const BundlePushInput = z
  .object({
    /** Full paths on the laptop. */
    files: z.array(z.string().min(1)).min(1).max(50),
    hosts: z.array(z.string().min(1)).min(1).max(500),
    dir: z.string().default(DEFAULT_BUNDLE_DIR),
  })
  .strict();
type Input = z.output<typeof BundlePushInput>;

export interface BundlePushState {
  files: LocalFile[];
  /** Finished (sent or already there), in the order they ended. */
  results: SentFile[];
  /** Hosts and files whose last attempt failed, with why. */
  failures: { host: string; file: string; error: string }[];
}

type Ctx = StepContext<Input, BundlePushState>;

const done = (ctx: Ctx, host: string, file: string) => ctx.state.results.some((r) => r.host === host && r.file === file);

export const bundlePush = defineOperation({
  name: 'bundle-push',
  title: 'Push the offline bundle',
  input: BundlePushInput,
  initialState: (): BundlePushState => ({ files: [], results: [], failures: [] }),
  steps: [
    {
      name: 'check',
      title: 'Check the hosts: folder, free space, what is already there',
      apply: async (ctx) => {
        const names = new Set<string>();
        const files = ctx.input.files.map((p) => localFile(p));
        for (const f of files) {
          if (names.has(f.name)) throw new DrydockError('INVALID_INPUT', `Two files are called ${f.name}: the host folder can hold only one`);
          names.add(f.name);
        }
        ctx.state.files = files;
        const sessions = await Promise.all(ctx.input.hosts.map((h) => ctx.services.pool.session(h, ctx.signal)));
        const plan = await planPush(sessions, files, ctx.input.dir, ctx.signal);
        for (const s of skippedOnPlan(plan, files, ctx.input.dir)) {
          ctx.state.results.push(s);
          ctx.transfer?.({ host: s.host, file: s.file, path: s.path, bytes: s.bytes, total: s.bytes, resumedFrom: s.bytes, rate: 0, etaSeconds: 0, status: 'skipped', sha256: s.sha256 });
        }
        const resumable = plan.probes.flatMap((p) => files.filter((f) => p.files[f.name].partSize > 0 && !done(ctx, p.host, f.name)).map((f) => `${p.host}:${f.name}`));
        ctx.note(
          `${ctx.state.results.length} already there with the same SHA-256` +
            (resumable.length ? `; interrupted copies to check and continue: ${resumable.join(', ')}` : '') +
            `; free space enough on ${plan.probes.length} host(s)`,
        );
      },
    },
    {
      name: 'send',
      title: 'Send the files (SHA-256 on both ends, while streaming)',
      check: async (ctx) => ctx.state.files.every((f) => ctx.input.hosts.every((h) => done(ctx, h, f.name))),
      apply: async (ctx) => {
        ctx.state.failures = [];
        for (const file of ctx.state.files) {
          const hosts = ctx.input.hosts.filter((h) => !done(ctx, h, file.name));
          if (!hosts.length) continue;
          // A resume sends only what the reviewed plan saw: the laptop file must be the same.
          assertUnchanged(file);
          const sessions: Awaited<ReturnType<typeof ctx.services.pool.session>>[] = [];
          for (const h of hosts) {
            try {
              sessions.push(await ctx.services.pool.session(h, ctx.signal));
            } catch (err) {
              ctx.state.failures.push({ host: h, file: file.name, error: toErrorPayload(err).message });
            }
          }
          ctx.note(`${file.name} → ${sessions.map((s) => s.host.name).join(', ')}`);
          const outcome = await sendToHosts(sessions, file, ctx.input.dir, { signal: ctx.signal, onUpdate: (u) => ctx.transfer?.(u) });
          ctx.state.results.push(...outcome.sent);
          for (const f of outcome.failed) ctx.state.failures.push({ host: f.host, file: file.name, error: toErrorPayload(f.error).message });
          ctx.checkpoint();
          if (ctx.signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
        }
        if (ctx.state.failures.length) {
          const first = ctx.state.failures[0];
          throw new DrydockError(
            ctx.state.failures.every((f) => /dropped/.test(f.error)) ? 'CONNECT_FAILED' : 'COMMAND_FAILED',
            ctx.state.failures.map((f) => `${f.file} to ${f.host}: ${f.error}`).join(' | '),
            { host: first.host, failures: ctx.state.failures },
          );
        }
      },
    },
  ],
  result: (state: BundlePushState) => ({ files: state.results }),
  async describeChanges(ctx: Ctx) {
    const landed = ctx.state.results.filter((r) => !r.skipped);
    if (!landed.length && !ctx.state.failures.length) return null;
    const parts: string[] = [];
    if (landed.length) parts.push(`Complete and checked in ${ctx.input.dir}: ${landed.map((r) => `${r.file} on ${r.host}`).join(', ')}.`);
    if (ctx.state.failures.length) parts.push(`Interrupted copies stay as ${ctx.input.dir}/.NAME.part (${ctx.state.failures.map((f) => `${f.file} on ${f.host}`).join(', ')}); remove them with rm if you give up.`);
    return parts.join(' ');
  },
});
