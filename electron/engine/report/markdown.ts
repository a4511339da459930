/** A report as Markdown (GitHub-flavoured tables and fenced code). */
import type { Block, ReportDocument } from './document';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

function fence(text: string): string {
  // A fence longer than any run of backticks inside, so nothing can close it early.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return b.text;
    case 'facts':
      return b.rows.map(([k, v]) => `- **${k}:** ${v}`).join('\n');
    case 'list':
      return b.items.length ? b.items.map((i) => `- ${i}`).join('\n') : '_None._';
    case 'table':
      if (!b.rows.length) return '_None._';
      return [`| ${b.head.map(cell).join(' | ')} |`, `| ${b.head.map(() => '---').join(' | ')} |`, ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
    case 'code': {
      const f = fence(b.text);
      return `${b.caption ? `${b.caption}\n\n` : ''}${f}${b.lang}\n${b.text.replace(/\n$/, '')}\n${f}`;
    }
    case 'verdict':
      return `> **${b.ok ? 'OK' : 'BROKEN'}:** ${b.text}`;
  }
}

export function toMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`, `_Generated ${doc.generatedAt} by ${doc.generator}._`];
  for (const s of doc.sections) {
    parts.push(`## ${s.title}`);
    for (const b of s.blocks) parts.push(block(b));
  }
  return parts.join('\n\n') + '\n';
}
