/** Refuse to run against a build that is not there, with the command that makes it. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..', '..');
  const missing = ['dist/electron/cli.js', 'dist/renderer/index.html'].filter((f) => !existsSync(path.join(root, f)));
  if (missing.length) {
    throw new Error(`e2e needs the built app (missing ${missing.join(', ')}): run \`npm run build\` first.`);
  }
}
