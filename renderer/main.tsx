/** Renderer entry: start listening for engine progress, then draw the app. */
import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { onEvent, sessionToken } from './api';
import { App } from './app';
import { SessionGate } from './components/session-gate';
import { useProgress } from './store/progress-store';
import './styles/app.css';

// Browser mode: take the session token out of the address bar before anything else runs.
sessionToken();
onEvent((event) => useProgress.getState().receive(event));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <SessionGate>
      <App />
    </SessionGate>
  </StrictMode>,
);
