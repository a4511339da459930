/** The preflight as a report document: one table per host, the same words in Markdown and HTML. */
import type { PreflightReport } from '../../../../../shared/install/preflight';
import type { ReportDocument } from '../../../report/document';
import { toHtml } from '../../../report/html';
import { toMarkdown } from '../../../report/markdown';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export function preflightDocument(r: PreflightReport, generator: string): ReportDocument {
  return {
    title: 'Drydock install preflight',
    generatedAt: r.checkedAt,
    generator,
    sections: [
      {
        id: 'summary',
        title: 'Summary',
        blocks: [
          { kind: 'verdict', ok: r.status !== 'fail', text: `${r.status === 'fail' ? 'Not ready to install' : r.status === 'warn' ? 'Ready, with warnings' : 'Ready to install'}: ${r.summary}.` },
          {
            kind: 'facts',
            rows: [
              ['Checked at', r.checkedAt],
              ['CircleCI hostname', r.circleHostname ?? 'not given'],
              ['GitHub Enterprise', r.gheHostname ?? 'not given'],
            ],
          },
        ],
      },
      ...r.hosts.map((h) => ({
        id: `host-${h.host}`,
        title: `${h.host} (${h.role}, ${h.address}): ${MARK[h.status]}`,
        blocks: [{ kind: 'table' as const, head: ['Status', 'Check', 'Measured', 'Fix'], rows: h.checks.map((c) => [MARK[c.status], c.title, c.value, c.fix]) }],
      })),
    ],
  };
}

export function exportPreflight(r: PreflightReport, format: 'markdown' | 'html', generator: string): { filename: string; content: string } {
  const doc = preflightDocument(r, generator);
  const stamp = r.checkedAt.replace(/[^0-9TZ]/g, '');
  return format === 'html' ? { filename: `preflight-${stamp}.html`, content: toHtml(doc) } : { filename: `preflight-${stamp}.md`, content: toMarkdown(doc) };
}
