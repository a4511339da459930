/**
 * The names of a DR drill's own steps, one source for the engine that
 * defines them and the wizard that refuses a drill whose plan lacks them
 * (a drill without its outbound block would start a copy of production that
 * can run scheduled workflows, send mail and call GitHub).
 */
export const DRILL_STEPS = {
  blockWrite: 'drill-block-write',
  blockLoad: 'drill-block-load',
  blockRemove: 'drill-block-remove',
  putBack: 'drill-put-back',
} as const;

/**
 * The spare cut off from every outbound connection but SSH before the
 * restored disk boots (drill, refresh-spare): the production app on that
 * disk starts by itself at boot, long before a firewall on the host could be
 * loaded. Done at the provider (a security group, an nwfilter), released at
 * the end of the run.
 */
export const ISOLATION_STEPS = {
  isolate: 'isolate-spare',
  release: 'release-spare-network',
} as const;
