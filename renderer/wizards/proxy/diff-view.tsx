/**
 * One file's unified diff. Added and removed lines keep their `+` / `-`
 * (colour is a help, never the only sign), and the whole diff is one
 * scrollable, focusable region so keyboard users can scroll it too.
 */
import type { FileChange } from '../../../shared/channels/proxy';

const ACTION_TEXT: Record<FileChange['action'], string> = {
  create: 'new file',
  update: 'changes',
  unchanged: 'already as planned',
  remove: 'removed',
  restore: 'restored',
};

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('===') || line.startsWith('Index:')) return 'diff__meta';
  if (line.startsWith('@@')) return 'diff__hunk';
  if (line.startsWith('+')) return 'diff__add';
  if (line.startsWith('-')) return 'diff__del';
  return '';
}

export function FileDiff({ host, file }: { host: string; file: FileChange }) {
  const lines = file.diff.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
  return (
    <details className="diff" open={file.action !== 'unchanged'}>
      <summary>
        <code>{file.path}</code>{' '}
        <span className={`badge ${file.action === 'unchanged' ? 'badge--ok' : 'badge--warn'}`}>{ACTION_TEXT[file.action]}</span>
      </summary>
      {file.diff ? (
        <pre className="diff__body" tabIndex={0} aria-label={`Changes to ${file.path} on ${host}`} data-testid={`diff-${host}-${file.path}`}>
          {lines.map((line, i) => (
            <span key={i} className={lineClass(line)}>
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      ) : (
        <p className="muted">No change: the file already holds these settings.</p>
      )}
    </details>
  );
}
