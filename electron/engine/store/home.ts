/**
 * Where Drydock keeps its state: DRYDOCK_HOME, else the OS's per-user
 * app-data folder, the same place Electron's app.getPath('userData') gives
 * for an app named Drydock, so the CLI and the window share one inventory.
 */
import os from 'node:os';
import path from 'node:path';

export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.DRYDOCK_HOME) return path.resolve(env.DRYDOCK_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Drydock');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Drydock');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Drydock');
}
