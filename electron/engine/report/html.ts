/**
 * A report as one self-contained HTML file: no scripts, no remote anything
 * (a CSP that forbids both), readable in light and dark, printable.
 */
import type { Block, ReportDocument } from './document';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function diffLines(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
      return cls ? `<span class="${cls}">${escapeHtml(line)}</span>` : escapeHtml(line);
    })
    .join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'facts':
      return `<dl>${b.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'list':
      return b.items.length ? `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '<p class="none">None.</p>';
    case 'table':
      if (!b.rows.length) return '<p class="none">None.</p>';
      return `<table><thead><tr>${b.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'code':
      return `<figure>${b.caption ? `<figcaption>${escapeHtml(b.caption)}</figcaption>` : ''}<pre><code>${b.lang === 'diff' ? diffLines(b.text) : escapeHtml(b.text)}</code></pre></figure>`;
    case 'verdict':
      return `<p class="verdict ${b.ok ? 'ok' : 'broken'}"><strong>${b.ok ? 'OK' : 'BROKEN'}:</strong> ${escapeHtml(b.text)}</p>`;
  }
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--add:#dafbe1;--del:#ffebe9;--ok:#1a7f37;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--add:#12361f;--del:#4a1418;--ok:#3fb950;--bad:#f85149}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:70rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}pre{border:1px solid var(--line);padding:.5rem;overflow-x:auto;font-size:.85rem}
.add{background:var(--add);display:inline-block;width:100%}.del{background:var(--del);display:inline-block;width:100%}.hunk{color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.verdict.ok{color:var(--ok)}.verdict.broken{color:var(--bad)}.none,.meta{color:var(--muted)}figure{margin:1rem 0}figcaption{font-weight:600}
`;

export function toHtml(doc: ReportDocument): string {
  const body = doc.sections.map((s) => `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${s.blocks.map(block).join('\n')}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1><p class="meta">Generated ${escapeHtml(doc.generatedAt)} by ${escapeHtml(doc.generator)}.</p>
${body}
</body></html>
`;
}
