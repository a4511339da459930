/**
 * One report model for every report Drydock writes (change control now;
 * restore and preflight add their own sections later): a title, facts, and
 * sections of plain blocks. Markdown and HTML are two renderings of the same
 * document, so they cannot say different things.
 */
export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'facts'; rows: [label: string, value: string][] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'code'; lang: 'diff' | 'text'; caption?: string; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'verdict'; ok: boolean; text: string };

export interface ReportSection {
  id: string;
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  generatedAt: string;
  generator: string;
  sections: ReportSection[];
}

/**
 * A source of sections. The change-control report asks every registered
 * contributor in turn; an operation with something of its own to say (the
 * restore's snapshot, the preflight's checks) registers one.
 */
export interface SectionContributor<Context> {
  id: string;
  /** Sections for this context, or none. */
  sections(ctx: Context): ReportSection[];
}
