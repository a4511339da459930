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
