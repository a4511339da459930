/**
 * The installation customizations editor: CIRCLE_URL and JVM_HEAP_SIZE in
 * /etc/circle-installation-customizations, or a container's own
 * /etc/circleconfig/<container>/customizations, on the Services machine,
 * through the same backup / atomic write / read-back engine as the proxy.
 * The app reads these files when it starts; Drydock does not restart it.
 */
import { z } from 'zod';
import type { CustomizePlan } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import { CustomizeRequestSchema, KNOWN_CUSTOMIZATIONS, customizationsPath, renderCustomizationVars, type CustomizeRequest } from '../../../../shared/proxy/customizations';
import { readVariable } from '../../../../shared/proxy/env-file';
import { defineOperation, type EngineServices, type StepContext } from '../operation';
import { newSetName, recordOf, type SetRecord } from '../../files/change-set';
import { makeStaging, removeStaging } from '../../files/remote-file';
import { cleanStaleStaging } from './file-safety';
import { fileChangeView, hostFilesInPlace, planFingerprint, planHostFiles, reviewedOf, unfinishedSet, writeHostFiles, type HostFilesPlan, type ReviewedFiles } from './host-files';
import { proxyTopology } from './topology';

const CustomizeInput = z.object({ change: CustomizeRequestSchema, planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict();
type Input = z.output<typeof CustomizeInput>;

interface CustomizeState {
  host?: string;
  set?: string;
  changed: boolean;
  /** What the reviewed plan saw and would write: a resume writes nothing else. */
  reviewed?: ReviewedFiles;
  record?: SetRecord;
}

export async function planCustomization(services: EngineServices, req: CustomizeRequest, signal?: AbortSignal): Promise<HostFilesPlan & { path: string }> {
  const host = proxyTopology(services.inventory).services;
  const session = await services.pool.session(host.name, signal);
  const path = customizationsPath(req.container);
  const plan = await planHostFiles(session, [{ path, render: (current) => renderCustomizationVars(current, req.vars), mode: 0o644 }]);
  return { ...plan, path };
}

export function customizePlanView(plan: HostFilesPlan & { path: string }): CustomizePlan {
  const file = plan.files[0];
  const current: Record<string, string> = {};
  for (const name of Object.keys(KNOWN_CUSTOMIZATIONS)) {
    const value = readVariable(file?.before ?? null, name);
    if (value !== null) current[name] = value;
  }
  const view = file ? fileChangeView(file, []) : { action: 'unchanged' as const, diff: '' };
  return { host: plan.host, path: plan.path, action: view.action, diff: view.diff, current, fingerprint: planFingerprint([plan]) };
}

type Ctx = StepContext<Input, CustomizeState>;

export const customize = defineOperation({
  name: 'customize',
  title: 'Installation customizations',
  input: CustomizeInput,
  initialState: (): CustomizeState => ({ changed: false }),
  steps: [
    {
      name: 'write',
      title: 'Back up and write the customizations file',
      check: async (ctx: Ctx) => {
        const plan = await planCustomization(ctx.services, ctx.input.change, ctx.signal);
        const session = await ctx.services.pool.session(plan.host, ctx.signal);
        ctx.state.host = plan.host;
        const done = await hostFilesInPlace(session, plan, ctx.state.set);
        if (done) ctx.note(`${plan.host}:${plan.path} already holds these values`);
        return done;
      },
      apply: async (ctx: Ctx) => {
        const plan = await planCustomization(ctx.services, ctx.input.change, ctx.signal);
        const session = await ctx.services.pool.session(plan.host, ctx.signal);
        if (!ctx.state.set) {
          if (ctx.input.planFingerprint && ctx.input.planFingerprint !== planFingerprint([plan])) {
            throw new DrydockError('CONFLICT', `${plan.path} on ${plan.host} changed since you reviewed the plan: review it again. Nothing was written.`);
          }
          ctx.state.set = (await unfinishedSet(session, 'customize')) ?? newSetName('customize');
          ctx.state.reviewed = reviewedOf(plan);
          ctx.checkpoint();
        }
        await cleanStaleStaging(ctx.services.home, session, ctx.runId);
        const staging = await makeStaging(session, ctx.runId);
        let written: string[];
        try {
          const onManifest = (m: Parameters<typeof recordOf>[0]) => {
            ctx.state.record = recordOf(m);
            ctx.checkpoint();
          };
          written = await writeHostFiles(session, plan, ctx.state.set, 'customize', { staging, onManifest, ...(ctx.state.reviewed ? { reviewed: ctx.state.reviewed } : {}) });
        } finally {
          await removeStaging(session, staging);
        }
        ctx.state.changed = ctx.state.changed || written.length > 0;
        ctx.note(`${plan.host}:${plan.path} written and read back; the app reads it at its next start`);
      },
    },
  ],
  result: (state: CustomizeState, input: Input) => ({
    host: state.host ?? '',
    path: customizationsPath(input.change.container),
    changed: state.changed,
    summary: state.changed
      ? `Wrote ${customizationsPath(input.change.container)}. CircleCI reads it when the app starts: restart the app (replicatedctl app stop, then app start) when convenient.`
      : `Nothing changed: ${customizationsPath(input.change.container)} already holds these values.`,
  }),
});
