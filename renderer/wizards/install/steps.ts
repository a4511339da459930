/**
 * The Install wizard's steps, in order, and which component renders each.
 * Hosts, preflight and capacity are built into the shell (install-wizard.tsx).
 * The later steps are built in their own files; until a step's component is
 * listed in LATER_STEP_COMPONENTS the shell shows it as "next" and lets the
 * admin skip past it. To plug them in, add the three imports and the three
 * entries below:
 *
 *   import { BundleStep } from './bundle-step';       bundle: BundleStep,
 *   import { BundleStep } from './bundle-step';
import { ServicesStep } from './services-step';   bundle: BundleStep,
  install: ServicesStep,
 *   import { NomadStep } from './nomad-step';         nomad: NomadStep,
 */
import type { ComponentType } from 'react';
import { BundleStep } from './bundle-step';
import { ServicesStep } from './services-step';
import { NomadStep } from './nomad-step';

export const INSTALL_STEP_IDS = ['hosts', 'preflight', 'capacity', 'bundle', 'install', 'nomad', 'done'] as const;
export type InstallStepId = (typeof INSTALL_STEP_IDS)[number];
export type LaterStepId = 'bundle' | 'install' | 'nomad';

/** What the shell gives a later step: tell it the step is finished. */
export interface StepProps {
  onDone(): void;
}

export const INSTALL_STEPS: readonly { id: InstallStepId; title: string; about: string }[] = [
  { id: 'hosts', title: 'Hosts', about: 'The machines to install on and the names they must resolve.' },
  { id: 'preflight', title: 'Preflight', about: 'Every host checked at once, from the hosts themselves.' },
  { id: 'capacity', title: 'Capacity', about: 'How many builds the Nomad clients run at once.' },
  { id: 'bundle', title: 'Bundle', about: 'The offline bundle, license, Replicated installer, Docker packages and Nomad sent to the hosts, verified while they stream.' },
  { id: 'install', title: 'Install', about: 'Replicated installed headless on the Services machine, with its log as it runs.' },
  { id: 'nomad', title: 'Nomad clients', about: 'Docker, Nomad and their configuration on every client, until each node is ready.' },
  { id: 'done', title: 'Done', about: 'What was installed and where to go next.' },
];

export const LATER_STEP_COMPONENTS: Partial<Record<LaterStepId, ComponentType<StepProps>>> = {
  bundle: BundleStep,
  install: ServicesStep,
  nomad: NomadStep,
};

export function isLaterStep(id: InstallStepId): id is LaterStepId {
  return id === 'bundle' || id === 'install' || id === 'nomad';
}
