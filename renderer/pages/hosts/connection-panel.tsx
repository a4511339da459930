/**
 * The answer to "Test connection", one line per question: is the key the
 * trusted one, does login work, does root work. Each says what to fix when
 * it does not, and a later line says when it was not tried.
 */
import type { ConnectionTest } from '../../../shared/contract';
import { ErrorMessage } from '../../components/error-message';
import { Fingerprint } from '../../components/fingerprint';
import { formatTime } from '../../format';
import { useConnection } from '../../store/connection-store';

const MARK: Record<ConnectionTest['login']['status'], string> = { ok: 'Yes', failed: 'No', skipped: 'Not tried' };
const BADGE: Record<ConnectionTest['login']['status'], string> = { ok: 'badge--ok', failed: 'badge--danger', skipped: 'badge--warn' };

export function ConnectionPanel({ onCredentials }: { onCredentials(name: string): void }) {
  const shown = useConnection((s) => s.shown);
  const view = useConnection((s) => (s.shown ? s.byHost[s.shown] : undefined));
  const test = useConnection((s) => s.test);
  const hide = useConnection((s) => s.hide);
  if (!shown || !view) return null;
  const headingId = `connection-${shown}`;
  const lines = view.status === 'done' ? ([['Key trusted', view.test.keyTrusted], ['Login works', view.test.login], ['Root works (sudo)', view.test.sudo]] as const) : [];
  const needsSecrets = view.status === 'done' && [view.test.login.code, view.test.sudo.code].some((c) => c === 'AUTH_FAILED' || c === 'SUDO_FAILED' || c === 'COMMAND_FAILED');

  return (
    <section className="panel" aria-labelledby={headingId} aria-busy={view.status === 'testing'}>
      <div className="panel__header">
        <h2 id={headingId}>Connection test: {shown}</h2>
        <div className="row-actions">
          <button type="button" className="button" onClick={() => void test(shown)} disabled={view.status === 'testing'}>
            Test again
          </button>
          <button type="button" className="button button--quiet" onClick={hide}>
            Close
          </button>
        </div>
      </div>
      <p role="status" className="panel__status">
        {view.status === 'testing' && `Testing ${shown}: reading its key, logging in, trying sudo…`}
        {view.status === 'done' && `Tested at ${formatTime(view.at.toISOString())} (${view.test.knownAs}).`}
      </p>
      {view.status === 'failed' && <ErrorMessage error={view.error} prefix={`Could not test ${shown}.`} />}
      {lines.length > 0 && (
        <dl className="connection-checks">
          {lines.map(([label, check]) => (
            <div key={label} className="connection-checks__row" data-testid={`check-${label.split(' ')[0].toLowerCase()}`}>
              <dt>{label}</dt>
              <dd>
                <span className={`badge ${BADGE[check.status]}`}>{MARK[check.status]}</span> {check.message}
                {'fingerprint' in check && check.fingerprint && (
                  <div>
                    <Fingerprint value={check.fingerprint} />
                  </div>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {needsSecrets && (
        <div className="actions actions--start">
          <button type="button" className="button" onClick={() => onCredentials(shown)}>
            Give credentials…
          </button>
        </div>
      )}
    </section>
  );
}
