/**
 * The report's two renderings say the same thing safely: HTML escapes what
 * hosts and commands contain, Markdown keeps tables and fences intact, and
 * the tar writer makes archives the system `tar` reads (long paths too).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportDocument } from '../../electron/engine/report/document';
import { toHtml } from '../../electron/engine/report/html';
import { toMarkdown } from '../../electron/engine/report/markdown';
import { tarGz } from '../../electron/engine/operations/support/tar';

const doc: ReportDocument = {
  title: 'Report <1>',
  generatedAt: '2026-11-29T00:00:00.000Z',
  generator: 'Drydock test',
  sections: [
    {
      id: 's',
      title: 'Commands & diffs',
      blocks: [
        { kind: 'table', head: ['#', 'Command'], rows: [['1', 'echo "<script>alert(1)</script>" | tee a\nb']] },
        { kind: 'code', lang: 'diff', caption: 'h:/etc/x', text: '--- a/etc/x\n+++ b/etc/x\n@@ -1 +1 @@\n-old ```\n+new <b>\n' },
        { kind: 'verdict', ok: false, text: 'chain broken at line 3' },
        { kind: 'list', items: [] },
      ],
    },
  ],
};

describe('report rendering', () => {
  it('HTML escapes every value, has no script, and colours diff lines', () => {
    const html = toHtml(doc);
    expect(html).not.toMatch(/<script>alert/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>Report &lt;1&gt;</title>');
    expect(html).toContain('<span class="add">+new &lt;b&gt;</span>');
    expect(html).toContain('<span class="del">-old ```</span>');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<p class="verdict broken"><strong>BROKEN:</strong> chain broken at line 3</p>');
  });

  it('Markdown escapes table pipes and newlines, and fences longer than any backtick run inside', () => {
    const md = toMarkdown(doc);
    expect(md).toContain('| 1 | echo "<script>alert(1)</script>" \\| tee a<br>b |');
    expect(md).toContain('````diff\n--- a/etc/x');
    expect(md).toContain('> **BROKEN:** chain broken at line 3');
    expect(md).toContain('_None._');
  });
});

describe('tarGz', () => {
  it('writes what tar extracts byte for byte, long paths included', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-tar-'));
    try {
      const long = `top/${'deep-folder-name/'.repeat(8)}file-with-a-long-name.log`;
      const bin = Buffer.from([0, 1, 2, 255, 10]);
      writeFileSync(path.join(dir, 'a.tar.gz'), tarGz([{ path: 'top/a.txt', data: Buffer.from('héllo\n') }, { path: long, data: bin }, { path: 'top/empty', data: Buffer.alloc(0) }]));
      execFileSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
      expect(readFileSync(path.join(dir, 'top/a.txt'), 'utf8')).toBe('héllo\n');
      expect(readFileSync(path.join(dir, long))).toEqual(bin);
      expect(readFileSync(path.join(dir, 'top/empty')).length).toBe(0);
      expect(() => tarGz([{ path: '../evil', data: Buffer.alloc(1) }])).toThrow(/unsafe path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
