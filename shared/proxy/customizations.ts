/**
 * Installation customizations (guide, "Properties of
 * /etc/circle-installation-customizations"): CIRCLE_URL and JVM_HEAP_SIZE for
 * the whole installation, and per-container files such as
 * /etc/circleconfig/frontend/customizations for a container's own heap.
 * The proxy variables in the same file belong to the proxy operation.
 */
import { z } from 'zod';
import { isHostAddress } from '../hosts';
import { setVariables } from './env-file';
import { CUSTOMIZATIONS, PROXY_VARIABLES } from './render';

export interface CustomizeRequest {
  /** NAME → value; an empty value removes the variable's line. */
  vars: Record<string, string>;
  /** Per-container file instead of the global one, e.g. `frontend`. */
  container?: string;
}

interface Known {
  /** One line for the CLI help and the form. */
  help: string;
  /** Also allowed in a container's file. */
  perContainer: boolean;
  check(value: string): string | null;
}

export const KNOWN_CUSTOMIZATIONS: Record<string, Known> = {
  CIRCLE_URL: {
    help: 'the scheme and host CircleCI uses for itself, e.g. https://ci.example.com',
    perContainer: false,
    check: (value) => {
      const m = /^(https?):\/\/([^/:\s]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?\/?$/.exec(value);
      if (!m) return 'give the scheme and host only, e.g. https://ci.example.com (no path)';
      const host = m[2].replace(/^\[|\]$/g, '');
      if (!isHostAddress(host)) return `${host} is not a host name or IP address`;
      if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return `port ${m[3]} is out of range: use 1 to 65535`;
      return null;
    },
  },
  JVM_HEAP_SIZE: {
    help: 'JVM heap for the containers that read it, as java -Xmx takes it, e.g. 4g or 2048m',
    perContainer: true,
    check: (value) => (/^[1-9]\d{0,6}[kKmMgG]?$/.test(value) ? null : 'a size such as 4g, 2048m or 1024k'),
  },
};

const CONTAINER = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The file a request edits. */
export function customizationsPath(container?: string): string {
  return container ? `/etc/circleconfig/${container}/customizations` : CUSTOMIZATIONS;
}

/** Every problem with a request, tied to its field (`vars.JVM_HEAP_SIZE`). */
export function customizeIssues(req: CustomizeRequest): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (req.container !== undefined && !CONTAINER.test(req.container)) {
    issues.push({ path: ['container'], message: 'Container: a container name such as frontend or test_results' });
  }
  const names = Object.keys(req.vars);
  if (names.length === 0) issues.push({ path: ['vars'], message: 'Give at least one NAME=value' });
  for (const name of names) {
    const value = req.vars[name];
    if ((PROXY_VARIABLES as readonly string[]).includes(name)) {
      issues.push({ path: ['vars', name], message: `${name} is set by the proxy operation: use drydock proxy apply (or the Proxy page)` });
      continue;
    }
    const known = KNOWN_CUSTOMIZATIONS[name];
    if (!known) {
      issues.push({ path: ['vars', name], message: `${name} is not a customization Drydock knows; it sets ${Object.keys(KNOWN_CUSTOMIZATIONS).join(' and ')}` });
      continue;
    }
    if (req.container && !known.perContainer) {
      issues.push({ path: ['vars', name], message: `${name} applies to the whole installation: leave out the container` });
      continue;
    }
    const problem = value === '' ? null : known.check(value);
    if (problem) issues.push({ path: ['vars', name], message: `${name}: ${problem}` });
  }
  return issues;
}

export const CustomizeRequestSchema = z
  .object({
    vars: z.record(z.string().max(64), z.string().max(512)),
    container: z.string().max(63).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    for (const issue of customizeIssues(req)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/** The file with the requested variables set or (empty value) removed. */
export function renderCustomizationVars(current: string | null, vars: Record<string, string>): string | null {
  return setVariables(current, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v === '' ? null : v])), 'export');
}
