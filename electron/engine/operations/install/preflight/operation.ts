/**
 * The preflight as a run: one read-only step, so it shows in the running-
 * operation bar and the runs list of every window while it goes, lands in
 * the change-control record, and a window reloaded meanwhile still sees it.
 * "Already done?" is "already checked in this run": a resumed run that had
 * finished its step does not check again.
 */
import { PreflightRequestSchema, type PreflightReport } from '../../../../../shared/install/preflight';
import { defineOperation } from '../../operation';
import { runPreflight } from './run-preflight';

export const installPreflight = defineOperation({
  name: 'install-preflight',
  title: 'Install preflight',
  input: PreflightRequestSchema,
  initialState: (): { report?: PreflightReport } => ({}),
  steps: [
    {
      name: 'check',
      title: 'Check every host (read-only)',
      check: async (ctx) => !!ctx.state.report,
      apply: async (ctx) => {
        ctx.state.report = await runPreflight(ctx.services, ctx.input, ctx.signal, (done, total) => ctx.note(`${done} of ${total} hosts checked`));
        ctx.note(ctx.state.report.summary);
      },
    },
  ],
  result: (state) => state.report!,
  outcome: (r) => ({ ok: r.status !== 'fail', message: r.summary }),
});
