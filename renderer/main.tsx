/** Renderer entry: start listening for engine progress, then draw the app. */
import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { onConnected, onEvent, sessionToken } from './api';
import { App } from './app';
import { SessionGate } from './components/session-gate';
import { useAudit } from './store/audit-store';
import { useOutput } from './store/output-store';
import { useProgress } from './store/progress-store';
import { useRuns } from './store/runs-store';
import './styles/app.css';

// Browser mode: take the session token out of the address bar before anything else runs.
sessionToken();
onEvent((event) => {
  useProgress.getState().receive(event);
  useRuns.getState().receive(event);
  useAudit.getState().receive(event);
  useOutput.getState().receive(event);
});
// The engine's runs are the truth about what is going on: read them at start
// and whenever the event stream reconnects (events sent meanwhile are lost).
void useRuns.getState().load();
onConnected(() => void useRuns.getState().load());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <SessionGate>
      <App />
    </SessionGate>
  </StrictMode>,
);
