/**
 * The outcome of the last action. Successes go to a status region that is
 * always present (so screen readers hear the change); failures appear as an
 * alert.
 */
import { useNotice } from '../store/notice-store';

export function NoticeLine() {
  const notice = useNotice((s) => s.notice);
  const dismiss = useNotice((s) => s.dismiss);
  const body = notice && (
    <div className={`message ${notice.kind === 'error' ? 'message--error' : 'message--info'} message--dismissable`}>
      <p>{notice.text}</p>
      <button type="button" className="button button--small button--quiet" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
  return (
    <>
      <div role="status" className="notice-slot">
        {notice?.kind === 'info' && body}
      </div>
      {notice?.kind === 'error' && <div role="alert">{body}</div>}
    </>
  );
}
