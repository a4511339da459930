/**
 * Capacity of the Nomad clients and what to do when jobs queue up. Figures
 * from the guide (ops-facts.md "Topology"): each client reserves 2 vCPUs and
 * 4 GB for coordination; the rest runs build containers of the job's
 * resource class (small 1 vCPU / 2 GB, medium 2 / 4 (the default), large 4 / 8).
 */
import type { Advice, NomadNode, NomadStatus } from './report';

export const CLIENT_RESERVATION = { cpus: 2, memoryGb: 4 } as const;
export const MAX_CLIENT = { cpus: 64, memoryGb: 128 } as const;

export const RESOURCE_CLASSES = {
  small: { cpus: 1, memoryGb: 2 },
  medium: { cpus: 2, memoryGb: 4 },
  large: { cpus: 4, memoryGb: 8 },
} as const;
export type ResourceClass = keyof typeof RESOURCE_CLASSES;
export const DEFAULT_CLASS: ResourceClass = 'medium';

const GB = 1024 ** 3;

/** Build containers of one class a client of this size runs after the reservation. */
export function buildsPerClient(cpus: number, memoryBytes: number, cls: ResourceClass = DEFAULT_CLASS): number {
  const c = RESOURCE_CLASSES[cls];
  const freeCpus = cpus - CLIENT_RESERVATION.cpus;
  const freeGb = memoryBytes / GB - CLIENT_RESERVATION.memoryGb;
  return Math.max(0, Math.min(Math.floor(freeCpus / c.cpus), Math.floor(freeGb / c.memoryGb)));
}

/** A node that takes new work: ready, eligible, not draining. */
export function schedulable(n: NomadNode): boolean {
  return n.status === 'ready' && n.eligibility === 'eligible' && !n.drain;
}

export interface Capacity {
  clients: number;
  /** Medium builds the schedulable clients run at once (null: their size is unknown). */
  builds: number | null;
  /** Builds one more client like the usual one runs. */
  perNewClient: number | null;
  newClientSize: { cpus: number; memoryBytes: number } | null;
}

export function capacityOf(nodes: NomadNode[], cls: ResourceClass = DEFAULT_CLASS): Capacity {
  const ready = nodes.filter(schedulable);
  const sized = ready.filter((n) => n.cpus !== null && n.memoryBytes !== null);
  const builds = sized.length === ready.length ? sized.reduce((sum, n) => sum + buildsPerClient(n.cpus!, n.memoryBytes!, cls), 0) : null;
  // A new client "like the usual one": the median size of the known ones.
  const sorted = [...nodes.filter((n) => n.cpus !== null && n.memoryBytes !== null)].sort((a, b) => a.cpus! - b.cpus! || a.memoryBytes! - b.memoryBytes!);
  const typical = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    clients: ready.length,
    builds,
    perNewClient: typical ? buildsPerClient(typical.cpus!, typical.memoryBytes!, cls) : null,
    newClientSize: typical ? { cpus: typical.cpus!, memoryBytes: typical.memoryBytes! } : null,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Advice from one look at Nomad (and, with `--watch`, the pending counts seen
 * before, oldest first, to tell a growing queue from a blip).
 */
export function scalingAdvice(nomad: NomadStatus, history: number[] = []): Advice[] {
  const advice: Advice[] = [];
  if (nomad.pollFailure) {
    advice.push({ level: 'warning', text: `The Nomad server did not answer (${nomad.error ?? 'no reason given'}): no build jobs run while it is down.` });
    return advice;
  }
  const off = nomad.nodes.filter((n) => !schedulable(n));
  if (off.length) {
    advice.push({
      level: 'info',
      text: `${plural(off.length, 'client')} take no new builds: ${off.map((n) => `${n.name} (${n.status}${n.drain ? ', draining' : ''}${n.eligibility !== 'eligible' ? `, ${n.eligibility}` : ''})`).join(', ')}.`,
    });
  }
  const pending = nomad.jobs.pending;
  if (pending <= 0) return advice;

  const cap = capacityOf(nomad.nodes);
  const running = nomad.nodes.some((n) => n.allocs !== null) ? nomad.nodes.reduce((s, n) => s + (n.allocs ?? 0), 0) : nomad.jobs.running;
  const trend = history.length && history.every((p) => p > 0) ? (pending > history[0] ? ' and growing' : ' and staying above zero') : '';
  const reservation = `after the ${CLIENT_RESERVATION.cpus} vCPU + ${CLIENT_RESERVATION.memoryGb} GB reservation`;
  if (cap.perNewClient === null || cap.perNewClient === 0) {
    advice.push({
      level: 'warning',
      text: `${plural(pending, 'job')} pending${trend}, but the clients' size is unknown (or too small for a medium build ${reservation}), so Drydock cannot say how many clients to add.`,
    });
    return advice;
  }
  const free = cap.builds === null ? 0 : Math.max(0, cap.builds - running);
  const needed = pending - free;
  if (needed <= 0) {
    advice.push({
      level: 'warning',
      text: `${plural(pending, 'job')} pending${trend} although the clients have room for ${plural(free, 'more build')}: the queue is not a capacity problem. Check picard-dispatcher and picard-scheduler, and that clients reach the Services machine on 4647 and 8585.`,
    });
    return advice;
  }
  const add = Math.ceil(needed / cap.perNewClient);
  const size = cap.newClientSize!;
  advice.push({
    level: 'action',
    addClients: add,
    text:
      `Add ${plural(add, 'Nomad client')}: ${plural(pending, 'job')} pending${trend}, ` +
      `${cap.builds === null ? 'current capacity unknown' : `${plural(cap.clients, 'client')} run at most ${plural(cap.builds, 'medium build')} and ${running} are running`}. ` +
      `A client like the current ones (${size.cpus} vCPUs, ${Math.round(size.memoryBytes / GB)} GB) runs ${cap.perNewClient} medium builds ${reservation} ` +
      `(${buildsPerClient(size.cpus, size.memoryBytes, 'small')} small or ${buildsPerClient(size.cpus, size.memoryBytes, 'large')} large).`,
    });
  return advice;
}
