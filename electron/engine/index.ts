/**
 * The engine's front door: everything the Electron main process, the CLI and
 * the browser-mode server need, and nothing from Electron.
 */
export { createEngine, type Engine, type EngineOptions } from './engine';
export { createHandlers } from './api/handlers';
export { dispatch } from './api/dispatch';
export type { Handlers, CallContext } from './api/types';
